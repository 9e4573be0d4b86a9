"""A marker on stderr once the main window has first been painted, for `make bench-launch`.

Off unless `FAKTORY_DESKTOP_PAINT_MARK` is set. The mark is printed on the event-loop turn after
the window's first Paint event, so the paint pass that event began (the window and its children,
flushed to the screen or the offscreen backing store) has finished.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QEvent, QObject, QTimer

PAINT_MARK_ENV = "FAKTORY_DESKTOP_PAINT_MARK"
PAINT_MARK = "faktory-desktop: first paint"


class FirstPaintMark(QObject):
    """Installed on the window when the environment asks for the mark; removes itself."""

    @classmethod
    def install(cls, window: QObject) -> FirstPaintMark | None:
        if not os.environ.get(PAINT_MARK_ENV):
            return None
        mark = cls(window)
        window.installEventFilter(mark)
        return mark

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, _print_mark)
        return False


def _print_mark() -> None:
    print(PAINT_MARK, file=sys.stderr, flush=True)
