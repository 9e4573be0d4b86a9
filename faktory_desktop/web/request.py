"""What a page handler gets: the server it shows, the request, and prefix-aware links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from faktory_desktop.config import Settings
from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.core.service import CoreService
from faktory_desktop.engine.address import EngineAddress


class BadRequest(web.HTTPBadRequest):
    """A parameter the page cannot use; the text is the whole response body."""

    def __init__(self, text: str) -> None:
        super().__init__(text=text)


@dataclass(frozen=True)
class WebContext:
    """The server the Web UI shows."""

    core: CoreService
    api: FaktoryAPI
    settings: Settings
    fwp_address: str  # the command port's host:port, for the footer
    engine_address: EngineAddress | None


@dataclass(frozen=True)
class WebRequest:
    http: web.Request
    ctx: WebContext
    prefix: str  # from X-Script-Name, "" without a proxy
    path: str  # inside the prefix, still URL-quoted
    match: dict[str, str]

    @property
    def api(self) -> FaktoryAPI:
        return self.ctx.api

    def url(self, path: str, query: Mapping[str, Any] | None = None) -> str:
        """A link inside the Web UI, behind the proxy's prefix; empty query values are left out."""
        params = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        return self.prefix + path + (f"?{urlencode(params)}" if params else "")

    def redirect(self, path: str, query: Mapping[str, Any] | None = None,
                 status: int = 302) -> web.HTTPException:
        kind = web.HTTPTemporaryRedirect if status == 307 else web.HTTPFound
        return kind(self.url(path, query))

    async def form(self) -> dict[str, list[str]]:
        """The POST form, every field as a list (keys repeat for a selection)."""
        data = await self.http.post()
        fields: dict[str, list[str]] = {}
        for name, value in data.items():
            if isinstance(value, str):
                fields.setdefault(name, []).append(value)
        return fields
