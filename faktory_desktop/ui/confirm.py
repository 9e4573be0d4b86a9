"""Confirmations that never block the event loop: `if await confirm(...)` inside a coroutine.

qasync cannot run a nested `QDialog.exec()` loop safely, so the question is shown with `open()`
and its answer arrives through a future. Tests (or automation) can answer every question without
showing a dialog by installing an answerer with `set_answerer`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

Answerer = Callable[[str, str], bool]  # (title, text) -> accepted?

_answerer: Answerer | None = None


def set_answerer(answerer: Answerer | None) -> None:
    """Answer every confirmation with `answerer(title, text)` instead of asking (None: ask)."""
    global _answerer
    _answerer = answerer


def confirm(parent: QWidget | None, title: str, text: str, destructive: bool = False,
            accept_text: str = "OK") -> asyncio.Future[bool]:
    """Ask a yes/no question; the future says whether the user accepted.

    A destructive question has Cancel as its default button, so Enter does not destroy data.
    """
    future: asyncio.Future[bool] = asyncio.get_event_loop().create_future()
    if _answerer is not None:
        future.set_result(bool(_answerer(title, text)))
        return future
    box, accept = _message_box(parent, title, text, destructive, accept_text)

    def finished(_result: int) -> None:
        if not future.done():
            future.set_result(box.clickedButton() is accept)
        box.deleteLater()

    def cancelled(done: asyncio.Future[bool]) -> None:
        if done.cancelled() and box.isVisible():
            box.reject()

    box.finished.connect(finished)
    future.add_done_callback(cancelled)
    box.open()
    return future


def _message_box(parent: QWidget | None, title: str, text: str, destructive: bool,
                 accept_text: str) -> tuple[QMessageBox, QPushButton]:
    box = QMessageBox(parent)
    box.setObjectName("confirmDialog")
    box.setWindowTitle(title)
    box.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
    box.setText(title)
    box.setInformativeText(text)
    box.setTextFormat(Qt.TextFormat.PlainText)
    roles = QMessageBox.ButtonRole
    role = roles.DestructiveRole if destructive else roles.AcceptRole
    accept = box.addButton(accept_text, role)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel if destructive else accept)
    box.setEscapeButton(cancel)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    return box, accept
