"""MUTATE over the wire: clear, kill, discard, requeue on the scheduled, retries and dead sets."""

from __future__ import annotations

import json
import time

import pytest

from faktory_desktop.storage.store import SortedSet
from tests.conftest import new_jid
from tests.fwp import job
from tests.integration.wire import (
    compact,
    entries,
    fail,
    mutate,
    queue_sizes,
    raw_entries,
    sets,
)

LATER = "2099-01-01T00:00:00Z"


def schedule(client, jobtype: str, *args, queue: str = "default") -> str:
    jid = new_jid()
    assert client.push(job(jid, jobtype, args=list(args), at=LATER, queue=queue)) == b"+OK\r\n"
    return jid


def dead_job(client, jobtype: str = "DeadJob") -> str:
    jid = new_jid()
    assert client.push(job(jid, jobtype, retry=-1)) == b"+OK\r\n"
    assert client.call_json("FETCH default")["jid"] == jid
    assert fail(client, jid) == b"+OK\r\n"
    return jid


def retried_job(client, jobtype: str = "RetryJob") -> str:
    jid = new_jid()
    assert client.push(job(jid, jobtype)) == b"+OK\r\n"
    assert client.call_json("FETCH default")["jid"] == jid
    assert fail(client, jid) == b"+OK\r\n"
    return jid


def counts(client) -> tuple[int, int, int]:
    s = sets(client)
    return s["scheduled"], s["dead"], queue_sizes(client).get("default", 0)


def test_clear_retries_on_empty_set(client):
    # T-20
    assert mutate(client, cmd="clear", target="retries") == b"+OK\r\n"


def test_mutate_sequence_from_go_test(client, server):
    # T-21..T-29: the scenario of mutate_test.go, step by step
    schedule(client, "AnotherJob", "truid:67123", 3)  # JOB1
    schedule(client, "SomeJob", "truid:67123", 3)  # JOB2
    job3 = schedule(client, "SomeJob", "trid:67123", 5)  # JOB3
    job4 = schedule(client, "FooJob", "445", 5)  # JOB4
    assert client.push(job(new_jid(), "FooJob", args=["445", 5])) == b"+OK\r\n"  # JOB5
    assert counts(client) == (4, 0, 1)  # T-21

    # T-22: only the SomeJob whose args contain `truid:67123` matches `*uid:67123*`
    op = {"cmd": "discard", "target": "scheduled",
          "filter": {"jobtype": "SomeJob", "regexp": "*uid:67123*"}}
    assert mutate(client, **op) == b"+OK\r\n"
    assert counts(client) == (3, 0, 1)
    assert job3 in {e["jid"] for e, _ in entries(server, SortedSet.SCHEDULED)}

    # T-23: kill the AnotherJob; T-24: an empty target is an error
    assert mutate(client, cmd="kill", target="scheduled",
                  filter={"jobtype": "AnotherJob"}) == b"+OK\r\n"
    assert mutate(client, cmd="kill", target="", filter={"jobtype": "AnotherJob"}) == (
        b"-ERR invalid target for mutation command\r\n"
    )
    assert counts(client) == (2, 1, 1)

    # T-25: requeue JOB4 by jid
    assert mutate(client, cmd="requeue", target="scheduled", filter={"jids": [job4]}) == b"+OK\r\n"
    assert counts(client) == (1, 1, 2)

    # T-26: clear dead
    assert mutate(client, cmd="clear", target="dead") == b"+OK\r\n"
    assert counts(client) == (1, 0, 2)

    # T-27: jids + jobtype -> jobtype ignored; JOB4's jid is no longer scheduled: no change
    assert mutate(client, cmd="kill", target="scheduled",
                  filter={"jobtype": "SomeJob", "jids": [job4]}) == b"+OK\r\n"
    assert counts(client) == (1, 0, 2)

    # T-28: jobtype alone matches JOB3 -> dead
    assert mutate(client, cmd="kill", target="scheduled",
                  filter={"jobtype": "SomeJob"}) == b"+OK\r\n"
    assert counts(client) == (0, 1, 2)

    # T-29: requeue dead with jobtype + wrong jid: no change; without jid: back to its queue
    assert mutate(client, cmd="requeue", target="dead",
                  filter={"jobtype": "SomeJob", "jids": [job4]}) == b"+OK\r\n"
    assert counts(client) == (0, 1, 2)
    assert mutate(client, cmd="requeue", target="dead",
                  filter={"jobtype": "SomeJob"}) == b"+OK\r\n"
    assert counts(client) == (0, 0, 3)


def test_json_with_a_space_is_invalid_format(client):
    # T-118, P-70
    assert client.call(b'MUTATE {"cmd": "clear","target":"retries"}') == (
        b"-ERR invalid format\r\n"
    )
    regexp = b'MUTATE {"cmd":"discard","target":"dead","filter":{"regexp":"*a b*"}}'
    assert client.call(regexp) == b"-ERR invalid format\r\n"
    assert client.call("MUTATE") == b"-ERR invalid format\r\n"
    assert client.call(b'MUTATE {"cmd":"clear","target":"dead"} ') == b"-ERR invalid format\r\n"


def test_unknown_command_and_target(client):
    # P-71: the command is checked first, as Faktory does
    assert mutate(client, cmd="explode", target="retries") == b"-ERR unknown mutate operation\r\n"
    assert mutate(client, cmd="explode", target="queue") == b"-ERR unknown mutate operation\r\n"
    assert mutate(client, target="retries") == b"-ERR unknown mutate operation\r\n"
    for target in ("working", "default", "queues", "", None, ["dead"]):
        assert mutate(client, cmd="clear", target=target) == (
            b"-ERR invalid target for mutation command\r\n"
        ), target


@pytest.mark.parametrize("arg", [b"{", b"nope", b"[1,2]", b'"clear"'])
def test_bad_json_is_an_error(client, arg):
    # P-71: `-ERR <parser message>`; never an internal error
    reply = client.call(b"MUTATE " + arg)
    assert reply.startswith(b"-ERR ") and b"internal error" not in reply, reply
    assert client.call("INFO").startswith(b"$")


def test_clear_ignores_filter_and_discard_without_filter_clears(client):
    # P-72
    schedule(client, "A")
    schedule(client, "B")
    assert mutate(client, cmd="clear", target="scheduled", filter={"jobtype": "A"}) == b"+OK\r\n"
    assert sets(client)["scheduled"] == 0
    schedule(client, "A")
    schedule(client, "B")
    assert mutate(client, cmd="discard", target="scheduled") == b"+OK\r\n"
    assert sets(client)["scheduled"] == 0


def test_discard_with_empty_filter_removes_everything(client):
    # P-72, P-73: a filter object with nothing in it matches every entry
    schedule(client, "A")
    schedule(client, "B")
    assert mutate(client, cmd="discard", target="scheduled", filter={}) == b"+OK\r\n"
    assert sets(client)["scheduled"] == 0


def test_kill_moves_unchanged_payload_with_180_day_expiry(client, server):
    # P-72: payload unchanged, dead score = now + 180 days
    jid = schedule(client, "Killable", 1)
    [(before, _)] = raw_entries(server, SortedSet.SCHEDULED)
    assert mutate(client, cmd="kill", target="scheduled", filter={"jids": [jid]}) == b"+OK\r\n"
    [(member, score)] = raw_entries(server, SortedSet.DEAD)
    assert member == before
    assert abs(score - (time.time() + 180 * 86400)) < 60


def test_requeue_pushes_stored_bytes_unchanged(client, server):
    # J-22, P-72: no enqueued_at refresh; the scheduled job arrives without one
    jid = schedule(client, "Requeued", 1)
    [(member, _)] = raw_entries(server, SortedSet.SCHEDULED)
    assert mutate(client, cmd="requeue", target="scheduled", filter={"jids": [jid]}) == b"+OK\r\n"
    reply = client.call("FETCH default")
    assert reply == b"$%d\r\n%b\r\n" % (len(member), member)
    assert "enqueued_at" not in json.loads(member)


def test_requeue_retries_keeps_failure(client, server):
    # P-72 on the retries set: the job goes back with its failure record
    jid = retried_job(client)
    assert mutate(client, cmd="requeue", target="retries", filter={"jids": [jid]}) == b"+OK\r\n"
    fetched = client.call_json("FETCH default")
    assert fetched["jid"] == jid and fetched["failure"]["retry_count"] == 0
    assert sets(client)["retries"] == 0


def test_requeue_to_its_own_queue(client):
    # P-72: LPUSH onto the job's queue, created if needed
    jid = schedule(client, "Elsewhere", queue="fresh")
    assert mutate(client, cmd="requeue", target="scheduled", filter={"jids": [jid]}) == b"+OK\r\n"
    assert queue_sizes(client) == {"fresh": 1}


def test_requeue_with_invalid_queue_name_is_an_error(client):
    # P-72: the queue name is validated when the job enters a queue
    jid = schedule(client, "BadQueue", queue="bad name!")
    reply = mutate(client, cmd="requeue", target="scheduled", filter={"jids": [jid]})
    assert reply == (b'-ERR cannot get "bad name!" queue: queue names must match '
                     b"\\A[a-zA-Z0-9._-]+\\z\r\n")
    assert sets(client)["scheduled"] == 1


def test_jids_filter_matches_any_listed_jid(client):
    # P-73
    a, b, _c = (schedule(client, "J") for _ in range(3))
    assert mutate(client, cmd="discard", target="scheduled",
                  filter={"jids": [a, b, "no-such-jid"]}) == b"+OK\r\n"
    assert sets(client)["scheduled"] == 1


def test_regexp_without_jobtype(client):
    # P-73: regexp alone is a ZSCAN glob over the compact JSON
    schedule(client, "R", "user:1")
    schedule(client, "R", "user:2")
    assert mutate(client, cmd="discard", target="scheduled",
                  filter={"regexp": '*"user:2"*'}) == b"+OK\r\n"
    assert sets(client)["scheduled"] == 1


def test_jobtype_filter_is_exact(client):
    # P-73: `"jobtype":"Some"` does not match SomeJob
    schedule(client, "SomeJob")
    assert mutate(client, cmd="kill", target="scheduled", filter={"jobtype": "Some"}) == b"+OK\r\n"
    assert sets(client) == {"dead": 0, "retries": 0, "scheduled": 1, "working": 0}


def test_kill_on_retries_and_discard_on_dead(client):
    # P-72 on the other two sets
    retried_job(client, "R1")
    dead_job(client, "D1")
    assert mutate(client, cmd="kill", target="retries") == b"+OK\r\n"
    assert sets(client)["retries"] == 0 and sets(client)["dead"] == 2
    assert mutate(client, cmd="discard", target="dead", filter={"jobtype": "D1"}) == b"+OK\r\n"
    assert sets(client)["dead"] == 1


def test_nothing_matched_is_ok(client):
    # P-74
    assert mutate(client, cmd="requeue", target="dead", filter={"jids": ["nobody-home"]}) == (
        b"+OK\r\n"
    )


def test_mutate_json_from_go_client_shape(client):
    # P-70: the Go client's exact compact encoding works
    jid = schedule(client, "GoShape")
    line = b"MUTATE " + compact({"cmd": "kill", "target": "scheduled",
                                 "filter": {"jids": [jid], "regexp": "", "jobtype": ""}})
    assert client.call(line) == b"+OK\r\n"
    assert sets(client)["dead"] == 1
