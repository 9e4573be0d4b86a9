"""The read-model API against a real server: paging, search, and actions on entries."""

from __future__ import annotations

import json

import pytest

from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.core.job import JobError
from faktory_desktop.core.records import DEAD, RETRIES, SCHEDULED, JobFilter, Source
from faktory_desktop.core.workers import WorkerState
from tests.conftest import new_jid
from tests.fwp import job


@pytest.fixture
def api(server):
    core_api = FaktoryAPI(server.runtime.core)

    def call(method: str, *args, **kwargs):
        return server.submit(getattr(core_api, method)(*args, **kwargs)).result(30)

    call.api = core_api  # type: ignore[attr-defined]
    return call


def _collect(server, agen):
    async def run():
        return [r async for r in agen]

    return server.submit(run()).result(30)


def _fail_into_retries(client, jobtype: str, args: list, retry: int = 25) -> str:
    jid = new_jid()
    client.push(job(jid, jobtype, args=args, retry=retry, queue="work"))
    assert json.loads(client.call("FETCH work").split(b"\r\n")[1])["jid"] == jid
    reply = client.call(f'FAIL {{"jid":"{jid}","errtype":"KeyError","message":"no {args}"}}')
    assert reply == b"+OK\r\n"
    return jid


def test_queue_page_is_newest_first_and_sized(api, client):
    jids = [new_jid() for _ in range(30)]
    for jid in jids:
        client.push(job(jid, queue="mail"))
    page = api("page", Source.of_queue("mail"), 0, 10)
    assert page.total == 30
    assert [r.jid for r in page.records] == list(reversed(jids))[:10]
    last = api("page", Source.of_queue("mail"), 25, 10)
    assert [r.jid for r in last.records] == list(reversed(jids))[25:]


def test_scheduled_page_orders_by_time(api, client):
    ats = ["2099-01-03T00:00:00Z", "2099-01-01T00:00:00Z", "2099-01-02T00:00:00Z"]
    for at in ats:
        client.push(job(new_jid(), at=at))
    page = api("page", SCHEDULED, 0, 10)
    assert [r.job["at"] for r in page.records] == sorted(ats)
    assert page.records[0].key.startswith("2099-01-01T00:00:00Z|")


def test_search_filters_by_jobtype_jid_and_text(api, client, server):
    wanted = _fail_into_retries(client, "Mailer", ["alice@example.com"])
    _fail_into_retries(client, "Mailer", ["bob@example.com"])
    _fail_into_retries(client, "Billing", ["alice@example.com"])
    core_api = api.api
    by_text = _collect(server, core_api.search(RETRIES, JobFilter(text="ALICE")))
    assert len(by_text) == 2
    both = _collect(server, core_api.search(RETRIES, JobFilter(jobtype="Mailer", text="alice")))
    assert [r.jid for r in both] == [wanted]
    by_jid = _collect(server, core_api.search(RETRIES, JobFilter(jid=wanted)))
    assert [r.jid for r in by_jid] == [wanted]
    by_error = _collect(server, core_api.search(RETRIES, JobFilter(text="no ['bob")))
    assert len(by_error) == 1


def test_retry_now_moves_to_queue_with_fresh_enqueued_at(api, client):
    jid = _fail_into_retries(client, "Flaky", [1])
    record = api("page", RETRIES, 0, 10).records[0]
    assert api("retry_now", [record]) == 1
    assert api("size", RETRIES) == 0
    queued = api("page", Source.of_queue("work"), 0, 10).records[0]
    assert queued.jid == jid
    assert queued.job["enqueued_at"] != record.job["enqueued_at"]
    assert queued.failure["retry_count"] == 0  # the failure record travels with it


def test_kill_and_delete_act_only_on_entries_still_there(api, client):
    _fail_into_retries(client, "A", [1])
    _fail_into_retries(client, "B", [2])
    records = api("page", RETRIES, 0, 10).records
    assert api("kill", records[:1]) == 1
    assert api("kill", records[:1]) == 0  # already moved: skipped, not duplicated
    assert api("size", DEAD) == 1
    assert api("delete", records[1:]) == 1
    assert api("size", RETRIES) == 0


def test_save_edits_job_in_place_and_keeps_score(api, client):
    _fail_into_retries(client, "Resize", [640])
    record = api("page", RETRIES, 0, 10).records[0]
    edited = {**record.job, "args": [1024], "queue": "images"}
    saved = api("save", record, edited)
    stored = api("page", RETRIES, 0, 10).records
    assert len(stored) == 1 and stored[0].args == [1024] and stored[0].queue == "images"
    assert stored[0].score == record.score and saved.payload == stored[0].payload
    assert stored[0].failure == record.failure


def test_invalid_edit_saves_nothing(api, client):
    _fail_into_retries(client, "Resize", [640])
    record = api("page", RETRIES, 0, 10).records[0]
    with pytest.raises(JobError, match="jobtype"):
        api("save", record, {**record.job, "jobtype": ""})
    with pytest.raises(JobError, match="queue names must match"):
        api("save", record, {**record.job, "queue": "no spaces"})
    assert api("page", RETRIES, 0, 10).records[0].payload == record.payload


def test_edit_of_a_job_that_moved_is_refused(api, client):
    _fail_into_retries(client, "Gone", [1])
    record = api("page", RETRIES, 0, 10).records[0]
    api("delete", [record])
    with pytest.raises(JobError, match="no longer"):
        api("save", record, {**record.job, "args": [2]})
    assert api("size", RETRIES) == 0


def test_stats_history_and_queues(api, client):
    client.push(job(new_jid(), queue="alpha"))
    _fail_into_retries(client, "X", [1])
    client.call("QUEUE PAUSE alpha")
    stats = api("stats")
    assert (stats.processed, stats.failed, stats.enqueued, stats.retries) == (1, 1, 1, 1)
    history = api("history", 7)
    assert len(history) == 7 and history[-1][1:] == (1, 1)
    queues = {q.name: q for q in api("queues")}
    assert queues["alpha"].paused and queues["alpha"].size == 1 and queues["alpha"].latency_s >= 0


def test_workers_and_quiet_signal(api, connect):
    worker = connect(wid="w-api-1", hostname="box", pid=42, labels=["py"])
    summary = api("workers")
    assert [(w.wid, w.hostname, w.pid, w.labels) for w in summary] == [
        ("w-api-1", "box", 42, ("py",))]
    api("signal_workers", WorkerState.QUIET, "w-api-1")
    assert worker.call('BEAT {"wid":"w-api-1"}') == b'$17\r\n{"state":"quiet"}\r\n'


def test_find_job_looks_in_queues_and_sets(api, client):
    queued, scheduled = new_jid(), new_jid()
    client.push(job(queued, queue="q1"))
    client.push(job(scheduled, at="2099-01-01T00:00:00Z"))
    assert api("find_job", queued).source == Source.of_queue("q1")
    assert api("find_job", scheduled).source == SCHEDULED
    assert api("find_job", "nope-nope-nope") is None
