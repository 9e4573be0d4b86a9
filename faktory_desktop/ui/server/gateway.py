"""The Server panel's Redis gateway section: whether the engine is reachable on TCP for a
replica, a switch for it, and the two things a user copies to use it (a redis-cli command, the
lines of a replica's config), each with the real password."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QWidget

from faktory_desktop.config import MASK, Settings
from faktory_desktop.engine import Engine
from faktory_desktop.engine.gateway import Gateway
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.server.info import is_loopback
from faktory_desktop.ui.server.widgets import CopyField

WARNING_COLOR = "#d93025"
EXTERNAL = "None: the data is in an external Redis (Settings → External Redis), reachable already"


def engine_gateway(controller: ServerController) -> tuple[Gateway | None, str | None]:
    """The running engine's gateway, and why the one asked for is off (if it is)."""
    thread = controller.server_thread
    engine = thread.runtime.engine if thread and controller.running else None
    if not isinstance(engine, Engine):  # stopped, or an external Redis
        return None, None
    return engine.gateway, engine.gateway_error


def gateway_state_html(settings: Settings, gateway: Gateway | None, error: str | None,
                       running: bool) -> str:
    """One line of rich text: on where, off, or off and why; red when it reaches the network."""
    if settings.redis_url:
        return html.escape(EXTERNAL)
    if error:
        return f'<span style="color:{WARNING_COLOR}">Off — {html.escape(error)}</span>'
    if gateway is None:
        asked = settings.redis_gateway
        if asked and not running:
            return html.escape(f"On at {asked[0]}:{asked[1]} when the server starts")
        return "Off"
    tls = ", TLS" if gateway.tls else ""
    where = html.escape(f"{gateway.host}:{gateway.port}{tls}")
    if is_loopback(gateway.host):
        return f"On — {where} — this computer only"
    return (f'<b style="color:{WARNING_COLOR}">On — {where} — reachable from the network: '
            "anyone with the password can read and change every job</b>")


class GatewaySection(QGroupBox):
    toggleRequested = Signal(bool)  # the user asks for the gateway on (True) or off

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__("Redis gateway", parent)
        self.controller = controller
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.switch = QPushButton("Turn on")
        self.switch.clicked.connect(self._on_switch)
        self.password = CopyField()
        self.password.button.setToolTip("Copy the gateway's password to the clipboard")
        self.copy_cli = QPushButton("Copy redis-cli command")
        self.copy_cli.clicked.connect(lambda: self._copy(self._gateway_text(cli=True)))
        self.copy_replica = QPushButton("Copy replica config")
        self.copy_replica.setToolTip("The replicaof and masterauth lines for a second Redis's "
                                     "redis.conf (the same engine or a newer one)")
        self.copy_replica.clicked.connect(lambda: self._copy(self._gateway_text(cli=False)))
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.state, 1)
        top.addWidget(self.switch)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.copy_cli)
        actions.addWidget(self.copy_replica)
        actions.addStretch(1)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("State", top)
        form.addRow("Password", self.password)
        form.addRow("", actions)
        self.refresh()

    def refresh(self) -> None:
        ctl = self.controller
        gateway, error = engine_gateway(ctl)
        settings = ctl.settings
        self.state.setText(gateway_state_html(settings, gateway, error, ctl.running))
        asked = settings.redis_gateway is not None
        self.switch.setText("Turn off" if asked else "Turn on")
        self.switch.setEnabled(not settings.redis_url)
        self.password.set_value(MASK if gateway else "", gateway.password if gateway else "")
        self.copy_cli.setEnabled(gateway is not None)
        self.copy_replica.setEnabled(gateway is not None)

    def _gateway_text(self, cli: bool) -> str:
        gateway, _ = engine_gateway(self.controller)
        if gateway is None:
            return ""
        return gateway.cli_command(reveal=True) if cli else gateway.replica_config(reveal=True)

    def _copy(self, text: str) -> None:
        if text:
            QGuiApplication.clipboard().setText(text)

    def _on_switch(self) -> None:
        self.toggleRequested.emit(self.controller.settings.redis_gateway is None)
