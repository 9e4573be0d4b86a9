"""Batches (Faktory Enterprise): a group of jobs with callback jobs fired when they have all run.

`BATCH NEW` stores the batch and its callback jobs, ready to push; jobs join it with `custom.bid`
at PUSH; `COMMIT` says no more are coming. The counting and the firing happen in the engine
(`storage/lua/ent_lib.lua`): each ACK, FAIL or COMMIT settles the batch in the same script
that records it. Semantics: `../shared/faktory-enterprise.md` §4; our choices where no source
settles them are in `docs/compatibility.md`.
"""

from __future__ import annotations

import secrets
from typing import Any

from faktory_desktop.core import job as jobs
from faktory_desktop.core import jsonc
from faktory_desktop.core.manager import Manager, NoSuchBatch
from faktory_desktop.core.timefmt import format_ns, now_ns

STAGES = ("complete", "success")
_ENQUEUED_AT = b'"enqueued_at":"'
_PLACEHOLDER = "\u2063enqueued-at\u2063"  # split off; never left in a stored job
STATUS_FIELDS = ("total", "pending", "failed")


class BatchError(jobs.JobError):
    """A BATCH request that cannot be carried out; the message names the problem."""


def new_bid() -> str:
    """`b-` and 14 URL-safe characters, as Enterprise's ids look (`b-KzJg9lop_mF3Bw`)."""
    return "b-" + secrets.token_urlsafe(12)[:14]


def new_jid() -> str:
    """16 URL-safe characters from 12 random bytes, as Faktory's clients make them."""
    return secrets.token_urlsafe(12)


class Batches:
    def __init__(self, manager: Manager) -> None:
        self.manager = manager
        self.store = manager.store.ent

    async def new(self, spec: Any) -> str:
        """BATCH NEW: create the batch; returns its bid."""
        if not isinstance(spec, dict):
            raise BatchError('BATCH NEW takes a JSON object: {"description":...,"success":{job}}')
        if spec.get("bid"):
            raise BatchError("BATCH NEW: bid must be blank, the server assigns it")
        description = spec.get("description") or ""
        parent = spec.get("parent_bid") or None
        if not isinstance(description, str) or not isinstance(parent, str | None):
            raise BatchError("BATCH NEW: description and parent_bid must be strings")
        callbacks = {stage: spec[stage] for stage in STAGES if spec.get(stage) is not None}
        if not callbacks:
            raise BatchError("BATCH NEW needs a success or complete callback job")
        bid, now = new_bid(), now_ns()
        fields: dict[str, Any] = {
            "description": description, "created_at": format_ns(now), "total": 0,
            "pending": 0, "failed": 0, "committed": 0, "complete_st": "", "success_st": "",
            "kids_c": 0, "kids_s": 0,
        }
        if parent:
            fields["parent_bid"] = parent
        for stage, job in callbacks.items():
            fields.update(_callback_fields(stage, job, bid, now))
        if not await self.store.batch_new(bid, parent, now / 1e9, fields):
            raise NoSuchBatch(parent or "")
        return bid

    async def open(self, bid: str) -> str:
        """BATCH OPEN: the batch may take more jobs (real servers never refuse it, §4.5)."""
        if not await self.store.batch_exists(bid):
            raise NoSuchBatch(bid)
        return bid

    async def commit(self, bid: str) -> None:
        found, queues = await self.store.batch_commit(bid, format_ns(now_ns()))
        if not found:
            raise NoSuchBatch(bid)
        self.manager.notify(queues)

    async def status(self, bid: str) -> dict[str, Any]:
        """BATCH STATUS: Enterprise's fields; `parent_bid` only for a child batch."""
        fields = await self.store.batch(bid)
        if fields is None:
            raise NoSuchBatch(bid)
        return status_of(bid, fields)

    async def delete(self, bid: str) -> bool:
        found, queues = await self.store.batch_delete(bid, format_ns(now_ns()))
        self.manager.notify(queues)
        return found


def status_of(bid: str, fields: dict[str, str]) -> dict[str, Any]:
    status: dict[str, Any] = {"bid": bid}
    if fields.get("parent_bid"):
        status["parent_bid"] = fields["parent_bid"]
    status["description"] = fields.get("description", "")
    status["created_at"] = fields.get("created_at", "")
    for key in STATUS_FIELDS:
        status[key] = max(0, int(fields.get(key) or 0))
    status["complete_st"] = fields.get("complete_st", "")
    status["success_st"] = fields.get("success_st", "")
    return status


def _callback_fields(stage: str, job: Any, bid: str, now: int) -> dict[str, str]:
    """A callback job, checked as PUSH would, stored as the text around its enqueued_at so the
    engine can push it with the time it fires (clients may send it without a jid)."""
    if not isinstance(job, dict):
        raise BatchError(f"BATCH NEW: the {stage} callback must be a job object")
    job = {"args": [], **job}
    if not job.get("jid"):
        job["jid"] = new_jid()
    custom = {k: v for k, v in (job.get("custom") or {}).items() if k != "bid"}
    job["custom"] = {**custom, "_bid": bid}
    try:
        parsed = jobs.parse_job(job)
        jobs.validate(parsed)
    except jobs.JobError as exc:
        raise BatchError(f"BATCH NEW: invalid {stage} callback: {exc}") from None
    parsed.setdefault("retry", jobs.DEFAULT_RETRY)
    parsed["created_at"] = parsed.get("created_at") or format_ns(now)
    parsed["queue"] = parsed.get("queue") or "default"
    parsed.pop("at", None)
    jobs.check_queue_name(parsed["queue"])
    parsed["enqueued_at"] = _PLACEHOLDER
    text = jobs.canonical(parsed)
    marker = _ENQUEUED_AT + jsonc.dumps(_PLACEHOLDER)[1:]  # up to the value's closing quote
    if text.count(marker) != 1:
        raise BatchError(f"BATCH NEW: the {stage} callback cannot be stored")
    before, _, after = text.partition(marker)
    return {
        f"{stage}_pre": (before + _ENQUEUED_AT).decode(), f"{stage}_suf": '"' + after.decode(),
        f"{stage}_q": parsed["queue"], f"{stage}_jid": parsed["jid"],
        f"{stage}_type": parsed["jobtype"],
    }
