"""Helpers for the Enterprise wire tests: jobs with custom fields, and BATCH/TRACK calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import new_jid
from tests.fwp import RawClient, job
from tests.integration.wire import compact


def custom_job(custom: dict[str, Any], jobtype: str = "SomeJob", **extra: Any) -> dict[str, Any]:
    return job(new_jid(), jobtype, custom=custom, **extra)


def rfc3339(delta_s: float, tz: Any = UTC) -> str:
    return (datetime.now(UTC) + timedelta(seconds=delta_s)).astimezone(tz).isoformat()


def fetch(client: RawClient, queue: str = "default") -> Any:
    """The fetched job, or None when FETCH gave nothing ($-1) after its wait."""
    reply = client.call(f"FETCH {queue}")
    return None if reply == b"$-1\r\n" else json.loads(reply.split(b"\r\n")[1])


def batch_new(client: RawClient, **spec: Any) -> str:
    reply = client.call(b"BATCH NEW " + compact(spec))
    assert reply.startswith(b"$"), reply  # a bulk string, as Enterprise (faktory-rs reads no other)
    return reply.split(b"\r\n")[1].decode()


def status(client: RawClient, bid: str) -> dict[str, Any]:
    return client.call_json(f"BATCH STATUS {bid}")


def callback(jobtype: str, queue: str = "callbacks") -> dict[str, Any]:
    """A callback as pyfaktory sends it: no jid."""
    return {"jobtype": jobtype, "args": [], "queue": queue}


def track_get(client: RawClient, jid: str) -> dict[str, Any]:
    return json.loads(client.call(f"TRACK GET {jid}").split(b"\r\n")[1])
