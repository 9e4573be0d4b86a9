"""What the Cron and Throttles screens share: calls that report a bad conf.d edit or an entry
that went away besides the job screens' expected failures, the page frame (read while shown;
New, Edit and Delete), and the Save/Cancel buttons of their forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from faktory_desktop.config import ConfigError
from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.core.cron.runner import UnknownEntry
from faktory_desktop.core.features import Features
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.feedback import MessageLine, Tasks, call_api, failure_text
from faktory_desktop.ui.polled_page import PolledTablePage

FAILED = object()  # what `attempt` returns after it has reported a failure


async def attempt(message: MessageLine, call: Awaitable[Any]) -> Any:
    """`call`'s result, or FAILED after `message` says why it failed."""
    try:
        return await call
    except (ConfigError, UnknownEntry) as exc:
        message.show_error(str(exc))
    except Exception as exc:
        text = failure_text(exc)
        if text is None:
            raise
        message.show_error(text)
    return FAILED


class ConfTablePage(PolledTablePage):
    """Subclasses give `read(api)` and `show_rows(rows)`."""

    controller: ServerController

    def read(self, api: FaktoryAPI) -> Coroutine[Any, Any, list[Any]]:
        raise NotImplementedError

    def show_rows(self, rows: list[Any]) -> None:
        raise NotImplementedError

    async def refresh(self) -> None:
        if not self.controller.running:
            self.show_unavailable(self.controller.unavailable_text())
            return
        rows = await self.call(self.read)
        self.show_rows([] if rows is FAILED else rows)

    async def call(self, make: Callable[[FaktoryAPI], Coroutine[Any, Any, Any]]) -> Any:
        return await attempt(self.message, call_api(self.controller, make))

    def add_edit_actions(self, new: tuple[str, Callable[[], object], str],
                         edit: tuple[str, Callable[[], object], str],
                         delete: tuple[str, Callable[[], Coroutine[Any, Any, Any]], str]) -> None:
        """New (always), Edit and Delete (for the selected row): (text, slot, tooltip) each."""
        self.add_action(new[0], new[1], tip=new[2])
        self.edit_action = self.add_action(edit[0], edit[1], row=True, tip=edit[2])
        remove = delete[1]
        self.delete_action = self.add_action(
            delete[0], lambda: self.tasks.spawn(remove()), row=True, tip=delete[2])
        self.add_stretch()


    def show_dialog(self, dialog: QDialog) -> QDialog:
        """Open a form or detail dialog; its `saved(text)` (if any) refreshes and says so."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        saved = getattr(dialog, "saved", None)
        if saved is not None:
            saved.connect(lambda text: self.tasks.spawn(self.after_change(text)))
        dialog.show()
        return dialog

    async def edit_conf(self, edit: Callable[[Path], Features], done_text: str) -> bool:
        """Write an edit to conf.d and put it in force; the message line says how it went."""
        done = await attempt(self.message, self.controller.edit_configuration(edit))
        if done is FAILED:
            return False
        await self.after_change(done_text)
        return True


def save_cancel(dialog: QDialog, tasks: Tasks,
                save: Callable[[], Coroutine[Any, Any, Any]]) -> QDialogButtonBox:
    """A form's Save (runs `save` as a task) and Cancel buttons."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(lambda: tasks.spawn(save()))
    buttons.rejected.connect(dialog.reject)
    return buttons
