"""The Server panel's Status section: state, the FAKTORY_URL to give clients, where the server
listens, whether it needs a password, and where its data lives."""

from __future__ import annotations

import html
import ipaddress
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QWidget

from faktory_desktop.config import Settings
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.server.widgets import CopyField, ValueWithButton
from faktory_desktop.ui.status import AppState

STATE_COLORS = {
    AppState.STOPPED: "#80868b",
    AppState.STARTING: "#1a73e8",
    AppState.RUNNING: "#1e8e3e",
    AppState.RESTARTING: "#e37400",
    AppState.NOT_RESPONDING: "#d93025",
    AppState.ATTACHED: "#1a73e8",
    AppState.ERROR: "#d93025",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listening_text(settings: Settings, port: int, running: bool) -> str:
    host = settings.host
    where = ("all network interfaces" if host in ("0.0.0.0", "::", "")
             else "this computer only" if is_loopback(host) else "this network address")
    port_text = f"port {port}" if port else "a free port chosen at start"
    tls = ", TLS" if settings.tls_cert else ""
    when = "" if running else " (when started)"
    return f"{host}, {port_text}{tls} — {where}{when}"


def password_text(settings: Settings) -> str:
    if settings.password:
        return "Set — clients must include it in FAKTORY_URL"
    if is_loopback(settings.host):
        return "Not set"
    return "Not set — anyone who can reach this port can connect"


class StatusSection(QGroupBox):
    """Reads the controller; `refresh()` after every status change."""

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__("Server", parent)
        self.controller = controller
        self.state = QLabel()
        self.url = CopyField()
        self.url.button.setToolTip("Copy FAKTORY_URL, with the password, to the clipboard")
        self.listening = QLabel()
        self.listening.setWordWrap(True)
        self.password = QLabel()
        self.password.setWordWrap(True)
        self.data_dir = ValueWithButton("Open folder", monospace=True)
        self.data_dir.button.clicked.connect(self.open_data_dir)
        self.web_ui = CopyField()
        self.web_ui.button.setToolTip("Copy the Web UI's URL to the clipboard")
        self.open_web_ui = QPushButton("Open Web UI")
        self.open_web_ui.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl(self.controller.web_ui_url)))
        self._web_row = QWidget()
        web_layout = QHBoxLayout(self._web_row)
        web_layout.setContentsMargins(0, 0, 0, 0)
        web_layout.addWidget(self.web_ui, 1)
        web_layout.addWidget(self.open_web_ui)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("State", self.state)
        form.addRow("FAKTORY_URL", self.url)
        form.addRow("Listening on", self.listening)
        form.addRow("Password", self.password)
        form.addRow("Data folder", self.data_dir)
        form.addRow("Web UI", self._web_row)
        self._form = form
        self.refresh()

    def data_path(self) -> Path:
        thread = self.controller.server_thread
        engine_dir = thread.runtime.engine.data_dir if thread else None
        return Path(engine_dir or self.controller.settings.data_dir)

    def refresh(self) -> None:
        ctl = self.controller
        settings, port = ctl.settings, ctl.port
        status = ctl.status
        color = STATE_COLORS[status.state]
        watched = f" — {html.escape(status.detail)}" if status.state is AppState.ATTACHED else ""
        self.state.setText(f'<span style="color:{color}">●</span>&nbsp; {status.title}{watched}')
        self.url.set_value(settings.client_url(port, reveal_password=False),
                           settings.client_url(port) if port else "")
        self.listening.setText(listening_text(settings, port, ctl.running))
        self.password.setText(password_text(settings))
        self.data_dir.set_text(str(self.data_path()))
        web = ctl.web_ui_url
        self.web_ui.set_value(web)
        self._form.setRowVisible(self._web_row, bool(web))

    def open_data_dir(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_path())))
