"""The tray icon: its menu acts on a real server, its icon and tooltip follow the server, and the
window's close button hides to the tray (hinting once) or quits when there is no tray."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon

from faktory_desktop.ui.icons import TrayState
from faktory_desktop.ui.main_window import MainWindow
from faktory_desktop.ui.poller import Poller
from faktory_desktop.ui.preferences import Preferences, Theme
from faktory_desktop.ui.status import AppState, Problem, ServerStatus
from faktory_desktop.ui.theme import apply_theme
from faktory_desktop.ui.tray import TRAY_HINT, TrayActions, TrayIcon, tooltip_text
from tests.conftest import new_jid
from tests.fwp import RawClient, job


@dataclass
class AppDouble:
    """The app's side of TrayActions: records calls and keeps spawned tasks to await."""

    window: MainWindow
    calls: list[str] = field(default_factory=list)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    def actions(self) -> TrayActions:
        return TrayActions(open_window=self.open_window, quit=lambda: self.calls.append("quit"),
                           open_data_folder=lambda: self.calls.append("data"), spawn=self.spawn)

    def open_window(self) -> None:
        self.calls.append("open")
        self.window.bring_forward()

    def spawn(self, coro) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self.tasks.append(task)
        return task

    async def drain(self) -> None:
        while self.tasks:
            await self.tasks.pop(0)


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    yield win
    win.quit_on_close = True
    win.close()


@pytest.fixture
def app_double(window) -> AppDouble:
    return AppDouble(window)


@pytest.fixture
def make_tray(controller, app_double, window):
    poller = Poller(controller)

    def make(**kwargs: Any) -> TrayIcon:
        return TrayIcon(controller, poller, window, app_double.actions(),
                        prefs=kwargs.pop("prefs", Preferences()), **kwargs)

    yield make
    poller.stop()


@pytest.fixture
def tray(make_tray) -> TrayIcon:
    return make_tray()


def snapshot_of(controller, run):
    return run(controller.call(controller.api.snapshot()))


def test_menu_and_actions_exist_without_a_system_tray(tray):
    assert QSystemTrayIcon.isSystemTrayAvailable() is False  # offscreen
    assert not tray.available and not tray.show()
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts[2:] == ["Open Faktory Desktop", "Start Server", "Stop Server", "Restart Server",
                         "Reload Configuration", "Pause All Queues", "Resume All Queues",
                         "Copy FAKTORY_URL", "Open Web UI", "Copy Web UI URL", "Open Data Folder",
                         "Quit Faktory Desktop"]
    assert tray.menu.defaultAction() is tray.open_action


def test_server_actions_are_enabled_by_state(tray, controller, app_double, run):
    assert controller.status.state is AppState.RUNNING
    assert not tray.start_action.isEnabled()
    assert tray.stop_action.isEnabled() and tray.restart_action.isEnabled()
    assert tray.pause_action.isEnabled() and tray.resume_action.isEnabled()
    assert tray.reload_action.isEnabled()
    tray.stop_action.trigger()
    assert not tray.stop_action.isEnabled()  # no double clicks while it stops
    run(app_double.drain(), 60)
    assert tray.start_action.isEnabled()
    assert not (tray.stop_action.isEnabled() or tray.restart_action.isEnabled())
    assert not (tray.pause_action.isEnabled() or tray.resume_action.isEnabled())
    assert not tray.reload_action.isEnabled()


def test_stop_start_and_restart_change_the_server_status(tray, controller, app_double, run):
    tray.stop_action.trigger()
    run(app_double.drain(), 60)
    assert controller.status.state is AppState.STOPPED and controller.server_thread is None
    tray.start_action.trigger()
    run(app_double.drain(), 60)
    assert controller.status.state is AppState.RUNNING
    seen: list[AppState] = []
    controller.statusChanged.connect(lambda s: seen.append(s.state))
    tray.restart_action.trigger()
    run(app_double.drain(), 60)
    assert seen == [AppState.STOPPED, AppState.STARTING, AppState.RUNNING]


def queue_paused(controller, run) -> dict[str, bool]:
    return {q.name: q.paused for q in run(controller.call(controller.api.queues()))}


def test_pause_all_and_resume_all_act_on_every_queue(tray, controller, app_double, run):
    with RawClient("127.0.0.1", controller.port) as client:
        assert client.hello() == b"+OK\r\n"
        for queue in ("default", "mail", "reports"):
            assert client.push(job(new_jid(), queue=queue)) == b"+OK\r\n"
        tray.pause_action.trigger()
        run(app_double.drain())
        assert queue_paused(controller, run) == {"default": True, "mail": True, "reports": True}
        assert client.call("FETCH default mail reports") == b"$-1\r\n"  # nothing to hand out
        assert not tray.pause_action.isEnabled() and tray.resume_action.isEnabled()
        tray.resume_action.trigger()
        run(app_double.drain())
        assert queue_paused(controller, run) == {"default": False, "mail": False, "reports": False}
        assert json.loads(client.call("FETCH mail").split(b"\r\n")[1])["queue"] == "mail"
        assert tray.pause_action.isEnabled() and not tray.resume_action.isEnabled()


def test_copy_url_puts_the_real_url_on_the_clipboard(tray, controller):
    QGuiApplication.clipboard().clear()
    tray.copy_url_action.trigger()
    assert controller.port != 0
    assert QGuiApplication.clipboard().text() == f"tcp://127.0.0.1:{controller.port}"


def test_client_url_has_password_tls_and_a_reachable_host(settings):
    secret = replace(settings, host="0.0.0.0", password="p@ss:word", tls_cert=Path("c.pem"))
    assert secret.client_url(7419) == "tcp+tls://:p%40ss%3Aword@127.0.0.1:7419"
    assert replace(settings, host="::1").client_url(7420) == "tcp://[::1]:7420"
    assert replace(settings, host="192.168.1.5").client_url(7421) == "tcp://192.168.1.5:7421"


def test_open_action_and_left_click_show_the_window(tray, window, app_double):
    assert not window.isVisible()
    tray.open_action.trigger()
    assert window.isVisible() and app_double.calls == ["open"]
    window.hide()
    tray.tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    expected = ["open"] if sys.platform == "darwin" else ["open", "open"]
    assert app_double.calls == expected
    assert window.isVisible() is (sys.platform != "darwin")


def test_quit_and_data_folder_actions_call_the_app(tray, app_double):
    tray.data_folder_action.trigger()
    tray.quit_action.trigger()
    assert app_double.calls == ["data", "quit"]


def test_icon_and_tooltip_follow_the_status(tray, controller, app_double, run, qtbot):
    assert tray.state is TrayState.IDLE
    tray.on_snapshot(snapshot_of(controller, run))
    assert tray.tray.toolTip().startswith("Faktory — running · 0 enqueued · 0 in progress")
    with qtbot.waitSignal(tray.stateChanged, check_params_cb=lambda s: s is TrayState.STOPPED):
        tray.stop_action.trigger()
        run(app_double.drain(), 60)
    assert tray.tray.toolTip() == "Faktory — stopped"
    assert tray.status_action.text() == "Faktory — Stopped"
    states = []
    tray.stateChanged.connect(states.append)
    controller.statusChanged.emit(ServerStatus(AppState.ERROR, Problem.PORT_IN_USE))
    assert tray.tray.toolTip() == "Faktory — error: The port is in use"
    assert states == [TrayState.ERROR]
    assert tray.tray.icon().cacheKey() == tray.icon_for(TrayState.ERROR).cacheKey()


def test_busy_while_a_job_is_reserved_then_idle(tray, controller, wait_until):
    poller = Poller(controller, interval_ms=50)
    poller.snapshot.connect(tray.on_snapshot)
    poller.start()
    try:
        with RawClient("127.0.0.1", controller.port) as client:
            assert client.hello() == b"+OK\r\n"
            for n in range(3):
                assert client.push(job(new_jid(), args=[n])) == b"+OK\r\n"
            fetched = json.loads(client.call("FETCH default").split(b"\r\n")[1])
            wait_until(lambda: tray.state is TrayState.BUSY, message=tray.tray.toolTip())
            assert "2 enqueued · 1 in progress" in tray.tray.toolTip()
            assert tray.counts_action.text().startswith("2 enqueued · 1 in progress")
            assert tray.tray.icon().cacheKey() == tray.icon_for(TrayState.BUSY).cacheKey()
            assert client.call("ACK " + json.dumps({"jid": fetched["jid"]})) == b"+OK\r\n"
            wait_until(lambda: tray.state is TrayState.IDLE, message=tray.tray.toolTip())
            assert "1 processed" in tray.tray.toolTip()
    finally:
        poller.stop()


def test_tooltip_text_groups_thousands():
    from faktory_desktop.core.api import Snapshot, Stats

    snap = Snapshot(Stats(1234, 0, 12, 0, 0, 2, 3, 1, 1), [], 1)
    assert tooltip_text(ServerStatus(AppState.RUNNING), snap) == (
        "Faktory — running · 12 enqueued · 3 in progress · 1,234 processed · 2 dead")
    assert tooltip_text(ServerStatus(AppState.RESTARTING), snap) == (
        "Faktory — engine restarting…")


def test_close_hides_to_the_tray_with_a_one_time_hint(make_tray, window, app_double, qtbot):
    prefs = Preferences()
    tray = make_tray(prefs=prefs, tray_available=lambda: True)
    assert tray.show() and tray.visible
    window.closeRequested.connect(
        lambda: tray.handle_window_close() or app_double.calls.append("quit"))
    messages = []
    tray.messageShown.connect(lambda title, body: messages.append(body))
    window.show()
    window.close()
    assert not window.isVisible() and messages == [TRAY_HINT]
    assert prefs.tray_hint_shown and Preferences.load().tray_hint_shown
    window.show()
    window.close()
    assert not window.isVisible() and messages == [TRAY_HINT]  # once only
    assert "quit" not in app_double.calls
    tray.hide()


def test_close_quits_when_there_is_no_tray(tray, window, app_double):
    window.closeRequested.connect(
        lambda: tray.handle_window_close() or app_double.calls.append("quit"))
    messages = []
    tray.messageShown.connect(lambda *m: messages.append(m))
    window.show()
    window.close()
    assert app_double.calls == ["quit"] and messages == []
    assert not Preferences.load().tray_hint_shown


def test_icon_is_repainted_when_the_theme_turns_dark(tray, qapp):
    style, sheet = qapp.style().name(), qapp.styleSheet()
    light_key = tray.tray.icon().cacheKey()
    try:
        apply_theme(qapp, Theme.DARK)
        assert tray.tray.icon().cacheKey() != light_key
        assert tray.tray.icon().cacheKey() == tray.icon_for(TrayState.IDLE).cacheKey()
    finally:
        apply_theme(qapp, Theme.SYSTEM)
        qapp.setStyle(style)
        qapp.setStyleSheet(sheet)
    assert tray.tray.icon().cacheKey() == light_key


def test_about_box_lists_the_versions_and_the_running_engine(controller, run, qtbot):
    from faktory_desktop import FAKTORY_COMPAT_VERSION, __version__
    from faktory_desktop.ui.about import show_about

    dialog = show_about(controller)
    qtbot.addWidget(dialog)
    assert dialog.isVisible()  # opened with open(): the caller is not blocked
    values = {label: field.text() for label, field in dialog.values.items()}
    assert values["Version"] == __version__
    assert values["Faktory protocol"] == FAKTORY_COMPAT_VERSION
    name, version = controller.server_thread.runtime.engine.version
    assert values["Engine"] == f"{name} {version}"
    assert values["Engine binary"] == controller.server_thread.runtime.engine.binary
    assert "PySide6" in values["Qt"] and values["Python"]
    run(controller.stop(), 60)
    assert dialog.values["Engine"].text() == "not running"
    assert dialog.values["Engine binary"].text() == "—"
    dialog.copy_details()
    assert QGuiApplication.clipboard().text().startswith("Faktory Desktop\nVersion: ")
    dialog.close()
