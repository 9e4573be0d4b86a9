"""The Server panel's Metrics section: where statsd metrics go and the last send error, and the
Prometheus /metrics address. They are set in conf.d (`[statsd]`, `[prometheus]`) or with
`--metrics`; the section only shows them."""

from __future__ import annotations

import html
import time

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QWidget

from faktory_desktop.metrics.service import MetricsStatus
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.server.gateway import WARNING_COLOR
from faktory_desktop.ui.server.widgets import CopyField, LiveSection

STATSD_OFF = "Off — set [statsd] in conf.d, or DD_DOGSTATSD_URL"
REFRESH_MS = 2000  # the last send error changes while the server runs
PROMETHEUS_OFF = "Off — set --metrics HOST:PORT, or [prometheus] in conf.d"


def metrics_status(controller: ServerController) -> MetricsStatus | None:
    thread = controller.server_thread
    return thread.runtime.metrics.status if thread and thread.runtime.metrics else None


def statsd_text(status: MetricsStatus | None) -> str:
    """On and where, or off (and why, when it could not start)."""
    if status is None or status.statsd is None:
        why = status.statsd_error if status else None
        return f"Off — {why}" if why else STATSD_OFF
    return f"On — sending to {status.statsd}"


def error_html(error: str | None, at: float | None = None) -> str:
    if not error:
        return "None"
    when = time.strftime(" at %H:%M:%S", time.localtime(at)) if at else ""
    return f'<span style="color:{WARNING_COLOR}">{html.escape(error)}{when}</span>'


class MetricsSection(LiveSection):
    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__("Metrics", REFRESH_MS, parent)
        self.controller = controller
        self.statsd = QLabel()
        self.statsd.setWordWrap(True)
        self.statsd_error = QLabel()
        self.statsd_error.setWordWrap(True)
        self.prometheus = CopyField()
        self.prometheus.button.setToolTip("Copy the /metrics URL to the clipboard")
        self.prometheus_off = QLabel(PROMETHEUS_OFF)
        self.prometheus_off.setWordWrap(True)
        prometheus_row = QWidget()
        row = QHBoxLayout(prometheus_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.prometheus_off, 1)
        row.addWidget(self.prometheus, 1)
        self.prometheus_error = QLabel()
        self.prometheus_error.setWordWrap(True)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("statsd", self.statsd)
        form.addRow("Last send error", self.statsd_error)
        form.addRow("Prometheus", prometheus_row)
        form.addRow("", self.prometheus_error)
        self.refresh()

    def refresh(self) -> None:
        status = metrics_status(self.controller)
        self.statsd.setText(statsd_text(status))
        sending = status is not None and status.statsd is not None
        self.statsd_error.setText(error_html(status.statsd_error, status.statsd_error_at)
                                  if status and sending else "None")
        url = status.prometheus if status else None
        self.prometheus.set_value(url or "")
        self.prometheus.setVisible(bool(url))
        self.prometheus_off.setVisible(not url)
        problem = status.prometheus_error if status else None
        self.prometheus_error.setText(error_html(problem) if problem else "")
        self.prometheus_error.setVisible(bool(problem))
