"""Job tracking (Faktory Enterprise): TRACK SET and TRACK GET.

A job pushed with `custom.track = 1` has a record whose `state` follows its life (enqueued,
working, success, failed, dead: written by the same scripts that move the job), and which a worker
annotates with `percent` and `desc`. A record lives 30 minutes after its last change. TRACK SET's
`reserve_until` extends the job's reservation, never shortens it. Semantics:
`../shared/faktory-enterprise.md` §5.
"""

from __future__ import annotations

from typing import Any

from faktory_desktop.core.job import MAX_RESERVE_FOR, JobError
from faktory_desktop.core.manager import Manager
from faktory_desktop.core.reservations import Reservation
from faktory_desktop.core.timefmt import NS, format_ns, now_ns, parse_ns

UNKNOWN_STATE = "unknown"


class TrackError(JobError):
    """A TRACK request that cannot be carried out; the message names the field."""


class Tracking:
    def __init__(self, manager: Manager) -> None:
        self.manager = manager
        self.store = manager.store.ent

    async def get(self, jid: str) -> dict[str, Any]:
        """TRACK GET: the record; an unknown jid gives Enterprise's exact unknown record."""
        record = await self.store.track_get(jid)
        if record is None:
            return {"jid": jid, "state": UNKNOWN_STATE, "updated_at": ""}
        return record_of(jid, record)

    async def set(self, update: Any) -> None:
        """TRACK SET: `percent` and `desc` replace theirs (a field left out, or null, keeps its
        value); `reserve_until` extends a live reservation."""
        if not isinstance(update, dict):
            raise TrackError('TRACK SET takes a JSON object: {"jid":...,"percent":...}')
        jid = update.get("jid")
        if not isinstance(jid, str) or not jid:
            raise TrackError("TRACK SET needs a jid")
        fields: dict[str, Any] = {"updated_at": format_ns(now_ns())}
        percent = update.get("percent")
        if percent is not None:
            if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
                raise TrackError("TRACK SET: percent must be an integer from 0 to 100")
            fields["percent"] = percent
        desc = update.get("desc")
        if desc is not None:
            if not isinstance(desc, str):
                raise TrackError("TRACK SET: desc must be a string")
            fields["desc"] = desc
        reservation = self.manager.reservations.get(jid)
        until = update.get("reserve_until")
        if until is not None:
            await self._extend(reservation, until)
        state_if_new = "working" if reservation is not None else UNKNOWN_STATE
        await self.store.track_set(jid, fields, state_if_new)

    async def _extend(self, reservation: Reservation | None, until: Any) -> None:
        try:
            until_ns = parse_ns(until) if isinstance(until, str) else None
        except ValueError as exc:
            raise TrackError(f"TRACK SET: reserve_until: {exc}") from None
        if until_ns is None:
            raise TrackError("TRACK SET: reserve_until must be an RFC 3339 timestamp")
        if reservation is None:
            return  # not reserved: nothing to extend (+OK, as Enterprise)
        until_ns = min(until_ns, now_ns() + MAX_RESERVE_FOR * NS)
        await self.store.extend_reservation(reservation.member, until_ns / NS)


def record_of(jid: str, record: dict[str, str]) -> dict[str, Any]:
    """A stored record in TRACK GET's shape: jid, percent?, desc?, state, updated_at."""
    out: dict[str, Any] = {"jid": jid}
    if "percent" in record:
        out["percent"] = int(record["percent"])
    if "desc" in record:
        out["desc"] = record["desc"]
    out["state"] = record.get("state", UNKNOWN_STATE)
    out["updated_at"] = record.get("updated_at", "")
    return out

