"""The Server panel's Redis gateway and Metrics sections, against a real server."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
import redis
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from faktory_desktop.engine.config import free_port
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.preferences import Preferences
from faktory_desktop.ui.server import ServerPage
from faktory_desktop.ui.server.metrics import PROMETHEUS_OFF, STATSD_OFF
from tests.metrics.statsd_listener import StatsdListener
from tests.metrics.test_statsd import run_jobs
from tests.ui.conf_support import write_confd
from tests.ui.jobs_support import connect


@pytest.fixture
def page_for(run, qtbot, settings, gui_widgets):
    """`page_for(**settings overrides)`: a Server panel on a started server of those settings."""
    controllers: list[ServerController] = []

    def make(**overrides: object) -> ServerPage:
        ctl = ServerController(replace(settings, **overrides))
        assert run(ctl.start(), 60), ctl.status
        controllers.append(ctl)
        page = ServerPage(ctl, logs=None)  # type: ignore[arg-type]
        qtbot.addWidget(page)
        return page

    yield make
    for ctl in controllers:
        run(ctl.stop(), 60)


def test_both_sections_say_off_by_default(page_for) -> None:
    page = page_for()
    gateway, metrics = page.gateway_section, page.metrics_section
    assert gateway.state.text() == "Off" and gateway.switch.text() == "Turn on"
    assert not gateway.copy_cli.isEnabled() and not gateway.copy_replica.isEnabled()
    assert metrics.statsd.text() == STATSD_OFF
    assert metrics.prometheus_off.text() == PROMETHEUS_OFF and metrics.prometheus.isHidden()


def test_the_gateway_is_shown_and_its_commands_copied_with_the_password(page_for, qtbot) -> None:
    port = free_port()
    page = page_for(redis_gateway=("127.0.0.1", port))
    section = page.gateway_section
    gateway = page.controller.server_thread.runtime.engine.gateway
    assert section.state.text() == f"On — 127.0.0.1:{port} — this computer only"
    assert section.switch.text() == "Turn off"
    qtbot.mouseClick(section.copy_cli, Qt.MouseButton.LeftButton)
    command = QGuiApplication.clipboard().text()
    assert command == f"redis-cli -h 127.0.0.1 -p {port} -a {gateway.password}"
    qtbot.mouseClick(section.copy_replica, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == (f"replicaof 127.0.0.1 {port}\n"
                                                  f'masterauth "{gateway.password}"\n')
    assert redis.Redis(port=port, password=gateway.password, socket_timeout=5).ping()


def test_metrics_show_where_they_go_and_the_last_send_error(page_for, wait_until) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]  # closed when the block ends: nobody listens there
    page = page_for(metrics_binding=("127.0.0.1", 0),
                    toml={"statsd": {"location": f"127.0.0.1:{dead}"}})
    section = page.metrics_section
    assert section.statsd.text() == f"On — sending to 127.0.0.1:{dead}"
    assert section.prometheus.text().startswith("http://127.0.0.1:")
    metrics = page.controller.server_thread.runtime.metrics
    with connect(page.controller, wid="w1") as worker:
        def jobs_until_an_error() -> bool:  # each round's lines leave within 100 ms
            run_jobs(worker, "Ping", acks=1, fails=0)
            return metrics.status.statsd_error is not None

        wait_until(jobs_until_an_error, 15, "no send error recorded")
    section.refresh()
    assert "Connection refused" in section.statsd_error.text()


def test_reload_configuration_turns_statsd_on_and_the_panel_shows_it(page_for, run) -> None:
    page = page_for()
    listener = StatsdListener()
    try:
        write_confd(page.controller, run, "statsd.toml",
                    f'[statsd]\nlocation = "127.0.0.1:{listener.port}"\n')  # and Reload
        listener.receive_until(lambda _: bool(listener.named("faktory.processed")))
    finally:
        listener.close()
    page.metrics_section.refresh()
    assert page.metrics_section.statsd.text() == f"On — sending to 127.0.0.1:{listener.port}"


def test_the_switch_saves_the_preference_and_restarts_with_the_gateway(
        make_app, run, wait_until, tmp_path) -> None:
    port = free_port()
    prefs = Preferences(port=free_port(), data_dir=str(tmp_path / "app-db"),
                        redis_gateway=f"127.0.0.1:{port}", start_at_launch=False)
    desktop = make_app(prefs)
    desktop.cli_flags["config_dir"] = str(tmp_path / "app-config")
    section = desktop.server_page.gateway_section
    assert section.switch.text() == "Turn on"
    section.switch.click()
    ctl = desktop.controller
    wait_until(lambda: ctl.running, 60, "the server never started with the gateway")
    assert Preferences.load().redis_gateway_on
    assert ctl.settings.redis_gateway == ("127.0.0.1", port)
    wait_until(lambda: section.switch.text() == "Turn off", 10, "the switch never turned")
    assert ctl.server_thread.runtime.engine.gateway is not None
    before = ctl.server_thread
    section.switch.click()
    wait_until(lambda: ctl.running and ctl.server_thread not in (None, before), 60,
               "the server never restarted without the gateway")
    assert ctl.settings.redis_gateway is None
    assert ctl.server_thread.runtime.engine.gateway is None
    assert not Preferences.load().redis_gateway_on


def test_a_gateway_beyond_this_computer_is_shown_in_red_and_external_redis_has_none(
        settings) -> None:
    from faktory_desktop.engine.gateway import Gateway
    from faktory_desktop.ui.server.gateway import EXTERNAL, WARNING_COLOR, gateway_state_html

    wide = Gateway("0.0.0.0", 7421, "pw")
    text = gateway_state_html(settings, wide, None, running=True)
    assert text.startswith(f'<b style="color:{WARNING_COLOR}">On — 0.0.0.0:7421 — reachable')
    external = replace(settings, redis_url="redis://127.0.0.1:6379/0",
                       redis_gateway=("127.0.0.1", 7421))
    assert gateway_state_html(external, None, None, running=True) == EXTERNAL
    off = gateway_state_html(settings, None, "127.0.0.1:7421 is already in use", running=True)
    assert off == (f'<span style="color:{WARNING_COLOR}">Off — 127.0.0.1:7421 is already in '
                   "use</span>")
