"""Python's cyclic garbage collection, on the GUI thread only.

The collector runs on whichever thread happens to allocate, the server's included, and a QObject
freed off the GUI thread crashes Qt. So the automatic collector is turned off and a GUI timer
collects each generation once its count passes the threshold the collector itself would use (as
pyqtgraph's `GarbageCollector` does; that module is not imported for it, since importing it loads
all of pyqtgraph and numpy, a third of the app's launch time).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QTimer

INTERVAL_MS = 1000

_timer: QTimer | None = None


def collect_on_gui_thread(interval_ms: int = INTERVAL_MS) -> QTimer:
    """Turn automatic collection off and collect from a GUI timer (once: later calls return it).

    Call it on the GUI thread before starting any other thread that allocates Python objects.
    """
    global _timer
    if _timer is None:
        thresholds = gc.get_threshold()
        gc.disable()
        _timer = QTimer()
        _timer.timeout.connect(lambda: _collect(thresholds))
        _timer.start(interval_ms)
    return _timer


def _collect(thresholds: tuple[int, int, int]) -> None:
    """Collect the youngest generations whose allocation counts passed their thresholds."""
    counts = gc.get_count()
    for generation in range(3):
        if counts[generation] <= thresholds[generation]:
            return
        gc.collect(generation)
