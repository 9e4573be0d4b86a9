"""The window's menu bar: the same actions as the tray, with keyboard shortcuts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from faktory_desktop.ui.app import DesktopApp


def build_menus(app: DesktopApp) -> None:
    bar = app.window.menuBar()
    file_menu = bar.addMenu("&File")
    _add(file_menu, "&New Job…", app.jobs.new_job, QKeySequence.StandardKey.New)
    _add(file_menu, "&Settings…", app.open_settings, QKeySequence.StandardKey.Preferences)
    _add(file_menu, "&Close Window", app.window.close, QKeySequence.StandardKey.Close)
    file_menu.addSeparator()
    _add(file_menu, "&Quit", app.request_quit, QKeySequence.StandardKey.Quit)

    server = bar.addMenu("&Server")
    controller = app.controller
    _add(server, "&Start", lambda: app.spawn(controller.start()))
    _add(server, "S&top", lambda: app.spawn(controller.stop()))
    _add(server, "&Restart", lambda: app.spawn(controller.restart()), "Ctrl+R")
    _add(server, "Re&load Configuration", app.reload_configuration, "Ctrl+Shift+R")
    server.addSeparator()
    _add(server, "&Copy FAKTORY_URL", app.tray.copy_url, "Ctrl+Shift+C")
    _add(server, "Open &Data Folder", app.open_data_folder)

    help_menu = bar.addMenu("&Help")
    _add(help_menu, "&About Faktory Desktop", app.show_about)


def _add(menu: QMenu, text: str, slot: Callable[[], object],
         shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None) -> QAction:
    action = menu.addAction(text)
    action.triggered.connect(lambda _checked=False: slot())
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    return action
