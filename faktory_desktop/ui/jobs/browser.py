"""A job browser: one queue's jobs, or Scheduled, Retries, Dead or Busy, a page at a time.

The page holds the filter, the action buttons (whose scope is the selection or all matches),
the lazily paged table, and a message line. While shown, it re-reads what is on screen every
2 s and puts the selection (by jid) and the scroll position back. A filter switches the table
to the first `SHOW_LIMIT` matches in time order; the count covers them all. Opening or editing
a job is the app's business: the page emits `openRequested` / `editRequested` with the record.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QItemSelectionRange,
    QTimer,
    Signal,
)
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QWidget

from faktory_desktop.core.api import ACTIONS, Action
from faktory_desktop.core.records import JobFilter, JobRecord, Kind, Source
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs import actions, import_export
from faktory_desktop.ui.jobs.browser_layout import Layout, build
from faktory_desktop.ui.jobs.busy_progress import read_progress
from faktory_desktop.ui.jobs.columns import SORT_COLUMN
from faktory_desktop.ui.jobs.feedback import Tasks, call_api, failure_text
from faktory_desktop.ui.jobs.filter_bar import FilterBar
from faktory_desktop.ui.jobs.keymap import KeyDispatcher, KeyHelp
from faktory_desktop.ui.jobs.model import PAGE_SIZE, JobTableModel
from faktory_desktop.ui.jobs.navigation import Navigation
from faktory_desktop.ui.jobs.progress import ProgressRelay
from faktory_desktop.ui.jobs.view import JobTable
from faktory_desktop.ui.status import ServerStatus

SHOW_LIMIT = 5_000  # matches a filtered table holds
MAX_SELECTION = 5_000
REFRESH_MS = 2_000
Remembered = tuple[list[str], str | None]  # the selected jids, the jid at the cursor


class JobBrowserPage(Navigation, QWidget):
    openRequested = Signal(object)  # JobRecord: show its detail
    editRequested = Signal(object)  # JobRecord: open the editor
    compareRequested = Signal(object, object)  # two JobRecords: show them side by side

    def __init__(self, controller: ServerController, source: Source,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.source = source
        self.filter = JobFilter()
        self.ascending = source.kind is not Kind.QUEUE
        self.tasks = tasks = Tasks()
        self.destroyed.connect(lambda *_: tasks.cancel_all())
        self.model = JobTableModel(controller, source, self)
        self.table = JobTable()
        self.table.setModel(self.model)
        self.model.viewport_rows = self.table.visible_rows
        self.filter_bar = FilterBar()
        self.ui: Layout = build(self, self.filter_bar, self.table)
        self.strip, self.message, self.stack = self.ui.strip, self.ui.message, self.ui.stack
        self.keys = KeyHelp(self)
        self.keys.closed.connect(self.table.setFocus)
        self.table.installEventFilter(KeyDispatcher(self, self))
        self._found: tuple[int, bool] | None = None  # a filter's (count, complete)
        self._scanned_total = 0  # the size of the queue or set the filter ran over
        self._scan: threading.Event | None = None
        self._loaded = False
        self._refreshing = 0  # refreshes in flight
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self._connect()
        self.set_source(source)

    def _connect(self) -> None:
        self.filter_bar.applied.connect(self.apply_filter)
        self.filter_bar.cancelRequested.connect(self.cancel_scan)
        self.filter_bar.escaped.connect(self.table.setFocus)
        for action, button in self.ui.buttons.items():
            button.clicked.connect(lambda _=False, a=action: self.act(a))
        self.ui.order.currentIndexChanged.connect(lambda i: self.set_ascending(i == 0))
        self.ui.export.clicked.connect(lambda: self.tasks.spawn(self.export()))
        self.ui.import_.clicked.connect(lambda: self.tasks.spawn(self.import_()))
        self.ui.keys.clicked.connect(self.show_keys)
        self.table.doubleClicked.connect(lambda index: self._emit_for(index.row(), False))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_labels())
        self.model.totalChanged.connect(lambda _n: self._update_labels())
        self.model.modelReset.connect(self._update_labels)
        self.model.loadFailed.connect(self.message.show_error)
        self.controller.statusChanged.connect(self._on_status)

    # -- what is shown ----------------------------------------------------------------------------

    def set_source(self, source: Source) -> None:
        """Browse another queue or set; the filter is cleared."""
        self.cancel_scan()
        self.source, self.filter, self._found, self._loaded = source, JobFilter(), None, False
        self.ascending = source.kind is not Kind.QUEUE
        self.filter_bar.set_filter(self.filter)
        self.filter_bar.show_idle()
        self.model.set_source(source, self._reverse())
        self.ui.configure(source.kind)
        self.table.apply_columns(self.model.columns)
        self.table.show_order(SORT_COLUMN[source.kind], self.ascending)
        self.message.clear()
        self.tasks.spawn(self.refresh())

    def _reverse(self) -> bool:
        """`page`'s natural order is a queue newest first, a set earliest first."""
        return self.ascending if self.source.kind is Kind.QUEUE else not self.ascending

    def flip_order(self) -> None:
        self.set_ascending(not self.ascending)

    def set_ascending(self, ascending: bool) -> None:
        """Earliest first (True) or latest first, by the first column's time."""
        if ascending == self.ascending:
            return
        self.ascending = ascending
        self.model.set_source(self.source, self._reverse())
        self.table.show_order(SORT_COLUMN[self.source.kind], self.ascending)
        self.tasks.spawn(self._rescan() if not self.filter.empty else self.refresh())

    async def refresh(self) -> None:
        """Re-read the rows on screen (or re-run the filter), keeping the selection by jid and
        the scroll position."""
        if not self.controller.running:
            self._update_labels()  # says why there is nothing to list
            return
        if not self.filter.empty:
            await self._rescan()
            return
        view = self.model.generation
        rows = self.selected_rows()[:MAX_SELECTION]
        remembered = self._remember(rows)
        first, last = self.table.visible_rows() or (0, PAGE_SIZE - 1)
        self._refreshing += 1
        try:
            await self.model.refresh(first, last)
            if self.source.kind is Kind.BUSY:
                await read_progress(self.model, self.controller, first, last)
        finally:
            self._refreshing -= 1
        if view != self.model.generation:
            return  # another source or order came meanwhile; its own refresh follows
        self._loaded = True
        if self.selected_rows()[:MAX_SELECTION] == rows:  # else the user just changed it
            self._restore(remembered)
        self._update_labels()

    def refresh_now(self) -> None:
        self.tasks.spawn(self.refresh())

    def _tick(self) -> None:
        busy = self._refreshing or self.strip.running or self.keys.isVisible()
        if self.filter.empty and not busy and self.controller.running:
            self.tasks.spawn(self.refresh())

    def _remember(self, rows: list[int]) -> Remembered:
        jids = [r.jid for row in rows if (r := self.model.record(row)) is not None]
        cursor = self.model.record(self.table.currentIndex().row())
        return jids, cursor.jid if cursor else None

    def _restore(self, remembered: Remembered) -> None:
        """Select the remembered jids and put the cursor back, where they are now; the scroll
        position stays (putting the cursor back would otherwise scroll to it)."""
        jids, cursor = remembered
        x, y = self.table.horizontalScrollBar().value(), self.table.verticalScrollBar().value()
        found = self.model.rows_of(set(jids) | ({cursor} if cursor else set()))
        rows = sorted(found[j] for j in jids if j in found)
        if rows != self.selected_rows():
            self.table.selectionModel().select(self._selection(rows),
                                               QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if cursor in found and found[cursor] != self.table.currentIndex().row():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(found[cursor], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        self.table.horizontalScrollBar().setValue(x)
        self.table.verticalScrollBar().setValue(y)

    def _selection(self, rows: list[int]) -> QItemSelection:
        """Sorted rows as a selection of contiguous runs."""
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        runs: list[list[int]] = []
        for row in rows:
            if runs and row == runs[-1][1] + 1:
                runs[-1][1] = row
            else:
                runs.append([row, row])
        for first, end in runs:
            selection.select(self.model.index(first, 0), self.model.index(end, last))
        return selection

    # -- filter -----------------------------------------------------------------------------------

    def apply_filter(self, flt: JobFilter) -> None:
        self.cancel_scan()
        self.filter, self._found = flt, None
        if flt.empty:
            self.filter_bar.show_idle()
            self.model.set_source(self.source, self._reverse())
            self.tasks.spawn(self.refresh())
        else:
            self.tasks.spawn(self._rescan())

    def cancel_scan(self) -> None:
        if self._scan is not None:
            self._scan.set()

    async def _rescan(self) -> None:
        """Count the filter's matches and show the first of them."""
        self.cancel_scan()
        cancel = self._scan = threading.Event()
        flt, source, reverse = self.filter, self.source, self._reverse()
        self.model.set_matches([])
        self.filter_bar.show_scanning(0, 0)
        try:
            total = self._scanned_total = await call_api(self.controller,
                                                         lambda api: api.size(source))
            def report(scanned: int, found: int) -> None:
                if cancel is self._scan:
                    self.filter_bar.show_scanning(found, scanned / max(1, total))

            relay = ProgressRelay(report)
            try:
                found = await call_api(self.controller, lambda api: api.find_matches(
                    source, flt, SHOW_LIMIT, relay, cancel, reverse))
            finally:
                relay.close()
        except Exception as exc:  # noqa: BLE001 - reported to the user
            if cancel is self._scan:
                self.filter_bar.show_error(failure_text(exc) or f"The filter failed: {exc}")
            return
        if cancel is not self._scan:
            return  # a newer filter or source took over
        self._scan, self._found, self._loaded = None, (found.count, found.complete), True
        self.model.set_matches(found.records)
        self.filter_bar.show_found(found.count, len(found.records), found.complete)
        self._update_labels()

    def matches_known(self) -> tuple[int, bool] | None:
        """How many jobs "all matches" means: (count, exact); None while still counting."""
        if self.filter.empty:
            return (self.model.total, True) if self._loaded else None
        return self._found

    # -- selection and actions --------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        rows: list[int] = []
        for span in self._spans():
            rows.extend(range(span.top(), span.bottom() + 1))
            if len(rows) > MAX_SELECTION:
                break
        return sorted(set(rows))

    def selected_count(self) -> int:
        return sum(span.bottom() - span.top() + 1 for span in self._spans())

    def _spans(self) -> list[QItemSelectionRange]:
        selection = self.table.selectionModel().selection()
        return [selection.at(i) for i in range(selection.count())]

    async def selected_records(self) -> list[JobRecord] | None:
        """The selected jobs (or the one at the cursor); None when too many are selected."""
        if self.selected_count() > MAX_SELECTION:
            self.message.show_info(f"Select at most {MAX_SELECTION:,} jobs at a time, or act "
                                   "on all matches.")
            return None
        rows = self.selected_rows()
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        return await self.model.records(rows)

    def compare_selected(self) -> None:
        """Two selected jobs, side by side."""
        if self.selected_count() != 2:
            self.message.show_info("Select exactly two jobs to compare them.")
            return
        self.tasks.spawn(self._compare())

    async def _compare(self) -> None:
        records = await self.selected_records()
        if records and len(records) == 2:
            self.compareRequested.emit(records[0], records[1])

    def act(self, action: Action) -> None:
        if action not in ACTIONS[self.source.kind]:
            self.message.show_info(f"{action.value.capitalize()} does not apply to "
                                   f"{actions.place(self.source)}.")
            return
        if not self.strip.running:
            self.tasks.spawn(actions.run(self, action, self.ui.scope_value()))

    async def after_change(self) -> None:
        await self.refresh()

    async def export(self) -> None:
        name = f"{self.source.label}.jsonl"
        path = await import_export.choose_file(self, "Export jobs to JSON Lines", True, name)
        if path is not None:
            await import_export.export_to(self, path)

    async def import_(self) -> None:
        path = await import_export.choose_file(self, f"Import jobs into {self.source.label}",
                                               False)
        if path is not None:
            await import_export.import_from(self, path)

    def _emit_for(self, row: int, edit: bool) -> None:
        record = self.model.record(row)
        if record is None:
            return
        if edit and record.source.kind is not Kind.BUSY:
            self.editRequested.emit(record)
        elif not edit:
            self.openRequested.emit(record)

    # -- labels and state -------------------------------------------------------------------------

    def _update_labels(self) -> None:
        known = self.matches_known()
        self.ui.show_counts(self.source, self.model.total if self.filter.empty else None,
                            self.selected_count(), known, self.ascending, self._scanned_total)
        self.ui.set_usable(self.controller.running)
        self.filter_bar.setEnabled(self.controller.running)
        if not self.controller.running:
            self.stack.setCurrentIndex(1)
            self.ui.empty.setText(self.controller.unavailable_text())
            self.ui.summary.setText("")
            return
        has_rows = self.model.rowCount() > 0
        self.stack.setCurrentIndex(0 if has_rows else 1)
        if not has_rows:
            self.ui.empty.setText(self._empty_text())

    def _empty_text(self) -> str:
        if not self._loaded:
            return "Loading…" if self.filter.empty else "Looking for matches…"
        if not self.filter.empty:
            return "No jobs match the filter."
        return f"No jobs in {actions.place(self.source)}."

    def _on_status(self, status: ServerStatus) -> None:
        self._update_labels()  # "not running" comes and goes with the server
        if self.controller.running and self.isVisible():
            self.tasks.spawn(self.refresh())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.timer.start()
        focused = QApplication.focusWidget()
        if focused is None or not self.isAncestorOf(focused):
            self.table.setFocus()  # the keys work at once
        if not self.tasks.busy:  # else a refresh (or an action that ends with one) is under way
            self.tasks.spawn(self.refresh())  # at once, not at the timer's first tick

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self.timer.stop()

