"""The Workers page: connected worker processes (a HELLO with a wid), and quiet / terminate.

Like Faktory's Busy page (U-21): wid, host, pid, labels, start, last heartbeat, state, RSS and
jobs in progress, sorted by wid. It reads the registry every 2 s while it is on screen and not
at all otherwise. A signal reaches a worker as the reply to its next BEAT, so the page says that
the worker hears it "at its next heartbeat".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from faktory_desktop.core import humanize
from faktory_desktop.core.api import WorkerSummary
from faktory_desktop.core.timefmt import NS, now_ns
from faktory_desktop.core.workers import WorkerState
from faktory_desktop.ui.confirm import confirm
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.badges import BADGES_ROLE
from faktory_desktop.ui.jobs.feedback import call_api, failure_text, tone
from faktory_desktop.ui.jobs.table_page import (
    ALIGN_RIGHT,
    SORT_ROLE,
    Index,
    SummaryTableModel,
)
from faktory_desktop.ui.polled_page import PolledTablePage

REFRESH_MS = 2000
LATE_BEAT_S = 30
COLUMNS = ("Worker", "Host", "PID", "Labels", "Started", "Last beat", "State", "RSS", "Busy")
EMPTY_TEXT = ("No worker processes are connected. Workers appear here when they connect with "
              "a wid.")
STATE_BADGES = {WorkerState.RUNNING: "green", WorkerState.QUIET: "amber",
                WorkerState.TERMINATE: "red"}
_NUMERIC = (2, 7, 8)


class WorkerTableModel(SummaryTableModel):
    """Rows of WorkerSummary; relative times are computed against the time of the last read."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(COLUMNS, numeric=_NUMERIC, parent=parent)
        self.now = now_ns()

    def set_workers(self, workers: list[WorkerSummary], now: int) -> bool:
        """Show these workers; True when the set of rows changed."""
        self.now = now
        return self.replace_rows(workers, key=lambda w: w.wid)

    def late(self, worker: WorkerSummary) -> bool:
        return (self.now - worker.last_beat_ns) / NS > LATE_BEAT_S

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        worker, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(worker, column)
        if role == SORT_ROLE:
            return (worker.wid, worker.hostname, worker.pid, ",".join(worker.labels),
                    worker.started_ns, worker.last_beat_ns, list(WorkerState).index(worker.state),
                    worker.rss_kb, worker.busy)[column]
        if role == BADGES_ROLE:
            return self._badges(worker, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column == 5 and self.late(worker):
            return tone("red", self._palette())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(worker, column)
        return None

    def _display(self, worker: WorkerSummary, column: int) -> str:
        values = (worker.wid, worker.hostname, str(worker.pid), ", ".join(worker.labels),
                  humanize.ago(worker.started_ns, self.now),
                  humanize.ago(worker.last_beat_ns, self.now), worker.state.value,
                  humanize.rss(worker.rss_kb), str(worker.busy))
        return values[column]

    def _badges(self, worker: WorkerSummary, column: int) -> list[tuple[str, str]] | None:
        if column == 3 and worker.labels:
            return [(label, "blue") for label in worker.labels]
        if column == 6:
            return [(worker.state.value, STATE_BADGES[worker.state])]
        return None

    def _tooltip(self, worker: WorkerSummary, column: int) -> str | None:
        if column == 0:
            return f"{worker.wid}: {humanize.count(worker.connections, 'connection')}"
        if column == 4:
            return humanize.local_time(worker.started_ns)
        if column == 5:
            beat = humanize.local_time(worker.last_beat_ns)
            if self.late(worker):
                silent = humanize.span((self.now - worker.last_beat_ns) / NS)
                return (f"{beat}: no heartbeat for {silent}; a worker silent for 60 s is "
                        "dropped")
            return beat
        if column == 6:
            return {WorkerState.RUNNING: "Fetching and working jobs",
                    WorkerState.QUIET: "Quiet: fetches no new jobs, finishes the ones it has",
                    WorkerState.TERMINATE: "Told to stop: it finishes up and exits"}[worker.state]
        return None

    def _palette(self) -> Any:
        parent = self.parent()
        return parent.palette() if isinstance(parent, QWidget) else QWidget().palette()


class WorkersPage(PolledTablePage):
    """Worker processes, read every 2 s while shown."""

    model: WorkerTableModel

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        model = WorkerTableModel()
        super().__init__("Workers", model, EMPTY_TEXT, REFRESH_MS, parent, stretch_column=3)
        self.model = model
        self.controller = controller
        self.proxy.sort(0, Qt.SortOrder.AscendingOrder)
        self._make_actions()
        self.show_workers([])

    def _make_actions(self) -> None:
        self.quiet_action = self.add_action(
            "Quiet", lambda: self.tasks.spawn(self.signal_selected(WorkerState.QUIET)), row=True,
            tip="Stop fetching new jobs; jobs in progress finish")
        self.terminate_action = self.add_action(
            "Terminate…", lambda: self.tasks.spawn(self.signal_selected(WorkerState.TERMINATE)),
            row=True, tip="Finish up and exit")
        self.add_stretch()
        self.add_action("Quiet all…", lambda: self.tasks.spawn(self.signal_all(WorkerState.QUIET)))
        self.add_action("Terminate all…",
                        lambda: self.tasks.spawn(self.signal_all(WorkerState.TERMINATE)))

    # -- showing ----------------------------------------------------------------------------------

    async def refresh(self) -> None:
        if not self.controller.running:
            self.show_unavailable(self.controller.unavailable_text())
            return
        workers = await self._call(lambda api: api.workers(), quiet=True)
        self.show_workers(workers or [])

    def show_workers(self, workers: list[WorkerSummary]) -> None:
        selected = {w.wid for w in self.selected()}
        if self.model.set_workers(workers, now_ns()):
            self.reselect(selected)
        self.show_table(bool(workers))
        busy = sum(w.busy for w in workers)
        parts = [humanize.count(len(workers), "process", "processes"),
                 f"{humanize.count(busy, 'job')} in progress"]
        quiet = sum(1 for w in workers if w.state is not WorkerState.RUNNING)
        if quiet:
            parts.append(f"{quiet} quiet or stopping")
        self.summary.setText(" · ".join(parts))
        self.selection_changed()

    def reselect(self, wids: set[str]) -> None:
        self.select_source_rows([r for r, w in enumerate(self.model.rows) if w.wid in wids])

    def selection_changed(self) -> None:
        chosen = self.selected()
        self.quiet_action.setEnabled(any(w.state is WorkerState.RUNNING for w in chosen))
        self.terminate_action.setEnabled(
            any(w.state is not WorkerState.TERMINATE for w in chosen))

    # -- acting -----------------------------------------------------------------------------------

    async def signal_selected(self, state: WorkerState) -> None:
        """Quiet or terminate the selected workers (terminate after a confirm)."""
        chosen = [w.wid for w in self.selected()]
        if not chosen:
            return
        who = chosen[0] if len(chosen) == 1 else f"{len(chosen)} workers"
        if state is WorkerState.TERMINATE and not await confirm(
                self, "Terminate worker?", f"Tell {who} to finish up and exit?",
                destructive=True, accept_text="Terminate"):
            return
        for wid in chosen:
            if await self._call(lambda api, w=wid: api.signal_workers(state, w)) is None:
                return
        await self._after_signal(who, state)

    async def signal_all(self, state: WorkerState) -> None:
        """Quiet or terminate every connected worker (after a confirm)."""
        verb = "quiet" if state is WorkerState.QUIET else "terminate"
        text = ("Every worker stops fetching new jobs and finishes the ones it has."
                if state is WorkerState.QUIET else "Every worker finishes up and exits.")
        if not await confirm(self, f"{verb.capitalize()} all workers?", text,
                             destructive=state is WorkerState.TERMINATE,
                             accept_text=f"{verb.capitalize()} all"):
            return
        if await self._call(lambda api: api.signal_workers(state, None)) is None:
            return
        await self._after_signal("every worker", state)

    async def _after_signal(self, who: str, state: WorkerState) -> None:
        await self.refresh()
        verb = "quiet" if state is WorkerState.QUIET else "terminate"
        self.message.show_success(f"Told {who} to {verb}; a worker hears it at its next "
                                  "heartbeat (usually within 15 s).")

    async def _call(self, make: Any, quiet: bool = False) -> Any:
        """The API's answer (True for calls without one); None when the call failed."""
        try:
            result = await call_api(self.controller, make)
        except Exception as exc:
            text = failure_text(exc)
            if text is None:
                raise
            if not quiet:
                self.message.show_error(text)
            return None
        return True if result is None else result
