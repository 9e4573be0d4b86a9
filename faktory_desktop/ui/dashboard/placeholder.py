"""What the dashboard shows while there is nothing live: until the first snapshot, whenever the
server is not running, and while the dashboard itself is still being built at launch.

No pyqtgraph here, so the window can show it before the graphs' modules are imported.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from faktory_desktop.ui.dashboard.theme import dimmed_text
from faktory_desktop.ui.status import AppState, ServerStatus

WAITING = "Waiting for the server…"


class Placeholder(QWidget):
    """Stands in for the dashboard while there is nothing live to show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(WAITING)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.title.setFont(font)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (self.title, self.detail):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(1)
        self._restyle()

    def text(self) -> str:
        return "\n".join(t for t in (self.title.text(), self.detail.text()) if t)

    def show_status(self, status: ServerStatus) -> None:
        self.detail.setText({
            AppState.STOPPED: "The server is stopped. Live numbers appear here once it runs.",
            AppState.STARTING: "The server is starting.",
            AppState.ERROR: "The server is not running; the banner above says why.",
        }.get(status.state, ""))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()

    def _restyle(self) -> None:
        palette = self.detail.palette()
        palette.setColor(QPalette.ColorRole.WindowText, dimmed_text(self.palette()))
        self.detail.setPalette(palette)

