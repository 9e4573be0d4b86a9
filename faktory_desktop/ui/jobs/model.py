"""A queue's or a set's jobs as a table model that never loads the whole thing.

The model knows the total (one LLEN or ZCARD) and reads pages of `PAGE_SIZE` rows, each one
LRANGE or ZRANGE, only when the view asks for a row in them. Requests are coalesced: rows asked
for during one event-loop turn become one want per page, and when the wants are sent, pages the
view no longer shows are dropped, so dragging the scrollbar across a million rows reads only the
pages it stops on. Rows not loaded yet read "…" until their page arrives (`dataChanged`).
Loaded pages live in a small LRU cache.

A filter shows a fixed list of matches instead (`set_matches`): the first few thousand in time
order, found by `FaktoryAPI.find_matches`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from faktory_desktop.core.api import FaktoryAPI, Page
from faktory_desktop.core.humanize import ago, local_time
from faktory_desktop.core.records import JobRecord, Source
from faktory_desktop.core.timefmt import format_ns
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.bar import BAR_ROLE
from faktory_desktop.ui.jobs.columns import (
    COLUMNS,
    ERROR,
    Column,
    Moment,
    Tracked,
    args_text,
    row_values,
)
from faktory_desktop.ui.jobs.feedback import Tasks, call_api, failure_text

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 200
MAX_PAGES = 50  # cached pages: 10,000 rows
MAX_IN_FLIGHT = 2
MAX_WANTED = 4
PLACEHOLDER = "…"
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROLES = frozenset(int(r) for r in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.BackgroundRole, RECORD_ROLE, BAR_ROLE))
Progress = tuple[str, float | None]  # a tracked job's text, and its bar's fraction when known
NO_PROGRESS: Progress = ("", None)


@dataclass(frozen=True)
class Row:
    record: JobRecord
    values: list[Any]


async def _read_pages(api: FaktoryAPI, source: Source, indexes: Iterable[int],
                      reverse: bool) -> list[Page]:
    """Several pages in one trip to the server thread."""
    return [await api.page(source, i * PAGE_SIZE, PAGE_SIZE, reverse) for i in indexes]


class JobTableModel(QAbstractTableModel):
    pageLoaded = Signal(int)  # a page index arrived
    loadFailed = Signal(str)  # why a read failed, for the status line
    totalChanged = Signal(int)

    def __init__(self, controller: ServerController, source: Source,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.source = source
        self.columns: list[Column] = COLUMNS[source.kind]
        self.reverse = False
        self.total = 0
        self.fetches = 0  # page reads sent (the benchmark reports it)
        self.viewport_rows: Callable[[], tuple[int, int] | None] | None = None  # from the view
        self.cursor_row = -1  # the view's current row, tinted (the keys move it)
        self.progress: dict[str, Progress] = {}  # Busy: tracked jobs' progress, by jid
        tint = QApplication.palette().color(QPalette.ColorRole.Highlight)
        tint.setAlpha(56)
        self._tint = tint
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._loading: set[tuple[int, int]] = set()  # (generation, page)
        self._generation = 0
        self._matches: list[Row] | None = None
        self._tasks = tasks = Tasks()
        self.destroyed.connect(lambda *_: tasks.cancel_all())  # no read outlives the model
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._dispatch)

    # -- Qt's model interface -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        if parent.isValid():
            return 0
        return len(self._matches) if self._matches is not None else self.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or section >= len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tip or None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():
            return None  # most of the roles a view asks for, answered before any work
        number = index.row()
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._tint if number == self.cursor_row else None
        row = self._row(number)
        if row is None:
            return self._placeholder(index.column(), role)
        column, value = self.columns[index.column()], row.values[index.column()]
        if isinstance(value, Tracked):
            value, bar = self.progress.get(value.jid, NO_PROGRESS)
            if role == BAR_ROLE:
                return bar
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(column, row.record, value)
        if role == Qt.ItemDataRole.FontRole:
            return self._mono if column.mono else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if isinstance(value, int) else None
        return row.record if role == RECORD_ROLE else None

    def _placeholder(self, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return PLACEHOLDER if column == 0 else ""
        if role == Qt.ItemDataRole.ForegroundRole:
            return QApplication.palette().color(QPalette.ColorGroup.Disabled,
                                                QPalette.ColorRole.Text)
        return None

    # -- what the page asks --------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """Changes whenever what the rows mean changes (another source, order or filter)."""
        return self._generation

    @property
    def filtered(self) -> bool:
        return self._matches is not None

    def record(self, row: int) -> JobRecord | None:
        found = self._row(row) if 0 <= row < self.rowCount() else None
        return found.record if found is not None else None

    def loaded_rows(self) -> Iterable[tuple[int, Row]]:
        """(row number, row) for every row in memory."""
        if self._matches is not None:
            yield from enumerate(self._matches)
            return
        for index, rows in list(self._pages.items()):
            for offset, row in enumerate(rows):
                yield index * PAGE_SIZE + offset, row

    def rows_of(self, jids: set[str]) -> dict[str, int]:
        """Where each of these jids is, among the rows in memory (the first row wins)."""
        found: dict[str, int] = {}
        for number, row in self.loaded_rows():
            if row.record.jid in jids:
                found.setdefault(row.record.jid, number)
        return found

    async def records(self, rows: list[int]) -> list[JobRecord]:
        """The records of these rows, reading the pages not in memory first."""
        if self._matches is None:
            missing = sorted({r // PAGE_SIZE for r in rows} - set(self._pages))
            if missing:
                await self._fetch(missing)
        return [r for row in rows if (r := self.record(row)) is not None]

    # -- switching what is shown ------------------------------------------------------------------

    def set_source(self, source: Source, reverse: bool = False) -> None:
        """Show another queue or set (or flip the order); call `refresh` to load it."""
        self.beginResetModel()
        self.source, self.reverse = source, reverse
        self.columns = COLUMNS[source.kind]
        self._forget()
        self._matches = None
        self.total = 0
        self.endResetModel()

    def set_matches(self, records: list[JobRecord] | None) -> None:
        """Show these records (a filter's matches) instead of pages; None: back to pages."""
        self.beginResetModel()
        self._forget()
        self.total = 0
        self._matches = None if records is None else [
            Row(r, row_values(self.columns, r)) for r in records]
        self.endResetModel()

    def _forget(self) -> None:
        self.cursor_row = -1
        self._generation += 1
        self._pages.clear()
        self._wanted.clear()
        self._loading.clear()

    async def refresh(self, first: int = 0, last: int = 0) -> None:
        """Re-read the total and the pages holding rows [first, last]; other pages are dropped
        (they are out of date) and read again when the view shows them."""
        if self._matches is not None:
            return
        generation = self._generation
        top = max(0, min(first, self.total - 1)) // PAGE_SIZE
        bottom = max(top, min(max(last, first), self.total - 1) // PAGE_SIZE)
        pages = await self._fetch(range(top, bottom + 1), replace=True)
        if pages and generation == self._generation:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(max(0, self.total - 1), len(self.columns) - 1))

    # -- paging -----------------------------------------------------------------------------------

    def _row(self, number: int) -> Row | None:
        if self._matches is not None:
            return self._matches[number] if number < len(self._matches) else None
        index, offset = divmod(number, PAGE_SIZE)
        rows = self._pages.get(index)
        if rows is None:
            self._want(index)
            return None
        self._pages.move_to_end(index)
        return rows[offset] if offset < len(rows) else None

    def _want(self, index: int) -> None:
        if (self._generation, index) in self._loading:
            return
        self._wanted[index] = None
        self._wanted.move_to_end(index)
        while len(self._wanted) > MAX_WANTED:
            self._wanted.popitem(last=False)
        if not self._timer.isActive():
            self._timer.start()

    def _dispatch(self) -> None:
        """Send the wanted pages still on screen, the latest first, a few at a time."""
        shown = self.viewport_rows() if self.viewport_rows is not None else None
        for index in reversed(list(self._wanted)):
            if shown is not None and not _overlaps(index, shown):
                del self._wanted[index]
            elif len(self._loading) < MAX_IN_FLIGHT:
                del self._wanted[index]
                self._tasks.spawn(self._load(index))

    async def _load(self, index: int) -> None:
        key = (self._generation, index)
        self._loading.add(key)
        try:
            await self._fetch([index])
        finally:
            self._loading.discard(key)
        if self._wanted:
            self._dispatch()

    async def _fetch(self, indexes: Iterable[int], replace: bool = False) -> list[Page]:
        """Read pages and keep them; `replace` drops every other page. [] on failure."""
        indexes = list(indexes)
        generation, source, reverse = self._generation, self.source, self.reverse
        self.fetches += len(indexes)
        try:
            pages = await call_api(self.controller,
                                   lambda api: _read_pages(api, source, indexes, reverse))
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none is raised
            text = failure_text(exc)
            if text is None:
                log.exception("reading a page of %s failed", source.label)
            self.loadFailed.emit(text or f"Reading {source.label} failed: {exc}")
            return []
        if generation != self._generation:
            return []
        if replace:
            self._pages.clear()
        for index, page in zip(indexes, pages, strict=True):
            self._keep(index, page)
        self._set_total(pages[-1].total)
        for index in indexes:
            self._changed(index)
        return pages

    def _keep(self, index: int, page: Page) -> None:
        self._pages[index] = [Row(r, row_values(self.columns, r)) for r in page.records]
        self._pages.move_to_end(index)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)

    def _changed(self, index: int) -> None:
        first, last = index * PAGE_SIZE, min((index + 1) * PAGE_SIZE, self.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
        self.pageLoaded.emit(index)

    def _set_total(self, total: int) -> None:
        old = self.total
        if self._matches is not None or total == old:
            return
        if total > old:
            self.beginInsertRows(QModelIndex(), old, total - 1)
            self.total = total
            self.endInsertRows()
        else:
            self.beginRemoveRows(QModelIndex(), total, old - 1)
            self.total = total
            self.endRemoveRows()
        self.totalChanged.emit(total)


def _overlaps(index: int, shown: tuple[int, int]) -> bool:
    first, last = shown
    return index * PAGE_SIZE <= last and first < (index + 1) * PAGE_SIZE


def _display(value: Any) -> str:
    if isinstance(value, Moment):
        return ago(value.ns) if value.ns is not None else ""
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _tooltip(column: Column, record: JobRecord, value: Any) -> str | None:
    if isinstance(value, Moment):
        if value.ns is None:
            return None
        return f"{local_time(value.ns)}\n{format_ns(value.ns)}"
    if column.title == "Arguments":
        return args_text(record, 2000)
    if column is ERROR:
        return record.error or None
    text = str(value)
    return text if len(text) > 12 else None
