"""A job's Enterprise state in its detail: the unique lock with its time left and a Release
button, the expiry with a countdown, the batch as a link, and the tracking percent and text.

The box reads `api.ent.job_extras` when it is made and every few seconds while on screen, counts
the lock and the expiry down each second in between, and stays hidden when the job turns out to
have none of these.
"""

from __future__ import annotations

import html
import time
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from faktory_desktop.core import humanize
from faktory_desktop.core.enterprise_api import JobExtras
from faktory_desktop.core.records import JobRecord
from faktory_desktop.core.timefmt import NS, now_ns
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.feedback import FAILED, MessageLine, Tasks, call_reported
from faktory_desktop.ui.jobs.shown_timer import ShownTimer

READ_EVERY = 5  # ticks (seconds) between reads; the countdowns tick in between


def countdown(seconds: float) -> str:
    """ "1:02:03", "4:12", "0:07": a clock that visibly runs down."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _label(rich: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse if rich else
                                  Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _link(bid: str) -> str:
    return f"<a href='{html.escape(bid)}'><code>{html.escape(bid)}</code></a>"


class EnterpriseBox(QGroupBox):
    """`batchRequested(bid)`: the app shows that batch on the Batches screen."""

    batchRequested = Signal(str)

    def __init__(self, controller: ServerController, record: JobRecord, message: MessageLine,
                 parent: QWidget | None = None) -> None:
        super().__init__("Enterprise", parent)
        self.controller, self.record, self.message = controller, record, message
        self.extras: JobExtras | None = None
        self.tasks = Tasks()
        self.lock = _label()
        self.release = QPushButton("Release lock")
        self.release.setToolTip("Free the lock now, so an identical job can be pushed again")
        self.release.clicked.connect(lambda: self.tasks.spawn(self.release_lock()))
        self.expiry = _label()
        self.batch = _label(rich=True)
        self.batch.linkActivated.connect(self.batchRequested.emit)
        self.batch.setToolTip("Show the batch on the Batches screen")
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setFixedWidth(180)
        self.track = _label()
        self._lock_until = 0.0  # monotonic deadline of the lock
        self._ticks = 0
        self.form = self._build()
        self.hide()
        self.timer = ShownTimer(self, 1000, self._tick)  # runs while the box is on screen
        self.tasks.spawn(self.load())

    def _build(self) -> QFormLayout:
        form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(14)
        lock_row = QHBoxLayout()
        lock_row.addWidget(self.lock, 1)
        lock_row.addWidget(self.release)
        track_row = QHBoxLayout()
        track_row.setSpacing(10)
        track_row.addWidget(self.bar)
        track_row.addWidget(self.track, 1)
        form.addRow("Unique lock", lock_row)
        form.addRow("Expires", self.expiry)
        form.addRow("Batch", self.batch)
        form.addRow("Progress", track_row)
        return form

    async def load(self) -> None:
        """Read the job's lock, expiry, batch and tracking; hidden when it has none."""
        record = self.record
        extras = await call_reported(self.controller, lambda api: api.ent.job_extras(record), None)
        if extras is not FAILED:  # else the box keeps what it showed until the next read
            self.show_extras(extras)

    def show_extras(self, extras: JobExtras | None) -> None:
        self.extras = extras
        if extras is None:
            self.hide()
            return
        self._lock_until = time.monotonic() + (extras.lock_left_s or 0)
        self.form.setRowVisible(0, extras.unique_for is not None)
        self.form.setRowVisible(1, extras.expires_at_ns is not None)
        self.form.setRowVisible(2, bool(extras.bid or extras.callback_of))
        self.form.setRowVisible(3, extras.track is not None)
        self.batch.setText(_batch_text(extras))
        self._show_track(extras.track)
        self._show_clocks()
        self.show()

    def _tick(self) -> None:
        self._ticks += 1
        if self._ticks % READ_EVERY == 0 and not self.tasks.busy:
            self.tasks.spawn(self.load())
        self._show_clocks()

    def _show_clocks(self) -> None:
        extras = self.extras
        if extras is None:
            return
        left = self._lock_until - time.monotonic()
        held = extras.lock_holder is not None and left > 0
        self.release.setEnabled(held)
        self.lock.setText(_lock_text(extras, self.record.jid, left if held else None))
        if extras.expires_at_ns is not None:
            self.expiry.setText(_expiry_text(extras.expires_at_ns))

    def _show_track(self, track: dict[str, Any] | None) -> None:
        if track is None:
            return
        percent = track.get("percent")
        self.bar.setVisible(percent is not None)
        self.bar.setValue(int(percent or 0))
        parts = [str(track["desc"])] if track.get("desc") else []
        parts.append(str(track.get("state", "unknown")))
        if track.get("updated_at"):
            parts.append(f"updated {humanize.ago(humanize.stamp_ns(track['updated_at']) or 0)}")
        self.track.setText(" · ".join(parts))

    async def release_lock(self) -> bool:
        record = self.record
        freed = await call_reported(self.controller, lambda api: api.ent.release_lock(record),
                                    self.message)
        if freed is FAILED:
            return False
        if freed:
            self.message.show_success("Released the unique lock: an identical job can be pushed.")
        else:
            self.message.show_info("The lock was already free.")
        await self.load()
        return bool(freed)


def _lock_text(extras: JobExtras, jid: str, left: float | None) -> str:
    lasts = humanize.span(extras.unique_for or 0)
    if left is None:
        return f"Free (a lock lasts {lasts})"
    who = "this job" if extras.lock_holder == jid else f"job {extras.lock_holder}"
    return f"Held by {who} · {countdown(left)} left (of {lasts})"


def _expiry_text(expires_ns: int) -> str:
    left = (expires_ns - now_ns()) / NS
    at = humanize.local_time(expires_ns)
    if left <= 0:
        return f"{at}: expired; a worker fetching it drops it"
    return f"{at} (in {countdown(left)}); dropped if fetched after that"


def _batch_text(extras: JobExtras) -> str:
    parts = []
    if extras.bid:
        parts.append(f"member of {_link(extras.bid)}")
    if extras.callback_of:
        parts.append(f"callback of {_link(extras.callback_of)}")
    return "; ".join(parts)
