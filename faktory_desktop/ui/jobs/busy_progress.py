"""Busy's Progress column: what tracked jobs (custom.track = 1) last reported with TRACK SET.

A TRACK record changes while its job runs, so it is not part of the page read: after each
refresh, the Busy browser reads the records of the tracked jobs on screen only, in one trip
(`api.ent.progress`), and the model shows them by jid.
"""

from __future__ import annotations

from typing import Any

from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.columns import Tracked
from faktory_desktop.ui.jobs.feedback import FAILED, call_reported
from faktory_desktop.ui.jobs.model import JobTableModel


def progress_text(track: dict[str, Any]) -> str:
    """ "40% · resizing images"; the state when the job reported neither."""
    parts = [f"{track['percent']}%"] if track.get("percent") is not None else []
    if track.get("desc"):
        parts.append(str(track["desc"]))
    return " · ".join(parts) or str(track.get("state", ""))


def _fraction(track: dict[str, Any]) -> float | None:
    percent = track.get("percent")
    return None if percent is None else percent / 100


def tracked_on_screen(model: JobTableModel, first: int, last: int) -> list[str]:
    return [value.jid for number, row in model.loaded_rows() if first <= number <= last
            for value in row.values if isinstance(value, Tracked)]


async def read_progress(model: JobTableModel, controller: ServerController,
                        first: int, last: int) -> None:
    """Read the progress of the tracked jobs in rows [first, last] and show it."""
    jids = tracked_on_screen(model, first, last)
    found: dict[str, dict[str, Any]] = {}
    if jids:
        found = await call_reported(controller, lambda api: api.ent.progress(jids), None)
        if found is FAILED:
            return  # the page's own read reports the failure
    model.progress = {jid: (progress_text(track), _fraction(track)) for jid, track in found.items()}
    column = next((i for i, c in enumerate(model.columns) if c.title == "Progress"), None)
    if column is not None and model.rowCount():
        model.dataChanged.emit(model.index(first, column),
                               model.index(min(last, model.rowCount() - 1), column))
