"""/stats, /health and /debug: the server's state, for monitoring scripts and for people.

/stats answers INFO's JSON and /health Faktory's four server fields (U-01), so scripts written for
Faktory keep working.
"""

from __future__ import annotations

import asyncio
import gc
import os
import platform
import shutil
import threading
import time
from typing import Any

import psutil
from aiohttp import web

from faktory_desktop import FAKTORY_COMPAT_VERSION, __version__
from faktory_desktop.core.timefmt import format_ns, now_ns
from faktory_desktop.web.render import Renderer
from faktory_desktop.web.request import WebContext, WebRequest

NO_CACHE = {"Cache-Control": "no-cache"}
RTT_FAST_US, RTT_OK_US = 1_000, 10_000  # green below the first, blue below the second (U-29)


async def stats(req: WebRequest) -> web.Response:
    return web.json_response(await req.ctx.core.info(), headers=NO_CACHE)


def health(ctx: WebContext) -> web.Response:
    """No Redis read: a load balancer may call it often, and without a password."""
    counters = ctx.core.counters
    body = {"now": format_ns(now_ns()),
            "server": {"description": "Faktory", "faktory_version": FAKTORY_COMPAT_VERSION,
                       "connections": counters.connections,
                       "command_count": counters.command_count}}
    return web.json_response(body, headers=NO_CACHE)


class Debug:
    def __init__(self, renderer: Renderer) -> None:
        self.render = renderer.page

    async def page(self, req: WebRequest) -> web.Response:
        started = time.perf_counter()
        engine_info = await req.ctx.core.store.engine_info()
        rtt_us = round((time.perf_counter() - started) * 1e6)
        disk = await asyncio.to_thread(_disk, str(req.ctx.settings.data_dir))
        address = req.ctx.engine_address
        return await self.render(
            req, "debug.html", "Debug", rtt_us=rtt_us, rtt_class=_rtt_class(rtt_us),
            facts=_facts(address.cli_command if address else "external"), disk=disk,
            engine_info=sorted((k, _flat(v)) for k, v in engine_info.items()),
            desktop_version=__version__)


def _facts(data_location: str) -> list[tuple[str, str]]:
    memory = psutil.Process().memory_info()
    return [
        ("Version", f"Faktory Desktop {__version__} (Faktory {FAKTORY_COMPAT_VERSION} protocol)"),
        ("Data Location", data_location),
        ("Runtime", f"Python {platform.python_version()}, {threading.active_count()} threads, "
                    f"{os.cpu_count()} CPUs"),
        ("Memory", f"{memory.rss // 1024:,} KB RSS"),
        ("GC", ", ".join(f"generation {n}: {s['collections']:,} runs"
                         for n, s in enumerate(gc.get_stats()))),
    ]


def _rtt_class(us: int) -> str:
    if 0 < us < RTT_FAST_US:
        return "fast"
    return "ok" if 0 < us < RTT_OK_US else "slow"


def _disk(path: str) -> str:
    """Like one line of `df -h` for the data directory (or its nearest existing parent)."""
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    usage = shutil.disk_usage(path)
    gib = 1024 ** 3
    return (f"{path}: {usage.used / gib:.1f} GiB used of {usage.total / gib:.1f} GiB, "
            f"{usage.free / gib:.1f} GiB free")


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return str(value)
