"""The job payload: validation and normalization, done once at PUSH.

A job is parsed, checked in Faktory's order with Faktory's messages (spec P-21..P-26), and
re-serialized in the canonical form Faktory's Go struct produces: compact JSON, keys in the order
of `FIELD_ORDER`, unknown top-level keys dropped, empty optional fields omitted. The canonical bytes
are what Redis stores and what FETCH returns as is, so nothing downstream parses a job on the hot
path, and MUTATE's substring filters (`"jobtype":"X"`) match.
"""

from __future__ import annotations

import re
from typing import Any, Final, NamedTuple

from mypy_extensions import mypyc_attr

from faktory_desktop.core import enterprise, jsonc
from faktory_desktop.core.timefmt import NS, format_ns, parse_ns

FIELD_ORDER: Final = (
    "retry", "failure", "custom", "jid", "queue", "jobtype", "created_at", "enqueued_at", "at",
    "args", "reserve_for", "backtrace",
)  # fmt: skip
FAILURE_ORDER: Final = (
    "retry_count", "remaining", "failed_at", "next_at", "message", "errtype", "backtrace",
)  # fmt: skip
_AFTER_RETRY_AND_FAILURE: Final = FIELD_ORDER[2:]
_FAILURE_ALWAYS: Final = ("retry_count", "remaining", "failed_at")
_STRINGS: Final = ("jid", "queue", "jobtype", "created_at", "enqueued_at", "at")
_INTEGERS: Final = ("retry", "reserve_for", "backtrace")
_FIELDS: Final = frozenset(FIELD_ORDER)
# The type each field has when a job is well-formed JSON (orjson gives these exact types).
_EXACT_TYPES: Final[dict[str, type]] = {
    **dict.fromkeys(_STRINGS, str), **dict.fromkeys(_INTEGERS, int),
    "args": list, "custom": dict, "failure": dict,
}
_EMPTY: Final[tuple[object, ...]] = ("", 0, {})  # values Go's omitempty leaves out (besides null)
DEFAULT_RETRY: Final = 25
MAX_RESERVE_FOR: Final = 86400
DEFAULT_RESERVE_FOR: Final = 1800  # seconds a job without reserve_for stays reserved (fetch.lua)
QUEUE_NAME: Final = re.compile(r"[a-zA-Z0-9._-]+")


@mypyc_attr(native_class=False)
class JobError(ValueError):
    """A job that cannot be accepted; the message is the `-ERR` text Faktory uses."""

    code = "ERR"  # the reply's error code: `-<code> <message>`

    def bulk_text(self) -> str:
        """The text PUSHB reports for this jid: Faktory stores Go's `err.Error()`, which carries
        the code only for a coded (non-ERR) error."""
        return str(self) if self.code == "ERR" else f"{self.code} {self}"


class PreparedJob(NamedTuple):
    """A validated job, ready for storage: where it goes, and its canonical bytes.

    A named tuple: one is built per PUSH, and that is cheaper than a frozen dataclass.
    """

    jid: str
    queue: str
    payload: bytes
    at_ns: int | None  # set when the job is scheduled for later
    ent: enterprise.EntJob | None = None  # its Enterprise features; None for a plain job


_valid_names: Final[set[str]] = set()  # names that passed QUEUE_NAME: the hot path sees few of them
_VALID_NAMES_KEPT: Final = 1000


def valid_queue_name(name: str) -> bool:
    if name in _valid_names:
        return True
    if QUEUE_NAME.fullmatch(name) is None:
        return False
    if len(_valid_names) >= _VALID_NAMES_KEPT:
        _valid_names.clear()
    _valid_names.add(name)
    return True


def check_queue_name(name: str) -> None:
    if not valid_queue_name(name):
        raise JobError(
            f'cannot get "{name}" queue: queue names must match \\A[a-zA-Z0-9._-]+\\z'
        )


def _fold_keys(obj: dict[str, Any]) -> dict[str, Any]:
    """Go matches JSON keys to struct fields case-insensitively; only known fields survive."""
    known = {}
    fields = _FIELDS
    for key, value in obj.items():
        if value is None:
            continue
        if key in fields:  # the usual spelling: no need to lower() it
            known[key] = value
        elif (lower := key.lower()) in fields:
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


def loads_after_error(data: bytes | str, error: ValueError) -> Any:
    """A second reading of JSON that did not parse: bytes that are not UTF-8 become U+FFFD, as
    in Faktory; anything else is `invalid JSON` with the parser's reason."""
    try:
        return jsonc.loads_replacing_invalid_utf8(data, error)
    except jsonc.JSONDecodeError as exc:
        raise JobError(f"invalid JSON: {exc}") from None


def parse_job(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    """Decode and type-check a job; fields keep Faktory's names."""
    obj: Any  # a dict, or whatever the JSON holds (checked below)
    if isinstance(data, dict):
        obj = data
    else:
        try:
            obj = jsonc.loads(data)
        except jsonc.JSONDecodeError as exc:
            obj = loads_after_error(data, exc)
    if not isinstance(obj, dict):
        raise JobError("invalid JSON: a job must be a JSON object")
    job = _fold_keys(obj)
    types = _EXACT_TYPES
    for key, value in job.items():
        if type(value) is not types[key]:
            # Something is off (or merely a subclass, as from a dict built in code): the full
            # check reports the first mismatch in Faktory's order, exactly as before.
            _check_types(job)
            break
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
    get = job.get
    for key in _AFTER_RETRY_AND_FAILURE:
        value = get(key)
        if key == "args":
            out["args"] = value if value is not None else []
        elif value is not None and value not in _EMPTY:  # most optional fields are absent
            out[key] = value
    return jsonc.dumps(out)


def prepare(data: bytes | str | dict[str, Any], now_ns: int) -> PreparedJob:
    """Validate and normalize a pushed job (P-21..P-26); raises JobError with Faktory's text."""
    job = parse_job(data)
    validate(job)
    job.setdefault("retry", DEFAULT_RETRY)
    stamp = format_ns(now_ns)  # created_at and enqueued_at, when set here, are the same instant
    if not job.get("created_at"):
        job["created_at"] = stamp
    if not job.get("queue"):
        job["queue"] = "default"
    at_ns = None
    if job.get("at"):
        try:
            at_ns = parse_ns(job["at"])
        except ValueError as exc:
            raise JobError(f'invalid timestamp for \'at\': "{job["at"]}": {exc}') from None
    ent = _enterprise_features(job, now_ns)
    if at_ns is not None and at_ns > now_ns:
        job.pop("enqueued_at", None)
        return PreparedJob(job["jid"], job["queue"], canonical(job), at_ns, ent)
    check_queue_name(job["queue"])
    job["enqueued_at"] = stamp
    return PreparedJob(job["jid"], job["queue"], canonical(job), None, ent)


def _enterprise_features(job: dict[str, Any], now_ns: int) -> enterprise.EntJob | None:
    """None for a plain job, told apart in one check; else its checked Enterprise fields."""
    if not enterprise.has_features(job.get("custom")):
        return None
    try:
        return enterprise.prepare(job, now_ns)
    except enterprise.FieldError as exc:
        raise JobError(str(exc)) from None


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


def validate_edit(edited: dict[str, Any]) -> bytes:
    """An edited job, checked as PUSH checks a job (queue name and `at` included, wherever the
    job will live); its canonical bytes. Raises JobError with the message a user reads."""
    job = parse_job(edited)
    validate(job)
    check_queue_name(job.get("queue") or "default")
    if job.get("at"):
        try:
            parse_ns(job["at"])
        except ValueError as exc:
            raise JobError(f"invalid timestamp for 'at': {exc}") from None
    return canonical(job)
