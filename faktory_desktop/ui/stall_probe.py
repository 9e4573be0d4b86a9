"""Measures how late the GUI event loop runs: the app's responsiveness under load.

A precise 5 ms timer notes how much later than due each tick arrives; a tick that comes 40 ms
late means the window could not repaint or react for 40 ms. `make bench-app` turns it on through
`FAKTORY_DESKTOP_STALL_PROBE=<file>` and reads the summary the app writes there when it quits.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer

INTERVAL_MS = 5
WORST_THRESHOLD_MS = 50.0  # stalls this long are kept with when they happened


class StallProbe(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lateness_ms: list[float] = []
        self._started = 0.0
        self._worst: list[tuple[float, float]] = []  # (lateness ms, seconds since start)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0

    def start(self) -> None:
        self._started = self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        late = max(0.0, (now - self._last) * 1000 - INTERVAL_MS)
        self.lateness_ms.append(late)
        self._last = now
        if late > WORST_THRESHOLD_MS:
            self._worst = sorted([*self._worst, (late, now - self._started)], reverse=True)[:5]

    def summary(self) -> dict[str, object]:
        values = sorted(self.lateness_ms)
        if not values:
            return {"ticks": 0}
        return {
            "ticks": len(values),
            "p50_ms": values[len(values) // 2],
            "p99_ms": values[min(len(values) - 1, int(len(values) * 0.99))],
            "max_ms": values[-1],
            "worst": [{"ms": round(ms, 1), "at_s": round(at, 1)} for ms, at in self._worst],
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.summary()))
