"""The tray icon: the server's state at a glance, live counts, and the everyday actions.

After vorta's tray_menu.py: one menu built once, whose actions are enabled from the current state
every time it changes, and which works without a system tray too (only `show()` needs one), so
the menu and its logic are the same under test as on a desktop.

The tray also decides what the window's close button does: with a visible tray icon the window
hides and the app keeps serving jobs (saying so once, in a balloon); without one the app quits.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from faktory_desktop.core.api import Snapshot
from faktory_desktop.storage.store import STORAGE_ERRORS
from faktory_desktop.ui.controller import ServerController, ServerNotRunning
from faktory_desktop.ui.icons import TrayState, status_icon, use_template_icons
from faktory_desktop.ui.poller import Poller
from faktory_desktop.ui.preferences import Preferences
from faktory_desktop.ui.status import AppState, ServerStatus
from faktory_desktop.ui.theme import ThemeWatcher

log = logging.getLogger(__name__)

APP_NAME = "Faktory Desktop"
TRAY_HINT = ("Faktory Desktop keeps running in the tray, and the server keeps serving jobs. "
             "Choose Quit from this icon's menu to stop it.")
MessageIcon = QSystemTrayIcon.MessageIcon
COUNTED = (AppState.RUNNING, AppState.ATTACHED)  # states whose counts the tray shows
CALL_ERRORS: tuple[type[Exception], ...] = (ServerNotRunning, *STORAGE_ERRORS)


@dataclass(frozen=True)
class TrayActions:
    """What the tray asks of the app."""

    open_window: Callable[[], None]
    quit: Callable[[], None]
    open_data_folder: Callable[[], None]
    spawn: Callable[[Coroutine[Any, Any, Any]], Any]
    reload_configuration: Callable[[], None] = lambda: None  # conf.d again, as SIGHUP does


def tray_state(status: ServerStatus, snapshot: Snapshot | None) -> TrayState:
    """The icon's state: the server's, and while live, whether any job is being worked on."""
    state = status.state
    if state in COUNTED:
        busy = snapshot is not None and snapshot.stats.busy > 0
        return TrayState.BUSY if busy else TrayState.IDLE
    return {
        AppState.STOPPED: TrayState.STOPPED,
        AppState.STARTING: TrayState.STARTING,
        AppState.RESTARTING: TrayState.STARTING,
        AppState.NOT_RESPONDING: TrayState.ERROR,
        AppState.ERROR: TrayState.ERROR,
    }[state]


def status_line(status: ServerStatus) -> str:
    """ "running", "starting…", "error: The port is in use" """
    if status.problem is not None:
        return f"error: {status.problem.value}"
    text = status.state.value
    return text[:1].lower() + text[1:]


def tooltip_text(status: ServerStatus, snapshot: Snapshot | None) -> str:
    """"Faktory — running · 12 enqueued · 3 in progress · 1,234 processed" """
    parts = [f"Faktory — {status_line(status)}"]
    if status.state in COUNTED and snapshot is not None:
        stats = snapshot.stats
        parts += [f"{stats.enqueued:,} enqueued", f"{stats.busy:,} in progress",
                  f"{stats.processed:,} processed"]
        if stats.dead:
            parts.append(f"{stats.dead:,} dead")
    return " · ".join(parts)


def open_folder(path: Path | str) -> bool:
    """Show a folder in the file manager (creating it first, so there is something to show)."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class TrayIcon(QObject):
    """The system-tray icon and its menu. Call `show()`; connect the window's close to
    `handle_window_close()`; `show_message()` is the app's way to notify the desktop."""

    stateChanged = Signal(object)  # TrayState
    messageShown = Signal(str, str)  # title, body

    def __init__(self, controller: ServerController, poller: Poller, window: QWidget,
                 actions: TrayActions, *, prefs: Preferences | None = None,
                 tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.window = window
        self.actions = actions
        self.prefs = prefs if prefs is not None else Preferences.load()
        self._tray_available = tray_available
        self.status = controller.status  # as last signalled
        self._snapshot: Snapshot | None = poller.latest
        self._state: TrayState | None = None
        self._acting = False  # a start/stop/restart is under way
        self._icons: dict[tuple[TrayState, bool], QIcon] = {}
        self._theme = ThemeWatcher(self)
        self.tray = QSystemTrayIcon(self)
        self.menu = self._build_menu()
        self.tray.setContextMenu(self.menu)
        self.tray.activated.connect(self._on_activated)
        controller.statusChanged.connect(self._on_status)
        poller.snapshot.connect(self.on_snapshot)
        self._theme.changed.connect(self._on_theme)
        self._refresh()

    # -- the menu ---------------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    def _build_menu(self) -> QMenu:
        self.menu = QMenu()
        self.status_action = self._action("", lambda: None)
        self.status_action.setEnabled(False)
        self.counts_action = self._action("", lambda: None)
        self.counts_action.setEnabled(False)
        self.menu.addSeparator()
        self.open_action = self._action(f"Open {APP_NAME}", self.actions.open_window)
        self.menu.setDefaultAction(self.open_action)
        self.menu.addSeparator()
        self.start_action = self._action("Start Server", self.start_server)
        self.stop_action = self._action("Stop Server", self.stop_server)
        self.restart_action = self._action("Restart Server", self.restart_server)
        self.reload_action = self._action("Reload Configuration",
                                          self.actions.reload_configuration)
        self.menu.addSeparator()
        self.pause_action = self._action("Pause All Queues", lambda: self.set_paused(True))
        self.resume_action = self._action("Resume All Queues", lambda: self.set_paused(False))
        self.menu.addSeparator()
        self.copy_url_action = self._action("Copy FAKTORY_URL", self.copy_url)
        self.open_web_action = self._action("Open Web UI", self.open_web_ui)
        self.copy_web_action = self._action("Copy Web UI URL", self.copy_web_ui_url)
        self.data_folder_action = self._action("Open Data Folder", self.actions.open_data_folder)
        self.menu.addSeparator()
        self.quit_action = self._action(f"Quit {APP_NAME}", self.actions.quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        return self.menu

    def _update_menu(self) -> None:
        state = self.status.state
        running = state is AppState.RUNNING and not self._acting
        attached = state is AppState.ATTACHED and not self._acting
        idle = state in (AppState.STOPPED, AppState.ERROR) and not self._acting
        self.status_action.setText(f"Faktory — {self.status.title}")
        counts = self._counts_text()
        self.counts_action.setText(counts)
        self.counts_action.setVisible(bool(counts))
        self.start_action.setEnabled(idle)
        self.stop_action.setText("Stop Watching" if attached else "Stop Server")
        self.stop_action.setEnabled(
            running or attached or state in (AppState.RESTARTING, AppState.NOT_RESPONDING))
        self.restart_action.setEnabled(running or (state is AppState.ERROR and not self._acting))
        self.reload_action.setEnabled(running)
        can_pause, can_resume = self._pausable()
        self.pause_action.setEnabled((running or attached) and can_pause)
        self.resume_action.setEnabled((running or attached) and can_resume)
        self.copy_url_action.setEnabled(self.controller.port != 0)
        web = bool(self.controller.web_ui_url)
        self.open_web_action.setVisible(web)
        self.copy_web_action.setVisible(web)

    def _pausable(self) -> tuple[bool, bool]:
        """(any queue to pause, any to resume); both until a snapshot says (an attached server
        never does)."""
        paused = [q.paused for q in self._snapshot.queues] if self._snapshot else [None]
        if None in paused:
            return True, True
        return not all(paused), any(paused)

    def _counts_text(self) -> str:
        if self.status.state not in COUNTED or self._snapshot is None:
            return ""
        stats = self._snapshot.stats
        return (f"{stats.enqueued:,} enqueued · {stats.busy:,} in progress · "
                f"{stats.processed:,} processed")

    # -- state ------------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether the desktop has a system tray to show the icon in."""
        return self._tray_available()

    @property
    def state(self) -> TrayState:
        return tray_state(self.status, self._snapshot)

    @property
    def visible(self) -> bool:
        """Shown in a real tray, so a hidden window can be found again."""
        return self.available and self.tray.isVisible()

    def icon_for(self, state: TrayState) -> QIcon:
        key = (state, self._theme.dark)
        if key not in self._icons:
            self._icons[key] = status_icon(state, template=use_template_icons(), dark=key[1])
        return self._icons[key]

    def _header_icon(self, state: TrayState) -> QIcon:
        """The state icon in colour on the (disabled) status line, not greyed out."""
        base, icon = self.icon_for(state), QIcon()
        for size, dpr in ((16, 1.0), (16, 2.0), (24, 1.0), (24, 2.0)):
            pixmap = base.pixmap(QSize(size, size), dpr)
            icon.addPixmap(pixmap, QIcon.Mode.Normal)
            icon.addPixmap(pixmap, QIcon.Mode.Disabled)
        icon.setIsMask(base.isMask())
        return icon

    def on_snapshot(self, snapshot: Snapshot) -> None:
        if self.status.state in COUNTED:
            self._snapshot = snapshot
            self._refresh()

    def _on_status(self, status: ServerStatus) -> None:
        self.status = status
        if status.state not in COUNTED:
            self._snapshot = None  # counts of a server that is not serving are stale
        self._refresh()

    def _on_theme(self, _dark: bool) -> None:
        self._paint(self.state)  # the same state in the new theme's colours

    def _paint(self, state: TrayState) -> None:
        self.tray.setIcon(self.icon_for(state))
        self.status_action.setIcon(self._header_icon(state))

    def _refresh(self) -> None:
        state = self.state
        if state is not self._state:
            self._state = state
            self._paint(state)
            self.stateChanged.emit(state)
        tooltip = tooltip_text(self.status, self._snapshot)
        if tooltip != self.tray.toolTip():  # each change is a D-Bus call on some desktops
            self.tray.setToolTip(tooltip)
        self._update_menu()

    # -- showing ----------------------------------------------------------------------------------

    def show(self) -> bool:
        """Show the icon, if there is a tray; returns whether it is shown."""
        if self.available:
            self.tray.show()
        return self.visible

    def hide(self) -> None:
        self.tray.hide()

    def show_message(self, title: str, body: str, icon: MessageIcon = MessageIcon.Information,
                     msecs: int = 8000) -> None:
        """A desktop notification from the tray icon (Qt's portable way to notify)."""
        self.tray.showMessage(title, body, icon, msecs)
        self.messageShown.emit(title, body)

    def handle_window_close(self) -> bool:
        """The window's close button: True when it was hidden to the tray, False when the app
        should quit because there is no tray to find it in again."""
        if not self.visible:
            return False
        self.window.hide()
        if not self.prefs.tray_hint_shown:
            self.show_message(APP_NAME, TRAY_HINT)
            self.prefs.tray_hint_shown = True
            self.prefs.save()
        return True

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # On macOS a click opens the menu, which already has "Open"; elsewhere it opens the window.
        triggers = (QSystemTrayIcon.ActivationReason.Trigger,
                    QSystemTrayIcon.ActivationReason.DoubleClick)
        if reason in triggers and sys.platform != "darwin":
            self.actions.open_window()

    # -- actions ----------------------------------------------------------------------------------

    def start_server(self) -> None:
        self._server_action(self.controller.start)

    def stop_server(self) -> None:
        self._server_action(self.controller.stop)

    def restart_server(self) -> None:
        self._server_action(self.controller.restart)

    def _server_action(self, action: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        self._acting = True
        self._refresh()

        async def run() -> None:
            try:
                await action()
            finally:
                self._acting = False
                self._refresh()

        self.actions.spawn(run())

    def set_paused(self, paused: bool) -> None:
        """Pause (or resume) every queue, as `QUEUE PAUSE *` does."""
        self.actions.spawn(self._set_paused(paused))

    async def _set_paused(self, paused: bool) -> None:
        try:
            await self.controller.pause_all(paused)
        except CALL_ERRORS as exc:
            log.warning("could not %s the queues: %s", "pause" if paused else "resume", exc)
            return
        with contextlib.suppress(*CALL_ERRORS):  # else the next poll shows it
            self.on_snapshot(await self.controller.snapshot())  # the new paused state, at once

    def open_web_ui(self) -> None:
        QDesktopServices.openUrl(QUrl(self.controller.web_ui_url))

    def copy_web_ui_url(self) -> str:
        url = self.controller.web_ui_url
        QGuiApplication.clipboard().setText(url)
        return url

    def copy_url(self) -> str:
        """Put the server's FAKTORY_URL (actual port, password, TLS scheme) on the clipboard."""
        url = self.controller.settings.client_url(self.controller.port)
        QGuiApplication.clipboard().setText(url)
        return url
