"""The two log tabs: the server's own log (from the LogBuffer) and the engine's (its log file).

Each polls only while it is shown, and only for what is new since its last look.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.log_buffer import (
    FileTail,
    LogBuffer,
    TailRead,
    engine_line_level,
    read_new_lines,
    server_line_level,
)
from faktory_desktop.ui.server.log_view import Classifier, LogView

SERVER_POLL_MS = 500
ENGINE_POLL_MS = 1000


class PollingLogView(LogView):
    """A LogView that calls `poll()` on a timer while it is shown (and once on showing)."""

    def __init__(self, classify: Classifier, interval_ms: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(classify, parent=parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    def poll(self) -> None:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.poll()
        self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self._timer.stop()


class ServerLogView(PollingLogView):
    """The server's records, as they would appear on stderr."""

    def __init__(self, logs: LogBuffer, parent: QWidget | None = None) -> None:
        super().__init__(server_line_level, SERVER_POLL_MS, parent)
        self.logs = logs
        self._seq = 0
        self.set_note("Faktory Desktop's own log")

    def poll(self) -> None:
        lines = self.logs.since(self._seq)
        if lines:
            self._seq = lines[-1].seq
            self.append((line.level, line.text) for line in lines)


def _engine_entry(line: str) -> tuple[int, str]:
    """A line the engine wrote without a marker (a banner, a stack) counts as info."""
    level = engine_line_level(line)
    return (logging.INFO if level is None else level), line


class EngineLogView(PollingLogView):
    """The tail of redis.log, followed while shown; read on a worker thread."""

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__(engine_line_level, ENGINE_POLL_MS, parent)
        self.controller = controller
        self._tail: FileTail | None = None
        self._pending: asyncio.Task[None] | None = None

    def log_path(self) -> Path | None:
        thread = self.controller.server_thread
        if thread is None:
            return self._tail.path if self._tail else None  # keep showing the last one
        return thread.runtime.engine.log_path

    def poll(self) -> None:
        path = self.log_path()
        if path is None:
            self.set_note("The engine is external; its log is not available here."
                          if self.controller.server_thread else "The engine has not run yet.")
            return
        if self._tail is None or self._tail.path != path:
            self._tail = FileTail(path)
        self.set_note(str(path))
        if self._pending is None or self._pending.done():
            self._pending = asyncio.ensure_future(self._read(self._tail))

    async def _read(self, tail: FileTail) -> None:
        try:
            result = await read_new_lines(tail)
        except OSError as exc:
            if isValid(self):  # the panel may have been closed meanwhile
                self.set_note(f"Cannot read {tail.path}: {exc.strerror or exc}")
            return
        if isValid(self):
            self._show(result)

    def _show(self, result: TailRead) -> None:
        entries = [_engine_entry(line) for line in result.lines]
        if result.reset:
            self.set_entries(entries)
        elif entries:
            self.append(entries)
