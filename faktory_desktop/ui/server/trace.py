"""The live protocol trace: every command clients send, with its reply and how long it took.

Tracing costs the server nothing while off, so it is on only while the user has started it *and*
this view is on screen; hiding the view (another tab, another page, the window closed to the
tray) turns it off again, and showing it resumes. While on, the view copies what is new every
250 ms. A server restart brings a new trace object, which is picked up on the status change.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.server.trace import ProtocolTrace
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.server.trace_model import ARGS, TraceModel

POLL_MS = 250
COLUMN_WIDTHS = (64, 104, 100, 0, 240, 64)  # ARGS stretches


class TraceView(QWidget):
    def __init__(self, controller: ServerController, capacity: int = 2000,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = TraceModel(capacity, self)
        self.running = False  # the user's choice (Start/Pause)
        self._shown = False
        self._trace: ProtocolTrace | None = None
        self._last_seq = 0
        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(self.toggle)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.clear)
        self.state_label = QLabel()
        self.table = self._make_table()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        controller.statusChanged.connect(self._on_status)
        self._layout()
        self._apply()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.verticalHeader().hide()
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        for column, width in enumerate(COLUMN_WIDTHS):
            if width:
                table.setColumnWidth(column, width)
        header.setSectionResizeMode(ARGS, QHeaderView.ResizeMode.Stretch)
        return table

    def _layout(self) -> None:
        tools = QHBoxLayout()
        tools.addWidget(self.start_button)
        tools.addWidget(self.clear_button)
        tools.addSpacing(12)
        tools.addWidget(self.state_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)

    @property
    def active(self) -> bool:
        """Whether the server is being traced right now."""
        return self._trace is not None and self._trace.enabled

    def current_trace(self) -> ProtocolTrace | None:
        thread = self.controller.server_thread
        server = thread.runtime.server if thread and self.controller.running else None
        return server.trace if server else None

    def start(self) -> None:
        self.running = True
        self._apply()

    def pause(self) -> None:
        self.running = False
        self.poll()  # keep what arrived since the last look
        self._apply()

    def toggle(self) -> None:
        if self.running:
            self.pause()
        else:
            self.start()

    def clear(self) -> None:
        self.model.clear()
        if self._trace is not None:
            self._trace.clear()

    def poll(self) -> None:
        if self._trace is None:
            return
        entries = self._trace.since(self._last_seq)
        if not entries:
            return
        self._last_seq = entries[-1].seq
        bar = self.table.verticalScrollBar()
        at_end = bar.value() >= bar.maximum()
        self.model.append(entries)
        if at_end:
            self.table.scrollToBottom()
        self._show_state()

    def _on_status(self, _status: object) -> None:
        self._apply()

    def _apply(self) -> None:
        """Make the server's trace flag, and the poll timer, match running-and-shown."""
        trace = self.current_trace()
        if trace is not self._trace:
            if self._trace is not None:
                self._trace.enabled = False
            self._trace, self._last_seq = trace, 0
        on = self.running and self._shown and trace is not None
        if trace is not None:
            trace.enabled = on
        if on and not self._timer.isActive():
            self._timer.start()
        elif not on:
            self._timer.stop()
        self._show_state()

    def _show_state(self) -> None:
        self.start_button.setText("Pause" if self.running else "Start")
        rows = self.model.rowCount()
        count = f"{rows} command{'s' * (rows != 1)} shown"
        if self._trace is None:
            text = "The server is not running."
        elif self.active:
            text = f"Recording every command · {count}"
        elif self.running:
            text = "Paused while hidden"
        else:
            text = (f"Paused · {count}" if rows else
                    "Off. Press Start to record every command clients send "
                    "(tracing costs nothing while off).")
        self.state_label.setText(text)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._shown = True
        self._apply()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self._shown = False
        self._apply()
