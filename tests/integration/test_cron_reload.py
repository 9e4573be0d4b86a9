"""Reloading conf.d in a running server, and one real firing on the wall clock."""

from __future__ import annotations

import time

import pytest

from faktory_desktop.config import ConfigError
from tests.integration.wire import core, run

CRON = '[[cron]]\nschedule = "{}"\n[cron.job]\ntype = "{}"\nqueue = "{}"\n'


def write(settings, text: str, name: str = "cron.toml") -> None:
    confd = settings.config_dir / "conf.d"
    confd.mkdir(parents=True, exist_ok=True)
    (confd / name).write_text(text)


def test_a_good_reload_replaces_the_schedule_and_throttles(server, settings):
    write(settings, CRON.format("*/5 * * * *", "FiveJob", "default"))
    write(settings, "[throttles]\napi = { worker = 1, timeout = 5 }\n", "throttles.toml")
    run(server, server.runtime.reload())
    cron = core(server).cron
    assert [e.jobtype for e in cron.entries] == ["FiveJob"]
    assert core(server).manager.throttles.limits["api"].described == "1 per worker"


def test_a_bad_reload_keeps_the_old_schedule(server, settings):
    write(settings, CRON.format("*/5 * * * *", "FiveJob", "default"))
    run(server, server.runtime.reload())
    before = core(server).cron.entries
    write(settings, CRON.format("*/5 * * * *", "FiveJob", "default") + "oops =")
    with pytest.raises(ConfigError, match="conf.d/cron.toml: TOML syntax error"):
        run(server, server.runtime.reload())
    assert core(server).cron.entries == before
    write(settings, CRON.format("@hourly", "OtherJob", "default"))
    write(settings, "[throttles]\nx = 1\n", "throttles.toml")
    with pytest.raises(ConfigError, match='"x": expected a table'):
        run(server, server.runtime.reload())
    assert core(server).cron.entries == before


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_a_real_firing_reaches_a_worker_over_the_wire(server, settings, connect):
    write(settings, CRON.format("* * * * *", "MinutelyJob", "cron-wire"))
    run(server, server.runtime.reload())
    client = connect()
    deadline = time.monotonic() + 70
    while time.monotonic() < deadline:
        reply = client.call("FETCH cron-wire")  # waits up to 2 s for a job
        if reply.startswith(b"$") and not reply.startswith(b"$-1"):
            break
    else:
        raise AssertionError("no cron job within 70 s")
    assert b'"jobtype":"MinutelyJob"' in reply
    at = client.call_json("INFO")  # the server still answers after firing
    assert at["faktory"]["queues"] == {"cron-wire": 0}
