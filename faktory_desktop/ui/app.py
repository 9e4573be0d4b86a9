"""The desktop app: a QApplication on a qasync loop, hosting the server in a worker thread.

The app object owns the pieces and their lifecycle: start (the server if the preferences say so,
unless `ui/launch.py` started it already, before this module was imported), the window's close
button (to the tray when there is one), and Quit, which stops the server and its engine before
the process exits, as SIGTERM does too. The Dashboard page is built after the window's first
paint (`dashboard_slot`), so pyqtgraph and numpy load after the window shows.

qasync traps avoided here: no `QDialog.exec()` inside coroutines (dialogs use `open()` and
signals), and every task is kept in `self._tasks` until it ends.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Coroutine
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from faktory_desktop.config import ConfigError, Settings
from faktory_desktop.ui.about import AboutDialog, show_about
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.cron import CronPage
from faktory_desktop.ui.dashboard.placeholder import Placeholder
from faktory_desktop.ui.deferred_page import DeferredPage
from faktory_desktop.ui.first_paint import FirstPaint, print_mark_if_asked
from faktory_desktop.ui.gc_timer import collect_on_gui_thread
from faktory_desktop.ui.job_screens import JobScreens
from faktory_desktop.ui.log_buffer import install_log_buffer
from faktory_desktop.ui.main_window import MainWindow
from faktory_desktop.ui.menus import build_menus
from faktory_desktop.ui.notifications import Notifier
from faktory_desktop.ui.poller import Poller
from faktory_desktop.ui.preferences import Preferences, settings_for_app
from faktory_desktop.ui.server import ServerPage
from faktory_desktop.ui.settings_dialog import SettingsDialog, server_settings_changed
from faktory_desktop.ui.stall_probe import StallProbe
from faktory_desktop.ui.theme import apply_theme
from faktory_desktop.ui.throttles import ThrottlesPage
from faktory_desktop.ui.tray import MessageIcon, TrayActions, TrayIcon, open_folder

if TYPE_CHECKING:
    from faktory_desktop.ui.dashboard.page import DashboardPage

log = logging.getLogger(__name__)

STALL_PROBE_ENV = "FAKTORY_DESKTOP_STALL_PROBE"  # a file: measure GUI stalls, write them there


class DesktopApp:
    """`controller` may come already launched (`ui/launch.py` starts the server before it
    imports this module); otherwise the app makes its own."""

    def __init__(self, qapp: QApplication, settings: Settings, prefs: Preferences,
                 cli_flags: dict[str, Any], controller: ServerController | None = None) -> None:
        self.qapp = qapp
        qapp.setQuitOnLastWindowClosed(False)  # the tray keeps the app alive; Quit quits
        collect_on_gui_thread()
        self.prefs = prefs
        self.cli_flags = cli_flags
        self.logs = install_log_buffer()
        self.controller = controller or ServerController(settings)
        self.window = MainWindow()
        self.poller = Poller(self.controller)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._quitting = False
        self._about: AboutDialog | None = None
        self.stall_probe = StallProbe() if os.environ.get(STALL_PROBE_ENV) else None
        self.dashboard_slot = DeferredPage(self._build_dashboard, self._dashboard_stand_in())
        self.window.add_page("Dashboard", self.dashboard_slot)
        self.jobs = JobScreens(self.controller, self.poller, self.window)
        self.cron = CronPage(self.controller)
        self.window.add_page("Cron", self.cron)
        self.throttles = ThrottlesPage(self.controller)
        self.window.add_page("Throttles", self.throttles)
        self.server_page = ServerPage(self.controller, self.logs)
        self.window.add_page("Server", self.server_page)
        self.tray = TrayIcon(self.controller, self.poller, self.window, TrayActions(
            self.window.bring_forward, self.request_quit, self.open_data_folder, self.spawn,
            self.reload_configuration), prefs=self.prefs)
        self.notifier = Notifier(self.controller, self.poller, self.tray.show_message, self.prefs)
        build_menus(self)
        self._connect()
        if controller is not None:
            self.window.show_status(controller.status)  # launched already: "Starting…"

    @property
    def dashboard(self) -> DashboardPage:
        """The Dashboard page, built now if the window has not been painted yet."""
        return self.dashboard_slot.page()  # type: ignore[return-value]

    def _build_dashboard(self) -> DashboardPage:
        from faktory_desktop.ui.dashboard.page import DashboardPage  # pyqtgraph: ~0.4 s

        return DashboardPage(self.controller, self.poller)

    def _dashboard_stand_in(self) -> Placeholder:
        placeholder = Placeholder()
        placeholder.show_status(self.controller.status)
        self.controller.statusChanged.connect(placeholder.show_status)
        return placeholder

    def _after_first_paint(self) -> None:
        print_mark_if_asked()
        self.dashboard_slot.page()

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
        self.server_page.gateway_section.toggleRequested.connect(self.set_gateway)
        self.window.closeRequested.connect(self.on_window_close)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine on the GUI loop, holding a strong reference until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def start(self) -> None:
        self.tray.show()
        FirstPaint(self.window, self._after_first_paint)
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

    def set_gateway(self, on: bool) -> None:
        """The Server panel's switch: saved, and the server restarted with the gateway on or
        off. It wins over `--redis-gateway` from then on."""
        self.cli_flags["redis_gateway"] = None
        new = replace(self.prefs, redis_gateway_on=on)
        new.save()
        self.apply_preferences(new)

    def reload_configuration(self) -> None:
        """Server → Reload Configuration (and the tray's): conf.d again, as SIGHUP does."""
        self.spawn(self._reload_configuration())

    async def _reload_configuration(self) -> None:
        try:
            features = await self.controller.reload_configuration()
        except ConfigError as exc:
            log.error("configuration not reloaded, the previous one stays in force: %s", exc)
            self.tray.show_message("Configuration not reloaded", str(exc),
                                   MessageIcon.Warning)
            return
        text = (f"{len(features.cron)} periodic jobs, {len(features.throttles)} throttles "
                f"from {self.controller.settings.config_dir / 'conf.d'}")
        log.info("configuration reloaded: %s", text)
        self.tray.show_message("Configuration reloaded", text)
        self.cron.tasks.spawn(self.cron.refresh())
        self.throttles.tasks.spawn(self.throttles.refresh())

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


def install_signal_handlers(app: DesktopApp) -> QTimer:
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
