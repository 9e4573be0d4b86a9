"""The pages (GET): each reads one page of entries through the read model and renders it."""

from __future__ import annotations

from aiohttp import web

from faktory_desktop.core import humanize
from faktory_desktop.core.api import Page
from faktory_desktop.core.records import BUSY, JobFilter, JobRecord, Source
from faktory_desktop.web import views
from faktory_desktop.web.params import PAGE_SIZE, Pager, days, job_filter, page_number
from faktory_desktop.web.render import Renderer
from faktory_desktop.web.request import WebRequest
from faktory_desktop.web.sets import DONE_WORDS, SET_PAGES, SetPage


class Pages:
    def __init__(self, renderer: Renderer) -> None:
        self.render = renderer.page

    async def dashboard(self, req: WebRequest) -> web.Response:
        span = days(req.http.query)
        history = await req.api.history(span)
        info = await req.ctx.core.info()
        queues = await req.api.queues()
        points = [[d.isoformat(), p, f] for d, p, f in history]
        return await self.render(req, "dashboard.html", "Dashboard", info=info, days=span,
                                 history=points, queues=queues)

    async def busy(self, req: WebRequest) -> web.Response:
        number = page_number(req.http.query)
        page = await req.api.page(BUSY, (number - 1) * PAGE_SIZE, PAGE_SIZE)
        workers = sorted(await req.api.workers(), key=lambda w: w.wid)
        return await self.render(req, "busy.html", "Busy", workers=workers, jobs=page.records,
                                 pager=Pager(number, page.total), rss=humanize.rss)

    async def queues(self, req: WebRequest) -> web.Response:
        return await self.render(req, "queues.html", "Queues", queues=await req.api.queues(),
                                 notice=notice(req))

    async def queue(self, req: WebRequest) -> web.Response:
        name = req.match["name"]
        summary = next((q for q in await req.api.queues() if q.name == name), None)
        if summary is None:
            raise req.redirect("/queues")
        flt, records, pager = await listing(req, Source.of_queue(name))
        return await self.render(req, "queue.html", name, queue=summary, records=records,
                                 pager=pager, flt=flt, notice=notice(req))

    async def queue_job(self, req: WebRequest) -> web.Response:
        name, jid = req.match["name"], req.match["jid"]
        near = req.http.query.get("at", "0")
        record = await req.api.queue_entry(name, jid, int(near) if near.isdigit() else 0)
        if record is None:
            raise req.redirect(f"/queues/{views.segment(name)}", status=307)
        return await self.job(req, record, f"/queues/{views.segment(name)}", name)

    async def set_list(self, req: WebRequest) -> web.Response:
        page = SET_PAGES[req.match["set"]]
        flt, records, pager = await listing(req, page.source)
        return await self.render(req, "set.html", page.title, page=page, records=records,
                                 pager=pager, flt=flt, notice=notice(req))

    async def set_entry(self, req: WebRequest) -> web.Response:
        page = SET_PAGES[req.match["set"]]
        record = await req.api.entry(page.source, req.match["key"])
        if record is None:
            raise req.redirect(page.path, status=307)
        return await self.job(req, record, page.path, page.title, page)

    async def job(self, req: WebRequest, record: JobRecord, back: str, where: str,
                  page: SetPage | None = None) -> web.Response:
        return await self.render(req, "job.html", record.display_type, record=record,
                                 back=back, where=where, page=page,
                                 rows=views.info_rows(record))


async def listing(req: WebRequest, source: Source) -> tuple[JobFilter, list[JobRecord], Pager]:
    """One page of a queue or set: a range read, or with a filter the page's matches from one
    scan that keeps no more than the entries up to this page."""
    number, flt = page_number(req.http.query), job_filter(req.http.query)
    if flt.empty:
        page: Page = await req.api.page(source, (number - 1) * PAGE_SIZE, PAGE_SIZE)
        return flt, page.records, Pager(number, page.total)
    matches = await req.api.find_matches(source, flt, number * PAGE_SIZE)
    return flt, matches.records[(number - 1) * PAGE_SIZE:], Pager(number, matches.count)


def notice(req: WebRequest) -> str:
    """What the last action did, from the redirect's `done` and `n` (fixed words only)."""
    done = DONE_WORDS.get(req.http.query.get("done", ""))
    if done is None:
        return ""
    if done == DONE_WORDS["none"]:
        return "Nothing was selected, so nothing changed."
    count = req.http.query.get("n", "0")
    return f"{humanize.count(int(count) if count.isdigit() else 0, 'job')} {done}."
