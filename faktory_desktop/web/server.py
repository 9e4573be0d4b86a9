"""The Web UI's HTTP server, on the running event loop beside the FWP listener."""

from __future__ import annotations

import errno
import logging
from ipaddress import ip_address

from aiohttp import web

from faktory_desktop.config import Settings, connect_host
from faktory_desktop.web.app import build_app
from faktory_desktop.web.request import WebContext

log = logging.getLogger(__name__)


class WebStartError(Exception):
    """The Web UI cannot listen; the message is one line for the log."""

    @classmethod
    def of(cls, exc: OSError, host: str, port: int) -> WebStartError:
        if exc.errno == errno.EADDRINUSE:
            why = f"{host}:{port} is already in use"
        else:
            why = f"cannot listen at {host}:{port}: {exc.strerror or exc}"
        return cls(f"Web UI not started: {why} (choose another with -w HOST:PORT, or -w off)")


class WebServer:
    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx
        self._runner: web.AppRunner | None = None

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def port(self) -> int:
        assert self._runner is not None
        return int(self._runner.addresses[0][1])

    @property
    def url(self) -> str:
        """Where a browser on this computer opens it."""
        return f"http://{connect_host(self.settings.web_host or '')}:{self.port}/"

    async def start(self) -> None:
        host, port = self.settings.web_host or "127.0.0.1", self.settings.web_port
        runner = web.AppRunner(build_app(self.ctx), access_log=None, handle_signals=False,
                               shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port, reuse_address=True).start()
        except OSError as exc:
            await runner.cleanup()
            raise WebStartError.of(exc, host, port) from None
        self._runner = runner
        if not self.settings.web_password and not _loopback(host):
            log.warning("the Web UI listens on %s without a password: anyone who can reach it "
                        "can read and delete jobs; set FAKTORY_PASSWORD or [web] password", host)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
