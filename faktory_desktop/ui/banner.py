"""The status banner at the top of the window: what the server is doing, and what to do next."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from faktory_desktop.ui.status import AppState, Problem, ServerStatus

COLORS = {
    AppState.STOPPED: ("#5f6368", "#eceff1"),
    AppState.STARTING: ("#1a73e8", "#e8f0fe"),
    AppState.RUNNING: ("#188038", "#e6f4ea"),
    AppState.RESTARTING: ("#b06000", "#fef7e0"),
    AppState.NOT_RESPONDING: ("#c5221f", "#fce8e6"),
    AppState.ATTACHED: ("#1a73e8", "#e8f0fe"),
    AppState.ERROR: ("#c5221f", "#fce8e6"),
}


class StatusBanner(QWidget):
    """Shown whenever the server is not simply running; hidden while all is well."""

    startRequested = Signal()
    attachRequested = Signal()
    stopRequested = Signal()
    webUiRequested = Signal(str)  # the address to open
    otherPortRequested = Signal()
    copyUrlRequested = Signal()
    settingsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # paint the banner color
        self.title = QLabel()
        self.title.setObjectName("bannerTitle")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setObjectName("bannerDetail")
        self.start_button = QPushButton("Start server")
        self.attach_button = QPushButton("Watch it here")
        self.attach_button.setToolTip("Attach: show that server's numbers in this window, "
                                      "without running a server of this app's own")
        self.stop_button = QPushButton("Stop watching")
        self.web_button = QPushButton("Open its Web UI")
        self._web_ui = ""
        self.web_button.clicked.connect(lambda: self.webUiRequested.emit(self._web_ui))
        self.port_button = QPushButton("Use another port")
        self.copy_button = QPushButton("Copy its FAKTORY_URL")
        self.copy_button.clicked.connect(self.copyUrlRequested)
        self.settings_button = QPushButton("Settings…")
        self.start_button.clicked.connect(self.startRequested)
        self.attach_button.clicked.connect(self.attachRequested)
        self.stop_button.clicked.connect(self.stopRequested)
        self.port_button.clicked.connect(self.otherPortRequested)
        self.settings_button.clicked.connect(self.settingsRequested)
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.hint)
        text.addWidget(self.detail)
        buttons = QHBoxLayout()
        buttons.addStretch()
        for button in (self.copy_button, self.port_button, self.settings_button,
                       self.stop_button, self.web_button, self.start_button,
                       self.attach_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(text)
        layout.addLayout(buttons)
        self.show_status(ServerStatus(AppState.STOPPED))

    def show_status(self, status: ServerStatus) -> None:
        fg, bg = COLORS[status.state]
        self.setStyleSheet(
            f"#statusBanner {{ background: {bg}; border-bottom: 1px solid {fg}; }}"
            f"#statusBanner QLabel {{ color: #202124; }}"
            f"#bannerTitle {{ color: {fg}; font-weight: 600; font-size: 15px; }}"
            f"#bannerDetail {{ font-family: monospace; font-size: 11px; }}"
        )
        self.title.setText(status.title)
        self.hint.setText(status.hint or _state_hint(status.state))
        self.hint.setVisible(bool(self.hint.text()))
        self.detail.setText(status.detail)
        self.detail.setVisible(bool(status.detail))
        stopped = status.state in (AppState.STOPPED, AppState.ERROR)
        self.start_button.setVisible(stopped)
        self.start_button.setText("Try again" if status.state is AppState.ERROR else "Start server")
        attached = status.state is AppState.ATTACHED
        faktory_there = attached or status.problem is Problem.FAKTORY_ON_PORT
        self.port_button.setVisible(faktory_there or status.problem is Problem.PORT_IN_USE)
        self.copy_button.setVisible(faktory_there)
        self.attach_button.setVisible(status.problem is Problem.FAKTORY_ON_PORT)
        self.stop_button.setVisible(attached)
        self._web_ui = status.web_ui
        self.web_button.setVisible(bool(status.web_ui))
        self.web_button.setToolTip(f"Browse its queues and jobs at {status.web_ui}")
        self.settings_button.setVisible(status.state is AppState.ERROR)
        self.setVisible(status.state is not AppState.RUNNING)


def _state_hint(state: AppState) -> str:
    return {
        AppState.STOPPED: "Faktory is not running. Clients cannot connect until you start it.",
        AppState.STARTING: "Starting the storage engine and opening the Faktory port…",
        AppState.RESTARTING: "The storage engine crashed and is being restarted. Clients get "
                             "errors for a moment; no acknowledged job is lost.",
        AppState.NOT_RESPONDING: "The storage engine is running but answers nothing, so "
                                 "clients get \"did not answer\" errors and may retry. If it "
                                 "stays silent it is restarted; no acknowledged job is lost.",
        AppState.ATTACHED: "A Faktory server was already running on this port, so this window "
                           "shows its numbers and runs no server of its own. Its jobs can be "
                           "browsed in its own Web UI; this app's job screens need the app's "
                           "own server, on another port (or once the other one stops).",
    }.get(state, "")
