"""The read model behind the job browsers, without Qt: ordered paging, counted searches, and
bulk actions that touch exactly the matching entries."""

from __future__ import annotations

import json
import threading

import pytest

from faktory_desktop.core import transfer
from faktory_desktop.core.api import Action, FaktoryAPI
from faktory_desktop.core.records import DEAD, RETRIES, SCHEDULED, JobFilter, Source
from tests.conftest import new_jid
from tests.fwp import job


@pytest.fixture
def api(server):
    core_api = FaktoryAPI(server.runtime.core)

    def call(method: str, *args, **kwargs):
        return server.submit(getattr(core_api, method)(*args, **kwargs)).result(60)

    return call


def _fail(client, jobtype: str, args: list, message: str = "boom") -> str:
    jid = new_jid()
    client.push(job(jid, jobtype, args=args, queue="work"))
    assert json.loads(client.call("FETCH work").split(b"\r\n")[1])["jid"] == jid
    fail = {"jid": jid, "errtype": "RuntimeError", "message": message}
    assert client.call("FAIL " + json.dumps(fail)) == b"+OK\r\n"
    return jid


def _push_batch(client, jobs: list[dict]) -> None:
    assert client.call(b"PUSHB " + json.dumps(jobs).encode()).startswith(b"$")


def test_pages_in_both_orders(api, client):
    jids = [new_jid() for _ in range(25)]
    _push_batch(client, [job(j, queue="q") for j in jids])
    _push_batch(client, [job(new_jid(), at=f"2099-01-01T00:00:{i:02d}Z") for i in range(25)])
    q = Source.of_queue("q")
    assert [r.jid for r in api("page", q, 0, 10).records] == jids[::-1][:10]
    assert [r.jid for r in api("page", q, 0, 10, True).records] == jids[:10]
    assert [r.jid for r in api("page", q, 20, 10, True).records] == jids[20:]
    ats = [r.job["at"] for r in api("page", SCHEDULED, 0, 25, True).records]
    assert ats == sorted(ats, reverse=True) and len(ats) == 25


def test_find_matches_counts_all_and_keeps_the_first_in_time_order(api, client):
    _push_batch(client, [job(new_jid(), "Mail" if i % 2 else "Bill",
                             at=f"2099-01-01T00:{i // 60:02d}:{i % 60:02d}Z") for i in range(300)])
    found = api("find_matches", SCHEDULED, JobFilter(jobtype="Mail"), 20)
    assert found.count == 150 and found.complete and len(found.records) == 20
    ats = [r.job["at"] for r in found.records]
    assert ats == sorted(ats) and ats[0] == "2099-01-01T00:00:01Z"
    latest = api("find_matches", SCHEDULED, JobFilter(jobtype="Mail"), 5, reverse=True)
    assert [r.job["at"] for r in latest.records][0] == "2099-01-01T00:04:59Z"


def test_text_filter_with_json_escapes_and_case(api, client):
    _fail(client, "T", ['say "hi"'], message="Ünïcode BOOM")
    _fail(client, "T", ["plain"], message="other")
    # text is found as typed, quotes included, and in the JSON form too (records.JobFilter)
    assert api("find_matches", RETRIES, JobFilter(text='say "HI"'), 10).count == 1
    assert api("find_matches", RETRIES, JobFilter(text='say \\"HI'), 10).count == 1
    assert api("find_matches", RETRIES, JobFilter(text='["plain"]'), 10).count == 1
    assert api("find_matches", RETRIES, JobFilter(text="ünïcode boom"), 10).count == 1
    assert api("find_matches", RETRIES, JobFilter(text="PLAIN"), 10).count == 1
    assert api("find_matches", RETRIES, JobFilter(text="RuntimeError: other"), 10).count == 1


def test_prefilter_never_drops_a_match():
    keep = transfer.prefilter(JobFilter(jobtype="A", text="x.y"))
    assert keep(b'{"jid":"j","jobtype":"A","args":["X.Y"]}')
    assert not keep(b'{"jid":"j","jobtype":"AB","args":["x.y"]}')
    assert not keep(b'{"jid":"j","jobtype":"A","args":["xy"]}')
    assert keep(b'{"jid":"j","jobtype":"A","args":["\xc3\xa9"]}')  # non-ASCII: decided later


def test_bulk_kill_by_filter_moves_exactly_the_matches(api, client):
    mails = {_fail(client, "Mail", [i]) for i in range(130)}
    others = {_fail(client, "Bill", [i]) for i in range(20)}
    seen = []
    result = api("act_on_matches", Action.KILL, RETRIES, JobFilter(jobtype="Mail"),
                 lambda matched, done: seen.append((matched, done)))
    assert (result.matched, result.done, result.complete) == (130, 130, True)
    assert seen and seen[-1][0] <= 130
    assert {r.jid for r in api("page", DEAD, 0, 500).records} == mails
    assert {r.jid for r in api("page", RETRIES, 0, 500).records} == others


def test_bulk_requeue_keeps_bytes_and_retry_now_refreshes(api, client):
    jid = _fail(client, "Mail", [1])
    _fail(client, "Bill", [2])
    before = api("find_matches", RETRIES, JobFilter(jid=jid), 1).records[0]
    result = api("act_on_matches", Action.REQUEUE, RETRIES, JobFilter(jid=jid))
    assert result.done == 1
    queued = api("page", Source.of_queue("work"), 0, 10).records
    assert [r.payload for r in queued] == [before.payload]
    assert api("size", RETRIES) == 1


def test_delete_from_queue_by_text_spans_pages(api, client):
    _push_batch(client, [job(new_jid(), args=["keep" if i % 3 else "drop"], queue="big")
                         for i in range(1200)])
    q = Source.of_queue("big")
    result = api("act_on_matches", Action.DELETE, q, JobFilter(text="drop"))
    assert (result.matched, result.done) == (400, 400)
    assert api("size", q) == 800
    assert api("find_matches", q, JobFilter(text="drop"), 1).count == 0


def test_delete_everything_without_a_filter_keeps_the_queue(api, client):
    _push_batch(client, [job(new_jid(), queue="gone") for _ in range(10)])
    result = api("act_on_matches", Action.DELETE, Source.of_queue("gone"), JobFilter())
    assert result.done == 10 and "gone" in [q.name for q in api("queues")]


def test_a_cancelled_scan_stops_early(server, client):
    _push_batch(client, [job(new_jid(), queue="c") for _ in range(2000)])
    core_api = FaktoryAPI(server.runtime.core)
    core_api.search_chunk = 500
    cancel = threading.Event()
    cancel.set()
    found = server.submit(core_api.find_matches(
        Source.of_queue("c"), JobFilter(jobtype="SomeJob"), 10, cancel=cancel)).result(60)
    assert not found.complete and found.count == 500  # one chunk, then the scan stopped


def test_actions_that_do_not_apply_are_refused(api):
    with pytest.raises(ValueError):
        api("act_on_matches", Action.KILL, DEAD, JobFilter())
    with pytest.raises(ValueError):
        api("act_on_matches", Action.RETRY_NOW, Source.of_queue("q"), JobFilter())
