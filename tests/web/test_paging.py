"""A page reads one page: whatever the size of a queue or set, each list page asks Redis for at
most 25 entries and never scans (so it stays fast at a million jobs). Checked with MONITOR,
which shows every command the server sends to the engine."""

from __future__ import annotations

import json

import pytest
import redis

from faktory_desktop.core.records import DEAD, RETRIES, SCHEDULED, Source
from faktory_desktop.core.timefmt import format_ns, now_ns
from faktory_desktop.server.runtime import ServerThread
from tests.integration.wire import run
from tests.web.web_support import Http

ENTRIES = 300
RANGE_COMMANDS = {"LRANGE", "ZRANGE", "ZREVRANGE", "ZRANGEBYSCORE"}
SCANS = {"SCAN", "ZSCAN", "SSCAN", "HSCAN", "KEYS"}


def seed(server: ServerThread) -> None:
    api = server.runtime.web.ctx.api  # type: ignore[union-attr]
    now = now_ns()
    failure = {"retry_count": 1, "errtype": "E", "message": "m", "failed_at": format_ns(now)}
    for source in (Source.of_queue("big"), RETRIES, SCHEDULED, DEAD):
        entries = [(now / 1e9 + n, json.dumps({"jid": f"{source.label}-{n}", "jobtype": "J",
                                               "queue": "big", "args": [n],
                                               "failure": failure}).encode())
                   for n in range(ENTRIES)]
        assert run(server, api.insert(source, entries)) == ENTRIES


def commands_during(server: ServerThread, request: object) -> list[list[str]]:
    """Every command the engine receives while `request()` runs."""
    url = server.runtime.engine.address.redis_url  # type: ignore[union-attr]
    marker = "end-of-web-request"
    with redis.Redis.from_url(url, decode_responses=True) as conn, conn.monitor() as monitor:
        request()  # type: ignore[operator]
        conn.echo(marker)
        seen = []
        for event in monitor.listen():
            if marker in event["command"]:
                return seen
            seen.append(event["command"].replace('"', "").split())
    pytest.fail("MONITOR ended before the marker")


@pytest.mark.parametrize("path", ["/queues/big?page=3", "/retries?page=2", "/scheduled",
                                  "/morgue?page=12", "/busy", "/queues", "/"])
def test_a_list_page_reads_one_page_and_never_scans(web_server: ServerThread, http: Http,
                                                    path: str) -> None:
    seed(web_server)
    assert http.get(path).status == 200
    commands = commands_during(web_server, lambda: http.get(path))
    names = [c[0].upper() for c in commands]
    assert not SCANS & set(names), names
    for command in commands:
        if command[0].upper() in ("LRANGE", "ZRANGE", "ZREVRANGE"):
            start, stop = int(command[2]), int(command[3])
            assert 0 <= start <= stop < start + 25, command
        assert command[0].upper() != "ZRANGEBYSCORE", command


def test_a_detail_page_reads_the_entries_at_one_time(web_server: ServerThread,
                                                     http: Http) -> None:
    seed(web_server)
    api = web_server.runtime.web.ctx.api  # type: ignore[union-attr]
    key = run(web_server, api.page(RETRIES, 150, 1)).records[0].key
    commands = commands_during(web_server, lambda: http.get(f"/retries/{key}"))
    names = [c[0].upper() for c in commands]
    assert not SCANS & set(names)
    assert names.count("ZRANGEBYSCORE") == 1
