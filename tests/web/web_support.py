"""HTTP against the Web UI (the standard library's http.client: no redirects followed, every
header visible), and jobs put where the pages show them, through the wire or the read model."""

from __future__ import annotations

import base64
import http.client
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from faktory_desktop.core.records import Kind, Source
from faktory_desktop.core.timefmt import format_ns, now_ns
from faktory_desktop.server.runtime import ServerThread
from tests.conftest import new_jid
from tests.fwp import RawClient, job
from tests.integration.wire import fail, run


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Http:
    port: int
    host: str = "127.0.0.1"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            all_headers = {**self.headers, **(headers or {})}
            if body is not None:
                all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read().decode())
        finally:
            conn.close()

    def get(self, path: str, **headers: str) -> Reply:
        return self.request("GET", path, headers=_names(headers))

    def post(self, path: str, fields: list[tuple[str, str]] | dict[str, str],
             **headers: str) -> Reply:
        return self.request("POST", path, urlencode(fields), _names(headers))


def _names(headers: dict[str, str]) -> dict[str, str]:
    """Keyword names to header names: sec_fetch_site -> Sec-Fetch-Site."""
    return {"-".join(p.capitalize() for p in k.split("_")): v for k, v in headers.items()}


def basic(password: str, user: str = "admin") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def push(client: RawClient, queue: str = "default", **fields: Any) -> str:
    jid = fields.pop("jid", None) or new_jid()
    assert client.push(job(jid, queue=queue, **fields)) == b"+OK\r\n"
    return jid


def scheduled(client: RawClient, seconds: float = 3600, **fields: Any) -> str:
    at = format_ns(now_ns() + int(seconds * 1e9))
    return push(client, at=at, **fields)


def failed(client: RawClient, retry: int = 25, **fields: Any) -> str:
    """A job that failed once: in Retries (or, with retry=-1, in Dead)."""
    queue = fields.pop("queue", "failing")
    errtype, message = fields.pop("errtype", "RuntimeError"), fields.pop("message", "boom")
    jid = push(client, queue=queue, retry=retry, **fields)
    fetched = client.call_json(f"FETCH {queue}")
    assert fetched["jid"] == jid
    assert fail(client, jid, errtype=errtype, message=message,
                backtrace=["app.rb:1 in perform", "worker.rb:9"]) == b"+OK\r\n"
    return jid


def keys(server: ServerThread, kind: Kind) -> dict[str, str]:
    """jid -> the Web UI key of each entry of a set."""
    api = server.runtime.web.ctx.api  # type: ignore[union-attr]
    page = run(server, api.page(Source(kind), 0, 10_000))
    return {r.jid: r.key for r in page.records}


def jids(server: ServerThread, source: Source) -> set[str]:
    api = server.runtime.web.ctx.api  # type: ignore[union-attr]
    return {r.jid for r in run(server, api.page(source, 0, 100_000)).records}


def rows(html: str) -> int:
    """How many job rows (selection boxes) a list page shows."""
    return len(re.findall(r'<td class="check"><input type="checkbox"', html))


def wait_for(predicate: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    return bool(predicate())
