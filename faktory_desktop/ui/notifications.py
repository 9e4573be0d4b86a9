"""Desktop notifications for what needs the user while the window is closed: dead jobs and an
engine that crashed.

Deaths are read from the poller's snapshots (the Dead set's size going up) and grouped: the first
is told at once, later ones wait until the window since the last notification has passed and go
out as one ("3 jobs died in the last 30 s"), so a failing batch makes one balloon, not hundreds.
The clock is injectable so tests can move time without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from faktory_desktop.core.api import Snapshot
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.poller import Poller
from faktory_desktop.ui.preferences import Preferences
from faktory_desktop.ui.status import OWN_SERVER_STATES, AppState, Problem, ServerStatus

MessageIcon = QSystemTrayIcon.MessageIcon
ShowMessage = Callable[[str, str, MessageIcon], None]
Clock = Callable[[], float]

WINDOW_S = 30.0
ENGINE_RESTARTING = ("Storage engine restarted",
                     "The storage engine stopped unexpectedly; Faktory Desktop is restarting it.")
ENGINE_FAILED = ("Storage engine failed",
                 "The storage engine keeps crashing and was stopped. Open Faktory Desktop and "
                 "restart the server to try again.")


def deaths_text(count: int, window_s: float = WINDOW_S) -> tuple[str, str]:
    """(title, body) for `count` jobs that died."""
    if count == 1:
        return "A job died", f"1 job died in the last {window_s:g} s; it is in the Dead set."
    return "Jobs died", f"{count:,} jobs died in the last {window_s:g} s; they are in the Dead set."

class Notifier(QObject):
    """Watches snapshots and the server status; calls `show_message(title, body, icon)`.

    `show_message` is normally `TrayIcon.show_message`. Nothing is shown while
    `prefs.notifications` is off (deaths seen meanwhile are dropped, not saved up).
    """

    notified = Signal(str, str)  # title, body

    def __init__(self, controller: ServerController, poller: Poller, show_message: ShowMessage,
                 prefs: Preferences, *, clock: Clock = time.monotonic, window_s: float = WINDOW_S,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.prefs = prefs
        self._show = show_message
        self._clock = clock
        self._window_s = window_s
        self._last_dead: int | None = None  # None: the next snapshot sets the baseline
        self._pending = 0
        self._deaths_sent_at: float | None = None
        self._engine_sent_at: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        controller.statusChanged.connect(self.on_status)
        poller.snapshot.connect(self.on_snapshot)

    # -- dead jobs --------------------------------------------------------------------------------

    def on_snapshot(self, snapshot: Snapshot) -> None:
        dead = snapshot.stats.dead
        if self._last_dead is not None and dead > self._last_dead:
            self._pending += dead - self._last_dead
        self._last_dead = dead  # a smaller count (Dead set cleared) is just the new baseline
        self.flush()

    def flush(self) -> None:
        """Tell the deaths seen so far, unless the last notice was under a window ago."""
        if not self._pending:
            return
        if not self.prefs.notifications:
            self._pending = 0
            return
        wait = self._wait_s(self._deaths_sent_at)
        if wait > 0:
            self._timer.start(max(100, int(wait * 1000)))
            return
        count, self._pending = self._pending, 0
        self._deaths_sent_at = self._clock()
        self._send(*deaths_text(count, self._window_s), MessageIcon.Warning)

    def _wait_s(self, since: float | None) -> float:
        return 0.0 if since is None else since + self._window_s - self._clock()

    # -- the engine -------------------------------------------------------------------------------

    def on_status(self, status: ServerStatus) -> None:
        if status.state not in OWN_SERVER_STATES:
            self._last_dead = None  # another server (or data dir) may come next: new baseline
        if status.state is AppState.RESTARTING:
            if self._wait_s(self._engine_sent_at) <= 0:  # a flapping engine: one notice a window
                self._engine_sent_at = self._clock()
                self._send(*ENGINE_RESTARTING, MessageIcon.Warning)
        elif status.problem is Problem.ENGINE_FAILED:
            self._engine_sent_at = self._clock()
            self._send(*ENGINE_FAILED, MessageIcon.Critical)

    def _send(self, title: str, body: str, icon: MessageIcon) -> None:
        if self.prefs.notifications:
            self._show(title, body, icon)
            self.notified.emit(title, body)
