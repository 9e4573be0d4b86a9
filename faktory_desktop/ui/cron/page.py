"""The Cron page: the [[cron]] entries of conf.d as the running server has them.

Each row has the schedule, in words, the job, the next run in UTC and local time, and the last
result; it is read every 2 s while shown. New, Edit and Delete write conf.d (cron.toml, or the
entry's own file) and take effect at once; Enqueue now and Pause/Resume act on the server.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QWidget

from faktory_desktop.confd_edit import delete_cron
from faktory_desktop.core import humanize
from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.core.cron.view import CronRow
from faktory_desktop.core.timefmt import now_ns
from faktory_desktop.ui.conf_page import FAILED, ConfTablePage
from faktory_desktop.ui.confirm import confirm
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.cron.detail import CronDetailDialog
from faktory_desktop.ui.cron.form import CronEntryDialog
from faktory_desktop.ui.cron.model import NEXT_RUN, CronTableModel

REFRESH_MS = 2000
WHEN_WIDTH = 200
CUSTOM_WIDTH = 130
EMPTY_TEXT = ("No periodic jobs. Add one with New…, or write [[cron]] entries in conf.d/*.toml "
              "and choose Server → Reload Configuration.")


class CronPage(ConfTablePage):
    model: CronTableModel

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        model = CronTableModel()
        super().__init__("Cron", model, EMPTY_TEXT, REFRESH_MS, parent, stretch_column=8)
        self.model = model
        self.controller = controller
        self.table.sortByColumn(NEXT_RUN[0], Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()  # long descriptions are elided; the tip has all
        for column, width in ((2, WHEN_WIDTH), (5, CUSTOM_WIDTH)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(8, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self._make_actions()
        self.show_rows([])

    def _make_actions(self) -> None:
        self.add_edit_actions(("New…", self.new_entry, "Add a periodic job to conf.d/cron.toml"),
                              ("Edit…", self.edit_selected, "Change this entry in its conf.d file"),
                              ("Delete…", self.delete_selected,
                               "Remove this entry from its conf.d file"))
        self.enqueue_action = self.add_action(
            "Enqueue Now", lambda: self.tasks.spawn(self.enqueue_selected()), row=True,
            tip="Push this entry's job now, outside its schedule")
        self.pause_action = self.add_action(
            "Pause", lambda: self.tasks.spawn(self.toggle_pause()), row=True,
            tip="A paused entry does not fire until resumed (kept across restarts)")
        self.details_action = self.add_action("Details…", self.open_selected, row=True,
                                              tip="Next runs and the history of firings")

    # -- showing ----------------------------------------------------------------------------------

    def read(self, api: FaktoryAPI) -> Coroutine[Any, Any, list[CronRow]]:
        return api.cron_rows()

    def show_rows(self, rows: list[CronRow]) -> None:
        self.model.now = now_ns()
        self.replace_keeping_selection(rows, key=lambda r: r.id)
        paused = sum(r.paused for r in rows)
        text = humanize.count(len(rows), "periodic job")
        self.summary.setText(f"{text} · {paused} paused" if paused else text)

    def selection_changed(self) -> None:
        chosen = self.selected()
        one = len(chosen) == 1
        for action in (self.edit_action, self.delete_action, self.enqueue_action,
                       self.details_action, self.pause_action):
            action.setEnabled(one)
        self.pause_action.setText("Resume" if one and chosen[0].paused else "Pause")

    # -- acting -----------------------------------------------------------------------------------

    def new_entry(self) -> None:
        self._open_form(None)

    def edit_selected(self) -> None:
        row = self.current()
        if row is not None:
            self._open_form(row)

    def _open_form(self, row: CronRow | None) -> CronEntryDialog:
        dialog = CronEntryDialog(self.controller, row, self.window())
        self.show_dialog(dialog)
        return dialog

    def open_selected(self) -> CronDetailDialog | None:
        row = self.current()
        if row is None:
            return None
        dialog = CronDetailDialog(self.controller, row, self.window())
        dialog.changed.connect(lambda: self.tasks.spawn(self.refresh()))
        self.show_dialog(dialog)
        return dialog

    async def delete_selected(self) -> None:
        row = self.current()
        if row is None:
            return
        if not await confirm(self, "Delete periodic job?",
                             f"Remove the {row.jobtype} entry ({row.schedule}) from "
                             f"conf.d/{row.file}?", destructive=True, accept_text="Delete"):
            return
        where = (row.file, row.index)
        await self.edit_conf(lambda config_dir: delete_cron(config_dir, where),
                             f"Removed the {row.jobtype} entry from conf.d/{row.file}.")

    async def enqueue_selected(self) -> None:
        row = self.current()
        if row is None:
            return
        firing = await self.call(lambda api: api.cron_enqueue_now(row.id))
        if firing is FAILED:
            return
        await self.refresh()
        if firing.error:
            self.message.show_error(f"{row.jobtype} was refused: {firing.error}")
        else:
            self.message.show_success(f"Enqueued {row.jobtype} {firing.jid} on {row.queue}.")

    async def toggle_pause(self) -> None:
        row = self.current()
        if row is None:
            return
        pause = not row.paused
        if await self.call(lambda api: api.cron_set_paused(row.id, pause)) is FAILED:
            return
        await self.refresh()
        self.message.show_success(f"{'Paused' if pause else 'Resumed'} {row.jobtype} "
                                  f"({row.schedule}).")
