"""Every form action of spec 7.4 over HTTP, and its effect on the engine; plus the filtered bulk
actions beyond Faktory's Web UI."""

from __future__ import annotations

from collections.abc import Callable

from faktory_desktop.core.records import DEAD, RETRIES, SCHEDULED, Kind, Source
from faktory_desktop.core.workers import WorkerState
from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.web.views import bkey
from tests.fwp import RawClient
from tests.integration.wire import core, info, run
from tests.web.web_support import Http, failed, jids, keys, push, rows, scheduled

SAME = {"sec_fetch_site": "same-origin"}
DEFAULT = Source.of_queue("default")


def raw_queue(server: ServerThread, name: str) -> list[bytes]:
    return run(server, core(server).store.queue_range(name, 0, -1))


def test_queue_pause_resume_and_clear(web_server: ServerThread, http: Http,
                                      client: RawClient) -> None:
    push(client, "default")
    reply = http.post("/queues/default", {"action": "pause"}, **SAME)
    assert (reply.status, reply.location) == (302, "/queues")
    assert "default" in core(web_server).manager.paused
    assert "badge paused" in http.get("/queues").body
    http.post("/queues/default", {"action": "resume"}, **SAME)
    assert "default" not in core(web_server).manager.paused
    reply = http.post("/queues/default", {"action": "delete"}, **SAME)
    assert (reply.status, reply.location) == (302, "/queues?done=clear&n=0")
    assert info(client)["faktory"]["queues"] == {}  # jobs gone, queue forgotten (Faktory)


def test_queue_delete_selected_removes_exactly_those(web_server: ServerThread, http: Http,
                                                     client: RawClient) -> None:
    a, b, c = (push(client, "default", args=[n]) for n in range(3))
    payloads = {p: p for p in raw_queue(web_server, "default")}
    chosen = [bkey(p) for p in payloads if a.encode() in p or c.encode() in p]
    reply = http.post("/queues/default", [("bkey", k) for k in chosen], **SAME)
    assert (reply.status, reply.location) == (302, "/queues/default?done=delete&n=2")
    assert jids(web_server, DEFAULT) == {b}
    assert "2 jobs deleted." in http.get(reply.location).body


def test_queue_delete_with_nothing_selected_changes_nothing(web_server: ServerThread,
                                                            http: Http,
                                                            client: RawClient) -> None:
    """Faktory cleared the whole queue here (spec 7.4 quirk)."""
    jid = push(client, "default")
    reply = http.post("/queues/default", {}, **SAME)
    assert reply.location == "/queues/default?done=none&n=0"
    assert jids(web_server, DEFAULT) == {jid}
    assert "Nothing was selected" in http.get(reply.location).body


def test_queue_bad_bkey_and_action(http: Http, client: RawClient) -> None:
    push(client, "default")
    assert http.post("/queues/default", {"bkey": "!!!"}, **SAME).status == 400
    reply = http.post("/queues/default", {"action": "explode"}, **SAME)
    assert (reply.status, reply.body) == (400, "invalid action: explode")


def test_queue_filter_and_delete_all_matches(web_server: ServerThread, http: Http,
                                             client: RawClient) -> None:
    keep = [push(client, "default", jobtype="Keep") for _ in range(3)]
    for _ in range(4):
        push(client, "default", jobtype="Drop")
    html = http.get("/queues/default?jobtype=Drop").body
    assert "4 matches" in html and "Delete all 4 matches" in html
    reply = http.post("/queues/default", {"action": "delete_matches", "jobtype": "Drop"}, **SAME)
    assert reply.location == "/queues/default?jobtype=Drop&done=delete&n=4"
    assert jids(web_server, DEFAULT) == set(keep)


def test_retry_now_selected(web_server: ServerThread, http: Http, client: RawClient) -> None:
    a, b = failed(client), failed(client)
    key = keys(web_server, Kind.RETRIES)[a]
    reply = http.post("/retries", {"action": "retry", "key": key}, **SAME)
    assert (reply.status, reply.location) == (302, "/retries?done=retry&n=1")
    assert jids(web_server, RETRIES) == {b}
    assert jids(web_server, Source.of_queue("failing")) == {a}


def test_set_actions_on_all(web_server: ServerThread, http: Http, client: RawClient) -> None:
    for _ in range(3):
        failed(client)
    reply = http.post("/retries", {"action": "kill", "key": "all"}, **SAME)
    assert reply.location == "/retries?done=kill&n=3"  # kills: Faktory re-enqueued them all
    assert jids(web_server, RETRIES) == set()
    assert len(jids(web_server, DEAD)) == 3
    assert jids(web_server, Source.of_queue("failing")) == set()
    reply = http.post("/morgue", {"action": "retry", "key": "all"}, **SAME)
    assert reply.location == "/morgue?done=retry&n=3"
    assert len(jids(web_server, Source.of_queue("failing"))) == 3


def test_delete_all_and_delete_selected(web_server: ServerThread, http: Http,
                                        client: RawClient) -> None:
    gone, kept = failed(client, retry=-1), failed(client, retry=-1)
    key = keys(web_server, Kind.DEAD)[gone]
    http.post("/morgue", [("action", "delete"), ("key", key), ("key", "1999-01-01T00:00:00Z|x")],
              **SAME)
    assert jids(web_server, DEAD) == {kept}
    http.post("/morgue", {"action": "delete", "key": "all"}, **SAME)
    assert jids(web_server, DEAD) == set()


def test_scheduled_add_to_queue_and_kill(web_server: ServerThread, http: Http,
                                         client: RawClient) -> None:
    a, b = scheduled(client, queue="later"), scheduled(client, queue="later")
    table = keys(web_server, Kind.SCHEDULED)
    http.post("/scheduled", {"action": "add_to_queue", "key": table[a]}, **SAME)
    assert jids(web_server, Source.of_queue("later")) == {a}
    http.post(f"/scheduled/{table[b]}", {"action": "kill"}, **SAME)
    assert jids(web_server, SCHEDULED) == set()
    assert jids(web_server, DEAD) == {b}


def test_detail_page_actions(web_server: ServerThread, http: Http, client: RawClient) -> None:
    jid = failed(client)
    key = keys(web_server, Kind.RETRIES)[jid]
    reply = http.post(f"/retries/{key.replace('|', '%7C')}", {"action": "retry"}, **SAME)
    assert reply.location == "/retries?done=retry&n=1"
    assert jids(web_server, Source.of_queue("failing")) == {jid}


def test_dead_cannot_be_killed_and_unknown_actions_are_refused(web_server: ServerThread,
                                                               http: Http,
                                                               client: RawClient) -> None:
    jid = failed(client, retry=-1)
    key = keys(web_server, Kind.DEAD)[jid]
    reply = http.post("/morgue", {"action": "kill", "key": key}, **SAME)
    assert (reply.status, reply.body) == (400, "kill does not apply to dead")
    reply = http.post("/retries", {"action": "zap", "key": "all"}, **SAME)
    assert (reply.status, reply.body) == (400, "invalid action: zap")
    assert jids(web_server, DEAD) == {jid}


def test_filter_dead_and_act_on_all_matches(web_server: ServerThread, http: Http,
                                            client: RawClient) -> None:
    hits = {failed(client, retry=-1, jobtype="Mailer", args=["welcome"]) for _ in range(3)}
    others = {failed(client, retry=-1, jobtype="Billing") for _ in range(2)}
    html = http.get("/morgue?text=welcome").body
    assert "3 matches" in html and "Retry all 3 matches" in html
    reply = http.post("/morgue", {"action": "delete", "key": "all", "text": "welcome"}, **SAME)
    assert reply.location == "/morgue?text=welcome&done=delete&n=3"
    assert jids(web_server, DEAD) == others
    assert not hits & jids(web_server, DEAD)


def test_filter_pages_through_matches(http: Http, client: RawClient) -> None:
    for n in range(30):
        failed(client, jobtype="Many", args=[n])
    failed(client, jobtype="Few")
    assert "30 matches" in http.get("/retries?jobtype=Many").body
    page2 = http.get("/retries?jobtype=Many&page=2").body
    assert rows(page2) == 5
    assert "Few" not in http.get("/retries?jobtype=Many").body.split("<tbody>")[1]


def test_busy_signals_workers(web_server: ServerThread, http: Http,
                              connect: Callable[..., RawClient]) -> None:
    connect(wid="w-1")
    connect(wid="w-2")
    registry = core(web_server).workers
    reply = http.post("/busy", {"wid": "w-1", "signal": "quiet"}, **SAME)
    assert (reply.status, reply.location) == (302, "/busy")
    assert registry.get("w-1").state is WorkerState.QUIET
    assert registry.get("w-2").state is WorkerState.RUNNING
    http.post("/busy", {"wid": "all", "signal": "terminate"}, **SAME)
    assert {w.state for w in registry.all()} == {WorkerState.TERMINATE}
    reply = http.post("/busy", {"wid": "w-1", "signal": "explode"}, **SAME)
    assert (reply.status, reply.body) == (400, "Invalid signal: explode")
    assert http.post("/busy", {}, **SAME).location == "/busy"
