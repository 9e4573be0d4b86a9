"""Cron firing: on the whole minute under a test clock, through the normal push path, once per
minute across restarts, with its history; Enqueue now and pause."""

from __future__ import annotations

from faktory_desktop.core.features import parse_features
from faktory_desktop.storage.cron_store import HISTORY_KEPT
from tests.integration.cron_support import ManualClock, epoch, history
from tests.integration.wire import core, queue_sizes, run, wait_until

EVERY_5 = {
    "schedule": "*/5 * * * *",
    "job": {"type": "FiveJob", "queue": "critical", "retry": 3, "args": ["minutely"],
            "reserve_for": 600, "custom": {"foo": "bar"}},
}  # fmt: skip


def features(*entries):
    return parse_features({"cron": list(entries)}, ["cron.toml"] * len(entries))


def start(make_server, clock, *entries):
    return make_server(clock=clock, features=features(*(entries or (EVERY_5,))))


def test_fires_on_its_minutes_only(make_server, dial):
    clock = ManualClock(epoch("2026-01-01 00:03:10"))
    server = start(make_server, clock)
    client = dial(server)
    clock.set(epoch("2026-01-01 00:04:00"))
    clock.set(epoch("2026-01-01 00:05:00"))
    assert wait_until(lambda: len(history(server)) == 1)
    assert queue_sizes(client) == {"critical": 1}
    fired = client.call_json("FETCH critical")
    assert (fired["jobtype"], fired["args"], fired["retry"], fired["reserve_for"],
            fired["custom"]) == ("FiveJob", ["minutely"], 3, 600, {"foo": "bar"})
    [firing] = history(server)
    assert (firing.at, firing.jid, firing.error) == ("2026-01-01T00:05:00Z", fired["jid"], None)
    assert len(fired["jid"]) == 16


def test_each_firing_is_a_fresh_job_with_a_new_jid(make_server):
    clock = ManualClock(epoch("2026-01-01 00:00:30"))
    server = start(make_server, clock, {**EVERY_5, "schedule": "* * * * *"})
    for minute in range(1, 4):
        clock.set(epoch(f"2026-01-01 00:0{minute}:00"))
        assert wait_until(lambda m=minute: len(history(server)) == m + 1)
    jids = [f.jid for f in history(server)]
    assert len(set(jids)) == 4
    assert [f.at[11:16] for f in history(server)] == ["00:03", "00:02", "00:01", "00:00"]


def test_missed_minutes_are_not_caught_up(make_server):
    clock = ManualClock(epoch("2026-01-01 00:00:30"))
    server = start(make_server, clock, {**EVERY_5, "schedule": "* * * * *"})
    assert wait_until(lambda: len(history(server)) == 1)
    clock.set(epoch("2026-01-01 00:10:00"))  # asleep from 00:01 to 00:09
    assert wait_until(lambda: len(history(server)) == 2)
    assert [f.at[11:16] for f in history(server)] == ["00:10", "00:00"]


def test_a_restart_inside_the_minute_does_not_fire_it_twice(make_server):
    minutely = {**EVERY_5, "schedule": "* * * * *"}
    first = start(make_server, ManualClock(epoch("2026-01-01 00:07:00.2")), minutely)
    assert wait_until(lambda: len(history(first)) == 1)
    first.stop()
    second = start(make_server, ManualClock(epoch("2026-01-01 00:07:40")), minutely)
    assert run(second, core(second).cron.tick(int(epoch("2026-01-01 00:07:00")))) == 0
    assert len(history(second)) == 1
    assert run(second, core(second).store.queue_sizes(["critical"])) == {"critical": 1}


def test_a_restart_at_the_minute_fires_what_was_missed(make_server):
    minutely = {**EVERY_5, "schedule": "0 * * * *"}
    server = start(make_server, ManualClock(epoch("2026-01-01 01:00:00.5")), minutely)
    assert wait_until(lambda: len(history(server)) == 1)  # the 01:00 firing is not lost


def test_history_keeps_the_last_100(make_server):
    server = start(make_server, ManualClock(epoch("2026-01-01 00:00:30")),
                   {**EVERY_5, "schedule": "* * * * *"})
    cron = core(server).cron
    for minute in range(1, HISTORY_KEPT + 6):
        run(server, cron.tick(int(epoch("2026-01-01 00:00:00")) + 60 * minute))
    fired = history(server)
    assert len(fired) == HISTORY_KEPT and fired[0].at == "2026-01-01T01:45:00Z"


def test_a_refused_push_is_recorded_in_the_history(make_server):
    bad = {**EVERY_5, "schedule": "* * * * *", "job": {"type": "J", "reserve_for": 100_000}}
    server = start(make_server, ManualClock(epoch("2026-01-01 00:00:30")), bad)
    assert wait_until(lambda: len(history(server)) == 1)
    assert history(server)[0].error == "jobs cannot be reserved for more than one day"


def test_enqueue_now_and_pause(make_server):
    clock = ManualClock(epoch("2026-01-01 00:00:30"))
    server = start(make_server, clock, {**EVERY_5, "schedule": "* * * * *"})
    cron = core(server).cron
    entry = cron.entries[0]
    assert wait_until(lambda: len(history(server)) == 1)
    run(server, cron.set_paused(entry.id, True))
    assert run(server, cron.tick(int(epoch("2026-01-01 00:01:00")))) == 0
    firing = run(server, cron.enqueue_now(entry.id))
    assert firing.manual and history(server)[0].jid == firing.jid
    run(server, cron.set_paused(entry.id, False))
    assert run(server, cron.tick(int(epoch("2026-01-01 00:02:00")))) == 1


def test_pause_is_kept_across_a_restart(make_server):
    minutely = {**EVERY_5, "schedule": "* * * * *"}
    first = start(make_server, ManualClock(epoch("2026-01-01 00:00:30")), minutely)
    run(first, core(first).cron.set_paused(core(first).cron.entries[0].id, True))
    first.stop()
    second = start(make_server, ManualClock(epoch("2026-01-01 00:05:30")), minutely)
    assert core(second).cron.paused == {core(second).cron.entries[0].id}


def test_unique_for_refuses_the_next_minute(make_server):
    """With custom.unique_for = 65 the next minute is refused as NOTUNIQUE (Enterprise #194)."""
    unique = {"schedule": "* * * * *", "job": {"type": "MinutelyJob", "custom": {"unique_for": 65}}}
    clock = ManualClock(epoch("2026-01-01 00:00:30"))
    server = start(make_server, clock, unique)
    assert wait_until(lambda: len(history(server)) == 1)
    clock.set(epoch("2026-01-01 00:01:00"))
    assert wait_until(lambda: len(history(server)) == 2)
    newest, first = history(server)
    assert first.error is None and newest.error == "NOTUNIQUE Job not unique"


def test_expires_in_gives_each_firing_its_own_expiry(make_server, dial):
    expiring = {"schedule": "* * * * *",
                "job": {"type": "Report", "custom": {"expires_in": 0}}}
    server = start(make_server, ManualClock(epoch("2026-01-01 00:00:30")), expiring)
    client = dial(server)
    assert wait_until(lambda: len(history(server)) == 1)
    assert client.call("FETCH default") == b"$-1\r\n"  # expired at once: dropped at FETCH
    assert run(server, core(server).store.ent.counters())[0] == 1


def test_an_entry_with_a_timezone_fires_at_its_local_time(make_server):
    berlin = {**EVERY_5, "schedule": "0 9 * * *", "timezone": "Europe/Berlin"}
    clock = ManualClock(epoch("2026-01-05 07:59:30"))
    server = start(make_server, clock, berlin)
    clock.set(epoch("2026-01-05 08:00:00"))  # 09:00 in Berlin in winter
    assert wait_until(lambda: len(history(server)) == 1)
    assert history(server)[0].at == "2026-01-05T08:00:00Z"
