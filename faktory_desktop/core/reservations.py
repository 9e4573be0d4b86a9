"""Jobs in progress: which reservation member each fetched jid holds in the `working` set.

Faktory keeps the same map in memory (spec L-11): ACK and FAIL name only a jid, and the map gives
the exact member to remove, so neither has to search Redis. It is rebuilt from `working` at boot
(L-13), so ACK and FAIL keep working across a restart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from faktory_desktop.core import enterprise, jsonc


class Reservation(NamedTuple):
    """A named tuple: one is built per FETCH (cheaper than a frozen dataclass)."""

    jid: str
    wid: str
    member: bytes
    ent: enterprise.EntJob | None = None  # what ACK must do beyond the plain path


class Reservations:
    def __init__(self) -> None:
        self._by_jid: dict[str, Reservation] = {}

    def __len__(self) -> int:
        return len(self._by_jid)

    def add(self, jid: str, wid: str, member: bytes,
            ent: enterprise.EntJob | None = None) -> None:
        self._by_jid[jid] = Reservation(jid, wid, member, ent)

    def get(self, jid: str) -> Reservation | None:
        return self._by_jid.get(jid)
    def __iter__(self) -> Iterator[Reservation]:
        return iter(list(self._by_jid.values()))


    def pop(self, jid: str) -> Reservation | None:
        return self._by_jid.pop(jid, None)

    def restore(self, reservation: Reservation) -> None:
        """Put back a popped reservation whose ACK/FAIL did not get through (unless re-added)."""
        self._by_jid.setdefault(reservation.jid, reservation)

    def forget_member(self, jid: str, member: bytes) -> None:
        """Forget a reaped reservation, unless the jid has been fetched again since."""
        current = self._by_jid.get(jid)
        if current is not None and current.member == member:
            del self._by_jid[jid]

    def clear(self) -> None:
        self._by_jid.clear()

    def busy_by_worker(self) -> Counter[str]:
        return Counter(r.wid for r in self._by_jid.values())

    def load(self, members: Iterable[bytes]) -> int:
        """Rebuild from the `working` set; corrupt entries are skipped. Returns how many loaded."""
        loaded = 0
        for member in members:
            parsed = parse_member(member)
            if parsed is not None:
                jid, wid, job = parsed
                self.add(jid, wid, member, enterprise.features(job))
                loaded += 1
        return loaded


def parse_member(member: bytes) -> tuple[str, str, dict] | None:
    """(jid, wid, job) of a `working` member, or None if it is not a reservation."""
    try:
        record = jsonc.loads(member)
        job = record["job"]
        return str(job["jid"]), str(record.get("wid") or ""), job
    except (jsonc.JSONDecodeError, KeyError, TypeError):
        return None
