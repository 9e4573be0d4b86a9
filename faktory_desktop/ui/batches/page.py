"""The Batches page: every batch, newest first, with its progress and callbacks; the selected one
in full below; and what can be done to a batch: retry its waiting jobs now, or delete it.

It reads the list every 2 s while it is on screen and not at all otherwise, like the Workers
page. Finding a batch's jobs scans every queue and set, so the detail is read again only when the
batch's numbers change, or after `DETAIL_EVERY_S` (jobs also move without changing them, from a
queue to Busy say), besides when a batch is chosen or acted on. The app opens the page on one
batch with `show_batch` (a batch link in a job's detail).
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSplitter, QVBoxLayout, QWidget

from faktory_desktop.core.enterprise_api import BatchSummary
from faktory_desktop.core.humanize import count
from faktory_desktop.ui.batches.detail import BatchDetailPane
from faktory_desktop.ui.batches.model import PROGRESS_COLUMN, BatchTableModel, describe
from faktory_desktop.ui.confirm import confirm
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.bar import BarDelegate
from faktory_desktop.ui.jobs.feedback import FAILED, Tasks, call_reported
from faktory_desktop.ui.jobs.shown_timer import Refresher
from faktory_desktop.ui.jobs.table_page import TablePage

REFRESH_MS = 2000
DETAIL_EVERY_S = 15.0
LIST_LIMIT = 500  # the newest batches listed; an older one still opens from a link
EMPTY_TEXT = (
    "No batches yet.\n\nA batch is a group of jobs a client pushes together (Faktory "
    "Enterprise's BATCH NEW, then jobs with custom.bid, then BATCH COMMIT). The server counts "
    "them as they finish and pushes a callback job when all of them are done (complete) or "
    "have all succeeded (success). Batches appear here as clients create them.")


class BatchesPage(TablePage):
    """`jobOpened(record)` comes from the detail pane: the app shows that job."""

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        model = BatchTableModel()
        super().__init__("Batches", model, EMPTY_TEXT, parent, stretch_column=0)
        self.model = model
        self.controller = controller
        self.tasks = Tasks()
        self.wanted: str | None = None  # the bid shown in the detail pane
        self._detail_at = 0.0  # when the detail was read (monotonic)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setItemDelegate(BarDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PROGRESS_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PROGRESS_COLUMN, 210)  # a bar, not its text, sets the width
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # newest first
        self.detail = BatchDetailPane()
        self.detail.batchRequested.connect(self.show_batch)
        self.jobOpened = self.detail.jobOpened
        self._split()
        self.timer = Refresher(self, REFRESH_MS, self.tasks, self.refresh)
        self._make_actions()
        self.show_batches([], 0)

    def _split(self) -> None:
        """The list above, the selected batch below."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)  # TablePage's
        at = layout.indexOf(self.stack)
        layout.removeWidget(self.stack)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.stack)
        splitter.addWidget(self.detail)
        splitter.setSizes([260, 340])
        layout.insertWidget(at, splitter, 1)

    def _make_actions(self) -> None:
        self.retry_action = self.add_action(
            "Retry pending jobs…", lambda: self.tasks.spawn(self.retry_selected()), row=True,
            tip="Put the batch's jobs waiting in Scheduled, Retries or Dead on their queues now")
        self.delete_action = self.add_action(
            "Delete batch…", lambda: self.tasks.spawn(self.delete_selected()), row=True,
            tip="Forget the batch: its callbacks never fire; its jobs stay where they are")
        self.add_stretch()

    # -- showing ----------------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Read the list, then the batch shown below."""
        if not self.controller.running:
            self.show_unavailable(self.controller.unavailable_text())
            self.detail.show_detail(None)
            return
        listed = await self._call(lambda api: api.ent.batches(0, LIST_LIMIT), quiet=True)
        if listed is FAILED:
            return
        self.show_batches(listed[1], listed[0])
        if self._detail_stale(listed[1]):
            await self.load_detail()

    def _detail_stale(self, listed: list[BatchSummary]) -> bool:
        shown = self.detail.detail
        if shown is None or shown.batch.bid != self.wanted:
            return True
        now = next((b for b in listed if b.bid == shown.batch.bid), None)
        return now != shown.batch or time.monotonic() - self._detail_at >= DETAIL_EVERY_S

    def show_batches(self, batches: list[BatchSummary], total: int) -> None:
        if self.model.set_batches(batches):
            self._select(self.wanted)
        self.show_table(bool(batches))
        parts = [count(total, "batch", "batches")]
        if total > len(batches):
            parts.append(f"the newest {len(batches):,} listed")
        parts.append(f"{count(sum(b.pending for b in batches), 'job')} pending")
        self.summary.setText(" · ".join(parts))

    async def load_detail(self) -> None:
        bid = self.wanted
        detail = None
        if bid is not None:
            detail = await self._call(lambda api: api.ent.batch(bid), quiet=True)
            if detail is FAILED or bid != self.wanted:
                return
        self._detail_at = time.monotonic()
        self.detail.show_detail(detail)
        self.selection_changed()

    def show_batch(self, bid: str) -> None:
        """Select this batch (when listed) and show it below."""
        self.wanted = bid
        self._select(bid)
        self.tasks.spawn(self.load_detail())

    def _select(self, bid: str | None) -> None:
        row = self.model.row_of(bid) if bid else None
        self.table.selectionModel().clearSelection()
        if row is not None:
            self.select_source_rows([row])
            self.table.scrollTo(self.proxy.mapFromSource(self.model.index(row, 0)))

    def selected(self) -> BatchSummary | None:
        rows = [self.proxy.mapToSource(i).row() for i in self.selected_rows()]
        return self.model.rows[rows[0]] if rows else None

    def selection_changed(self) -> None:
        chosen = self.selected()
        if chosen is not None and chosen.bid != self.wanted:
            self.wanted = chosen.bid
            self.tasks.spawn(self.load_detail())
        shown = self.detail.detail is not None and self.controller.running
        self.retry_action.setEnabled(shown)
        self.delete_action.setEnabled(shown)

    # -- acting -----------------------------------------------------------------------------------

    async def retry_selected(self) -> int:
        """Enqueue the shown batch's jobs that wait in Scheduled, Retries or Dead (after a
        confirm); returns how many moved."""
        shown = self.detail.detail
        if shown is None or not await confirm(
                self, "Retry the batch's pending jobs?",
                f"Jobs of “{describe(shown.batch)}” waiting in Scheduled, Retries or Dead go "
                "onto their queues now.", accept_text="Retry now"):
            return 0
        bid = shown.batch.bid
        moved = await self._call(lambda api: api.ent.retry_batch(bid))
        if moved is FAILED:
            return 0
        self._detail_at = 0.0  # its jobs moved: read where they are now
        await self.refresh()
        self.message.show_success(f"Enqueued {count(moved, 'job')} of the batch now.")
        return int(moved)

    async def delete_selected(self) -> bool:
        """Forget the shown batch (after a confirm)."""
        shown = self.detail.detail
        if shown is None or not await confirm(
                self, "Delete this batch?",
                f"“{describe(shown.batch)}” is forgotten: its callbacks never fire and a parent "
                "batch stops waiting for it. Its jobs stay where they are. This cannot be undone.",
                destructive=True, accept_text="Delete"):
            return False
        bid = shown.batch.bid
        found = await self._call(lambda api: api.ent.delete_batch(bid))
        if found is FAILED:
            return False
        self.wanted = None
        await self.refresh()
        if found:
            self.message.show_success(f"Deleted batch “{describe(shown.batch)}”.")
        else:
            self.message.show_error("Nothing was done: the batch was already gone.")
        return bool(found)

    async def _call(self, make: Any, quiet: bool = False) -> Any:
        """The API's answer; FAILED (after saying why, unless quiet) when the call failed."""
        return await call_reported(self.controller, make, None if quiet else self.message)
