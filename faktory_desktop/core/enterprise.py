"""The Enterprise fields of a job's `custom` hash: unique, expiring, batch and tracking.

A plain job has none of them, and that is told in one check: `custom` is absent (the usual case)
or shares no key with `ENT_KEYS`. Only then does anything here run, so the hot path of a plain job
stays as it was. Everything is read from the job itself, at PUSH (checked, with Faktory
Enterprise's defaults applied) and again at FETCH (from the stored job), so no state about a job's
features needs to live anywhere but in the job.

The fields (`../shared/faktory-enterprise.md` §§2-5):
- `unique_for` (seconds) and `unique_until` (`success` or `start`): one job per (jobtype, args,
  queue) at a time;
- `expires_at` (RFC 3339) or `expires_in` (seconds, turned into `expires_at` at PUSH): a job fetched
  after it is dropped;
- `bid`: the batch the job belongs to; `_bid`: the batch a callback job was fired for;
- `track` = 1: the job's state is recorded for TRACK GET.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final, NamedTuple

from faktory_desktop.core import jsonc
from faktory_desktop.core.timefmt import NS, format_ns, parse_ns

ENT_KEYS: Final = frozenset(
    {"unique_for", "unique_until", "expires_at", "expires_in", "bid", "_bid", "track"}
)
UNTIL_SUCCESS: Final = "success"
UNTIL_START: Final = "start"
_UNTIL: Final = (UNTIL_SUCCESS, UNTIL_START)


class FieldError(ValueError):
    """An Enterprise field that cannot be accepted; the message names the field."""


class EntJob(NamedTuple):
    """What the lifecycle must do for one job beyond the plain path."""

    unique: str | None  # the lock's digest, when the job is unique
    unique_for: float  # the lock's lifetime in seconds (from PUSH, or from `at` when scheduled)
    unique_until: str  # UNTIL_SUCCESS or UNTIL_START
    expires_at_ns: int | None
    bid: str | None  # member of this batch
    callback_of: str | None  # a callback fired for this batch (`_bid`)
    track: bool


def has_features(custom: Any) -> bool:
    """The one cheap check: does a job's `custom` hold any Enterprise field?"""
    return bool(custom) and isinstance(custom, dict) and not ENT_KEYS.isdisjoint(custom)


def unique_digest(jobtype: str, args: Any, queue: str) -> str:
    """The lock identity of (jobtype, args, queue); map keys are sorted, so their order in the
    pushed JSON does not matter (Faktory Pro 0.9.6, #203)."""
    data = jsonc.dumps_sorted([jobtype, queue, args])
    return hashlib.sha256(data).hexdigest()


def prepare(job: dict[str, Any], now_ns: int) -> EntJob:
    """Check the fields of a job being pushed and apply their defaults, in place.

    `expires_in` becomes `expires_at`, so the stored job carries one absolute expiry. Raises
    FieldError naming the field.
    """
    custom = job["custom"]
    if "expires_in" in custom:
        seconds = _seconds(custom.pop("expires_in"), "expires_in")
        if seconds is not None:
            custom["expires_at"] = format_ns(now_ns + int(seconds * NS))
    _seconds(custom.get("unique_for"), "unique_for")
    until = custom.get("unique_until")
    if until is not None and until not in _UNTIL:
        shown = jsonc.dumps(until).decode()
        raise FieldError(f'custom.unique_until must be "success" or "start", not {shown}')
    for key in ("bid", "_bid"):
        if custom.get(key) is not None and not (isinstance(custom[key], str) and custom[key]):
            raise FieldError(f"custom.{key} must be a batch id (a non-empty string)")
    if custom.get("expires_at") is not None:
        _timestamp(custom["expires_at"], "expires_at")
    return _features(job, custom)


def features(job: dict[str, Any]) -> EntJob | None:
    """The features of a job already checked at PUSH (fetched, or reserved); None when plain."""
    custom = job.get("custom")
    return _features(job, custom) if custom and has_features(custom) else None


def _features(job: dict[str, Any], custom: dict[str, Any]) -> EntJob:
    unique_for = _seconds_or_none(custom.get("unique_for"))
    unique = None
    if unique_for:
        unique = unique_digest(job.get("jobtype", ""), job.get("args", []), job.get("queue", ""))
    expires = custom.get("expires_at")
    return EntJob(
        unique=unique,
        unique_for=unique_for or 0.0,
        unique_until=custom.get("unique_until") or UNTIL_SUCCESS,
        expires_at_ns=_timestamp_or_none(expires),
        bid=custom.get("bid") or None,
        callback_of=custom.get("_bid") or None,
        track=custom.get("track") in (1, True, "1"),
    )


def _seconds(value: Any, field: str) -> float | None:
    """A number of seconds: a JSON number or a numeric string (Rails sends `"600"`)."""
    if value is None:
        return None
    seconds = _seconds_or_none(value)
    if seconds is None or seconds < 0:
        shown = jsonc.dumps(value).decode()
        raise FieldError(f"custom.{field} must be a number of seconds, not {shown}")
    return seconds


def _seconds_or_none(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _timestamp(value: Any, field: str) -> int:
    if not isinstance(value, str):
        raise FieldError(f"custom.{field} must be an RFC 3339 timestamp string")
    try:
        return parse_ns(value)
    except ValueError as exc:
        raise FieldError(f"custom.{field}: {exc}") from None


def _timestamp_or_none(value: Any) -> int | None:
    try:
        return parse_ns(value) if isinstance(value, str) else None
    except ValueError:
        return None
