"""Another Faktory server, watched over FWP: the numbers the app shows while attached to it.

INFO gives the totals and the sizes of the queues and sets; QUEUE LATENCY (Faktory 1.9.2+) gives
the age of each queue's oldest job. What FWP does not say (whether a queue is paused, how many
workers hold a job, the daily history) stays unknown: NaN or None, never a guess. Both commands
go out together on one connection, so a snapshot costs one round trip.

Faktory serves its Web UI on the port after the command port (7420 beside 7419); when something
there answers HTTP, `web_ui` is its address, for browsing the jobs FWP cannot list.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Any

import orjson

from faktory_desktop.client.fwp import FWPClient, FWPError, ReplyError, connect
from faktory_desktop.core.api import QueueSummary, Snapshot, Stats

__all__ = ["RemoteFaktory", "RemoteServer", "find_web_ui", "first_line", "snapshot_from_info"]

TIMEOUT_S = 3.0
WEB_UI_OFFSET = 1  # Faktory's Web UI listens on the command port + 1


@dataclass(frozen=True)
class RemoteServer:
    """What the watched server says about itself."""

    version: str
    uptime_s: int
    memory_mb: int


def snapshot_from_info(info: dict[str, Any], latency: dict[str, float] | None) -> Snapshot:
    """A Snapshot from an INFO reply (and QUEUE LATENCY's, when the server has it)."""
    faktory, server = info.get("faktory", {}), info.get("server", {})
    sets, tasks = faktory.get("sets", {}), faktory.get("tasks", {})
    sizes: dict[str, int] = faktory.get("queues", {})
    stats = Stats(
        processed=int(faktory.get("total_processed", 0)),
        failed=int(faktory.get("total_failures", 0)),
        enqueued=int(faktory.get("total_enqueued", sum(sizes.values()))),
        scheduled=int(sets.get("scheduled", 0)),
        retries=int(sets.get("retries", 0)),
        dead=int(sets.get("dead", 0)),
        busy=int(sets.get("working", 0)),
        connections=int(server.get("connections", 0)),
        workers=int(tasks.get("Workers", {}).get("size", 0)),
    )
    ages = latency or {}
    queues = [QueueSummary(name, int(sizes[name]), float(ages.get(name, math.nan)), None)
              for name in sorted(sizes)]
    return Snapshot(stats, queues, None)


class RemoteFaktory:
    """One FWP connection to a server this app does not run. Not thread-safe: one event loop."""

    def __init__(self, client: FWPClient, host: str, port: int,
                 web_ui: str | None = None) -> None:
        self.client = client
        self.host = host
        self.port = port
        self.web_ui = web_ui  # "http://host:7420/" when the server's Web UI answers
        self.server: RemoteServer | None = None
        self._has_latency = True  # until the server says it has no QUEUE LATENCY

    @classmethod
    async def connect(cls, host: str, port: int, password: str | None) -> RemoteFaktory:
        """Connect and say HELLO as a client (not a worker). Raises FWPError or OSError."""
        client = await connect(host, port, password=password or None, timeout=TIMEOUT_S)
        return cls(client, host, port, await find_web_ui(host, port + WEB_UI_OFFSET))

    @property
    def closed(self) -> bool:
        return self.client.closed

    async def snapshot(self) -> Snapshot:
        """INFO, then the latency of the queues it names. Raises FWPError when the link is gone."""
        info = _json(await self._call(b"INFO"))
        self.server = _server(info)
        names = sorted(info.get("faktory", {}).get("queues", {}))
        latency = await self._latency(names) if names and self._has_latency else None
        return snapshot_from_info(info, latency)

    async def pause_all(self) -> None:
        await self._call(b"QUEUE PAUSE *")

    async def resume_all(self) -> None:
        await self._call(b"QUEUE RESUME *")

    def close(self) -> None:
        self.client.close()

    async def _latency(self, names: list[str]) -> dict[str, float] | None:
        reply = await self._call(b"QUEUE LATENCY " + " ".join(names).encode(), errors_ok=True)
        if isinstance(reply, ReplyError):
            self._has_latency = False  # Faktory before 1.9.2: "no such QUEUE subcommand"
            return None
        return {str(k): float(v) for k, v in _json(reply).items()}

    async def _call(self, line: bytes, errors_ok: bool = False) -> Any:
        try:
            reply = await asyncio.wait_for(self.client.call(line), TIMEOUT_S)
        except TimeoutError as exc:
            self.close()
            raise FWPError(f"the server did not answer {line.split()[0].decode()} "
                           f"within {TIMEOUT_S:.0f} s") from exc
        if isinstance(reply, ReplyError) and not errors_ok:
            raise FWPError(f"the server refused {line.decode(errors='replace')}: {reply}")
        return reply


async def first_line(host: str, port: int, send: bytes = b"", timeout: float = 1.0) -> bytes:
    """What a TCP server there says first (after `send`); b"" when nothing answers in time."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return b""
    try:
        writer.write(send)
        return await asyncio.wait_for(reader.readline(), timeout)
    except (OSError, TimeoutError):
        return b""
    finally:
        writer.close()


async def find_web_ui(host: str, port: int) -> str | None:
    """`http://host:port/` when an HTTP server answers there, else None."""
    url_host = f"[{host}]" if ":" in host else host
    status = await first_line(host, port, f"HEAD / HTTP/1.0\r\nHost: {url_host}\r\n\r\n".encode())
    return f"http://{url_host}:{port}/" if status.startswith(b"HTTP/") else None


def _json(reply: Any) -> dict[str, Any]:
    if not isinstance(reply, bytes):
        raise FWPError(f"expected a JSON reply, got {reply!r}")
    data = orjson.loads(reply)
    if not isinstance(data, dict):
        raise FWPError(f"expected a JSON object, got {reply[:80]!r}")
    return data


def _server(info: dict[str, Any]) -> RemoteServer:
    server = info.get("server", {})
    return RemoteServer(str(server.get("faktory_version", "?")), int(server.get("uptime", 0)),
                        int(server.get("used_memory_mb") or 0))
