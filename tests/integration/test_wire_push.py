"""PUSH and PUSHB over the wire: validation, defaults, normalization, scheduling."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from faktory_desktop.storage.store import SortedSet
from tests.conftest import new_jid
from tests.fwp import job
from tests.integration.wire import compact, entries, queue_sizes, seconds_ahead, sets

BAD_QUEUE = 'cannot get "{}" queue: queue names must match \\A[a-zA-Z0-9._-]+\\z'


def rfc3339(delta_s: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=delta_s)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fetch_one(client, queue: str = "default") -> dict:
    return client.call_json(f"FETCH {queue}")


def test_push_exact_example_is_ok_and_enqueued(client):
    # T-04, T-40, P-28: +OK, the queue grows by one, enqueued_at is set
    line = (b'PUSH {"jid":"12345678901234567890abcd","jobtype":"Thing","args":[123],'
            b'"queue":"default"}')
    assert client.call(line) == b"+OK\r\n"
    assert queue_sizes(client) == {"default": 1}
    fetched = fetch_one(client)
    assert fetched["jid"] == "12345678901234567890abcd" and fetched["args"] == [123]
    assert abs(seconds_ahead(fetched["enqueued_at"])) < 5
    assert abs(seconds_ahead(fetched["created_at"])) < 5


@pytest.mark.parametrize("jid", ["", "id", "shortid"])
def test_short_jid_rejected(client, jid):
    # T-41, P-23.1
    reply = client.push(job(jid))
    assert reply == b"-ERR jobs must have a reasonable jid parameter\r\n"
    assert queue_sizes(client) == {}


def test_missing_jid_rejected_first(client):
    # P-23: the jid check comes before the jobtype and args checks
    reply = client.call(b'PUSH {"jobtype":""}')
    assert reply == b"-ERR jobs must have a reasonable jid parameter\r\n"


def test_jid_of_eight_bytes_accepted(client):
    # P-23.1: 8 bytes is enough (multi-byte characters count in bytes)
    assert client.push(job("12345678")) == b"+OK\r\n"
    assert client.push(job("\u00e9\u00e9\u00e9\u00e9")) == b"+OK\r\n"  # 4 chars, 8 bytes


@pytest.mark.parametrize(
    "payload",
    [
        {"jid": "jid-jobtype-1", "args": []},
        {"jid": "jid-jobtype-2", "jobtype": "", "args": []},
        {"jid": "jid-jobtype-3", "jobtype": None, "args": []},
    ],
)
def test_empty_jobtype_rejected(client, payload):
    # T-42, P-23.2
    assert client.push(payload) == b"-ERR jobs must have a jobtype parameter\r\n"
    assert queue_sizes(client) == {}


@pytest.mark.parametrize("payload", [{"jid": "jid-no-args", "jobtype": "T"},
                                     {"jid": "jid-null-args", "jobtype": "T", "args": None}])
def test_missing_or_null_args_rejected(client, payload):
    # T-42, P-23.3
    assert client.push(payload) == b"-ERR jobs must have an args parameter\r\n"
    assert queue_sizes(client) == {}


def test_reserve_for_over_one_day_rejected(client):
    # T-120, P-23.4
    reply = client.push(job(new_jid(), reserve_for=86401))
    assert reply == b"-ERR jobs cannot be reserved for more than one day\r\n"
    assert client.push(job(new_jid(), reserve_for=86400)) == b"+OK\r\n"


def test_future_at_goes_to_scheduled_without_enqueued_at(client, server):
    # T-43, P-25
    jid = new_jid()
    at = rfc3339(300)
    assert client.push(job(jid, at=at)) == b"+OK\r\n"
    assert sets(client)["scheduled"] == 1
    assert queue_sizes(client) == {}
    [(stored, score)] = entries(server, SortedSet.SCHEDULED)
    assert stored["jid"] == jid and stored["at"] == at and "enqueued_at" not in stored
    assert abs(score - (time.time() + 300)) < 5


def test_past_at_is_enqueued_now_and_keeps_at(client):
    # T-44, P-26: `at` 1 s ago enqueues at once; the at field stays in the payload
    jid = new_jid()
    at = rfc3339(-1)
    assert client.push(job(jid, at=at)) == b"+OK\r\n"
    assert sets(client)["scheduled"] == 0
    fetched = fetch_one(client)
    assert fetched["jid"] == jid and fetched["at"] == at and "enqueued_at" in fetched


def test_at_with_offset_is_understood(client):
    # J-01: any RFC3339 offset parses; +02:00 in 5 minutes is still in the future
    moment = datetime.now(timezone(timedelta(hours=2))) + timedelta(minutes=5)
    assert client.push(job(new_jid(), at=moment.isoformat())) == b"+OK\r\n"
    assert sets(client)["scheduled"] == 1


def test_invalid_at_rejected(client):
    # T-45, P-23.6
    reply = client.push(job(new_jid(), at="invalid time"))
    assert reply.startswith(b"-ERR invalid timestamp for 'at': \"invalid time\": ")
    assert reply.endswith(b"\r\n") and reply.count(b"\r\n") == 1
    assert queue_sizes(client) == {} and sets(client)["scheduled"] == 0


@pytest.mark.parametrize("queue", ["bad name!", "default?page=1", "user@example.com", "c&c",
                                   "priority|high"])
def test_invalid_queue_name_rejected(client, queue):
    # T-117, T-76, P-26
    reply = client.push(job(new_jid(), queue=queue))
    assert reply == b"-ERR " + BAD_QUEUE.format(queue).encode() + b"\r\n"
    assert queue_sizes(client) == {}


def test_invalid_queue_name_with_future_at_is_accepted(client):
    # T-117, P-25 quirk: a scheduled job's queue is not checked at PUSH time
    assert client.push(job(new_jid(), queue="bad name!", at=rfc3339(300))) == b"+OK\r\n"
    assert sets(client)["scheduled"] == 1


@pytest.mark.parametrize("queue", ["A-Za-z0-9_.-", "-", "A", "a", "critical.v2"])
def test_valid_queue_names_accepted(client, queue):
    # T-76
    assert client.push(job(new_jid(), queue=queue)) == b"+OK\r\n"
    assert queue_sizes(client) == {queue: 1}


@pytest.mark.parametrize(
    "line",
    [b"PUSH {", b"PUSH not json", b"PUSH []", b"PUSH 12", b'PUSH "text"',
     b'PUSH {"jid":12345678,"jobtype":"T","args":[]}',
     b'PUSH {"jid":"jid-types","jobtype":"T","args":{}}',
     b'PUSH {"jid":"jid-types","jobtype":"T","args":[],"retry":"3"}',
     b'PUSH {"jid":"jid-types","jobtype":"T","args":[],"retry":true}',
     b'PUSH {"jid":"jid-types","jobtype":"T","args":[],"reserve_for":1.5}',
     b'PUSH {"jid":"jid-types","jobtype":"T","args":[],"custom":[]}',
     b'PUSH {"jid":"jid-types","jobtype":"T","args":[],"queue":7}'],
)
def test_invalid_json_or_type_mismatch(client, line):
    # P-22
    reply = client.call(line)
    assert reply.startswith(b"-ERR invalid JSON: "), reply
    assert queue_sizes(client) == {}


def test_retry_defaults_to_25_when_absent_or_null(client):
    # P-21, T-116: retry appears even if not sent
    assert client.push(job("jid-retry-absent")) == b"+OK\r\n"
    assert client.push(job("jid-retry-null", retry=None)) == b"+OK\r\n"
    assert client.push(job("jid-retry-zero", retry=0)) == b"+OK\r\n"
    assert [fetch_one(client)["retry"] for _ in range(3)] == [25, 25, 0]


def test_unknown_top_level_keys_vanish_and_custom_stays(client):
    # T-116, J-21, J-02: `priority` and `bid` at top level are dropped; custom carries extras
    payload = job(new_jid(), args=[1], priority=5, bid="b-1", custom={"y": "b-2", "x": [1]})
    assert client.push(payload) == b"+OK\r\n"
    fetched = fetch_one(client)
    assert "priority" not in fetched and "bid" not in fetched
    assert fetched["custom"] == {"y": "b-2", "x": [1]}
    assert fetched["retry"] == 25


def test_job_keys_match_case_insensitively(client):
    # J-21: "JID" and "JobType" are the jid and jobtype fields
    line = b'PUSH {"JID":"jid-case-fold","JobType":"Folded","Args":[1],"QUEUE":"q1"}'
    assert client.call(line) == b"+OK\r\n"
    fetched = fetch_one(client, "q1")
    assert (fetched["jid"], fetched["jobtype"], fetched["args"]) == ("jid-case-fold", "Folded", [1])


def test_fetched_job_is_normalized_compact_in_go_field_order(client):
    # J-20, P-46: the re-serialized job, compact, keys in Go struct order, empty fields omitted
    line = (b'PUSH {"args": [1, "a"], "backtrace": 4, "reserve_for": 120, "jobtype": "Ordered", '
            b'"created_at": "2026-01-02T03:04:05.5Z", "custom": {"k": 1}, "queue": "default", '
            b'"jid": "jid-ordering", "retry": 3, "at": ""}')
    assert client.call(line) == b"+OK\r\n"
    reply = client.call("FETCH default")
    body = reply.split(b"\r\n", 1)[1][:-2]
    assert b" " not in body
    keys = list(json.loads(body))
    assert keys == ["retry", "custom", "jid", "queue", "jobtype", "created_at", "enqueued_at",
                    "args", "reserve_for", "backtrace"]
    assert body.startswith(b'{"retry":3,"custom":{"k":1},"jid":"jid-ordering","queue":"default",'
                           b'"jobtype":"Ordered","created_at":"2026-01-02T03:04:05.5Z",'
                           b'"enqueued_at":"')
    assert body.endswith(b'","args":[1,"a"],"reserve_for":120,"backtrace":4}')
    assert reply.startswith(b"$%d\r\n" % len(body))


def test_client_created_at_is_kept(client):
    # §2.1: created_at may be supplied by the client
    assert client.push(job(new_jid(), created_at="2020-01-01T00:00:00Z")) == b"+OK\r\n"
    assert fetch_one(client)["created_at"] == "2020-01-01T00:00:00Z"


def test_numbers_pass_through_without_float_rounding(client):
    # J-20 (deliberate difference): Faktory rounds through float64 (2^53+1 -> 2^53, 1.0 -> 1);
    # we keep integers exact and floats as floats
    line = b'PUSH {"jid":"jid-numbers","jobtype":"N","args":[9007199254740993,1.0,-0.5,1e21]}'
    assert client.call(line) == b"+OK\r\n"
    reply = client.call("FETCH default")
    assert b'"args":[9007199254740993,1.0,-0.5,1e+21]' in reply


def test_html_characters_are_not_escaped(client):
    # J-20 (deliberate difference): Go writes <>& as \u003c etc.; we keep them as is
    assert client.push(job("jid-html-chars", args=["<b>&</b>"])) == b"+OK\r\n"
    assert b'"args":["<b>&</b>"]' in client.call("FETCH default")


def test_duplicate_jids_are_both_enqueued(client):
    # P-27
    assert client.push(job("jid-duplicate", args=[1])) == b"+OK\r\n"
    assert client.push(job("jid-duplicate", args=[2])) == b"+OK\r\n"
    assert queue_sizes(client) == {"default": 2}
    assert [fetch_one(client)["args"] for _ in range(2)] == [[1], [2]]


def test_push_without_argument_is_a_clear_error(client):
    # P-06 (deliberate difference): Faktory answers `-ERR internal error`
    assert client.call("PUSH") == (
        b'-ERR PUSH needs a job: PUSH {"jid":...,"jobtype":...,"args":[...]}\r\n'
    )
    assert client.call("PUSHB") == b"-ERR PUSHB needs an array of jobs: PUSHB [{...},{...}]\r\n"
    assert client.push(job(new_jid())) == b"+OK\r\n"


def test_pushb_all_valid_returns_empty_object_in_order(client):
    # T-15, P-31, P-32: `$2\r\n{}\r\n`, the queue holds all ten, in array order
    jids = [f"jid-pushb-{i:03d}" for i in range(10)]
    reply = client.call(b"PUSHB " + compact([job(j, args=[i]) for i, j in enumerate(jids)]))
    assert reply == b"$2\r\n{}\r\n"
    assert queue_sizes(client) == {"default": 10}
    assert [fetch_one(client)["jid"] for _ in jids] == jids


def test_pushb_reports_the_invalid_job_by_jid(client):
    # T-15, P-32: exact bytes for a 16-char jid; the valid jobs are pushed anyway
    bad = "abcdefghijklmnop"
    batch = [job("jid-pushb-ok-1"), {"jid": bad, "args": []}, job("jid-pushb-ok-2")]
    reply = client.call(b"PUSHB " + compact(batch))
    assert reply == b'$57\r\n{"' + bad.encode() + b'":"jobs must have a jobtype parameter"}\r\n'
    assert queue_sizes(client) == {"default": 2}


def test_pushb_collapses_errors_with_the_same_jid(client):
    # P-32: two failures with an empty jid share one key
    batch = [{"jobtype": "T", "args": []}, {"jid": "", "args": []}, job("jid-pushb-ok-3")]
    reply = client.call(b"PUSHB " + compact(batch))
    result = json.loads(reply.split(b"\r\n", 1)[1])
    assert result == {"": "jobs must have a reasonable jid parameter"}
    assert queue_sizes(client) == {"default": 1}


def test_pushb_scheduled_and_bad_queue_mix(client):
    # P-31: each element goes through PUSH's path
    batch = [job("jid-pushb-sched", at=rfc3339(300)), job("jid-pushb-badq", queue="no way")]
    result = json.loads(client.call(b"PUSHB " + compact(batch)).split(b"\r\n", 1)[1])
    assert result == {"jid-pushb-badq": BAD_QUEUE.format("no way")}
    assert sets(client)["scheduled"] == 1


@pytest.mark.parametrize("line", [b"PUSHB [", b"PUSHB {}", b'PUSHB {"jid":"x"}', b"PUSHB nope"])
def test_pushb_invalid_json_pushes_nothing(client, line):
    # P-30
    reply = client.call(line)
    assert reply.startswith(b"-ERR invalid JSON: "), reply
    assert queue_sizes(client) == {}


@pytest.mark.parametrize("bad", [1, "job", [], {"jid": "jid-typed", "jobtype": "T", "args": [],
                                                "retry": "3"}])
def test_pushb_element_of_wrong_type_fails_the_whole_batch(client, bad):
    # P-30: Faktory decodes the whole array first, so a type mismatch anywhere pushes nothing
    reply = client.call(b"PUSHB " + compact([job("jid-pushb-typed-ok"), bad]))
    assert reply.startswith(b"-ERR invalid JSON: "), reply
    assert queue_sizes(client) == {}


def test_pushb_empty_array(client):
    # P-32
    assert client.call(b"PUSHB []") == b"$2\r\n{}\r\n"


# Bytes that are not UTF-8 inside JSON strings: Go's decoder, and so Faktory 1.10, puts U+FFFD
# in place of each invalid byte (utf8.DecodeRune's one-byte steps), so a cut 3-byte sequence
# gives two of them.
NOT_UTF8 = [
    (b"caf\xe9", "caf\ufffd"),                  # Latin-1 e-acute
    (b"\xe2\x82!", "\ufffd\ufffd!"),            # a euro sign cut short
    (b"\xed\xa0\x80", "\ufffd" * 3),            # a UTF-16 surrogate encoded as UTF-8
    (b"\xc0\xaf", "\ufffd\ufffd"),              # an overlong '/'
    (b"ok \xe2\x82\xac \xff", "ok \u20ac \ufffd"),  # valid multi-byte text is kept
]


@pytest.mark.parametrize(("raw", "stored"), NOT_UTF8)
def test_push_with_bytes_not_utf8_stores_replacement_characters(client, raw, stored):
    line = b'PUSH {"jid":"jid-not-utf8","jobtype":"T\xff","args":["' + raw + b'"],' \
           b'"custom":{"k\xfe":"' + raw + b'"}}'
    assert client.call(line) == b"+OK\r\n"
    fetched = fetch_one(client)
    assert fetched["args"] == [stored] and fetched["jobtype"] == "T\ufffd"
    assert fetched["custom"] == {"k\ufffd": stored}


def test_pushb_with_bytes_not_utf8_pushes_every_job(client):
    batch = b'PUSHB [{"jid":"jid-not-utf8-1","jobtype":"T","args":["\xe9"]},' \
            b'{"jid":"jid-not-utf8-2","jobtype":"T","args":["\xe2\x82"]}]'
    assert client.call(batch) == b"$2\r\n{}\r\n"
    assert [fetch_one(client)["args"] for _ in range(2)] == [["\ufffd"], ["\ufffd\ufffd"]]


def test_bytes_not_utf8_outside_a_string_are_still_invalid_json(client):
    reply = client.call(b'PUSH {"jid":"jid-not-utf8","jobtype":"T","args":[\xff]}')
    assert reply.startswith(b"-ERR invalid JSON: "), reply
    assert queue_sizes(client) == {}


def test_fail_with_an_error_message_not_utf8_is_recorded_with_replacements(client, server):
    # A worker's exception message can hold any bytes; Faktory stores U+FFFD for the bad ones.
    assert client.push(job("jid-fail-not-utf8")) == b"+OK\r\n"
    fetch_one(client)
    reply = client.call(b'FAIL {"jid":"jid-fail-not-utf8","errtype":"E\xff",'
                        b'"message":"no such file: caf\xe9.txt"}')
    assert reply == b"+OK\r\n"
    [(retry, _score)] = entries(server, SortedSet.RETRIES)
    assert retry["failure"]["errtype"] == "E\ufffd"
    assert retry["failure"]["message"] == "no such file: caf\ufffd.txt"
