"""The job browser at scale: a queue and a set of 1,000,000 jobs each (`python -m bench.browser`).

Starts an in-process server (as the app does), bulk-loads the jobs straight into the store with
pipelined LPUSH / ZADD of canonical job bytes (a fixture, not product code), then, offscreen:

- open: from constructing the browser page to its first rows painted (goal: under 300 ms);
- jump: scrolling to random rows, the time until each row's page is read and painted;
- drag: a fast scrollbar drag across the whole list (one step per event-loop turn), and how many
  pages it read: only the ones it stopped on are wanted;
- paint: one full repaint of the table, the GUI thread's cost per frame while scrolling;
- filter: counting the matches of a text filter over all 1M entries (the scan's throughput;
  goal: under 1 s), three times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync  # noqa: E402
from PySide6.QtCore import SignalInstance  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from faktory_desktop.config import Settings  # noqa: E402
from faktory_desktop.core.records import RETRIES, JobFilter, Source  # noqa: E402
from faktory_desktop.storage import keys  # noqa: E402
from faktory_desktop.ui.controller import ServerController  # noqa: E402
from faktory_desktop.ui.jobs.browser import JobBrowserPage  # noqa: E402

QUEUE = Source.of_queue("bench")
CHUNK = 10_000
OPEN_GOAL_MS = 300.0
FILTER_GOAL_S = 1.0
_JOB = (b'{"retry":25,%b"jid":"bench%010d","queue":"bench","jobtype":"Type%d","created_at":'
        b'"2024-01-01T00:00:00Z","enqueued_at":"2024-01-01T00:00:00Z","args":[%d,'
        b'"user%d@example.com",{"plan":"pro"}]}')
_FAILURE = (b'"failure":{"retry_count":3,"remaining":22,"failed_at":"2024-01-01T00:00:00Z",'
            b'"next_at":"2099-01-01T00:00:00Z","message":"timeout %d","errtype":"Net::Timeout"},')


def job_bytes(i: int, failed: bool) -> bytes:
    failure = _FAILURE % i if failed else b""
    return _JOB % (failure, i, i % 7, i, i)


async def load(store, count: int) -> None:
    """LPUSH `count` jobs onto the queue and ZADD as many into Retries, in pipelined chunks."""
    base = time.time() + 86400 * 365
    for start in range(0, count, CHUNK):
        ids = range(start, min(count, start + CHUNK))
        async with store.cold.pipeline(transaction=False) as pipe:
            pipe.sadd(keys.QUEUES, QUEUE.queue)
            pipe.lpush(keys.queue(QUEUE.queue), *(job_bytes(i, False) for i in ids))
            pipe.zadd(keys.RETRIES, {job_bytes(i, True): base + i for i in ids})
            await pipe.execute()


async def until(condition: Callable[[], bool], signal: SignalInstance,
                timeout: float = 30.0) -> None:
    """Wait, idle (as the app does: no busy polling, which would hog the GIL the server thread
    needs), for `signal` until `condition` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        arrived = loop.create_future()

        def wake(*_: object, fut: asyncio.Future = arrived) -> None:
            if not fut.done():
                fut.set_result(None)

        signal.connect(wake)
        try:
            await asyncio.wait_for(arrived, max(0.0, deadline - loop.time()))
        finally:
            signal.disconnect(wake)


def loaded(page: JobBrowserPage, row: int) -> bool:
    return page.model.record(row) is not None


async def open_page(ctl: ServerController, source: Source) -> tuple[JobBrowserPage, float]:
    """A shown page and the ms from its construction to its first rows painted."""
    start = time.perf_counter()
    page = JobBrowserPage(ctl, source)
    page.resize(1200, 760)
    page.show()
    await until(partial(loaded, page, 0), page.model.pageLoaded)
    page.table.viewport().repaint()
    return page, (time.perf_counter() - start) * 1000


async def jumps(page: JobBrowserPage, total: int, count: int) -> tuple[list[float], list[float]]:
    """For each jump: (ms until the row is painted with its job, ms its page took to arrive
    after the frame that asked for it)."""
    painted, reads = [], []
    for row in random.Random(7).sample(range(total), count):
        start = time.perf_counter()
        page.table.scrollTo(page.model.index(row, 0))
        page.table.viewport().repaint()  # the frame that shows "…" and wants the page
        asked = time.perf_counter()
        await until(partial(loaded, page, row), page.model.pageLoaded)
        reads.append((time.perf_counter() - asked) * 1000)
        page.table.viewport().repaint()
        painted.append((time.perf_counter() - start) * 1000)
    return painted, reads


async def drag(page: JobBrowserPage, steps: int) -> tuple[int, float]:
    """Pages read, and the ms, for a drag from top to bottom in `steps` event-loop turns."""
    bar, before = page.table.verticalScrollBar(), page.model.fetches
    start = time.perf_counter()
    for step in range(steps + 1):
        bar.setValue(bar.maximum() * step // steps)
        await asyncio.sleep(0)
    last = page.model.rowCount() - 1
    await until(partial(loaded, page, last), page.model.pageLoaded)
    return page.model.fetches - before, (time.perf_counter() - start) * 1000


def paints(page: JobBrowserPage, count: int = 30) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        page.table.viewport().repaint()
        times.append((time.perf_counter() - start) * 1000)
    return times


def line(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"  {name:<34} median {statistics.median(values):7.1f} ms   p95 {p95:7.1f} ms   "
            f"max {max(values):7.1f} ms")


async def measure(ctl: ServerController, source: Source, total: int, jumps_n: int) -> bool:
    page, opened = await open_page(ctl, source)
    print(f"{source.label}: {page.model.total:,} jobs")
    verdict = "ok" if opened < OPEN_GOAL_MS else f"over the {OPEN_GOAL_MS:.0f} ms goal"
    print(f"  {'open to first rows painted':<34} {opened:7.1f} ms ({verdict})")
    painted, reads = await jumps(page, total, jumps_n)
    print(line(f"jump to a random row ({jumps_n}x)", painted))
    print(line("  of which the page read", reads))
    pages, ms = await drag(page, 200)
    print(f"  {'drag top to bottom (200 steps)':<34} {ms:7.1f} ms, {pages} pages read "
          f"(of {total // 200:,})")
    print(line("repaint of the whole table", paints(page)))
    page.close()
    page.deleteLater()
    return opened < OPEN_GOAL_MS


async def scan(ctl: ServerController, runs: int = 3) -> None:
    """The text filter `runs` times over all of Retries, with progress reported as the UI has it."""
    assert ctl.api is not None
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        found = await ctl.call(ctl.api.find_matches(RETRIES, JobFilter(text="user4242@"), 100,
                                                    progress=lambda *_: None))
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    verdict = "ok" if median < FILTER_GOAL_S else "over the goal"
    print(f"filter 'user4242@' over Retries: {found.count:,} matches, median {median:.2f} s "
          f"of {runs} (min {min(times):.2f}, max {max(times):.2f}; goal < {FILTER_GOAL_S:.0f} s: "
          f"{verdict})")


async def main(count: int, jumps_n: int) -> int:
    with tempfile.TemporaryDirectory(prefix="faktory-bench-browser-") as tmp:
        ctl = ServerController(Settings(host="127.0.0.1", port=0, data_dir=Path(tmp) / "db",
                                        config_dir=Path(tmp) / "config"))
        if not await ctl.start():
            print(f"the server did not start: {ctl.status.detail}")
            return 1
        try:
            start = time.perf_counter()
            assert ctl.server_thread is not None and ctl.server_thread.runtime.core is not None
            await ctl.call(load(ctl.server_thread.runtime.core.store, count))
            print(f"loaded {count:,} jobs into a queue and {count:,} into Retries in "
                  f"{time.perf_counter() - start:.1f} s")
            ok = await measure(ctl, QUEUE, count, jumps_n)
            ok = await measure(ctl, RETRIES, count, jumps_n) and ok
            await scan(ctl)
        finally:
            await ctl.stop()
    return 0 if ok else 1


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--jumps", type=int, default=50)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QApplication.setQuitOnLastWindowClosed(False)  # closing a page must not end the run
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(main(args.jobs, args.jumps))


if __name__ == "__main__":
    raise SystemExit(run())
