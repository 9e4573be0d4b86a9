"""Opening the app, in the order that makes it quick: the server first, then the window.

Launch to accepting FWP was 1.4 to 1.7 s when the server started after the whole GUI was
imported and built. Now the server thread starts as soon as the preferences are read (a few
light Qt modules), and gets a short head start before the GUI's modules import on this thread.
The dashboard's pyqtgraph and numpy load after the window's first paint
(`DesktopApp._after_first_paint`). Figures: `make bench-launch`, docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from concurrent import futures
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.gc_timer import collect_on_gui_thread
from faktory_desktop.ui.log_buffer import install_log_buffer
from faktory_desktop.ui.preferences import Preferences, settings_for_app
from faktory_desktop.ui.single_instance import SingleInstance, instance_key

log = logging.getLogger(__name__)

APP_NAME = "Faktory Desktop"
TOUR_ENV = "FAKTORY_DESKTOP_SCREEN_TOUR"  # ui/screen_tour.py: show every screen, then quit
HEAD_START_S = 0.3


def application() -> QApplication:
    """The QApplication, named so QSettings finds the app's preferences."""
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    qapp.setApplicationName(APP_NAME)
    qapp.setOrganizationName(APP_NAME)
    return qapp  # type: ignore[return-value]


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
    collect_on_gui_thread()  # before the server thread allocates anything
    install_log_buffer()  # the server's first records reach the Server page too
    controller = ServerController(settings)
    if prefs.start_at_launch:
        controller.launch()
        _head_start(controller)
    try:
        return _open(qapp, prefs, cli_flags, controller, instance)
    finally:
        instance.release()


def _head_start(controller: ServerController) -> None:
    """Wait, up to HEAD_START_S, for the server to accept connections before importing the GUI.

    Both threads need the interpreter lock at launch. Importing the GUI beside the server's
    start slowed the server (accepting at 0.55 to 0.63 s) and did not paint the window any
    sooner (0.68 to 0.77 s); with the head start the server accepts at 0.45 s and the window
    paints at 0.74 s (docs/benchmarks.md). The wait is bounded: an engine loading a large
    dataset takes longer, and the window does not wait for that.
    """
    thread = controller.server_thread
    assert thread is not None
    futures.wait([thread.started()], timeout=HEAD_START_S)


def _open(qapp: QApplication, prefs: Preferences, cli_flags: dict[str, Any],
          controller: ServerController, instance: SingleInstance) -> int:
    """Import and build the GUI (the server is starting meanwhile) and run it until Quit."""
    import qasync

    from faktory_desktop.ui.app import DesktopApp, install_signal_handlers
    from faktory_desktop.ui.icons import app_icon
    from faktory_desktop.ui.theme import apply_theme

    qapp.setWindowIcon(app_icon())
    apply_theme(qapp, prefs.theme)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    app = DesktopApp(qapp, controller.settings, prefs, cli_flags, controller)
    instance.showRequested.connect(app.window.bring_forward)
    _heartbeat = install_signal_handlers(app)
    finished = asyncio.Event()
    qapp.aboutToQuit.connect(finished.set)
    with loop:
        app.start()
        if folder := os.environ.get(TOUR_ENV):
            from faktory_desktop.ui.screen_tour import tour

            app.spawn(tour(app, Path(folder)))
        loop.run_until_complete(finished.wait())
    return 0
