"""The job payload: validation and normalization, done once at PUSH.

A job is parsed, checked in Faktory's order with Faktory's messages (spec P-21..P-26), and
re-serialized in the canonical form Faktory's Go struct produces: compact JSON, keys in the order
of `FIELD_ORDER`, unknown top-level keys dropped, empty optional fields omitted. The canonical bytes
are what Redis stores and what FETCH returns as is, so nothing downstream parses a job on the hot
path, and MUTATE's substring filters (`"jobtype":"X"`) match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from faktory_desktop.core import jsonc
from faktory_desktop.core.timefmt import NS, format_ns, parse_ns

FIELD_ORDER = (
    "retry", "failure", "custom", "jid", "queue", "jobtype", "created_at", "enqueued_at", "at",
    "args", "reserve_for", "backtrace",
)  # fmt: skip
FAILURE_ORDER = (
    "retry_count", "remaining", "failed_at", "next_at", "message", "errtype", "backtrace",
)  # fmt: skip
_FAILURE_ALWAYS = ("retry_count", "remaining", "failed_at")
_STRINGS = ("jid", "queue", "jobtype", "created_at", "enqueued_at", "at")
_INTEGERS = ("retry", "reserve_for", "backtrace")
DEFAULT_RETRY = 25
MAX_RESERVE_FOR = 86400
QUEUE_NAME = re.compile(r"[a-zA-Z0-9._-]+")


class JobError(ValueError):
    """A job that cannot be accepted; the message is the `-ERR` text Faktory uses."""


@dataclass(frozen=True, slots=True)
class PreparedJob:
    """A validated job, ready for storage: where it goes, and its canonical bytes."""

    jid: str
    queue: str
    payload: bytes
    at_ns: int | None  # set when the job is scheduled for later


def valid_queue_name(name: str) -> bool:
    return QUEUE_NAME.fullmatch(name) is not None


def check_queue_name(name: str) -> None:
    if not valid_queue_name(name):
        raise JobError(
            f'cannot get "{name}" queue: queue names must match \\A[a-zA-Z0-9._-]+\\z'
        )


def _fold_keys(obj: dict[str, Any]) -> dict[str, Any]:
    """Go matches JSON keys to struct fields case-insensitively; only known fields survive."""
    known = {}
    for key, value in obj.items():
        lower = key.lower()
        if lower in FIELD_ORDER and value is not None:
            known[lower] = value
    return known


def _check_types(job: dict[str, Any]) -> None:
    for key in _STRINGS:
        if key in job and not isinstance(job[key], str):
            raise JobError(f"invalid JSON: field {key} must be a string")
    for key in _INTEGERS:
        value = job.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise JobError(f"invalid JSON: field {key} must be an integer")
    if "args" in job and not isinstance(job["args"], list):
        raise JobError("invalid JSON: field args must be an array")
    for key in ("custom", "failure"):
        if key in job and not isinstance(job[key], dict):
            raise JobError(f"invalid JSON: field {key} must be an object")


def parse_job(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    """Decode and type-check a job; fields keep Faktory's names."""
    if isinstance(data, dict):
        obj = data
    else:
        try:
            obj = jsonc.loads(data)
        except jsonc.JSONDecodeError as exc:
            raise JobError(f"invalid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise JobError("invalid JSON: a job must be a JSON object")
    job = _fold_keys(obj)
    _check_types(job)
    return job


def validate(job: dict[str, Any]) -> None:
    """Faktory's checks, in its order (P-23), with its messages."""
    if len(job.get("jid", "").encode()) < 8:
        raise JobError("jobs must have a reasonable jid parameter")
    if not job.get("jobtype"):
        raise JobError("jobs must have a jobtype parameter")
    if "args" not in job:
        raise JobError("jobs must have an args parameter")
    if job.get("reserve_for", 0) > MAX_RESERVE_FOR:
        raise JobError("jobs cannot be reserved for more than one day")


def _canonical_failure(failure: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key in FAILURE_ORDER:
        value = failure.get(key)
        if key in _FAILURE_ALWAYS or value not in (None, "", []):
            out[key] = value if value is not None else 0
    return out


def canonical(job: dict[str, Any]) -> bytes:
    """The compact JSON Faktory writes: its field order, empty optional fields left out."""
    out: dict[str, Any] = {"retry": job.get("retry", DEFAULT_RETRY)}
    if job.get("failure"):
        out["failure"] = _canonical_failure(job["failure"])
    for key in FIELD_ORDER[2:]:
        value = job.get(key)
        if key == "args":
            out["args"] = value if value is not None else []
        elif value not in (None, "", 0, {}):
            out[key] = value
    return jsonc.dumps(out)


def prepare(data: bytes | str | dict[str, Any], now_ns: int) -> PreparedJob:
    """Validate and normalize a pushed job (P-21..P-26); raises JobError with Faktory's text."""
    job = parse_job(data)
    validate(job)
    job.setdefault("retry", DEFAULT_RETRY)
    if not job.get("created_at"):
        job["created_at"] = format_ns(now_ns)
    if not job.get("queue"):
        job["queue"] = "default"
    at_ns = None
    if job.get("at"):
        try:
            at_ns = parse_ns(job["at"])
        except ValueError as exc:
            raise JobError(f'invalid timestamp for \'at\': "{job["at"]}": {exc}') from None
    if at_ns is not None and at_ns > now_ns:
        job.pop("enqueued_at", None)
        return PreparedJob(job["jid"], job["queue"], canonical(job), at_ns)
    check_queue_name(job["queue"])
    job["enqueued_at"] = format_ns(now_ns)
    return PreparedJob(job["jid"], job["queue"], canonical(job), None)


def reenqueue(payload: bytes, now_ns: int) -> tuple[str, bytes]:
    """A stored job entering its queue again (scheduler, retry now): fresh enqueued_at."""
    job = parse_job(payload)
    job["enqueued_at"] = format_ns(now_ns)
    queue = job.get("queue") or "default"
    check_queue_name(queue)
    return queue, canonical(job)


def score_of(ns: int) -> float:
    """A sorted-set score: float epoch seconds, as Faktory stores them."""
    return ns / NS
