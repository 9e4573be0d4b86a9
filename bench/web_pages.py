"""The Web UI's pages at scale: a queue and Retries of 1,000,000 jobs each
(`python -m bench.web_pages`, `make bench-web`).

Starts a server with its Web UI (as `serve` does), bulk-loads the jobs with the job browser
bench's loader, then times GET of the first, a middle and the last page of the queue and of
Retries, a retry's detail page, and a filtered page (a scan of every entry, the one page that
is not meant to be fast). Each time is the whole request over loopback, so it bounds the server
time from above. The goal for the list pages is under 100 ms.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.browser import load
from faktory_desktop.config import Settings
from faktory_desktop.core.records import RETRIES
from faktory_desktop.server.runtime import ServerThread

PAGE_GOAL_MS = 100.0


def timed_get(port: int, path: str) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        conn.close()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}")
    return elapsed


def main(count: int, repeat: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(port=0, data_dir=Path(tmp) / "db", config_dir=Path(tmp) / "cfg",
                            web_host="127.0.0.1", web_port=0)
        server = ServerThread(settings)
        server.start()
        try:
            runtime = server.runtime
            assert runtime.core is not None and runtime.web is not None
            server.submit(load(runtime.core.store, count)).result(3600)
            api = runtime.web.ctx.api
            middle = server.submit(api.page(RETRIES, count // 2, 1)).result(60)
            last = max((count + 24) // 25, 1)
            paths = {
                "queue, page 1": "/queues/bench",
                "queue, middle page": f"/queues/bench?page={last // 2}",
                "queue, last page": f"/queues/bench?page={last}",
                "retries, page 1": "/retries",
                "retries, middle page": f"/retries?page={last // 2}",
                "retries, last page": f"/retries?page={last}",
                "retry detail": f"/retries/{middle.records[0].key}",  # type: ignore[attr-defined]
                "dashboard": "/",
            }
            print(f"{count:,} jobs in a queue and in Retries; {repeat} GETs each")
            worst = 0.0
            for label, path in paths.items():
                times = [timed_get(runtime.web.port, path) for _ in range(repeat)]
                median = statistics.median(times)
                worst = max(worst, median)
                print(f"  {label:22} median {median:7.1f} ms   max {max(times):7.1f} ms")
            scan = timed_get(runtime.web.port, "/retries?text=user123456%40")
            print(f"  {'retries, text filter':22} {scan:7.1f} ms (one scan of every entry)")
            goal = "met" if worst < PAGE_GOAL_MS else "MISSED"
            print(f"page goal (< {PAGE_GOAL_MS:.0f} ms median): {goal}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.web_pages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sys.exit(main(args.jobs, args.repeat))
