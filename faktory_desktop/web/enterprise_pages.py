"""The Web UI's pages for the Enterprise features: Batches, Cron and Throttles, read-only.

They plug in through `app.FEATURE_PAGES` after Faktory's tabs, as Faktory Enterprise adds its
own tabs, and read through the same read model as the desktop app's screens (one page of
batches at a time; cron entries and throttles are few).
"""

from __future__ import annotations

from aiohttp import web

from faktory_desktop.web.params import PAGE_SIZE, Pager, page_number
from faktory_desktop.web.render import Renderer
from faktory_desktop.web.request import WebRequest
from faktory_desktop.web.routing import Router

CALLBACK_STATES = {"": "not fired", "1": "enqueued", "2": "done"}


def enterprise_routes(router: Router, renderer: Renderer) -> None:
    async def batches(req: WebRequest) -> web.Response:
        number = page_number(req.http.query)
        total, rows = await req.api.ent.batches((number - 1) * PAGE_SIZE, PAGE_SIZE)
        return await renderer.page(req, "batches.html", "Batches", batches=rows,
                                   pager=Pager(number, total), states=CALLBACK_STATES)

    async def cron(req: WebRequest) -> web.Response:
        return await renderer.page(req, "cron.html", "Cron", entries=await req.api.cron_rows())

    async def throttles(req: WebRequest) -> web.Response:
        rows = await req.api.throttle_rows()
        return await renderer.page(req, "throttles.html", "Throttles", throttles=rows)

    for label, path, page in (("Batches", "/batches", batches), ("Cron", "/cron", cron),
                              ("Throttles", "/throttles", throttles)):
        router.add(path, page)
        router.tab(label, path)
