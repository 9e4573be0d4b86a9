"""A reload of conf.d (SIGHUP, `FaktoryRuntime.reload`) restarts statsd with a changed
`[statsd]`; a bad one keeps the running statsd. Real UDP listeners receive the lines."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from faktory_desktop.config import Settings, load_toml
from faktory_desktop.server.runtime import ServerThread
from tests.fwp import RawClient
from tests.integration.wire import run
from tests.metrics.statsd_listener import StatsdListener
from tests.metrics.test_statsd import run_jobs
from tests.test_cli import serving
from tests.test_cli_confd import lines_until, write

RELOADED = "configuration reloaded: 0 cron entries, 0 throttles"


@pytest.fixture
def listeners() -> Iterator[tuple[StatsdListener, StatsdListener]]:
    first, second = StatsdListener(), StatsdListener()
    yield first, second
    first.close()
    second.close()


def write_statsd(settings: Settings, text: str) -> None:
    confd = settings.config_dir / "conf.d"
    confd.mkdir(parents=True, exist_ok=True)
    (confd / "statsd.toml").write_text("[statsd]\n" + text)


def started_with_statsd(make_server: Callable[..., ServerThread], settings: Settings,
                        listener: StatsdListener) -> ServerThread:
    """A server started with conf.d's `[statsd]` sending to `listener`, seen to send there."""
    write_statsd(settings, f'location = "127.0.0.1:{listener.port}"\n')
    server = make_server(toml=load_toml(settings.config_dir))
    listener.receive_until(lambda _: bool(listener.named("faktory.processed")))
    return server


def test_sighup_sends_statsd_to_the_new_address(
        tmp_path: Path, listeners: tuple[StatsdListener, StatsdListener]) -> None:
    old, new = listeners
    write(tmp_path, "statsd.toml", f'[statsd]\nlocation = "127.0.0.1:{old.port}"\n')
    with serving(tmp_path) as (proc, lines):
        lines_until(lines, "listening at")
        old.receive_until(lambda _: bool(old.named("faktory.processed")))
        write(tmp_path, "statsd.toml", f'[statsd]\nlocation = "127.0.0.1:{new.port}"\n')
        proc.send_signal(signal.SIGHUP)
        lines_until(lines, f"Sending statsd metrics to 127.0.0.1:{new.port}")
        new.receive_until(lambda _: bool(new.named("faktory.processed")))


def test_a_reload_restarts_statsd_on_its_new_address(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient],
        settings: Settings, listeners: tuple[StatsdListener, StatsdListener],
        caplog: pytest.LogCaptureFixture) -> None:
    old, new = listeners
    server = started_with_statsd(make_server, settings, old)
    caplog.set_level(logging.INFO, logger="faktory_desktop")
    write_statsd(settings, f'location = "127.0.0.1:{new.port}"\nnamespace = "moved"\n')
    run(server, server.runtime.reload())

    assert server.runtime.metrics.status.statsd == f"127.0.0.1:{new.port}"
    run_jobs(dial(server, wid="w1"), "Hello", acks=2, fails=1)
    new.receive_until(lambda _: new.total("moved.jobs.count") >= 3
                      and bool(new.named("moved.processed")))  # gauges at its start, too
    assert new.total("moved.jobs.failed", "queue:default", "jobtype:Hello") == 1
    old.drain()  # the jobs' lines went out together: none of them went to the old address
    assert not [m for m in old.metrics if m.name.startswith("faktory.jobs.")]
    messages = [r.getMessage() for r in caplog.records]
    assert f"Sending statsd metrics to 127.0.0.1:{new.port} with namespace moved." in messages
    assert RELOADED in messages


def test_an_unchanged_statsd_keeps_running_and_a_removed_one_stops(
        make_server: Callable[..., ServerThread], settings: Settings,
        listeners: tuple[StatsdListener, StatsdListener]) -> None:
    old, _ = listeners
    server = started_with_statsd(make_server, settings, old)
    running = server.runtime.metrics.statsd
    run(server, server.runtime.reload())
    assert server.runtime.metrics.statsd is running  # not restarted for nothing
    (settings.config_dir / "conf.d" / "statsd.toml").unlink()
    run(server, server.runtime.reload())
    assert server.runtime.metrics.status.statsd is None
    assert not server.runtime.core.manager.events  # no job events go to it any more


@pytest.mark.parametrize(("text", "expected"), [
    ('location = "nohost"\n', '[statsd] location "nohost" is not HOST:PORT'),
    ('location = "no-such-host.invalid:8125"\n',
     'cannot use [statsd] location "no-such-host.invalid:8125"'),
])
def test_a_bad_statsd_at_reload_is_one_line_and_the_running_one_stays(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient],
        settings: Settings, listeners: tuple[StatsdListener, StatsdListener],
        caplog: pytest.LogCaptureFixture, text: str, expected: str) -> None:
    old, _ = listeners
    server = started_with_statsd(make_server, settings, old)
    caplog.set_level(logging.INFO, logger="faktory_desktop")
    write_statsd(settings, text)
    run(server, server.runtime.reload())

    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, errors
    assert errors[0].startswith("statsd not reloaded, the previous settings stay in force: ")
    assert expected in errors[0]
    assert RELOADED in [r.getMessage() for r in caplog.records]  # cron, throttles: reloaded
    assert server.runtime.metrics.status.statsd == f"127.0.0.1:{old.port}"
    run_jobs(dial(server, wid="w1"), "Kept", acks=1, fails=0)
    old.receive_until(lambda _: old.total("faktory.jobs.count", "jobtype:Kept") == 1)
