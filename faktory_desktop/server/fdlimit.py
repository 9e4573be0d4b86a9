"""The open-file limit: raised at start so the connection cap fits, or the cap lowered to fit it.

Every client socket is a file descriptor. A desktop session often inherits a low soft limit
(`ulimit -Sn` 1024 on Linux, 256 from macOS launchd) with a much higher hard limit, so, as
Faktory does, we raise the soft limit at start to what `--max-connections` needs. Where the hard
limit is too low for that, the connection cap is lowered to fit, with one warning line.

Running out of descriptors must never happen: libuv (uvloop) then accepts and silently closes
every waiting connection, and a file that must be opened (psutil's /proc/PID/statm for INFO)
fails. So the budget also bounds the open sockets (identified or not: beyond it a new client gets
`-ERR too many connections` at once) and the listen backlog (the most connections one accept loop
can take in a burst). The engine connections, logs, the event loop and the app keep a reserve.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

import psutil

log = logging.getLogger(__name__)

BACKLOG = 1024  # the listen backlog when the limit allows it
HANDSHAKE_SLACK = 64  # sockets beyond the cap: clients being greeted, or refused at HELLO
ENGINE_FDS = 32  # the hot connection, the cold pool (storage.cold.POOL_SIZE), health checks
SPARE_FDS = 64  # logs, pidfile, data-dir lock, listeners, the event loop, probes, a margin
MACOS_OPEN_MAX = 10240  # macOS refuses a soft limit above OPEN_MAX when the hard one is unlimited


@dataclass(frozen=True)
class ConnectionBudget:
    """What the open-file limit allows the listener."""

    max_connections: int  # identified clients; HELLO beyond it gets `too many connections`
    max_sockets: int  # open client sockets; a connection beyond it is refused before greeting
    backlog: int  # the listen backlog
    soft_limit: int | None = None  # the soft RLIMIT_NOFILE now (None: no such limit here)


def plan_budget(wanted: int, soft: int, hard: int | None,
                open_fds: int) -> tuple[int, ConnectionBudget]:
    """(the soft limit to set, the budget under it) for `wanted` connections.

    `hard` None is unlimited; `open_fds` are the descriptors open now (the app's, Qt's). The
    soft limit is never lowered.
    """
    reserve = open_fds + ENGINE_FDS + SPARE_FDS
    target = wanted + HANDSHAKE_SLACK + BACKLOG + reserve
    new_soft = max(soft, target if hard is None else min(target, hard))
    room = max(new_soft - reserve, 2)
    backlog = BACKLOG if room >= target - reserve else max(8, room // 8)
    sockets = max(1, room - backlog)
    cap = min(wanted, max(1, sockets - min(HANDSHAKE_SLACK, sockets // 8)))
    return new_soft, ConnectionBudget(cap, sockets, backlog, new_soft)


def unlimited_budget(wanted: int) -> ConnectionBudget:
    """Where there is no RLIMIT_NOFILE (Windows): the cap as configured."""
    return ConnectionBudget(wanted, wanted + HANDSHAKE_SLACK, BACKLOG)


def fit_open_file_limit(wanted: int) -> ConnectionBudget:
    """Raise the soft open-file limit for `wanted` connections; returns what fits. Logs both."""
    try:
        import resource
    except ImportError:  # Windows: sockets are not bounded by an RLIMIT there
        return unlimited_budget(wanted)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    hard_limit = None if hard == resource.RLIM_INFINITY else hard
    new_soft, budget = plan_budget(wanted, soft, hard_limit, _open_fds())
    if new_soft > soft:
        new_soft = _set_soft_limit(resource, soft, new_soft, hard)
        if new_soft != budget.soft_limit:
            _, budget = plan_budget(wanted, new_soft, new_soft, _open_fds())
        log.info("open-file limit raised from %d to %d (hard limit %s) for %d connections",
                 soft, new_soft, "unlimited" if hard_limit is None else hard_limit, wanted)
    if budget.max_connections < wanted:
        log.warning("the open-file limit (%d) leaves room for %d connections, not %d: the "
                    "connection cap is %d (raise the hard limit, e.g. ulimit -Hn, to allow more)",
                    new_soft, budget.max_connections, wanted, budget.max_connections)
    return budget


def _set_soft_limit(resource: object, soft: int, wanted: int, hard: int) -> int:
    """Set the soft limit to `wanted` (or as near as the system allows); returns the new one."""
    tries = [wanted]
    if sys.platform == "darwin" and wanted > MACOS_OPEN_MAX:
        tries.append(max(soft, MACOS_OPEN_MAX))
    for value in tries:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (value, hard))  # type: ignore[attr-defined]
            return value
        except (ValueError, OSError) as exc:
            log.debug("cannot set the open-file limit to %d: %s", value, exc)
    return soft


def _open_fds() -> int:
    """How many descriptors this process has open now (a guess when that cannot be read)."""
    try:
        return int(psutil.Process().num_fds())
    except (OSError, psutil.Error, AttributeError):
        return SPARE_FDS
