"""The app when the engine stops answering, and under a low open-file limit (macOS launchd: 256)."""

from __future__ import annotations

import os
import resource
import signal
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psutil
import pytest

from faktory_desktop.core.records import Kind, Source
from faktory_desktop.ui.icons import TrayState
from faktory_desktop.ui.status import AppState
from faktory_desktop.ui.theme import apply_theme
from tests.fwp import RawClient

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
OK = b"+OK\r\n"


def test_a_silent_engine_shows_not_responding_in_the_banner_and_the_tray(
    make_app, wait_until, qapp,
):
    desktop = make_app(engine_timeout=1.0, engine_health_limit=60.0)
    shots = os.environ.get("FAKTORY_DESKTOP_SHOTS")  # docs/screenshots, on request
    if shots:
        apply_theme(qapp, "light")
        desktop.window.resize(1100, 640)
        desktop.window.show()
    desktop.start()
    wait_until(lambda: desktop.controller.status.state is AppState.RUNNING, 60)
    if shots:
        with RawClient("127.0.0.1", desktop.controller.port) as client:
            client.hello()
            for n in range(12):
                client.push({"jid": f"screenshot-{n}", "jobtype": "SendEmail", "args": [n]})
        wait_until(lambda: desktop.poller.latest is not None
                   and desktop.poller.latest.stats.enqueued == 12, 10)
    banner, tray = desktop.window.banner, desktop.tray
    pid = desktop.controller.server_thread.runtime.engine.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        wait_until(lambda: desktop.controller.status.state is AppState.NOT_RESPONDING, 10,
                   "the app never said the engine is not responding")
        assert not banner.isHidden() and banner.title.text() == "Engine not responding"
        assert "answers nothing" in banner.hint.text()
        assert tray.tray.toolTip() == "Faktory — engine not responding"
        assert tray.status_action.text() == "Faktory — Engine not responding"
        assert tray.state is TrayState.ERROR and tray.stop_action.isEnabled()
        if shots:
            desktop.window.grab().save(str(SCREENSHOTS / "banner-engine-not-responding.png"))
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_until(lambda: desktop.controller.status.state is AppState.RUNNING, 10,
               "the app never went back to running")
    assert banner.isHidden()
    assert tray.tray.toolTip().startswith("Faktory — running")


@pytest.fixture
def soft_limit_256() -> Iterator[None]:
    """This process's soft open-file limit at 256, as launchd gives an app; restored after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if psutil.Process().num_fds() > 200:
        pytest.skip("this test process already has too many files open to start at 256")
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_app_under_ulimit_256_serves_500_connections_and_its_screens_keep_working(
    make_app, wait_until, run, request,
):
    desktop = make_app()  # built first: Qt's own files open under the inherited limit
    request.getfixturevalue("soft_limit_256")
    desktop.start()
    wait_until(lambda: desktop.controller.status.state is AppState.RUNNING, 60)
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] > 2000  # raised by the server's start
    controller = desktop.controller
    with ExitStack() as stack:
        clients = [stack.enter_context(RawClient("127.0.0.1", controller.port))
                   for _ in range(500)]
        assert all(client.hello(wid=f"w-{n}") == OK for n, client in enumerate(clients))
        for client in clients:
            client.send(b"INFO")
        assert all(client.read_reply().startswith(b"$") for client in clients)
        assert clients[0].push({"jid": "under-256", "jobtype": "T", "args": []}) == OK

        snapshot = run(controller.snapshot())
        assert snapshot.stats.connections == 500 and snapshot.stats.enqueued == 1
        assert len(run(controller.call(controller.api.workers()))) == 500
        page = run(controller.call(controller.api.page(Source(Kind.QUEUE, "default"), 0, 50)))
        assert [r.jid for r in page.records] == ["under-256"]
        window = desktop.window
        for row in range(window.sidebar.count()):  # every screen shows and paints
            window.sidebar.setCurrentRow(row)
            assert not window.grab().isNull()
