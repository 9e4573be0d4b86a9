"""The Web UI's routes and tabs, matched after the reverse proxy's `X-Script-Name` prefix is
taken off the path (spec U-04).

aiohttp routes a single catch-all handler here, because the prefix must come off before a route
is chosen. A feature adds its page with `Router.add` and its tab with `Router.tab` (from an entry
in `app.FEATURE_PAGES`); the nav bar lists the tabs in the order they were added.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from faktory_desktop.web.request import WebRequest

Handler = Callable[["WebRequest"], Awaitable["web.StreamResponse"]]
GET = frozenset({"GET", "HEAD"})
GET_POST = GET | {"POST"}


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    handler: Handler
    methods: frozenset[str]


@dataclass(frozen=True)
class Tab:
    label: str
    path: str  # also the prefix that marks it active


@dataclass
class Router:
    routes: list[Route] = field(default_factory=list)
    tabs: list[Tab] = field(default_factory=list)

    def add(self, pattern: str, handler: Handler, methods: frozenset[str] = GET) -> None:
        """`pattern` is a regex for the whole path; named groups become `WebRequest.match`."""
        self.routes.append(Route(re.compile(pattern), handler, methods))

    def tab(self, label: str, path: str) -> None:
        self.tabs.append(Tab(label, path))

    def resolve(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if (m := route.pattern.fullmatch(path)) is not None:
                return route, m.groupdict()
        return None


def strip_prefix(path: str, script_name: str | None) -> tuple[str, str]:
    """(prefix, path inside it). The prefix is `/name` without a trailing slash, or ""; a path
    outside the prefix is left as it is (the proxy may already have removed it)."""
    prefix = "/" + (script_name or "").strip().strip("/") if script_name else ""
    if prefix == "/":
        prefix = ""
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        return prefix, path[len(prefix):] or "/"
    return prefix, path
