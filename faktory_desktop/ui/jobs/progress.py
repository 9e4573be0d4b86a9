"""Long runs seen from the GUI: progress carried over from the server thread, and a strip with a
progress bar and a Cancel button.

A scan or bulk action runs on the server's loop and reports `(a, b)` counts through a plain
callable; `ProgressRelay` is that callable, and hands each report to the GUI's event loop, so
the handler runs on the GUI thread. Cancelling sets a `threading.Event` the core checks between
batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


class ProgressRelay:
    """Callable from any thread; calls `handler` on the GUI's event loop until `close()`.

    Deliberately not a QObject: the server thread may hold the last reference to a relay for a
    moment, and a QObject freed on the wrong thread is a crash. The report travels through the
    loop's own `call_soon_threadsafe`.
    """

    def __init__(self, handler: Callable[[int, int], None]) -> None:
        self.handler = handler
        self.active = True
        self._loop = asyncio.get_event_loop()

    def __call__(self, first: int, second: int) -> None:
        if self.active:
            with contextlib.suppress(RuntimeError):  # the GUI's loop has closed
                self._loop.call_soon_threadsafe(self._deliver, first, second)

    def _deliver(self, first: int, second: int) -> None:
        if self.active:  # reports still queued after the run ended are dropped
            self.handler(first, second)

    def close(self) -> None:
        self.active = False


class TaskStrip(QWidget):
    """What a long run is doing, how far it got, and a Cancel button; hidden between runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.setFixedWidth(260)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self._cancel: threading.Event | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        layout.addStretch(1)
        self.hide()

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start(self, text: str, maximum: int) -> threading.Event:
        """Show a run; returns the event Cancel sets."""
        self._cancel = threading.Event()
        self.label.setText(text)
        self.bar.setRange(0, max(0, maximum))  # 0..0: a busy bar, when the size is unknown
        self.bar.setValue(0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show()
        return self._cancel

    def advance(self, value: int) -> None:
        if self.bar.maximum() > 0:
            self.bar.setValue(min(value, self.bar.maximum()))

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")

    def finish(self) -> None:
        self._cancel = None
        self.hide()
