"""Pages from Jinja2 templates, with the chrome every page carries (spec U-10 to U-12).

Autoescape is on for every template, so nothing from a job can become markup.
"""

from __future__ import annotations

import time
from importlib import resources
from typing import Any

from aiohttp import web
from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape

from faktory_desktop import FAKTORY_COMPAT_VERSION, __version__
from faktory_desktop.core import humanize
from faktory_desktop.web import views
from faktory_desktop.web.request import WebRequest
from faktory_desktop.web.routing import Router, Tab

DOCS_URL = "https://github.com/contribsys/faktory/wiki"


def environment() -> Environment:
    """Every template compiled now, at startup, and never re-read from disk: no file access on
    the event loop while it serves."""
    # The package's folder as importlib.resources finds it, as for /static and the Lua scripts:
    # a directory on disk both installed and in the PyInstaller bundle.
    templates = resources.files("faktory_desktop.web") / "templates"
    env = Environment(loader=FileSystemLoader(str(templates)),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=ChainableUndefined, trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False, cache_size=-1)
    env.filters.update(args=views.arguments, ago=views.ago, ago_score=views.ago_score,
                       number=views.number, seg=views.segment, bkey=views.bkey,
                       pretty=views.pretty, ago_ns=humanize.ago)
    for name in env.list_templates():
        env.get_template(name)
    return env


class Renderer:
    def __init__(self, router: Router) -> None:
        self.env = environment()
        self.router = router

    async def page(self, req: WebRequest, template: str, title: str,
                   **context: Any) -> web.Response:
        stats = await req.api.stats()
        html = self.env.get_template(template).render(
            req=req, title=title, stats=stats, tabs=self.router.tabs,
            active=active_tab(self.router.tabs, req.path), version=__version__,
            compat_version=FAKTORY_COMPAT_VERSION, fwp_address=req.ctx.fwp_address,
            environment=req.ctx.settings.environment, docs_url=DOCS_URL,
            utc_time=time.strftime("%H:%M:%S UTC", time.gmtime()), **context)
        return web.Response(text=html, content_type="text/html",
                            headers={"Cache-Control": "no-store"})


def active_tab(tabs: list[Tab], path: str) -> Tab | None:
    """The tab whose path prefixes this one, the longest first ("/" only for itself)."""
    best = None
    for tab in tabs:
        hit = path == tab.path or (tab.path != "/" and path.startswith(tab.path + "/"))
        if hit and (best is None or len(tab.path) > len(best.path)):
            best = tab
    return best
