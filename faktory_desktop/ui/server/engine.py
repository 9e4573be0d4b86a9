"""The Server panel's Engine section: which redis-server / valkey-server runs, how much memory
it uses, whether its data is safely on disk, and the redis-cli command to look inside.

While visible it asks the engine for INFO memory and INFO persistence every few seconds, on the
server's thread (through `controller.call`), never on the GUI thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget
from shiboken6 import isValid

from faktory_desktop.storage.store import STORAGE_ERRORS
from faktory_desktop.ui.controller import ServerController, ServerNotRunning
from faktory_desktop.ui.server.widgets import CopyField, ElidedLabel, LiveSection

log = logging.getLogger(__name__)

REFRESH_MS = 3000
NONE = "—"
UNAVAILABLE: tuple[type[Exception], ...] = (ServerNotRunning, *STORAGE_ERRORS)


def local_time(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


def aof_text(info: dict[str, Any]) -> str:
    """Append-only file: on or off, and whether its last write worked."""
    if "aof_enabled" not in info:
        return NONE
    if not int(info["aof_enabled"]):
        return "Off"
    status = info.get("aof_last_write_status", "ok")
    return "On — last write ok" if status == "ok" else f"On — last write FAILED ({status})"


def snapshot_text(info: dict[str, Any]) -> str:
    """The last RDB snapshot: when (local time), whether it worked, what changed since."""
    saved = info.get("rdb_last_save_time")
    if not saved:
        return NONE
    status = info.get("rdb_last_bgsave_status", "ok")
    text = local_time(float(saved)) + (" — ok" if status == "ok" else f" — FAILED ({status})")
    changes = int(info.get("rdb_changes_since_last_save", 0) or 0)
    return text + (f", {changes} change{'s' * (changes != 1)} since" if changes else "")


class EngineSection(LiveSection):
    """Static facts from the Engine object, live numbers from INFO while shown."""

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__("Storage engine", REFRESH_MS, parent)
        self.controller = controller
        self.version = QLabel(NONE)
        self.binary = ElidedLabel(NONE)
        self.memory = QLabel(NONE)
        self.aof = QLabel(NONE)
        self.snapshot = QLabel(NONE)
        self.cli = CopyField()
        self.cli.button.setToolTip("Copy the redis-cli command to the clipboard")
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Engine", self.version)
        form.addRow("Binary", self.binary)
        form.addRow("Memory", self.memory)
        form.addRow("Append-only file", self.aof)
        form.addRow("Last snapshot", self.snapshot)
        form.addRow("Inspect", self.cli)
        self._pending: asyncio.Task[None] | None = None
        self.last_info: dict[str, Any] = {}
        self.show_engine()

    def show_engine(self) -> None:
        """The facts that change only when the server (re)starts."""
        thread = self.controller.server_thread
        engine = thread.runtime.engine if thread and self.controller.running else None
        version = engine.version if engine else None
        self.version.setText(f"{version[0]} {version[1]}" if version else NONE)
        self.binary.set_full_text((engine.binary or "external server") if engine else NONE)
        address = engine.address if engine else None
        self.cli.set_value(address.cli_command if address else "")
        if engine is None:
            self.show_info({})

    def show_info(self, info: dict[str, Any]) -> None:
        self.last_info = info
        self.memory.setText(str(info.get("used_memory_human", NONE)))
        self.aof.setText(aof_text(info))
        self.snapshot.setText(snapshot_text(info))

    def refresh(self) -> None:
        """Start one INFO read unless one is still under way."""
        self.show_engine()
        if self._pending is None or self._pending.done():
            self._pending = asyncio.ensure_future(self._read_info())

    async def _read_info(self) -> None:
        thread = self.controller.server_thread
        core = thread.runtime.core if thread else None
        if core is None or not self.controller.running:
            self.show_info({})
            return
        try:
            memory = await self.controller.call(core.store.engine_info("memory"))
            persistence = await self.controller.call(core.store.engine_info("persistence"))
        except UNAVAILABLE:
            memory, persistence = {}, {}  # the status banner says why
        except Exception:
            log.exception("reading the engine's INFO failed")
            return
        if isValid(self):  # the panel may have been closed meanwhile
            self.show_info({**memory, **persistence})
