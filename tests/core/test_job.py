"""Job validation and normalization (spec P-21..P-26, J-20, J-21)."""

from __future__ import annotations

import json

import pytest

from faktory_desktop.core.job import JobError, canonical, prepare, reenqueue
from faktory_desktop.core.timefmt import NS, format_ns, parse_ns

NOW = parse_ns("2026-07-01T10:00:00.5Z")


def _prepare(**fields):
    return prepare(json.dumps(fields).encode(), NOW)


@pytest.mark.parametrize(("fields", "message"), [
    ({"jid": "short", "jobtype": "A", "args": []}, "jobs must have a reasonable jid parameter"),
    ({"jid": "12345678", "jobtype": "", "args": []}, "jobs must have a jobtype parameter"),
    ({"jid": "12345678", "jobtype": "A"}, "jobs must have an args parameter"),
    ({"jid": "12345678", "jobtype": "A", "args": None}, "jobs must have an args parameter"),
    ({"jid": "12345678", "jobtype": "A", "args": [], "reserve_for": 86401},
     "jobs cannot be reserved for more than one day"),
])
def test_validation_messages_match_faktory(fields, message):
    with pytest.raises(JobError) as err:
        _prepare(**fields)
    assert str(err.value) == message


def test_validation_order_reports_jid_before_jobtype():  # P-23 order
    with pytest.raises(JobError, match="jid"):
        _prepare(jid="", jobtype="", args=None)


def test_canonical_field_order_defaults_and_dropped_keys():  # J-20, J-21
    job = _prepare(args=[1], JobType="Thing", jid="12345678", priority=5, reserve_for=0,
                   custom={"a": 1}, backtrace=0)
    assert job.payload == (
        b'{"retry":25,"custom":{"a":1},"jid":"12345678","queue":"default","jobtype":"Thing",'
        b'"created_at":"2026-07-01T10:00:00.5Z","enqueued_at":"2026-07-01T10:00:00.5Z",'
        b'"args":[1]}'
    )


def test_null_retry_becomes_25_and_zero_retry_stays():  # P-21
    assert json.loads(_prepare(jid="12345678", jobtype="A", args=[], retry=None).payload)[
        "retry"] == 25
    assert json.loads(_prepare(jid="12345678", jobtype="A", args=[], retry=0).payload)[
        "retry"] == 0


def test_future_at_schedules_without_enqueued_at_and_skips_queue_check():  # P-25
    job = _prepare(jid="12345678", jobtype="A", args=[], at="2026-07-01T12:00:01+02:00",
                   queue="bad name!")
    assert job.at_ns == parse_ns("2026-07-01T10:00:00Z") + NS
    assert b"enqueued_at" not in job.payload


def test_past_at_enqueues_now():  # T-44
    job = _prepare(jid="12345678", jobtype="A", args=[], at="2026-07-01T09:59:59Z")
    assert job.at_ns is None and b'"enqueued_at"' in job.payload


def test_invalid_at_is_rejected_with_the_value():  # P-23 6
    with pytest.raises(JobError, match='invalid timestamp for \'at\': "soon"'):
        _prepare(jid="12345678", jobtype="A", args=[], at="soon")


@pytest.mark.parametrize("name", ["default?page=1", "user@example.com", "c&c", "priority|high"])
def test_invalid_queue_names_are_rejected(name):  # T-76
    with pytest.raises(JobError, match=r'cannot get ".*" queue: queue names must match'):
        _prepare(jid="12345678", jobtype="A", args=[], queue=name)


@pytest.mark.parametrize("field", ["jid", "jobtype", "queue"])
def test_type_mismatch_is_invalid_json(field):  # P-22
    fields = {"jid": "12345678", "jobtype": "A", "args": [], field: 7}
    with pytest.raises(JobError, match=f"invalid JSON: field {field}"):
        _prepare(**fields)


def test_big_integers_keep_their_precision():  # a deliberate difference from Go's float64
    job = _prepare(jid="12345678", jobtype="A", args=[2**60 + 1])
    assert json.loads(job.payload)["args"] == [2**60 + 1]


def test_reenqueue_refreshes_enqueued_at_only():
    payload = _prepare(jid="12345678", jobtype="A", args=[1], queue="q").payload
    later = NOW + 7 * NS
    queue, again = reenqueue(payload, later)
    assert queue == "q"
    before, after = json.loads(payload), json.loads(again)
    assert after.pop("enqueued_at") == format_ns(later)
    before.pop("enqueued_at")
    assert before == after


def test_canonical_keeps_failure_in_faktory_order():
    job = {"jid": "12345678", "jobtype": "A", "args": [], "retry": 3,
           "failure": {"message": "m", "errtype": "E", "retry_count": 0, "remaining": 3,
                       "failed_at": "x", "backtrace": []}}
    assert canonical(job).startswith(
        b'{"retry":3,"failure":{"retry_count":0,"remaining":3,"failed_at":"x","message":"m",'
        b'"errtype":"E"},"jid"')
