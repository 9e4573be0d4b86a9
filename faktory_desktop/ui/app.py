"""The desktop app: a QApplication on a qasync loop, hosting the server in a worker thread.

The app object owns the pieces and their lifecycle: start (single instance, then the server if
the preferences say so), the window's close button (to the tray when there is one), and Quit,
which stops the server and its engine before the process exits, as SIGTERM does too.

qasync traps avoided here: no `QDialog.exec()` inside coroutines (dialogs use `open()` and
signals), and every task is kept in `self._tasks` until it ends.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from faktory_desktop.config import Settings, build_settings
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.main_window import MainWindow
from faktory_desktop.ui.poller import Poller
from faktory_desktop.ui.preferences import Preferences, merged_flags
from faktory_desktop.ui.stall_probe import StallProbe

log = logging.getLogger(__name__)

APP_NAME = "Faktory Desktop"
STALL_PROBE_ENV = "FAKTORY_DESKTOP_STALL_PROBE"  # a file: measure GUI stalls, write them there


class DesktopApp:
    def __init__(self, qapp: QApplication, settings: Settings, prefs: Preferences) -> None:
        self.qapp = qapp
        self.prefs = prefs
        self.controller = ServerController(settings)
        self.window = MainWindow()
        self.poller = Poller(self.controller)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._quitting = False
        self.stall_probe = StallProbe() if os.environ.get(STALL_PROBE_ENV) else None
        self.controller.statusChanged.connect(self.window.show_status)
        self.window.banner.startRequested.connect(lambda: self.spawn(self.controller.start()))
        self.window.closeRequested.connect(self.on_window_close)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine on the GUI loop, holding a strong reference until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def start(self) -> None:
        self.window.show()
        self.poller.start()
        if self.stall_probe is not None:
            self.stall_probe.start()
        if self.prefs.start_at_launch:
            self.spawn(self.controller.start())

    def on_window_close(self) -> None:
        """Without a tray to live in, closing the window quits."""
        self.request_quit()

    def request_quit(self) -> None:
        if not self._quitting:
            self._quitting = True
            self.spawn(self._quit())

    async def _quit(self) -> None:
        self.poller.stop()
        await self.controller.stop()
        if self.stall_probe is not None:
            self.stall_probe.write(Path(os.environ[STALL_PROBE_ENV]))
        self.window.quit_on_close = True
        self.window.close()
        self.qapp.quit()


def _install_signal_handlers(app: DesktopApp) -> QTimer:
    """SIGINT and SIGTERM quit as cleanly as the Quit menu.

    Python runs signal handlers only between bytecodes, and Qt's loop sits in C++, so a cheap
    timer gives the interpreter a chance to notice a signal.
    """
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: QTimer.singleShot(0, app.request_quit))
    heartbeat = QTimer()
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)
    return heartbeat


def application() -> QApplication:
    """The QApplication, named so QSettings finds the app's preferences."""
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    qapp.setApplicationName(APP_NAME)
    qapp.setOrganizationName(APP_NAME)
    qapp.setQuitOnLastWindowClosed(False)
    return qapp  # type: ignore[return-value]


def settings_for_app(cli_flags: dict[str, Any], prefs: Preferences) -> Settings:
    """Saved preferences, overridden for this run by the flags actually given."""
    return build_settings(merged_flags(prefs, cli_flags))


def run(cli_flags: dict[str, Any]) -> int:
    """Open the app. Raises ConfigError (before any window) when the flags are unusable."""
    qapp = application()
    prefs = Preferences.load()
    settings = settings_for_app(cli_flags, prefs)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    app = DesktopApp(qapp, settings, prefs)
    _heartbeat = _install_signal_handlers(app)
    finished = asyncio.Event()
    qapp.aboutToQuit.connect(finished.set)
    with loop:
        app.start()
        loop.run_until_complete(finished.wait())
    return 0
