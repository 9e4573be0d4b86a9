"""Every page and JSON route of the Web UI over HTTP against a real server (spec U-01 to U-30)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from faktory_desktop.core.records import Kind
from faktory_desktop.server.runtime import ServerThread
from tests.fwp import RawClient
from tests.web.web_support import Http, failed, keys, push, rows, scheduled

# Faktory's INFO / Web UI /stats document (spec P-65, U-01): the keys at each level.
STATS_KEYS = {"now", "server_utc_time", "faktory", "server"}
FAKTORY_KEYS = {"queues", "sets", "tasks", "total_failures", "total_processed", "total_enqueued",
                "total_queues"}
SERVER_KEYS = {"description", "faktory_version", "uptime", "connections", "command_count",
               "used_memory_mb"}
TASK_KEYS = {"Busy": {"reaped", "size"}, "Workers": {"reaped", "size"},
             **{k: {"cycles", "enqueued", "size", "wall_time_sec"}
                for k in ("Dead", "Retries", "Scheduled")}}


def test_stats_answers_faktorys_info_document(http: Http, client: RawClient) -> None:
    push(client, "critical")
    reply = http.get("/stats")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.headers["Cache-Control"] == "no-cache"
    stats = reply.json()
    assert set(stats) == STATS_KEYS
    assert set(stats["faktory"]) == FAKTORY_KEYS
    assert set(stats["server"]) == SERVER_KEYS
    assert {k: set(v) for k, v in stats["faktory"]["tasks"].items()} == TASK_KEYS
    assert set(stats["faktory"]["sets"]) == {"dead", "retries", "scheduled", "working"}
    assert stats["faktory"]["queues"] == {"critical": 1}
    assert stats["faktory"]["total_enqueued"] == 1


def test_health_answers_faktorys_keys(http: Http, client: RawClient) -> None:
    reply = http.get("/health")
    assert reply.status == 200
    health = reply.json()
    assert set(health) == {"now", "server"}
    assert set(health["server"]) == {"description", "faktory_version", "connections",
                                     "command_count"}
    assert health["server"]["description"] == "Faktory"
    assert health["server"]["connections"] >= 1


def test_dashboard_shows_totals_history_and_queue_latency(http: Http, client: RawClient) -> None:
    push(client, "mailers")
    page = http.get("/")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    html = page.body
    assert 'id="live-graph"' in html and 'id="history-graph"' in html
    assert 'src="/static/dashboard.js"' in html
    assert '<a href="/queues/mailers">mailers</a>' in html
    assert " s</td>" in html  # the queue's latency
    assert '<span class="value" id="sum-enqueued">1</span>' in html


def test_dashboard_days_are_checked(http: Http) -> None:
    def points(query: str) -> int:
        html = http.get(f"/{query}").body
        data = html.split('id="history-data">', 1)[1].split("</script>", 1)[0]
        return data.count("],") + 1

    assert points("") == 30
    assert points("?days=7") == 7
    assert points("?days=180") == 180
    assert points("?days=9999") == 180  # clamps (the 1.8.0 fix)
    assert points("?days=abc") == 30
    assert points("?days=-5") == 30
    assert points("?days=0") == 30


def test_summary_bar_links_and_counts(http: Http, client: RawClient) -> None:
    failed(client)
    scheduled(client)
    html = http.get("/busy").body
    for path in ("/busy", "/queues", "/retries", "/scheduled", "/morgue"):
        assert f'<a href="{path}">' in html
    assert '<span class="value" id="sum-retries">1</span>' in html
    assert '<span class="value" id="sum-scheduled">1</span>' in html
    assert 'class="active" aria-current="page">Busy</a>' in html
    assert '<a href="/debug">debug</a>' in html


def test_queues_and_one_queue(http: Http, client: RawClient) -> None:
    pushed = [push(client, "default", args=[n]) for n in range(3)]
    html = http.get("/queues").body
    assert '<a href="/queues/default">default</a>' in html
    assert 'value="pause"' in html and 'value="delete"' in html
    page = http.get("/queues/default")
    assert page.status == 200
    assert rows(page.body) == 3
    assert page.body.index(pushed[2]) < page.body.index(pushed[0])  # newest first


def test_unknown_queue_redirects_to_queues(http: Http) -> None:
    reply = http.get("/queues/nosuch")
    assert reply.status == 302
    assert reply.location == "/queues"


def test_queue_job_detail_shows_the_full_payload(http: Http, client: RawClient) -> None:
    jid = push(client, "default", args=[{"user": 7}, "x" * 2000], custom={"tenant": "acme"})
    html = http.get(f"/queues/default/{jid}?at=0").body
    assert jid in html
    assert "x" * 2000 in html  # not capped on the detail page
    assert 'id="payload"' in html and 'data-copy="payload"' in html
    assert "tenant: &#34;acme&#34;" in html
    assert http.get("/queues/default/no-such-jid").status == 307


def test_list_pages_cap_each_argument(http: Http, client: RawClient) -> None:
    push(client, "default", args=["y" * 5000])
    html = http.get("/queues/default").body
    assert "y" * 1023 + "…" in html
    assert "y" * 1100 not in html


def test_set_pages_and_their_empty_states(http: Http) -> None:
    for path, empty in (("/retries", "No retries were found"),
                        ("/scheduled", "No scheduled jobs were found"),
                        ("/morgue", "No dead jobs were found")):
        reply = http.get(path)
        assert reply.status == 200
        assert empty in reply.body


def test_retry_detail_shows_job_and_error(web_server: ServerThread, http: Http,
                                          client: RawClient) -> None:
    jid = failed(client, args=["a", 1])
    key = keys(web_server, Kind.RETRIES)[jid]
    listing = http.get("/retries").body
    assert rows(listing) == 1 and "RuntimeError: boom" in listing
    html = http.get("/retries/" + key.replace("|", "%7C")).body
    for text in ("Error Class", "RuntimeError", "Error Message", "boom", "app.rb:1 in perform",
                 "Retry Count", "Retries Remaining", "Next Retry", "Retry Now"):
        assert text in html, text
    gone = http.get("/retries/2001-01-01T00:00:00Z%7Cnope")
    assert gone.status == 307
    assert gone.location == "/retries"


def test_scheduled_and_dead_detail(web_server: ServerThread, http: Http,
                                   client: RawClient) -> None:
    later = scheduled(client)
    dead = failed(client, retry=-1)
    s_key = keys(web_server, Kind.SCHEDULED)[later]
    d_key = keys(web_server, Kind.DEAD)[dead]
    s_html = http.get(f"/scheduled/{s_key}").body
    assert later in s_html and "Add to queue" in s_html and "Scheduled" in s_html
    d_html = http.get(f"/morgue/{d_key}").body
    assert dead in d_html and "RuntimeError" in d_html and "Retry Now" in d_html
    assert "Kill" not in d_html.split('class="actions"', 1)[1]


def test_busy_lists_processes_and_jobs_in_progress(http: Http, client: RawClient,
                                                   connect: object) -> None:
    worker = connect(wid="w-busy-1", hostname="box", pid=42, labels=["blue"])  # type: ignore[operator]
    jid = push(client, "default", jobtype="Slow")
    assert worker.call_json("FETCH default")["jid"] == jid
    html = http.get("/busy").body
    assert "w-busy-1" in html and "box:42" in html and '<span class="badge">blue</span>' in html
    assert jid in html and "Slow" in html
    assert 'value="quiet"' in html and 'value="terminate"' in html


def test_debug_page(http: Http) -> None:
    html = http.get("/debug").body
    for text in ("Data Location", "redis-cli", "Redis RTT", "Disk Usage", "Redis INFO",
                 "redis_version"):
        assert text in html, text


def test_page_parameter_is_checked(http: Http, client: RawClient) -> None:
    for n in range(30):
        push(client, "default", args=[n])
    assert rows(http.get("/queues/default").body) == 25  # 25, not Faktory's 26
    assert rows(http.get("/queues/default?page=0").body) == 25
    assert rows(http.get("/queues/default?page=2").body) == 5
    assert rows(http.get("/queues/default?page=9").body) == 0
    for bad in ("-1", "x", "1.5", "99999999999999999999"):
        reply = http.get(f"/queues/default?page={bad}")
        assert reply.status == 400, bad
        assert reply.body == "Invalid parameter"
    assert http.get("/retries?page=abc").status == 400


def test_pager_shows_only_past_one_page(http: Http, client: RawClient) -> None:
    for n in range(26):
        push(client, "default", args=[n])
    html = http.get("/queues/default?page=2").body
    assert 'class="pager"' in html
    assert 'href="/queues/default?page=1"' in html
    assert '<span class="current">2</span>' in html
    push(client, "other")
    assert 'class="pager"' not in http.get("/queues/other").body


def test_x_script_name_prefixes_links_and_redirects(http: Http, client: RawClient) -> None:
    push(client, "default")
    prefixed = http.get("/faktory/queues", x_script_name="/faktory")
    assert prefixed.status == 200
    assert '<a href="/faktory/queues/default">default</a>' in prefixed.body
    assert 'href="/faktory/static/app.css"' in prefixed.body
    static = http.get("/faktory/static/app.css", x_script_name="/faktory/")
    assert static.status == 200
    gone = http.get("/faktory/queues/nosuch", x_script_name="/faktory")
    assert gone.location == "/faktory/queues"
    posted = http.post("/faktory/queues/default", {"action": "pause"}, x_script_name="/faktory")
    assert posted.status == 302 and posted.location == "/faktory/queues"
    # a proxy that already took the prefix off the path
    assert http.get("/queues", x_script_name="/faktory").status == 200


def test_static_files_are_cached_and_nothing_else_is_served(http: Http) -> None:
    reply = http.get("/static/dashboard.js")
    assert reply.status == 200
    assert reply.headers["Cache-Control"] == "public, max-age=3600"
    assert http.get("/static/../app.py").status == 404
    assert http.get("/static/%2e%2e/app.py").status == 404
    assert http.get("/static/nope.js").status == 404


def test_unknown_paths_and_methods(http: Http) -> None:
    assert http.get("/nowhere").status == 404  # Faktory rendered the dashboard
    assert http.request("DELETE", "/queues").status == 405
    assert http.request("POST", "/debug", "", {"Sec-Fetch-Site": "same-origin"}).status == 405


def test_a_feature_adds_its_page_and_tab(monkeypatch: pytest.MonkeyPatch,
                                         make_server: Callable[..., ServerThread]) -> None:
    """Where the Enterprise pages (Batches, Cron, Throttles) plug in."""
    from aiohttp import web as aioweb

    from faktory_desktop.web import app
    from faktory_desktop.web.render import Renderer
    from faktory_desktop.web.request import WebRequest
    from faktory_desktop.web.routing import Router

    def batches(router: Router, renderer: Renderer) -> None:
        async def page(req: WebRequest) -> aioweb.StreamResponse:
            return await renderer.page(req, "debug.html", "Batches", rtt_us=1, rtt_class="fast",
                                       facts=[], disk="", engine_info=[], desktop_version="")
        router.add("/batches", page)
        router.tab("Batches", "/batches")

    monkeypatch.setattr(app, "FEATURE_PAGES", (batches,))
    server = make_server(web_host="127.0.0.1", web_port=0)
    html = Http(server.runtime.web.port).get("/batches").body  # type: ignore[union-attr]
    assert 'class="active" aria-current="page">Batches</a>' in html
    assert '<a href="/morgue">Dead</a>' in html  # after Faktory's tabs


def test_sparse_and_odd_entries_render(web_server: ServerThread, http: Http) -> None:
    """Jobs written by other tools: a failure with no backtrace or errtype, no args, no times,
    args that are not a list, and an entry that is not a job at all."""
    from faktory_desktop.core.records import DEAD, RETRIES
    from tests.integration.wire import run

    api = web_server.runtime.web.ctx.api  # type: ignore[union-attr]
    entries = [(2e9, b'{"jid":"sparse","jobtype":"J","failure":{"message":"m"}}'),
               (2e9 + 1, b'{"jid":"odd","jobtype":"J","args":"not a list","at":"yesterday"}'),
               (2e9 + 2, b'not json at all')]
    for source in (RETRIES, DEAD):
        run(web_server, api.insert(source, entries))
    for path in ("/retries", "/morgue"):
        html = http.get(path).body
        assert "sparse" in html and "odd" in html
    key = keys(web_server, Kind.RETRIES)
    for jid in ("sparse", "odd"):
        reply = http.get(f"/retries/{key[jid]}")
        assert reply.status == 200, reply.body
    assert "invalid timestamp" in http.get(f"/retries/{key['odd']}").body
