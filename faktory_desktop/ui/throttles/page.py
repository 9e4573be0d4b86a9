"""The Throttles page: each throttled queue's size, limit, slots taken and free, and the
counters Faktory Enterprise shows; read every second while on screen."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from faktory_desktop.confd_edit import delete_throttle
from faktory_desktop.core import humanize
from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.core.throttle_view import ThrottleRow
from faktory_desktop.ui.conf_page import ConfTablePage
from faktory_desktop.ui.confirm import confirm
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.throttles.form import ThrottleDialog
from faktory_desktop.ui.throttles.model import ThrottleTableModel

REFRESH_MS = 1000
EMPTY_TEXT = ("No queue is throttled. Add a throttle with New…, or write [throttles] in "
              "conf.d/*.toml and choose Server → Reload Configuration.")


class ThrottlesPage(ConfTablePage):
    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__("Throttles", ThrottleTableModel(), EMPTY_TEXT, REFRESH_MS, parent)
        self.controller = controller
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.add_edit_actions(("New…", self.new_throttle, "Throttle a queue"),
                              ("Change…", self.edit_selected,
                               "Change this queue's limit or timeout"),
                              ("Remove…", self.delete_selected, "Stop throttling this queue"))
        self.show_rows([])

    def read(self, api: FaktoryAPI) -> Coroutine[Any, Any, list[ThrottleRow]]:
        return api.throttle_rows()

    def show_rows(self, rows: list[ThrottleRow]) -> None:
        self.replace_keeping_selection(rows, key=lambda r: r.queue)
        full = sum(1 for r in rows if r.free == 0)
        text = humanize.count(len(rows), "throttled queue")
        self.summary.setText(f"{text} · {full} with every slot taken" if full else text)

    def selection_changed(self) -> None:
        one = len(self.selected()) == 1
        self.edit_action.setEnabled(one)
        self.delete_action.setEnabled(one)

    def new_throttle(self) -> ThrottleDialog:
        return self._open(None)

    def edit_selected(self) -> ThrottleDialog | None:
        row = self.current()
        return None if row is None else self._open(row)

    def _open(self, row: ThrottleRow | None) -> ThrottleDialog:
        dialog = ThrottleDialog(self.controller, row, self.window())
        self.show_dialog(dialog)
        return dialog

    async def delete_selected(self) -> None:
        row = self.current()
        if row is None:
            return
        queue = row.queue
        if not await confirm(self, "Remove throttle?", f"Stop throttling {queue}?",
                             accept_text="Remove"):
            return
        await self.edit_conf(lambda config_dir: delete_throttle(config_dir, queue),
                             f"{queue} is no longer throttled.")

