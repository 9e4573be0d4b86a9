"""What the job screens share to act and to report: API calls from the GUI, the tasks they run
in, and the one-line message that says what happened (or exactly what went wrong).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from enum import Enum
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.core.job import JobError
from faktory_desktop.storage.store import STORAGE_ERRORS
from faktory_desktop.ui.controller import ServerController, ServerNotRunning

T = TypeVar("T")

# Solid badge colours, dark enough for white text, light enough to stand out on a dark base.
BADGE_COLORS = {
    "green": "#188038", "amber": "#b06000", "red": "#c5221f", "blue": "#1a73e8",
    "gray": "#5f6368", "purple": "#8430ce",
}
# Text colours per tone: (on a light background, on a dark one).
TEXT_COLORS = {
    "green": ("#137333", "#81c995"), "red": ("#c5221f", "#f28b82"),
    "amber": ("#b06000", "#fdd663"),
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def tone(name: str, palette: QPalette) -> QColor:
    """A text colour for `name` ("green", "red", "amber") that reads on this palette."""
    light, dark = TEXT_COLORS[name]
    return QColor(dark if is_dark(palette) else light)


async def call_api(controller: ServerController,
                   make: Callable[[FaktoryAPI], Coroutine[Any, Any, T]]) -> T:
    """`make(api)` run on the server thread; ServerNotRunning when there is no server."""
    api = controller.api
    if api is None:
        raise controller.not_running()
    return await controller.call(make(api))


FAILED: Any = object()  # what `call_reported` returns after it has reported a failed call


async def call_reported(controller: ServerController,
                        make: Callable[[FaktoryAPI], Coroutine[Any, Any, Any]],
                        message: MessageLine | None) -> Any:
    """`make(api)`'s answer; FAILED after an expected failure, which `message` shows (unless
    None: a background read stays quiet, the next one may work)."""
    try:
        return await call_api(controller, make)
    except Exception as exc:
        text = failure_text(exc)
        if text is None:
            raise
        if message is not None:
            message.show_error(text)
        return FAILED


def failure_text(exc: BaseException) -> str | None:
    """What to tell the user about an exception from `call_api`; None: not an expected one."""
    if isinstance(exc, ServerNotRunning | JobError):
        return str(exc)
    if isinstance(exc, STORAGE_ERRORS):
        return f"The storage engine did not answer ({exc}); try again in a moment."
    return None


class Tasks:
    """Strong references to the coroutines a widget starts, until each ends (qasync drops
    unreferenced tasks)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def busy(self) -> bool:
        return any(not t.done() for t in self._tasks)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()


class MessageKind(Enum):
    INFO = "info"
    SUCCESS = "success"
    ERROR = "error"


class MessageLine(QLabel):
    """One line saying what the last action did; errors in red, successes in green."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = MessageKind.INFO
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setObjectName("messageLine")

    def show_info(self, text: str) -> None:
        self._show(text, MessageKind.INFO)

    def show_success(self, text: str) -> None:
        self._show(text, MessageKind.SUCCESS)

    def show_error(self, text: str) -> None:
        self._show(text, MessageKind.ERROR)

    def clear(self) -> None:
        self._show("", MessageKind.INFO)

    def _show(self, text: str, kind: MessageKind) -> None:
        self.kind = kind
        self.setText(text)
        self._restyle()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()

    def _restyle(self) -> None:
        colors = {MessageKind.SUCCESS: "green", MessageKind.ERROR: "red"}
        name = colors.get(self.kind)
        color = tone(name, self.palette()).name() if name else "palette(window-text)"
        weight = "600" if self.kind is MessageKind.ERROR else "normal"
        sheet = f"#messageLine {{ color: {color}; font-weight: {weight}; }}"
        if sheet != self.styleSheet():  # a new sheet can change the palette: no loop
            self.setStyleSheet(sheet)
