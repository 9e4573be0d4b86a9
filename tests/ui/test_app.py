"""The whole app: it starts the server, shows its pages, survives a window close, and quits
cleanly with its engine."""

from __future__ import annotations

import psutil
import pytest

from faktory_desktop.ui.preferences import Preferences
from faktory_desktop.ui.status import AppState
from tests.fwp import RawClient


@pytest.fixture
def app(make_app):
    return make_app()


def test_app_starts_the_server_and_reaches_running(app, wait_until):
    app.start()
    wait_until(lambda: app.controller.status.state is AppState.RUNNING, 60)
    assert not app.window.banner.isVisible()
    titles = [app.window.sidebar.item(i).text() for i in range(app.window.sidebar.count())]
    assert titles == ["Dashboard", "Queues", "Queue · default", "Busy", "Scheduled", "Retries",
                      "Dead", "Workers", "Batches", "Cron", "Throttles", "Server"]
    with RawClient("127.0.0.1", app.controller.port) as client:
        assert client.hello() == b"+OK\r\n"


def test_reload_configuration_from_the_server_menu(app, wait_until, settings):
    app.start()
    wait_until(lambda: app.controller.status.state is AppState.RUNNING, 60)
    confd = settings.config_dir / "conf.d"
    confd.mkdir(parents=True)
    (confd / "throttles.toml").write_text("[throttles]\napi = { worker = 2, timeout = 30 }\n")
    server_menu = next(a.menu() for a in app.window.menuBar().actions() if a.text() == "&Server")
    reload = next(a for a in server_menu.actions() if a.text() == "Re&load Configuration")
    shown = []
    app.tray.messageShown.connect(lambda title, body: shown.append(title))
    reload.trigger()
    wait_until(lambda: shown == ["Configuration reloaded"])
    assert app.controller.settings.features.throttles["api"].described == "2 per worker"
    (confd / "throttles.toml").write_text("[throttles]\napi = { worker = 2 }\n")
    reload.trigger()
    wait_until(lambda: shown[-1] == "Configuration not reloaded")
    assert app.controller.settings.features.throttles["api"].timeout == 30  # the old one stays


class _QuitRecorder:
    """Stands in for QApplication.quit(), which would end the test's event loop too."""

    def __init__(self) -> None:
        self.calls = 0

    def quit(self) -> None:
        self.calls += 1


def test_closing_the_window_without_a_tray_quits_and_stops_the_engine(app, wait_until,
                                                                      monkeypatch):
    app.start()
    wait_until(lambda: app.controller.status.state is AppState.RUNNING, 60)
    engine_pid = app.controller.server_thread.runtime.engine.pid
    recorder = _QuitRecorder()
    monkeypatch.setattr(app, "qapp", recorder)
    app.window.close()  # offscreen has no system tray, so this quits
    wait_until(lambda: recorder.calls == 1, 60)
    assert app.controller.status.state is AppState.STOPPED and not app.window.isVisible()
    assert not psutil.pid_exists(engine_pid) or psutil.Process(engine_pid).status() == "zombie"


def test_start_at_launch_off_leaves_the_server_stopped(make_app):
    desktop = make_app(Preferences(start_at_launch=False))
    desktop.start()
    assert desktop.controller.status.state is AppState.STOPPED
    assert desktop.window.banner.start_button.isVisibleTo(desktop.window)
