"""The main window: a sidebar of screens, the status banner, and the pages themselves."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.ui.banner import StatusBanner
from faktory_desktop.ui.status import ServerStatus


class MainWindow(QMainWindow):
    """Pages are added with `add_page`; Ctrl+1..9 switch between them."""

    closeRequested = Signal()  # the window's close button: the app decides (tray or quit)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Faktory Desktop")
        self.resize(1180, 780)
        self.setMinimumSize(880, 560)
        self.banner = StatusBanner()
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(176)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pages = QStackedWidget()
        self.sidebar.currentRowChanged.connect(self.pages.setCurrentIndex)
        content = QVBoxLayout()
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(0)
        content.addWidget(self.banner)
        content.addWidget(self.pages, 1)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addLayout(content, 1)
        self.setCentralWidget(central)
        self.quit_on_close = False

    def add_page(self, title: str, page: QWidget) -> None:
        index = self.pages.addWidget(page)
        self.sidebar.addItem(QListWidgetItem(title))
        if index < 9:
            shortcut = QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self)
            shortcut.activated.connect(lambda: self.show_page(index))
            self.sidebar.item(index).setToolTip(f"{title} (Ctrl+{index + 1})")
        if index == 0:
            self.sidebar.setCurrentRow(0)

    def show_page(self, index: int) -> None:
        self.sidebar.setCurrentRow(index)

    def show_status(self, status: ServerStatus) -> None:
        self.banner.show_status(status)
        self.setWindowTitle(f"Faktory Desktop — {status.title}")

    def bring_forward(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.quit_on_close:
            event.accept()
            return
        event.ignore()
        self.closeRequested.emit()
