"""The forms (POST, spec 7.4): each acts through the read model's core calls, then redirects
to its list page (302, behind the proxy's prefix).

Two of Faktory's quirks are fixed here: the queue page's Delete with nothing selected changes
nothing (Faktory cleared the queue), and Kill All kills (Faktory re-enqueued everything).
"""

from __future__ import annotations

from aiohttp import web

from faktory_desktop.core.api import ACTIONS, Action
from faktory_desktop.core.records import JobRecord, Source, record_from
from faktory_desktop.core.workers import WorkerState
from faktory_desktop.web import views
from faktory_desktop.web.params import job_filter
from faktory_desktop.web.request import BadRequest, WebRequest
from faktory_desktop.web.sets import FORM_ACTIONS, SET_PAGES

SIGNALS = {"quiet": WorkerState.QUIET, "terminate": WorkerState.TERMINATE}


def _first(form: dict[str, list[str]]) -> dict[str, str]:
    return {name: values[0] for name, values in form.items()}


def _back(req: WebRequest, path: str, fields: dict[str, str], done: str,
          count: int = 0) -> web.HTTPException:
    """The redirect to the list page, saying what was done, with the filter kept."""
    query = {k: fields.get(k, "") for k in ("jobtype", "jid", "text")}
    return req.redirect(path, {**query, "done": done, "n": count})


async def set_action(req: WebRequest) -> web.StreamResponse:
    """Retry, add to queue, kill or delete set entries: the selected keys, or `key=all` for
    every entry matching the form's filter (every entry without one)."""
    page = SET_PAGES[req.match["set"]]
    form = await req.form()
    fields = _first(form)
    keys = form.get("key", [])
    if "key" in req.match:  # a detail page acts on its own entry
        keys = [req.match["key"]]
    action = _set_action(fields.get("action", ""), page.source)
    if not keys:
        raise _back(req, page.path, fields, "none")
    if "all" in keys:
        result = await req.api.act_on_matches(action, page.source, job_filter(fields))
        done = result.done
    else:
        found = [await req.api.entry(page.source, key) for key in keys]
        done = await req.api.act(action, [r for r in found if r is not None])
    raise _back(req, page.path, fields, fields["action"], done)


def _set_action(name: str, source: Source) -> Action:
    action = FORM_ACTIONS.get(name)
    if action is None:
        raise BadRequest(f"invalid action: {name}")
    if action not in ACTIONS[source.kind]:
        raise BadRequest(f"{name} does not apply to {source.label}")
    return action


async def queue_action(req: WebRequest) -> web.StreamResponse:
    """Clear, pause or resume the queue (`action`), delete the selected jobs (`bkey`), or
    delete every job matching the filter (`action=delete_matches`)."""
    name = req.match["name"]
    form = await req.form()
    fields = _first(form)
    action = fields.get("action", "")
    here = f"/queues/{views.segment(name)}"
    if action in ("pause", "resume"):
        await (req.api.pause if action == "pause" else req.api.resume)([name])
        raise req.redirect("/queues")
    if action == "delete":
        await req.api.clear_queue(name)
        raise req.redirect("/queues", {"done": "clear", "n": 0})
    if action == "delete_matches":
        result = await req.api.act_on_matches(Action.DELETE, Source.of_queue(name),
                                              job_filter(fields))
        raise _back(req, here, fields, "delete", result.done)
    if action:
        raise BadRequest(f"invalid action: {action}")
    records = _queued(name, form.get("bkey", []))
    if not records:
        raise _back(req, here, fields, "none")
    done = await req.api.delete(records)
    raise _back(req, here, fields, "delete", done)


def _queued(name: str, bkeys: list[str]) -> list[JobRecord]:
    source = Source.of_queue(name)
    records = []
    for text in bkeys:
        payload = views.from_bkey(text)
        record = record_from(source, payload) if payload else None
        if record is None:
            raise BadRequest("Invalid parameter")
        records.append(record)
    return records


async def busy_action(req: WebRequest) -> web.StreamResponse:
    """Quiet or terminate one worker (`wid`) or all of them (`wid=all`)."""
    fields = _first(await req.form())
    wid = fields.get("wid", "")
    if wid:
        signal = fields.get("signal", "")
        if signal not in SIGNALS:
            raise BadRequest(f"Invalid signal: {signal}")
        await req.api.signal_workers(SIGNALS[signal], None if wid == "all" else wid)
    raise req.redirect("/busy")
