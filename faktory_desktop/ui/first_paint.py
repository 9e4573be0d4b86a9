"""What waits for the main window's first paint: the slow-to-import pages, and the marker
`make bench-launch` times.

`FirstPaint` calls back on the event-loop turn after the window's first Paint event, so the paint
pass that event began (the window and its children, flushed to the screen or the offscreen
backing store) has finished. With `FAKTORY_DESKTOP_PAINT_MARK` set, the app then writes
`PAINT_MARK` as one line to stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer

PAINT_MARK_ENV = "FAKTORY_DESKTOP_PAINT_MARK"
PAINT_MARK = "faktory-desktop: first paint"


class FirstPaint(QObject):
    """Calls `then` once, after `window`'s first paint; removes itself from the window."""

    def __init__(self, window: QObject, then: Callable[[], object]) -> None:
        super().__init__(window)
        self._then = then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


def print_mark_if_asked() -> None:
    if os.environ.get(PAINT_MARK_ENV):
        print(PAINT_MARK, file=sys.stderr, flush=True)
