"""The frame the Queues and Workers pages share: a title with a one-line summary, a row of
action buttons, a sortable table (or a sentence when there is nothing to list), and the
message line that reports what the last action did.

Each action is a QAction shown as a button; row actions also fill the table's context menu,
so a right-click offers what the buttons offer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QAction, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.ui.jobs.badges import BadgeDelegate
from faktory_desktop.ui.jobs.feedback import MessageLine

Index = QModelIndex | QPersistentModelIndex
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class SummaryTableModel(QAbstractTableModel):
    """Rows of summaries (queues, workers) under fixed column titles. An update that keeps the
    same rows changes values in place, so the view keeps its selection and scroll position."""

    def __init__(self, columns: Sequence[str], numeric: Sequence[int] = (),
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.numeric = frozenset(numeric)
        self.rows: list[Any] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in self.numeric:
            return ALIGN_RIGHT
        return None

    def replace_rows(self, rows: Sequence[Any], key: Callable[[Any], Hashable]) -> bool:
        """Show these rows; True when the set of rows changed (the selection must be restored)."""
        if [key(r) for r in rows] == [key(r) for r in self.rows]:
            self.rows = list(rows)
            if self.rows:
                last = self.index(len(self.rows) - 1, len(self.columns) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
            return False
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()
        return True

SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def _dimmed(palette: QPalette) -> QPalette:
    dimmed = QPalette(palette)
    fg = palette.color(QPalette.ColorRole.WindowText)
    bg = palette.color(QPalette.ColorRole.Window)
    mixed = fg.toRgb()
    mixed.setRgb((fg.red() * 2 + bg.red()) // 3, (fg.green() * 2 + bg.green()) // 3,
                 (fg.blue() * 2 + bg.blue()) // 3)
    dimmed.setColor(QPalette.ColorRole.WindowText, mixed)
    return dimmed


def _button_for(action: QAction) -> QPushButton:
    """A push button that mirrors an action's text, tooltip and enabled state."""
    button = QPushButton(action.text())
    button.clicked.connect(action.trigger)

    def sync() -> None:
        button.setText(action.text())
        button.setEnabled(action.isEnabled())
        button.setToolTip(action.toolTip())

    action.changed.connect(sync)
    sync()
    return button


def plain_rows(table: QTableView, padding: int) -> QHeaderView:
    """A list of rows as the pages show them: whole rows selected, alternating colours, no grid
    nor row numbers, columns sized to their contents. Returns the column header."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + padding)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return header


class TablePage(QWidget):
    """Subclasses add actions with `add_action` and override `selection_changed`."""

    def __init__(self, title: str, model: QAbstractItemModel, empty_text: str,
                 parent: QWidget | None = None, stretch_column: int = 0) -> None:
        super().__init__(parent)
        model.setParent(self)  # owned by the page, deleted with it on the GUI thread
        self._stretch_column = stretch_column
        self.title = QLabel(title)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.summary = QLabel()
        self.toolbar = QHBoxLayout()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = self._make_table()
        self.empty_text = empty_text
        self.page_actions: list[QAction] = []  # not tied to a selection ("Pause all", ...)
        self.empty = QLabel(empty_text)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMargin(40)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.message = MessageLine()
        self._layout()
        self._restyle()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = plain_rows(table, 14)
        header.setSectionResizeMode(self._stretch_column, QHeaderView.ResizeMode.Stretch)
        header.setStyleSheet("QHeaderView::section { padding: 4px 8px; }")
        table.setItemDelegate(BadgeDelegate(table))
        table.setStyleSheet("QTableView::item { padding: 0px 5px; }")
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed())
        return table

    def _layout(self) -> None:
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addSpacing(12)
        heading.addWidget(self.summary, 1, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(10)
        layout.addLayout(heading)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)

    def add_action(self, text: str, slot: Callable[[], object], row: bool = False,
                   tip: str = "") -> QAction:
        """A button (and, for a `row` action, a context-menu entry on the table)."""
        action = QAction(text, self)
        action.setToolTip(tip or text.rstrip("…"))
        action.triggered.connect(lambda _checked=False: slot())
        self.toolbar.addWidget(_button_for(action))
        if row:
            self.table.addAction(action)
        else:
            self.page_actions.append(action)
        return action

    def add_stretch(self) -> None:
        self.toolbar.addStretch(1)

    def selected_rows(self) -> list[QModelIndex]:
        return self.table.selectionModel().selectedRows()

    def select_source_rows(self, rows: list[int]) -> None:
        """Add these rows of the source model to the selection (after a model reset)."""
        model = self.proxy.sourceModel()
        flags = (QItemSelectionModel.SelectionFlag.Select
                 | QItemSelectionModel.SelectionFlag.Rows)
        for row in rows:
            index = self.proxy.mapFromSource(model.index(row, 0))
            self.table.selectionModel().select(index, flags)

    def show_table(self, has_rows: bool) -> None:
        self.empty.setText(self.empty_text)
        self.stack.setCurrentWidget(self.table if has_rows else self.empty)
        for action in self.page_actions:
            action.setEnabled(True)
        self.selection_changed()

    def show_unavailable(self, why: str) -> None:
        """Nothing can be read, nor acted on: say why, rather than "none" or rows that may be
        stale, and disable every action."""
        self.empty.setText(why)
        self.stack.setCurrentWidget(self.empty)
        self.summary.setText("")
        for action in (*self.page_actions, *self.table.actions()):
            action.setEnabled(False)

    def selection_changed(self) -> None:
        """Enable and label the row actions for the current selection."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()

    def _restyle(self) -> None:
        for label in (self.summary, self.empty):
            label.setPalette(_dimmed(self.palette()))
