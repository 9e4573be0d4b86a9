"""The Queues page: every known queue with its size, latency and paused state, and what can be
done to queues: pause and resume, clear (delete the jobs, keep the queue), remove (forget it).

The table follows the Poller's snapshot (one call a second serves every live view) and
refreshes at once after an action. Opening a queue (double-click, Enter) emits `queueOpened`;
the app shows that queue's job browser.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from faktory_desktop.core.api import QueueSummary, Snapshot
from faktory_desktop.core.humanize import count, span
from faktory_desktop.ui.confirm import confirm
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.badges import BADGES_ROLE
from faktory_desktop.ui.jobs.feedback import Tasks, call_api, failure_text
from faktory_desktop.ui.jobs.table_page import (
    ALIGN_RIGHT,
    SORT_ROLE,
    Index,
    SummaryTableModel,
    TablePage,
)
from faktory_desktop.ui.poller import Poller
from faktory_desktop.ui.status import ServerStatus

COLUMNS = ("Queue", "Size", "Latency", "Status")
EMPTY_TEXT = "No queues yet. A queue appears here when a client pushes a job to it."
FAILED = object()  # what `_call` returns after it has reported a failed call


class QueueTableModel(SummaryTableModel):
    """Rows of QueueSummary; an update with the same queues changes values in place."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(COLUMNS, numeric=(1, 2), parent=parent)

    def set_queues(self, queues: list[QueueSummary]) -> bool:
        """Show these queues; True when the set of rows changed (selection must be restored)."""
        return self.replace_rows(queues, key=lambda q: q.name)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        queue, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(queue, column)
        if role == SORT_ROLE:
            return (queue.name, queue.size, queue.latency_s, queue.paused)[column]
        if role == BADGES_ROLE and column == 3 and queue.paused:
            return [("paused", "amber")]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (1, 2):
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(queue, column)
        return None


def _display(queue: QueueSummary, column: int) -> str:
    if column == 0:
        return queue.name
    if column == 1:
        return f"{queue.size:,}"
    if column == 2:
        return span(queue.latency_s) if queue.size and not math.isnan(queue.latency_s) else "–"
    return {True: "paused", False: "active", None: "–"}[queue.paused]


def _tooltip(queue: QueueSummary, column: int) -> str | None:
    if column == 2 and queue.size and not math.isnan(queue.latency_s):
        return f"The oldest job in {queue.name} has waited {span(queue.latency_s)}"
    if column == 3 and queue.paused is None:
        return "The server does not say whether this queue is paused"
    if column == 3:
        return ("Paused: workers fetch nothing from this queue; pushes still land in it"
                if queue.paused else "Active: workers fetch from this queue")
    return None


class QueuesPage(TablePage):
    """`queueOpened(name)`: show that queue's jobs. `newJobRequested()`: open New job."""

    queueOpened = Signal(str)
    newJobRequested = Signal()

    def __init__(self, controller: ServerController, poller: Poller | None = None,
                 parent: QWidget | None = None) -> None:
        model = QueueTableModel()
        super().__init__("Queues", model, EMPTY_TEXT, parent)
        self.model = model
        self.controller = controller
        self.tasks = Tasks()
        self.proxy.sort(0, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(self._open_index)
        self._make_actions()
        self.selection_changed()
        if poller is not None:
            poller.snapshot.connect(self._on_snapshot)
        controller.statusChanged.connect(self._on_status)
        self._on_status(controller.status)

    def _make_actions(self) -> None:
        self.open_action = self.add_action("Open", self.open_selected, row=True,
                                           tip="Browse this queue's jobs (Enter)")
        self.pause_action = self.add_action(
            "Pause", lambda: self.tasks.spawn(self.toggle_pause()), row=True,
            tip="Paused queues keep their jobs; workers fetch nothing from them")
        self.clear_action = self.add_action(
            "Clear…", lambda: self.tasks.spawn(self.clear_selected()), row=True,
            tip="Delete every job in the selected queues; the queues stay")
        self.remove_action = self.add_action(
            "Remove…", lambda: self.tasks.spawn(self.remove_selected()), row=True,
            tip="Delete the jobs and forget the selected queues")
        self.add_stretch()
        self.add_action("New job…", self.newJobRequested.emit, tip="Push a job by hand")
        self.add_action("Pause all", lambda: self.tasks.spawn(self.pause_all(True)))
        self.add_action("Resume all", lambda: self.tasks.spawn(self.pause_all(False)))

    # -- showing ----------------------------------------------------------------------------------

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if self.controller.status.live:  # not a poll that finished after the server stopped
            self.show_queues(snapshot.queues)

    def show_queues(self, queues: list[QueueSummary]) -> None:
        selected = self.selected_names()
        if self.model.set_queues(queues):
            self.reselect(selected)
        self.show_table(bool(queues))
        waiting = sum(q.size for q in queues)
        paused = sum(1 for q in queues if q.paused)
        parts = [count(len(queues), "queue"), f"{count(waiting, 'job')} waiting"]
        if paused:
            parts.append(f"{paused} paused")
        self.summary.setText(" · ".join(parts))
        self.selection_changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.tasks.spawn(self.refresh())

    def _on_status(self, status: ServerStatus) -> None:
        if not status.live:
            self.show_unavailable(self.controller.unavailable_text())

    async def refresh(self) -> None:
        """Read the queues now (instead of waiting for the next snapshot)."""
        if not self.controller.running:
            return  # nothing to read, or the poller's snapshots show the watched server's
        queues = await self._call(lambda api: api.queues())
        if queues is not FAILED:
            self.show_queues(queues)

    def selected(self) -> list[QueueSummary]:
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.selected_rows()})
        return [self.model.rows[r] for r in rows]

    def selected_names(self) -> list[str]:
        return [q.name for q in self.selected()]

    def reselect(self, names: list[str]) -> None:
        self.select_source_rows([r for r, q in enumerate(self.model.rows) if q.name in names])

    def selection_changed(self) -> None:
        chosen = self.selected()
        self.open_action.setEnabled(len(chosen) == 1)
        for action in (self.pause_action, self.clear_action, self.remove_action):
            action.setEnabled(bool(chosen))
        resume = bool(chosen) and all(q.paused for q in chosen)
        self.pause_action.setText("Resume" if resume else "Pause")

    # -- acting -----------------------------------------------------------------------------------

    def _open_index(self, index: QModelIndex) -> None:
        self.queueOpened.emit(self.model.rows[self.proxy.mapToSource(index).row()].name)

    def open_selected(self) -> None:
        names = self.selected_names()
        if len(names) == 1:
            self.queueOpened.emit(names[0])

    async def toggle_pause(self) -> None:
        """Resume the selection when every selected queue is paused, else pause it."""
        chosen = self.selected()
        if not chosen:
            return
        names = [q.name for q in chosen]
        if all(q.paused for q in chosen):
            done = await self._call(lambda api: api.resume(names), refresh=True)
            verb = "Resumed"
        else:
            done = await self._call(lambda api: api.pause(names), refresh=True)
            verb = "Paused"
        if done is not FAILED:
            self.message.show_success(f"{verb} {_names(names)}.")

    async def pause_all(self, pause: bool) -> None:
        """Every queue, of this app's server or of the one it watches."""
        done = await self._attempt(self.controller.pause_all(pause), refresh=True)
        if done is not FAILED:
            self.message.show_success("Paused every queue." if pause else "Resumed every queue.")

    async def clear_selected(self) -> int:
        """Delete the jobs of the selected queues (after a confirm); returns how many."""
        chosen = self.selected()
        if not chosen or not await confirm(self, "Clear queue?" if len(chosen) == 1
                                           else "Clear queues?", _clear_text(chosen),
                                           destructive=True, accept_text="Clear"):
            return 0
        deleted = 0
        for queue in chosen:
            n = await self._call(lambda api, q=queue.name: api.empty_queue(q))
            if n is FAILED:
                break
            deleted += n
        await self.refresh()
        names = [q.name for q in chosen]
        self.message.show_success(f"Deleted {count(deleted, 'job')} from {_names(names)}.")
        return deleted

    async def remove_selected(self) -> None:
        """Forget the selected queues and delete their jobs (after a confirm)."""
        chosen = self.selected()
        if not chosen or not await confirm(self, "Remove queue?" if len(chosen) == 1
                                           else "Remove queues?", _remove_text(chosen),
                                           destructive=True, accept_text="Remove"):
            return
        names = [q.name for q in chosen]
        for name in names:
            if await self._call(lambda api, n=name: api.clear_queue(n)) is FAILED:
                break
        await self.refresh()
        self.message.show_success(f"Removed {_names(names)}.")

    async def _call(self, make: Any, refresh: bool = False) -> Any:
        """The API's answer; FAILED (after saying why) when the call failed."""
        return await self._attempt(call_api(self.controller, make), refresh)

    async def _attempt(self, call: Awaitable[Any], refresh: bool = False) -> Any:
        """`call`'s result; FAILED (after saying why) when it failed."""
        try:
            result = await call
        except Exception as exc:
            text = failure_text(exc)
            if text is None:
                raise
            self.message.show_error(text)
            return FAILED
        if refresh:
            await self.refresh()
        return result


def _names(names: list[str]) -> str:
    if len(names) == 1:
        return f"queue {names[0]}"
    return f"{len(names)} queues ({', '.join(names[:5])}{', …' if len(names) > 5 else ''})"


def _clear_text(chosen: list[QueueSummary]) -> str:
    total = sum(q.size for q in chosen)
    paused = " It stays paused." if len(chosen) == 1 and chosen[0].paused else ""
    return (f"Delete all {count(total, 'job')} in {_names([q.name for q in chosen])}? The "
            f"queue stays in the list.{paused} This cannot be undone.")


def _remove_text(chosen: list[QueueSummary]) -> str:
    total = sum(q.size for q in chosen)
    return (f"Remove {_names([q.name for q in chosen])} and delete {count(total, 'job')}? It "
            "leaves this list until a client pushes to it again. This cannot be undone.")
