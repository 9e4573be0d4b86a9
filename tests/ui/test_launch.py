"""Launching the app quickly: the server starts before the GUI is built, and the dashboard's
pyqtgraph loads after the window's first paint. (The figures are `make bench-launch`'s.)"""

from __future__ import annotations

import gc
import subprocess
import sys

from faktory_desktop.ui.app import DesktopApp
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.dashboard.placeholder import WAITING
from faktory_desktop.ui.gc_timer import _collect
from faktory_desktop.ui.preferences import Preferences
from faktory_desktop.ui.status import AppState
from tests.fwp import RawClient


def _modules_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after running `statement`."""
    code = f"{statement}; import sys; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    return set(out.stdout.split())


def test_the_launch_module_starts_the_server_without_importing_the_gui():
    loaded = _modules_after("import faktory_desktop.ui.launch")
    assert "faktory_desktop.server.runtime" in loaded  # what the server thread runs
    assert not {"faktory_desktop.ui.app", "pyqtgraph", "numpy"} & loaded


def test_the_app_module_leaves_pyqtgraph_and_numpy_for_later():
    loaded = _modules_after("import faktory_desktop.ui.app")
    assert not {"pyqtgraph", "numpy", "faktory_desktop.ui.dashboard.page"} & loaded


def test_a_launched_server_accepts_fwp_before_start_is_awaited(settings, run, wait_until):
    controller = ServerController(settings)
    controller.launch()
    assert controller.status.state is AppState.STARTING
    thread = controller.server_thread
    wait_until(lambda: thread.started().done(), 60)
    with RawClient("127.0.0.1", thread.runtime.port) as client:
        assert client.hello() == b"+OK\r\n"
    assert run(controller.start(), 60)  # adopts the launched thread; no second server
    assert controller.server_thread is thread and controller.status.state is AppState.RUNNING
    assert run(controller.start(), 60)  # and a later start is a no-op, as before
    run(controller.stop(), 60)
    assert controller.server_thread is None


def test_a_launched_controller_shows_starting_in_the_new_window(qapp, settings, run):
    controller = ServerController(settings)
    controller.launch()
    desktop = DesktopApp(qapp, settings, Preferences(), {}, controller)
    try:
        assert desktop.controller is controller
        assert desktop.window.windowTitle().endswith(controller.status.title)
        assert controller.status.state is AppState.STARTING or controller.running
    finally:
        run(controller.stop(), 60)
        desktop.tray.hide()
        desktop.window.deleteLater()


def test_the_dashboard_is_built_after_the_first_paint(make_app, wait_until):
    desktop = make_app()
    slot = desktop.dashboard_slot
    assert not slot.built
    assert WAITING in slot.findChildren(type(slot._stand_in))[0].text()
    desktop.start()
    wait_until(lambda: slot.built, 30, message="the dashboard was not built after the paint")
    assert desktop.dashboard is slot.page() and desktop.dashboard.isVisible()
    wait_until(lambda: desktop.controller.status.state is AppState.RUNNING, 60)


def test_the_gui_collector_collects_generations_past_their_thresholds():
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    thresholds = gc.get_threshold()
    gc.collect()
    Cycle()  # unreachable, kept alive by its own cycle
    _collect((0, thresholds[1], thresholds[2]))  # generation 0 is past a threshold of 0
    assert gc.garbage == [] and not any(isinstance(o, Cycle) for o in gc.get_objects())
