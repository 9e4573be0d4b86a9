"""Attach mode: another Faktory already holds the port, and the app watches it instead.

The other server is a real one (our server on its own thread and data folder); the app reads it
over FWP only, as it would a Faktory it did not start.
"""

from __future__ import annotations

import contextlib

import pytest

from faktory_desktop.ui.banner import StatusBanner
from faktory_desktop.ui.controller import NOT_LISTED, NOT_OURS, ServerNotRunning
from faktory_desktop.ui.dashboard.history import NOT_REPORTED
from faktory_desktop.ui.dashboard.page import NOT_SAID
from faktory_desktop.ui.jobs.feedback import call_api, failure_text
from faktory_desktop.ui.status import AppState, Problem, ServerStatus
from faktory_desktop.ui.tray import TrayState
from tests.fwp import RawClient, http_server, job


def push(port: int, jid: str, queue: str = "default") -> None:
    with RawClient("127.0.0.1", port) as client:
        assert client.hello() == b"+OK\r\n"
        assert client.push(job(jid, queue=queue)) == b"+OK\r\n"


def start_on_taken_port(make_app, wait_until, port: int, **overrides):
    desktop = make_app(port=port, **overrides)
    desktop.start()
    wait_until(lambda: desktop.controller.status.problem is Problem.FAKTORY_ON_PORT, 60,
               message=f"status: {desktop.controller.status}")
    return desktop


def test_attach_shows_the_other_servers_numbers(make_app, make_server, tmp_path, wait_until, run):
    other = make_server(data_dir=tmp_path / "other")
    port = other.runtime.port
    push(port, "attached-job-1", queue="mail")
    desktop = start_on_taken_port(make_app, wait_until, port)
    banner = desktop.window.banner
    assert not banner.attach_button.isHidden() and banner.stop_button.isHidden()

    banner.attach_button.click()
    wait_until(lambda: desktop.controller.status.state is AppState.ATTACHED, 10,
               message=f"status: {desktop.controller.status}")
    assert desktop.controller.server_thread is None  # no server of its own
    assert f"127.0.0.1:{port}" in desktop.controller.status.detail
    assert not banner.stop_button.isHidden() and banner.attach_button.isHidden()

    push(port, "attached-job-2", queue="mail")
    dashboard = desktop.dashboard
    wait_until(lambda: dashboard.cards.text("enqueued") == "2", 10,
               message=f"enqueued card: {dashboard.cards.text('enqueued')}")
    wait_until(lambda: "mail" in dashboard.sizes.curves)
    assert dashboard.history.summary.text() == NOT_REPORTED
    assert dashboard.history.plot.isHidden() and NOT_SAID in dashboard.busy.title.text()
    tray = desktop.tray
    wait_until(lambda: "2 enqueued" in tray.tray.toolTip(), message=tray.tray.toolTip())
    assert tray.state is TrayState.IDLE

    # Pause all from the tray reaches the other server, over FWP.
    assert tray.pause_action.isEnabled()
    tray.pause_action.trigger()
    wait_until(lambda: other.runtime.core.manager.paused == {"mail"},
               message=f"paused: {other.runtime.core.manager.paused}")

    # So does Resume all on the Queues page.
    run(desktop.jobs.queues.pause_all(False))
    assert other.runtime.core.manager.paused == set()
    assert desktop.jobs.queues.message.text() == "Resumed every queue."

    # The job screens say why they list nothing, instead of "No jobs in Retries".
    retries = desktop.jobs.browsers[3]
    desktop.window.show_page(desktop.window.pages.indexOf(retries))
    wait_until(lambda: retries.ui.empty.text() == NOT_LISTED)
    assert retries.stack.currentIndex() == 1 and retries.ui.summary.text() == ""
    assert retries.ui.title.text() == "Retries"
    workers = desktop.jobs.workers
    desktop.window.show_page(desktop.window.pages.indexOf(workers))
    wait_until(lambda: workers.empty.text() == NOT_LISTED)
    assert workers.stack.currentWidget() is workers.empty and workers.summary.text() == ""

    # And why they cannot act, instead of "start the server".
    with pytest.raises(Exception) as failure:
        run(call_api(desktop.controller, lambda api: api.queues()))
    assert failure_text(failure.value) == NOT_OURS


def test_when_the_watched_server_stops_the_app_can_start_its_own(
        make_app, make_server, tmp_path, wait_until):
    other = make_server(data_dir=tmp_path / "other")
    port = other.runtime.port
    desktop = start_on_taken_port(make_app, wait_until, port)
    desktop.window.banner.attach_button.click()
    wait_until(lambda: desktop.controller.status.state is AppState.ATTACHED)

    other.stop()
    wait_until(lambda: desktop.controller.status.problem is Problem.WATCH_LOST, 10,
               message=f"status: {desktop.controller.status}")
    assert not desktop.controller.attached
    desktop.window.banner.start_button.click()  # "Try again": the port is free now
    wait_until(lambda: desktop.controller.status.state is AppState.RUNNING, 60,
               message=f"status: {desktop.controller.status}")
    assert desktop.controller.port == port
    push(port, "now-our-own-job")


def test_a_watched_server_that_restarts_is_followed_without_a_click(
        make_app, make_server, tmp_path, wait_until, run):
    other = make_server(data_dir=tmp_path / "other")
    port = other.runtime.port
    desktop = start_on_taken_port(make_app, wait_until, port)
    desktop.poller.stop()  # the test drives the polls, so none lands while no server is there
    assert run(desktop.controller.attach())
    other.stop()
    restarted = make_server(data_dir=tmp_path / "other", port=port)
    push(port, "after-the-restart")
    snap = run(desktop.controller.snapshot())  # the old connection is dead: one reconnect
    assert snap.stats.enqueued == 1
    assert desktop.controller.status.state is AppState.ATTACHED
    restarted.stop()
    with pytest.raises(ServerNotRunning):
        run(desktop.controller.snapshot())  # nobody there now: the banner says so
    assert desktop.controller.status.problem is Problem.WATCH_LOST


def test_attach_needs_the_other_servers_password(make_app, make_server, tmp_path, wait_until):
    other = make_server(data_dir=tmp_path / "other", password="sesame")
    port = other.runtime.port
    desktop = start_on_taken_port(make_app, wait_until, port)
    desktop.window.banner.attach_button.click()
    wait_until(lambda: "password" in desktop.controller.status.detail, 10,
               message=f"status: {desktop.controller.status}")
    assert desktop.controller.status.problem is Problem.FAKTORY_ON_PORT

    with_password = start_on_taken_port(make_app, wait_until, port, password="sesame")
    with_password.window.banner.attach_button.click()
    wait_until(lambda: with_password.controller.status.state is AppState.ATTACHED, 10,
               message=f"status: {with_password.controller.status}")


def test_stop_watching_returns_to_stopped(make_app, make_server, tmp_path, wait_until):
    other = make_server(data_dir=tmp_path / "other")
    desktop = start_on_taken_port(make_app, wait_until, other.runtime.port)
    desktop.window.banner.attach_button.click()
    wait_until(lambda: desktop.controller.status.state is AppState.ATTACHED)
    assert desktop.tray.stop_action.text() == "Stop Watching"
    desktop.window.banner.stop_button.click()
    wait_until(lambda: desktop.controller.status.state is AppState.STOPPED)
    assert not desktop.controller.attached
    assert desktop.tray.state is TrayState.STOPPED


def test_the_banner_offers_the_watched_servers_web_ui(qtbot):
    banner = StatusBanner()
    qtbot.addWidget(banner)
    banner.show_status(ServerStatus(AppState.ATTACHED, detail="Faktory 1.9.1 at 127.0.0.1:7419"))
    assert banner.web_button.isHidden()  # nothing answered HTTP beside it
    banner.show_status(ServerStatus(AppState.ATTACHED, detail="Faktory 1.9.1 at 127.0.0.1:7419",
                                    web_ui="http://127.0.0.1:7420/"))
    assert not banner.web_button.isHidden()
    with qtbot.waitSignal(banner.webUiRequested) as opened:
        banner.web_button.click()
    assert opened.args == ["http://127.0.0.1:7420/"]


def test_attach_finds_the_web_ui_beside_the_command_port(make_app, make_server, tmp_path,
                                                         wait_until):
    other = make_server(data_dir=tmp_path / "other")
    port = other.runtime.port
    with contextlib.ExitStack() as stack:
        try:
            web_port = stack.enter_context(http_server(port + 1))
        except OSError:
            pytest.skip(f"port {port + 1} is taken on this machine")
        desktop = start_on_taken_port(make_app, wait_until, port)
        desktop.window.banner.attach_button.click()
        wait_until(lambda: desktop.controller.status.state is AppState.ATTACHED)
        assert desktop.controller.status.web_ui == f"http://127.0.0.1:{web_port}/"
        assert not desktop.window.banner.web_button.isHidden()
