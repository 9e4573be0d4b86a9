"""`python -m bench.job_events`: what the metrics cost per job, in-process, without a server.

Times the manager's job-event hooks (a FETCH and its ACK) with statsd, Prometheus or both
listening, and the fold that hands the jobs to them, per job, for a batch of jobs like the
standard scenario's (one queue, one jobtype). statsd's lines are formatted but not sent (its
socket is left unopened). The best of five rounds is kept: the figures are the code's cost, not
the machine's noise.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from faktory_desktop.core import jsonc
from faktory_desktop.core.events import JobEvents, JobListener
from faktory_desktop.core.timefmt import format_ns, now_ns
from faktory_desktop.metrics.prometheus import PrometheusMetrics
from faktory_desktop.metrics.snapshot import Snapshot
from faktory_desktop.metrics.statsd import StatsdMetrics
from faktory_desktop.metrics.statsd_config import StatsdConfig

ROUNDS = 5
Job = tuple[dict[str, Any], bytes]


async def _no_snapshot(latency_of: tuple[str, ...] | None = None) -> Snapshot:
    raise NotImplementedError  # never read: the bench only folds jobs


def listeners(which: str) -> list[JobListener]:
    out: list[JobListener] = []
    if "statsd" in which:
        out.append(StatsdMetrics(StatsdConfig("127.0.0.1", 8125), _no_snapshot))
    if "prometheus" in which:
        out.append(PrometheusMetrics("127.0.0.1", 0, _no_snapshot))
    return out


def jobs(n: int) -> list[Job]:
    """`n` jobs as FETCH hands them over: parsed, with their reservation member."""
    now, out = now_ns(), []
    for i in range(n):
        job = {"jid": f"jid{i:012d}", "queue": "default", "jobtype": "Bench", "args": [i],
               "created_at": format_ns(now - 5_000_000), "retry": 25,
               "enqueued_at": format_ns(now - 2_000_000 + i * 1000)}
        member = jsonc.dumps({"jid": job["jid"], "wid": "w1", "reserved_at": format_ns(now),
                              "job": job})
        out.append((job, member))
    return out


def one_round(events: JobEvents, batch: list[Job]) -> tuple[float, float]:
    """Seconds for the hooks of every job, and for folding them."""
    now = now_ns()
    started = time.perf_counter()
    for job, member in batch:
        events.fetched(job, member, now)
        events.acked(member, now + 1_000_000)
    hooked = time.perf_counter()
    events.fold()
    return hooked - started, time.perf_counter() - hooked


async def measure(which: str, n: int) -> tuple[float, float]:
    """The best µs per job of the hooks and of the fold, with `which` listening."""
    events, batch = JobEvents(), jobs(n)
    for listener in listeners(which):
        events.add(listener)
    rounds = [one_round(events, batch) for _ in range(ROUNDS)]
    for listener in listeners(which):
        events.remove(listener)
    return (min(r[0] for r in rounds) / n * 1e6, min(r[1] for r in rounds) / n * 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.job_events", description=__doc__)
    parser.add_argument("--jobs", type=int, default=600,
                        help="jobs per fold (600: 100 ms at 6,000 jobs/s; default)")
    n = parser.parse_args().jobs
    for which in ("statsd", "prometheus", "statsd+prometheus"):
        hook, fold = asyncio.run(measure(which, n))
        print(f"{which:<18} hooks {hook:5.2f} µs/job  fold {fold:5.2f} µs/job  "
              f"total {hook + fold:5.2f} µs/job")


if __name__ == "__main__":
    main()
