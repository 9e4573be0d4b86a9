"""The job browser's widgets and their arrangement: a heading, the filter, a row of actions with
their scope, the table (or a sentence when it is empty), the progress strip and the message line.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.core.api import ACTIONS, Action
from faktory_desktop.core.humanize import count
from faktory_desktop.core.records import Kind, Source
from faktory_desktop.ui.jobs import actions
from faktory_desktop.ui.jobs.actions import Scope
from faktory_desktop.ui.jobs.feedback import MessageLine
from faktory_desktop.ui.jobs.filter_bar import FilterBar
from faktory_desktop.ui.jobs.progress import TaskStrip
from faktory_desktop.ui.jobs.view import JobTable

_TITLES = {Kind.SCHEDULED: "Scheduled", Kind.RETRIES: "Retries", Kind.DEAD: "Dead",
           Kind.BUSY: "Busy"}
_ORDER = {True: "Earliest first", False: "Latest first"}


@dataclass
class Layout:
    title: QLabel
    summary: QLabel
    buttons: dict[Action, QPushButton]
    scope_label: QLabel
    scope: QComboBox
    read_only: QLabel
    order: QComboBox
    export: QPushButton
    import_: QPushButton
    keys: QPushButton
    stack: QStackedWidget
    empty: QLabel
    strip: TaskStrip
    message: MessageLine

    def configure(self, kind: Kind) -> None:
        """Show the actions that apply to this kind of queue or set, with their names."""
        for action, button in self.buttons.items():
            button.setVisible(action in ACTIONS[kind])
            button.setText(actions.label(action, kind))
            button.setToolTip(actions.tooltip(action, kind))
        acts = bool(ACTIONS[kind])
        self.scope_label.setVisible(acts)
        self.scope.setVisible(acts)
        self.read_only.setVisible(not acts)
        self.import_.setVisible(kind is not Kind.BUSY)

    def set_usable(self, usable: bool) -> None:
        """Actions, order and export/import work only with a server to read (and change)."""
        for widget in (*self.buttons.values(), self.scope, self.order, self.export,
                       self.import_):
            widget.setEnabled(usable)

    def show_counts(self, source: Source, total: int | None, selected: int,
                    known: tuple[int, bool] | None, ascending: bool, of: int = 0) -> None:
        """`total` None: filtered (`known` matches among `of` jobs)."""
        name = f"Queue “{source.queue}”" if source.kind is Kind.QUEUE else _TITLES[source.kind]
        self.title.setText(name)
        order = _ORDER[ascending].lower()
        if total is not None:
            self.summary.setText(f"{count(total, 'job')} · {order}")
        else:
            self.summary.setText(f"{count(of, 'job')} · filtered · {order}")
        self.order.blockSignals(True)
        self.order.setCurrentIndex(0 if ascending else 1)
        self.order.blockSignals(False)
        self.scope.setItemText(0, f"Selected jobs ({selected:,})" if selected else "Selected jobs")
        if known is None:
            self.scope.setItemText(1, "All matches (counting…)")
        elif total is not None:
            self.scope.setItemText(1, f"All {count(known[0], 'job')}")
        else:
            self.scope.setItemText(1, f"All {known[0]:,} matches" if known[1]
                                   else f"All matches (at least {known[0]:,})")

    def scope_value(self) -> Scope:
        return Scope.MATCHES if self.scope.currentIndex() == 1 else Scope.SELECTED


def _heading() -> tuple[QLabel, QLabel, QHBoxLayout]:
    title, summary = QLabel(), QLabel()
    font = QFont(title.font())
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setWeight(QFont.Weight.DemiBold)
    title.setFont(font)
    summary.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    row = QHBoxLayout()
    row.addWidget(title)
    row.addSpacing(12)
    row.addWidget(summary, 1)
    return title, summary, row


def _order() -> QComboBox:
    order = QComboBox()
    order.addItems([_ORDER[True], _ORDER[False]])
    order.setToolTip("The rows are in time order, by the first column (t flips it); other "
                     "orders would need the whole set in memory")
    return order


def _button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    return button


def build(page: QWidget, filter_bar: FilterBar, table: JobTable) -> Layout:
    title, summary, heading = _heading()
    buttons = {a: QPushButton(a.value) for a in Action}
    scope = QComboBox()
    scope.addItems(["Selected jobs", "All matches"])
    scope.setToolTip("What the action buttons (and r, u, K, D) act on: the selected jobs (the "
                     "one at the cursor if none is), or every job the filter matches")
    ui = Layout(title, summary, buttons, QLabel("on"), scope,
                QLabel("Jobs in progress are read-only."),
                _order(),
                _button("Export…", "Save these jobs (only the matches, with a filter) as JSONL"),
                _button("Import…", "Add jobs from a JSON Lines file, one job per line"),
                _button("Keys ?", "Show the keyboard keys (?)"),
                QStackedWidget(), QLabel(), TaskStrip(), MessageLine())
    ui.read_only.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    row = QHBoxLayout()
    for widget in (*buttons.values(), ui.scope_label, scope, ui.read_only):
        row.addWidget(widget)
    row.addStretch(1)
    for widget in (ui.order, ui.export, ui.import_, ui.keys):
        row.addWidget(widget)
    ui.empty.setWordWrap(True)
    ui.empty.setMargin(40)
    ui.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
    ui.stack.addWidget(table)
    ui.stack.addWidget(ui.empty)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(18, 14, 18, 12)
    layout.setSpacing(10)
    for part in (heading, filter_bar, row, ui.stack, ui.strip, ui.message):
        if isinstance(part, QHBoxLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part, 1 if part is ui.stack else 0)
    return ui
