"""The job browser's filter: job type, jid and text (in args or the error), and what it found.

Enter in any field (or the Filter button) applies the filter; Esc hands the focus back to the
table. While the store is scanned, the label counts matches and the share of the scan done, and
Cancel stops it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from faktory_desktop.core.humanize import count
from faktory_desktop.core.records import JobFilter


class FilterField(QLineEdit):
    """A line edit whose Esc asks to leave (the page moves the focus back to the table)."""

    escaped = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)


class FilterBar(QWidget):
    applied = Signal(object)  # JobFilter (empty: no filter)
    cancelRequested = Signal()
    escaped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobtype = self._field("Job type", 150, "Exactly this job type")
        self.jid = self._field("JID", 170, "Exactly this jid")
        self.text = self._field("Text in args or error", 220,
                                "Text anywhere in the arguments or the error, any case")
        self.apply_button = QPushButton("Filter")
        self.apply_button.clicked.connect(self.apply)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Show every job again")
        self.clear_button.clicked.connect(self.clear)
        self.status = QLabel()
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the scan; the matches found so far are shown")
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.cancel_button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.jobtype, self.jid, self.text, self.apply_button, self.clear_button):
            layout.addWidget(widget)
        layout.addSpacing(10)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.cancel_button)
        self.show_idle()

    def _field(self, placeholder: str, width: int, tip: str) -> FilterField:
        field = FilterField()
        field.setPlaceholderText(placeholder)
        field.setToolTip(tip)
        field.setClearButtonEnabled(True)
        field.setMinimumWidth(width * 2 // 3)
        field.setMaximumWidth(width * 3 // 2)
        field.returnPressed.connect(self.apply)
        field.escaped.connect(self.escaped)
        return field

    def current(self) -> JobFilter:
        return JobFilter(self.jobtype.text().strip(), self.jid.text().strip(), self.text.text())

    def set_filter(self, flt: JobFilter) -> None:
        self.jobtype.setText(flt.jobtype)
        self.jid.setText(flt.jid)
        self.text.setText(flt.text)

    def apply(self) -> None:
        self.applied.emit(self.current())

    def clear(self) -> None:
        self.set_filter(JobFilter())
        self.apply()

    # -- what the scan found ----------------------------------------------------------------------

    def show_idle(self) -> None:
        self.status.setText("")
        self.cancel_button.hide()

    def show_scanning(self, found: int, share: float) -> None:
        percent = min(99, int(share * 100))
        self.status.setText(f"Matches: {found:,} so far (scanning… {percent}%)")
        self.cancel_button.show()

    def show_found(self, found: int, shown: int, complete: bool) -> None:
        text = f"Matches: {found:,}"
        if not complete:
            text += " so far (scan cancelled)"
        if shown < found:
            text += f", showing the first {count(shown, 'job')}"
        self.status.setText(text)
        self.cancel_button.hide()

    def show_error(self, text: str) -> None:
        self.status.setText(text)
        self.cancel_button.hide()
