"""JSON Lines export and import (core.transfer) against a real server: round trips, order,
validation with a report of each rejected line, and cancellation."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from faktory_desktop.core import transfer
from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.core.records import BUSY, DEAD, RETRIES, SCHEDULED, JobFilter, Source
from tests.conftest import new_jid
from tests.fwp import job


@pytest.fixture
def api(server):
    return FaktoryAPI(server.runtime.core)


@pytest.fixture
def call(server):
    return lambda coro: server.submit(coro).result(60)


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


def _all(call, api, source) -> list:
    return call(api.page(source, 0, 10_000)).records


def _fail(client, jobtype: str, args: list) -> None:
    jid = new_jid()
    client.push(job(jid, jobtype, args=args, queue="work"))
    client.call("FETCH work")
    client.call("FAIL " + json.dumps({"jid": jid, "errtype": "E", "message": f"no {args}"}))


def test_queue_round_trip_is_byte_equal_and_keeps_the_order(api, call, client, tmp_path):
    client.call(b"PUSHB " + json.dumps([job(new_jid(), f"T{i % 3}", args=[i, {"k": "v"}],
                                            queue="mail") for i in range(700)]).encode())
    mail = Source.of_queue("mail")
    before = [r.payload for r in _all(call, api, mail)]
    path = tmp_path / "mail.jsonl"
    assert call(transfer.export_jsonl(api, mail, JobFilter(), path)) == 700
    assert _lines(path) == before  # newest first, as the browser shows it
    call(api.empty_queue("mail"))
    report = call(transfer.import_jsonl(api, mail, transfer.read_lines(path)))
    assert (report.added, report.rejected_total, report.complete) == (700, 0, True)
    assert [r.payload for r in _all(call, api, mail)] == before


@pytest.mark.parametrize("target", [RETRIES, SCHEDULED, DEAD])
def test_set_round_trip_keeps_payloads_and_times(api, call, client, tmp_path, target):
    for i in range(30):
        if target is RETRIES:
            _fail(client, "Mail" if i % 2 else "Bill", [i])
        else:
            client.push(job(new_jid(), args=[i], at=f"2099-01-01T00:00:{i:02d}Z"))
    if target is DEAD:
        call(api.kill(_all(call, api, SCHEDULED)))
    before = {r.payload: r.score for r in _all(call, api, target)}
    path = tmp_path / "set.jsonl"
    assert call(transfer.export_jsonl(api, target, JobFilter(), path)) == 30
    call(api.clear_set(target))
    report = call(transfer.import_jsonl(api, target, transfer.read_lines(path)))
    assert report.added == 30 and not report.rejected
    after = {r.payload: r.score for r in _all(call, api, target)}
    assert set(after) == set(before)
    if target is not DEAD:  # the dead get a fresh 180 days
        assert after == pytest.approx(before)


def test_export_of_a_filter_writes_only_the_matches(api, call, client, tmp_path):
    for i in range(12):
        _fail(client, "Mail" if i % 3 == 0 else "Bill", [f"user{i}"])
    path = tmp_path / "mail.jsonl"
    assert call(transfer.export_jsonl(api, RETRIES, JobFilter(jobtype="Mail"), path)) == 4
    assert all(json.loads(line)["jobtype"] == "Mail" for line in _lines(path))


def test_rejected_lines_are_reported_with_numbers_and_reasons(api, call, tmp_path):
    good = json.dumps(job("abcdefgh01", args=[1]))
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([
        good,
        "{not json",
        json.dumps({"jid": "short", "jobtype": "T", "args": []}),
        "",
        json.dumps({"jid": "abcdefgh02", "args": []}),
        json.dumps(["an", "array"]),
        json.dumps(job("abcdefgh03", args=[3], reserve_for=90000)),
        json.dumps(job("abcdefgh04", args=[4])),
    ]) + "\n")
    report = call(transfer.import_jsonl(api, Source.of_queue("in"), transfer.read_lines(path)))
    assert report.added == 2
    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == [2, 3, 5, 6, 7]  # the blank line 4 is skipped, not rejected
    assert reasons[2].startswith("invalid JSON")
    assert reasons[3] == "jobs must have a reasonable jid parameter"
    assert reasons[5] == "jobs must have a jobtype parameter"
    assert "JSON object" in reasons[6]
    assert reasons[7] == "jobs cannot be reserved for more than one day"
    queued = _all(call, api, Source.of_queue("in"))
    assert [r.jid for r in queued] == ["abcdefgh01", "abcdefgh04"]  # in file order, head first
    assert {r.queue for r in queued} == {"in"}  # the target queue wins over the line's


def test_set_imports_need_their_time(api, call, tmp_path):
    path = tmp_path / "no_time.jsonl"
    path.write_text(json.dumps(job("abcdefgh05", args=[])) + "\n")
    scheduled = call(transfer.import_jsonl(api, SCHEDULED, transfer.read_lines(path)))
    retries = call(transfer.import_jsonl(api, RETRIES, transfer.read_lines(path)))
    assert scheduled.rejected[0].reason == "a scheduled job needs an 'at' time"
    assert retries.rejected[0].reason == "a retry needs failure.next_at"
    with pytest.raises(ValueError):
        call(transfer.import_jsonl(api, BUSY, transfer.read_lines(path)))


def test_a_cancelled_export_leaves_no_file(api, call, client, tmp_path):
    client.call(b"PUSHB " + json.dumps([job(new_jid(), queue="c") for _ in range(1500)]).encode())
    cancel = threading.Event()
    cancel.set()
    path = tmp_path / "c.jsonl"
    assert call(transfer.export_jsonl(api, Source.of_queue("c"), JobFilter(), path,
                                      cancel=cancel)) == -1
    assert not path.exists() and not list(tmp_path.glob("*.part"))
