"""The read model of the Cron and Throttles screens against a real server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.core.features import parse_features
from tests.fwp import job
from tests.integration.cron_support import ManualClock, epoch

CONF = {
    "cron": [
        {"schedule": "*/5 * * * *", "job": {"type": "FiveJob", "custom": {"unique_for": 65}}},
        {"schedule": "0 9 * * 1-5", "timezone": "Europe/Berlin",
         "job": {"type": "MorningJob", "queue": "mail", "args": [1]}},
    ],
    "throttles": {"api": {"concurrency": 2, "timeout": 60}, "bulk": {"worker": 1, "timeout": 9}},
}  # fmt: skip


@pytest.fixture
def server(make_server):
    features = parse_features(CONF, ["cron.toml", "team.toml"])
    return make_server(clock=ManualClock(epoch("2026-01-02 08:01:30")), features=features)


@pytest.fixture
def api(server):
    core_api = FaktoryAPI(server.runtime.core)
    return lambda method, *args: server.submit(getattr(core_api, method)(*args)).result(30)


def test_cron_rows(api):
    five, morning = api("cron_rows")
    assert (five.words, five.queue, five.custom, five.file, five.index, five.timezone) == (
        "Every 5 minutes", "default", {"unique_for": 65}, "cron.toml", 1, None)
    assert five.next_run == datetime(2026, 1, 2, 8, 5, tzinfo=UTC)
    assert five.last is None and not five.paused
    assert morning.words == "At 09:00, Monday through Friday (Europe/Berlin)"
    # Friday 09:01 in Berlin: the next 09:00 on a weekday is Monday's, 08:00 UTC
    assert morning.next_run == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert (morning.file, morning.index) == ("team.toml", 1)


def test_cron_detail_after_enqueue_now_and_pause(api):
    five = api("cron_rows")[0]
    firing = api("cron_enqueue_now", five.id)
    api("cron_set_paused", five.id, True)
    detail = api("cron_detail", five.id)
    assert detail.row.paused and detail.row.last == firing
    assert [f.jid for f in detail.history] == [firing.jid]
    assert [r.strftime("%H:%M") for r in detail.next_runs] == [
        "08:05", "08:10", "08:15", "08:20", "08:25"]


def test_throttle_rows(api, client, server):
    for n in range(3):
        client.push(job(f"api-job-{n:04d}", queue="api"))
    assert client.call_json("FETCH api")["queue"] == "api"
    api_row, bulk_row = api("throttle_rows")
    assert (api_row.queue, api_row.size, api_row.described, api_row.taken, api_row.free,
            api_row.held) == ("api", 2, "2 concurrent", 1, 1, 1)
    assert (bulk_row.described, bulk_row.taken, bulk_row.free) == ("1 per worker", None, None)
