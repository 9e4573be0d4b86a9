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
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import qasync
from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from faktory_desktop.config import ConfigError, Settings, build_settings
from faktory_desktop.ui.about import AboutDialog, show_about
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.dashboard import DashboardPage
from faktory_desktop.ui.icons import app_icon
from faktory_desktop.ui.job_screens import JobScreens
from faktory_desktop.ui.launch_mark import FirstPaintMark
from faktory_desktop.ui.log_buffer import install_log_buffer
from faktory_desktop.ui.main_window import MainWindow
from faktory_desktop.ui.menus import build_menus
from faktory_desktop.ui.notifications import Notifier
from faktory_desktop.ui.poller import Poller
from faktory_desktop.ui.preferences import Preferences, merged_flags
from faktory_desktop.ui.server import ServerPage
from faktory_desktop.ui.settings_dialog import SettingsDialog, server_settings_changed
from faktory_desktop.ui.single_instance import SingleInstance, instance_key
from faktory_desktop.ui.stall_probe import StallProbe
from faktory_desktop.ui.theme import apply_theme
from faktory_desktop.ui.tray import TrayActions, TrayIcon, open_folder

log = logging.getLogger(__name__)

APP_NAME = "Faktory Desktop"
STALL_PROBE_ENV = "FAKTORY_DESKTOP_STALL_PROBE"  # a file: measure GUI stalls, write them there


class DesktopApp:
    def __init__(self, qapp: QApplication, settings: Settings, prefs: Preferences,
                 cli_flags: dict[str, Any]) -> None:
        self.qapp = qapp
        qapp.setQuitOnLastWindowClosed(False)  # the tray keeps the app alive; Quit quits
        # Python's cyclic GC runs on whichever thread allocates, the server's included, and a
        # QObject freed off the GUI thread crashes Qt; so collect only here, on a GUI timer.
        self._gc = GarbageCollector(interval=1.0)
        self.prefs = prefs
        self.cli_flags = cli_flags
        self.logs = install_log_buffer()
        self.controller = ServerController(settings)
        self.window = MainWindow()
        self.poller = Poller(self.controller)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._quitting = False
        self._about: AboutDialog | None = None
        self.stall_probe = StallProbe() if os.environ.get(STALL_PROBE_ENV) else None
        self.window.add_page("Dashboard", DashboardPage(self.controller, self.poller))
        self.jobs = JobScreens(self.controller, self.poller, self.window)
        self.window.add_page("Server", ServerPage(self.controller, self.logs))
        self.tray = TrayIcon(self.controller, self.poller, self.window, TrayActions(
            self.window.bring_forward, self.request_quit, self.open_data_folder, self.spawn),
            prefs=self.prefs)
        self.notifier = Notifier(self.controller, self.poller, self.tray.show_message, self.prefs)
        build_menus(self)
        self._connect()

    def _connect(self) -> None:
        banner = self.window.banner
        self.controller.statusChanged.connect(self.window.show_status)
        banner.startRequested.connect(lambda: self.spawn(self.controller.start()))
        banner.attachRequested.connect(lambda: self.spawn(self.controller.attach()))
        banner.stopRequested.connect(lambda: self.spawn(self.controller.stop()))
        banner.webUiRequested.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        banner.settingsRequested.connect(self.open_settings)
        banner.otherPortRequested.connect(lambda: self.open_settings(focus_port=True))
        banner.copyUrlRequested.connect(self.tray.copy_url)
        self.window.closeRequested.connect(self.on_window_close)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine on the GUI loop, holding a strong reference until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def start(self) -> None:
        self.tray.show()
        FirstPaintMark.install(self.window)
        self.window.show()
        self.poller.start()
        if self.stall_probe is not None:
            self.stall_probe.start()
        if self.prefs.start_at_launch:
            self.spawn(self.controller.start())

    def open_data_folder(self) -> None:
        open_folder(self.controller.settings.data_dir)

    def open_settings(self, focus_port: bool = False) -> None:
        dialog = SettingsDialog(self.prefs, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.apply_preferences)
        dialog.open()
        if focus_port:
            dialog.port.setFocus()
            dialog.port.selectAll()

    def apply_preferences(self, new: Preferences) -> None:
        """New saved preferences: the theme now, and the server restarted if its settings moved.

        The shared Preferences object is updated in place, so the tray and notifier see it too.
        """
        old = replace(self.prefs)
        for f in fields(new):
            setattr(self.prefs, f.name, getattr(new, f.name))
        if old.theme != new.theme:
            apply_theme(self.qapp, new.theme)
        if server_settings_changed(old, new):
            try:
                self.controller.settings = settings_for_app(self.cli_flags, self.prefs)
            except ConfigError as exc:
                self.window.banner.detail.setText(str(exc))
                return
            self.spawn(self.controller.restart())

    def show_about(self) -> None:
        self._about = show_about(self.controller, self.window, self._about)

    def on_window_close(self) -> None:
        """Closing the window keeps the app in the tray; without a tray, it quits."""
        if not self.tray.handle_window_close():
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
        self.tray.hide()
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
    return qapp  # type: ignore[return-value]


def settings_for_app(cli_flags: dict[str, Any], prefs: Preferences) -> Settings:
    """Saved preferences, overridden for this run by the flags actually given."""
    return build_settings(merged_flags(prefs, cli_flags))


def run(cli_flags: dict[str, Any]) -> int:
    """Open the app, or bring the running one forward. Raises ConfigError (before any window)
    when the flags are unusable."""
    qapp = application()
    prefs = Preferences.load()
    settings = settings_for_app(cli_flags, prefs)
    instance = SingleInstance(instance_key(settings.data_dir))
    if not instance.acquire():
        log.info("Faktory Desktop is already running; brought its window forward")
        return 0
    qapp.setWindowIcon(app_icon())
    apply_theme(qapp, prefs.theme)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    app = DesktopApp(qapp, settings, prefs, cli_flags)
    instance.showRequested.connect(app.window.bring_forward)
    _heartbeat = _install_signal_handlers(app)
    finished = asyncio.Event()
    qapp.aboutToQuit.connect(finished.set)
    try:
        with loop:
            app.start()
            loop.run_until_complete(finished.wait())
    finally:
        instance.release()
    return 0
