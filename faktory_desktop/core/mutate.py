"""MUTATE: bulk operations on the scheduled, retries and dead sets (spec P-70..P-74).

Filters keep Faktory's semantics: `jids` wins over everything else and matches the substring
`"jid":"<jid>"`; otherwise `regexp` is a Redis glob handed to ZSCAN MATCH, optionally narrowed by
`jobtype`; a lone `jobtype` becomes the glob `*"jobtype":"<type>"*`. Each move of an entry is one
atomic script that first checks the entry is still there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from faktory_desktop.core import job as jobs
from faktory_desktop.core.failure import DEAD_TTL_NS
from faktory_desktop.core.manager import Manager
from faktory_desktop.core.timefmt import now_ns
from faktory_desktop.storage.store import SortedSet

TARGETS = {s.value: s for s in (SortedSet.RETRIES, SortedSet.SCHEDULED, SortedSet.DEAD)}
COMMANDS = ("clear", "kill", "discard", "requeue")


class MutateError(ValueError):
    pass


@dataclass(frozen=True)
class Filter:
    jobtype: str = ""
    jids: tuple[str, ...] = ()
    regexp: str = ""

    @property
    def empty(self) -> bool:
        return not (self.jobtype or self.jids or self.regexp)

    def glob(self) -> str:
        if self.jids:
            return "*"
        if self.regexp:
            return self.regexp
        if self.jobtype:
            return f'*"jobtype":"{self.jobtype}"*'
        return "*"

    def matches(self, member: bytes) -> bool:
        """The checks ZSCAN's glob cannot make."""
        if self.jids:
            return any(member.find(f'"jid":"{jid}"'.encode()) > 0 for jid in self.jids)
        if self.regexp and self.jobtype:
            return f'"jobtype":"{self.jobtype}"'.encode() in member
        return True


@dataclass(frozen=True)
class Operation:
    cmd: str
    target: SortedSet
    filter: Filter | None = field(default=None)


def parse_operation(op: Any) -> Operation:
    """Check a decoded MUTATE object; errors carry Faktory's messages."""
    if not isinstance(op, dict):
        raise MutateError("invalid mutate operation: expected a JSON object")
    if op.get("cmd") not in COMMANDS:  # Faktory checks the command before the target
        raise MutateError("unknown mutate operation")
    name = op.get("target")
    target = TARGETS.get(name) if isinstance(name, str) else None
    if target is None:
        raise MutateError("invalid target for mutation command")
    raw = op.get("filter")
    if raw is None:
        return Operation(op["cmd"], target)
    if not isinstance(raw, dict):
        raise MutateError("invalid mutate filter: expected a JSON object")
    jids = raw.get("jids") or ()
    if not isinstance(jids, list | tuple) or not all(isinstance(j, str) for j in jids):
        raise MutateError("invalid mutate filter: jids must be an array of strings")
    flt = Filter(str(raw.get("jobtype") or ""), tuple(jids), str(raw.get("regexp") or ""))
    return Operation(op["cmd"], target, flt)


async def matching(manager: Manager, target: SortedSet, flt: Filter) -> AsyncIterator[bytes]:
    async for member, _score in manager.store.scan(target, flt.glob()):
        if flt.matches(member):
            yield member


async def mutate(manager: Manager, op: Operation) -> int:
    """Carry out one operation; returns how many entries it touched."""
    store = manager.store
    if op.cmd == "clear" or (op.cmd == "discard" and op.filter is None):
        size = await store.set_size(op.target)
        await store.clear(op.target)
        return size
    flt = op.filter or Filter()
    members = [m async for m in matching(manager, op.target, flt)]
    if op.cmd == "discard":
        return await store.remove(op.target, members)
    if op.cmd == "kill":
        return await kill(manager, op.target, members)
    return await requeue(manager, op.target, members)


async def kill(manager: Manager, source: SortedSet, members: list[bytes]) -> int:
    """Move entries to the dead set, unchanged, to expire in 180 days."""
    score = jobs.score_of(now_ns() + DEAD_TTL_NS)
    moved = 0
    for member in members:
        moved += await manager.store.move(source, SortedSet.DEAD, member, score, member)
    return moved


async def requeue(manager: Manager, source: SortedSet, members: list[bytes]) -> int:
    """LPUSH entries onto their queues unchanged (J-22: MUTATE keeps the stored bytes)."""
    moves = []
    for member in members:
        queue = jobs.parse_job(member).get("queue") or "default"
        jobs.check_queue_name(queue)
        moves.append((member, queue, member))
    queues = await manager.store.enqueue_from_set(source, moves)
    for queue in queues:
        manager.waiters.notify(queue)
    return len(queues)
