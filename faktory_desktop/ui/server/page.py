"""The Server panel: the Status and Engine sections side by side, the Redis gateway and Metrics
sections below them, and then tabs for the server log, the engine log and the protocol trace."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.log_buffer import LogBuffer
from faktory_desktop.ui.server.engine import EngineSection
from faktory_desktop.ui.server.gateway import GatewaySection
from faktory_desktop.ui.server.info import StatusSection
from faktory_desktop.ui.server.logs import EngineLogView, ServerLogView
from faktory_desktop.ui.server.metrics import MetricsSection
from faktory_desktop.ui.server.trace import TraceView
from faktory_desktop.ui.status import ServerStatus

SERVER_LOG_TAB, ENGINE_LOG_TAB, TRACE_TAB = range(3)


class ServerPage(QWidget):
    """Everything about the running server, for the user who wants to look under the hood."""

    def __init__(self, controller: ServerController, logs: LogBuffer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.status_section = StatusSection(controller)
        self.engine_section = EngineSection(controller)
        self.gateway_section = GatewaySection(controller)
        self.metrics_section = MetricsSection(controller)
        self.server_log = ServerLogView(logs)
        self.engine_log = EngineLogView(controller)
        self.trace = TraceView(controller)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.server_log, "Server log")
        self.tabs.addTab(self.engine_log, "Engine log")
        self.tabs.addTab(self.trace, "Protocol trace")
        sections = QHBoxLayout()
        sections.setSpacing(12)
        sections.addWidget(self.status_section, 1)
        sections.addWidget(self.engine_section, 1)
        extras = QHBoxLayout()
        extras.setSpacing(12)
        extras.addWidget(self.gateway_section, 1)
        extras.addWidget(self.metrics_section, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(sections)
        layout.addLayout(extras)
        layout.addWidget(self.tabs, 1)
        controller.statusChanged.connect(self.show_status)

    def show_status(self, _status: ServerStatus) -> None:
        self.status_section.refresh()
        self.gateway_section.refresh()
        self.metrics_section.refresh()
        if self.engine_section.isVisible():
            self.engine_section.refresh()
        else:
            self.engine_section.show_engine()

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
