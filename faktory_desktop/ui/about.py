"""The About box: what this is, and every version a bug report needs, with a button to copy them.

It is shown with `open()`, never `exec()`: a nested event loop inside qasync would stall the
server calls awaiting on the GUI loop.
"""

from __future__ import annotations

import platform
import sys

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop import FAKTORY_COMPAT_VERSION, __version__
from faktory_desktop.engine import Engine, ExternalEngine
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.icons import app_icon
from faktory_desktop.ui.status import OWN_SERVER_STATES, ServerStatus

APP_NAME = "Faktory Desktop"
TAGLINE = "Faktory, the language-agnostic background-job server, on your desktop."


def _engine(controller: ServerController) -> Engine | ExternalEngine | None:
    thread = controller.server_thread
    if thread is None or controller.status.state not in OWN_SERVER_STATES:
        return None
    return thread.runtime.engine


def engine_text(controller: ServerController) -> str:
    """"valkey 8.1.1" while running; otherwise "not running"."""
    engine = _engine(controller)
    if engine is None:
        return "not running"
    version = engine.version
    return f"{version[0]} {version[1]}" if version else "external Redis"


def engine_binary_text(controller: ServerController) -> str:
    engine = _engine(controller)
    return (engine.binary if engine is not None else None) or "—"


def version_rows(controller: ServerController) -> list[tuple[str, str]]:
    """(label, value) for each version shown, in order."""
    return [
        ("Version", __version__),
        ("Faktory protocol", FAKTORY_COMPAT_VERSION),
        ("Engine", engine_text(controller)),
        ("Engine binary", engine_binary_text(controller)),
        ("Python", f"{platform.python_version()} ({sys.platform})"),
        ("Qt", f"{qVersion()} (PySide6 {PySide6.__version__})"),
    ]


class AboutDialog(QDialog):
    """Open with `open()`; it keeps the engine row current while shown."""

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(f"About {APP_NAME}")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(560)
        self.values: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addLayout(self._header())
        layout.addLayout(self._form())
        layout.addWidget(self._buttons())
        controller.statusChanged.connect(self.refresh)

    def _header(self) -> QHBoxLayout:
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        title = QLabel(f"<b style='font-size:16pt'>{APP_NAME}</b><br>{TAGLINE}")
        title.setWordWrap(True)
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(title, 1)
        return row

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setContentsMargins(80, 12, 0, 12)
        for label, value in version_rows(self.controller):
            field = QLabel(value)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setWordWrap(True)
            self.values[label] = field
            form.addRow(f"{label}:", field)
        return form

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy Details")
        copy.clicked.connect(self.copy_details)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        return buttons

    def refresh(self, _status: ServerStatus | None = None) -> None:
        """Show the current engine (called on every status change)."""
        self.values["Engine"].setText(engine_text(self.controller))
        self.values["Engine binary"].setText(engine_binary_text(self.controller))

    def details(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in version_rows(self.controller))

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(f"{APP_NAME}\n{self.details()}")


def show_about(controller: ServerController, parent: QWidget | None = None,
               dialog: AboutDialog | None = None) -> AboutDialog:
    """Open (or raise) the About box without blocking; keep the returned dialog to reuse it."""
    dialog = dialog or AboutDialog(controller, parent)
    dialog.refresh()
    dialog.open()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
