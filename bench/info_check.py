"""The end-of-run cross-check: the server's own `INFO` counts against what the load saw.

After the last ACK/FAIL is answered, a server must report every job processed (ACK and FAIL both
count, as in Faktory), every FAIL as a failure, no job still reserved (`working`), and the load's
queues empty. Where a FAILed job goes depends on its `retry`: with 0 (our own lines) it is
discarded, so the retry set stays empty; with 25 (Faktory's test/load lines) it waits in the retry
set, unless its retry came due during the run: then it is back in a queue, or was fetched and
ACKed again (`retried`). So with retries, queued + retry set + retried = FAILs.

A server that does not report a figure (the null server keeps no retry set) has that check
skipped, with a note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Expected", "InfoCheck", "check_info"]


@dataclass(frozen=True, slots=True)
class Expected:
    """What the load did: its queues, and the jobs it finished, FAILed and ACKed after a retry."""

    queues: tuple[str, ...]
    finished: int
    failed: int
    retried: int
    retries_kept: bool  # FAILed jobs go to the retry set (retry > 0)


@dataclass(slots=True)
class InfoCheck:
    problems: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def check_info(info: dict[str, Any], want: Expected) -> InfoCheck:
    out = InfoCheck()
    data = info.get("faktory")
    if not isinstance(data, dict):
        out.skipped.append("INFO has no 'faktory' section; its counts were not checked")
        return out
    sets: dict[str, Any] = data["sets"] if isinstance(data.get("sets"), dict) else {}
    _equal(out, data.get("total_processed"), want.finished + want.retried, "total_processed",
           "ACKs and FAILs")
    _equal(out, data.get("total_failures"), want.failed, "total_failures", "FAILs")
    _equal(out, sets.get("working"), 0, "sets.working", "reserved jobs after the last ACK")
    queues = data.get("queues")
    queued = (sum(int(queues.get(q, 0)) for q in want.queues) if isinstance(queues, dict)
              else None)
    if not want.retries_kept:
        _equal(out, queued, 0, f"queues {'/'.join(want.queues)}", "jobs left in the queues")
        _equal(out, sets.get("retries"), 0, "sets.retries", "retries (every job has retry 0)")
    elif queued is None or sets.get("retries") is None:
        missing = "queues" if queued is None else "sets.retries"
        out.skipped.append(f"INFO has no {missing}; the retry set was not checked")
    else:
        waiting = want.failed - want.retried
        if queued + int(sets["retries"]) != waiting:
            out.problems.append(f"INFO: {queued} jobs in the queues and {sets['retries']} in the "
                                f"retry set; expected {waiting} in all (FAILed and not yet "
                                "retried), the queues otherwise empty")
    return out


def _equal(out: InfoCheck, got: Any, expected: int, name: str, what: str) -> None:
    if got is None:
        out.skipped.append(f"INFO has no {name}; {what} not checked")
    elif int(got) != expected:
        out.problems.append(f"INFO {name} is {got}, expected {expected} ({what})")
