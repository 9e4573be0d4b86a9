"""Desktop notifications: dead jobs told at once, then grouped at most once per window; an engine
crash told as it happens; nothing at all when the preference is off."""

from __future__ import annotations

import json
import os
import signal

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from faktory_desktop.core.api import Snapshot, Stats
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.notifications import ENGINE_FAILED, ENGINE_RESTARTING, Notifier
from faktory_desktop.ui.poller import Poller
from faktory_desktop.ui.preferences import Preferences
from faktory_desktop.ui.status import AppState, Problem, ServerStatus
from tests.conftest import new_jid
from tests.fwp import RawClient, job

MessageIcon = QSystemTrayIcon.MessageIcon


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def snap(dead: int) -> Snapshot:
    return Snapshot(Stats(0, 0, 0, 0, 0, dead, 0, 0, 0), [], 0)


@pytest.fixture
def shown() -> list[tuple[str, str, MessageIcon]]:
    return []


@pytest.fixture
def idle_controller(settings) -> ServerController:
    """A controller that is never started: only its signals are used."""
    return ServerController(settings)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_notifier(idle_controller, shown, clock):
    def make(controller: ServerController = idle_controller, **kwargs) -> Notifier:
        prefs = kwargs.pop("prefs", Preferences())
        return Notifier(controller, Poller(controller), lambda *m: shown.append(m), prefs,
                        clock=kwargs.pop("clock", clock), **kwargs)

    return make


def bodies(shown) -> list[str]:
    return [body for _title, body, _icon in shown]


def test_dead_jobs_already_there_at_startup_are_not_told(make_notifier, shown):
    notifier = make_notifier()
    notifier.on_snapshot(snap(50))
    notifier.on_snapshot(snap(50))
    assert shown == []


def test_the_first_death_is_told_at_once(make_notifier, shown):
    notifier = make_notifier()
    notifier.on_snapshot(snap(0))
    notifier.on_snapshot(snap(1))
    assert shown == [("A job died", "1 job died in the last 30 s; it is in the Dead set.",
                      MessageIcon.Warning)]


def test_deaths_within_the_window_are_grouped_into_one_notification(make_notifier, shown, clock):
    notifier = make_notifier()
    notifier.on_snapshot(snap(0))
    notifier.on_snapshot(snap(1))
    for seconds, dead in ((5, 2), (12, 3), (29.9, 4)):
        clock.now = 1000 + seconds
        notifier.on_snapshot(snap(dead))
    assert len(shown) == 1  # at most one per 30 s
    clock.now = 1030
    notifier.on_snapshot(snap(4))
    assert shown[1][:2] == ("Jobs died", "3 jobs died in the last 30 s; they are in the Dead set.")
    clock.now = 1045
    notifier.on_snapshot(snap(1004))
    assert len(shown) == 2
    clock.now = 1060
    notifier.flush()
    assert bodies(shown)[2] == "1,000 jobs died in the last 30 s; they are in the Dead set."


def test_grouped_deaths_go_out_when_the_window_ends_without_more_snapshots(make_notifier, shown,
                                                                          qtbot):
    import time

    notifier = make_notifier(clock=time.monotonic, window_s=0.3)
    notifier.on_snapshot(snap(0))
    notifier.on_snapshot(snap(1))
    notifier.on_snapshot(snap(3))
    assert len(shown) == 1
    with qtbot.waitSignal(notifier.notified, timeout=5000) as blocker:
        pass
    assert blocker.args[1] == "2 jobs died in the last 0.3 s; they are in the Dead set."


def test_a_cleared_dead_set_is_a_new_baseline(make_notifier, shown, clock):
    notifier = make_notifier()
    notifier.on_snapshot(snap(5))
    notifier.on_snapshot(snap(0))
    assert shown == []
    notifier.on_snapshot(snap(2))
    assert bodies(shown) == ["2 jobs died in the last 30 s; they are in the Dead set."]


def test_a_stopped_server_starts_a_new_baseline(make_notifier, idle_controller, shown):
    notifier = make_notifier()
    notifier.on_snapshot(snap(3))
    idle_controller.statusChanged.emit(ServerStatus(AppState.STOPPED))
    notifier.on_snapshot(snap(10))  # another data folder, with its own dead jobs
    assert shown == []


def test_nothing_is_shown_when_notifications_are_off(make_notifier, idle_controller, shown,
                                                     clock):
    prefs = Preferences(notifications=False)
    notifier = make_notifier(prefs=prefs)
    notifier.on_snapshot(snap(0))
    notifier.on_snapshot(snap(4))
    idle_controller.statusChanged.emit(ServerStatus(AppState.RESTARTING))
    assert shown == []
    prefs.notifications = True
    clock.now += 60
    notifier.on_snapshot(snap(4))
    assert shown == []  # deaths while off are not saved up


def test_engine_failure_is_told_as_critical(make_notifier, idle_controller, shown):
    notifier = make_notifier()  # noqa: F841 - kept alive for its connections
    idle_controller.statusChanged.emit(
        ServerStatus(AppState.ERROR, Problem.ENGINE_FAILED, "the engine failed"))
    assert shown == [(*ENGINE_FAILED, MessageIcon.Critical)]


def test_a_flapping_engine_is_told_once_a_window(make_notifier, idle_controller, shown, clock):
    notifier = make_notifier()  # noqa: F841 - kept alive for its connections
    for _ in range(3):
        idle_controller.statusChanged.emit(ServerStatus(AppState.RESTARTING))
        idle_controller.statusChanged.emit(ServerStatus(AppState.RUNNING))
    assert shown == [(*ENGINE_RESTARTING, MessageIcon.Warning)]
    clock.now += 31
    idle_controller.statusChanged.emit(ServerStatus(AppState.RESTARTING))
    assert len(shown) == 2


def test_a_killed_engine_notifies(controller, make_notifier, shown, wait_until):
    notifier = make_notifier(controller)  # noqa: F841 - kept alive
    os.kill(controller.server_thread.runtime.engine.pid, signal.SIGKILL)
    wait_until(lambda: shown, timeout=30, message="no notification")
    assert shown[0] == (*ENGINE_RESTARTING, MessageIcon.Warning)
    wait_until(lambda: controller.status.state is AppState.RUNNING, timeout=30)


def test_jobs_dying_on_a_real_server_are_told(controller, shown, clock, wait_until):
    poller = Poller(controller, interval_ms=50)
    notifier = Notifier(controller, poller, lambda *m: shown.append(m), Preferences(), clock=clock)
    poller.start()
    try:
        wait_until(lambda: poller.latest is not None)  # the baseline
        with RawClient("127.0.0.1", controller.port) as client:
            assert client.hello() == b"+OK\r\n"
            for _ in range(2):
                assert client.push(job(new_jid(), retry=-1)) == b"+OK\r\n"
            for _ in range(2):
                jid = client.call_json("FETCH default")["jid"]
                failure = json.dumps({"jid": jid, "errtype": "E", "message": "m"})
                assert client.call(f"FAIL {failure}") == b"+OK\r\n"
        wait_until(lambda: poller.latest.stats.dead == 2)
        clock.now += 30
        notifier.flush()
        assert sum(int(body.split()[0]) for body in bodies(shown)) == 2
    finally:
        poller.stop()
