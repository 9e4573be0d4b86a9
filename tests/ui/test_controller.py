"""The app's server controller: states, failures as explicit problems, calls into the core."""

from __future__ import annotations

import os
import signal
import socket
from dataclasses import replace

from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.status import AppState, Problem
from tests.fwp import RawClient


def test_start_reaches_running_and_serves_clients(controller, run):
    assert controller.status.state is AppState.RUNNING
    with RawClient("127.0.0.1", controller.port) as client:
        assert client.hello() == b"+OK\r\n"
        client.call('PUSH {"jid":"abcdefgh1","jobtype":"T","args":[]}')
    stats = run(controller.call(controller.api.stats()))
    assert stats.enqueued == 1


def test_port_in_use_is_an_explicit_problem(settings, run):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    try:
        ctl = ServerController(replace(settings, port=blocker.getsockname()[1]))
        assert not run(ctl.start(), 60)
        assert ctl.status.state is AppState.ERROR and ctl.status.problem is Problem.PORT_IN_USE
        assert "already in use" in ctl.status.detail
        assert "-b HOST:PORT" not in ctl.status.detail  # the command line's advice, not the app's
        assert ctl.server_thread is None  # the engine it started was stopped again
    finally:
        blocker.close()


def test_missing_engine_binary_is_an_explicit_problem(settings, run, tmp_path):
    ctl = ServerController(replace(settings, redis_server=str(tmp_path / "nope")))
    assert not run(ctl.start(), 60)
    assert ctl.status.problem is Problem.NO_ENGINE


def test_second_server_on_same_data_dir_is_data_dir_locked(controller, settings, run):
    other = ServerController(settings)
    assert not run(other.start(), 60)
    assert other.status.problem is Problem.DATA_DIR_LOCKED


def test_engine_killed_shows_restarting_then_running(controller, wait_until):
    seen = []
    controller.statusChanged.connect(lambda s: seen.append(s.state))
    os.kill(controller.server_thread.runtime.engine.pid, signal.SIGKILL)
    wait_until(lambda: AppState.RESTARTING in seen, message=f"never restarting: {seen}")
    wait_until(lambda: controller.status.state is AppState.RUNNING and seen[-1] is AppState.RUNNING,
               timeout=30, message=f"never running again: {seen}")


def test_stop_then_start_again(controller, run):
    run(controller.stop(), 60)
    assert controller.status.state is AppState.STOPPED and controller.api is None
    assert run(controller.start(), 60)
    assert controller.status.state is AppState.RUNNING


def test_a_faktory_already_on_the_port_is_recognised(settings, run, tmp_path):
    other = ServerThread(replace(settings, data_dir=tmp_path / "other-db"))
    other.start()
    try:
        ctl = ServerController(replace(settings, port=other.runtime.port))
        assert not run(ctl.start(), 60)
        assert ctl.status.problem is Problem.FAKTORY_ON_PORT
        assert "copy its FAKTORY_URL" in ctl.status.hint
    finally:
        other.stop()


def test_a_start_reads_conf_d_again_and_names_a_bad_entry(settings, run):
    confd = settings.config_dir / "conf.d"
    confd.mkdir(parents=True)
    (confd / "cron.toml").write_text('[[cron]]\nschedule = "@often"\n[cron.job]\ntype = "J"\n')
    ctl = ServerController(settings)
    assert not run(ctl.start(), 60)
    assert ctl.status.state is AppState.ERROR and ctl.status.problem is Problem.CONFIG
    assert ctl.status.detail.startswith('conf.d/cron.toml: [[cron]] entry 1 (schedule "@often")')
    (confd / "cron.toml").write_text('[[cron]]\nschedule = "@daily"\n[cron.job]\ntype = "J"\n')
    assert run(ctl.start(), 60)
    try:
        assert [e.jobtype for e in ctl.server_thread.runtime.core.cron.entries] == ["J"]
    finally:
        run(ctl.stop(), 60)
