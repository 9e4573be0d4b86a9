"""The desktop app under full load: how long its GUI stalls, and what its server still delivers.

`make bench-app` (`python -m bench.responsiveness`) runs the standard load flat out, alternately
against the headless server and against the desktop app (offscreen, its dashboard polling every
second), and prints for each pair the app's GUI event-loop stalls (p50, p99, max, from the app's
own 5 ms stall probe) and the app's throughput as a share of headless `serve` in the same run.
Goals: stall p99 under 50 ms, throughput at least 90% of headless.

Both servers get `--settle` seconds after they accept connections before the load starts, so the
figures are the steady state, not the app building its window; the stalls list still shows the
start-up ones, with when they happened.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bench.runner import RunConfig, RunResult, run_once
from bench.server_proc import default_command

STALL_P99_GOAL_MS = 50.0
THROUGHPUT_GOAL = 0.90


def app_command(stall_file: Path) -> str:
    return (f"env QT_QPA_PLATFORM=offscreen FAKTORY_DESKTOP_STALL_PROBE={stall_file} "
            f"{shlex.quote(sys.executable)} -m faktory_desktop -b {{host}}:{{port}} "
            "-d {data} -c {conf} -l info")


def run_pair(cfg: RunConfig, workdir: Path, index: int) -> tuple[RunResult, RunResult, dict]:
    """One headless run, then one app run, with the same load."""
    headless = run_once(replace(cfg, server_cmd=default_command()), lambda _m: None)
    stall_file = workdir / f"stall-{index}.json"
    app = run_once(replace(cfg, server_cmd=app_command(stall_file)), lambda _m: None)
    stalls = json.loads(stall_file.read_text()) if stall_file.exists() else {}
    return headless, app, stalls


def _row(i: int, headless: RunResult, app: RunResult, stalls: dict) -> str:
    share = app.jobs_per_s / headless.jobs_per_s if headless.jobs_per_s else 0.0
    p50, p99, worst = (stalls.get(k, float("nan")) for k in ("p50_ms", "p99_ms", "max_ms"))
    return (f"{i:>3}  {headless.jobs_per_s:>9,.0f}  {app.jobs_per_s:>9,.0f}  {share:>6.0%}  "
            f"{p50:>7.1f}  {p99:>7.1f}  {worst:>7.1f}  {stalls.get('ticks', 0):>6}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.responsiveness", description=__doc__)
    # Long runs: on a shared 2-core VM, runs of 10 s differ by ±30% from one to the next.
    parser.add_argument("--jobs", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds between the server accepting and the load (3)")
    args = parser.parse_args(argv)
    cfg = RunConfig("standard", args.jobs, producers=5, consumers=5, blocked=0, reference=False,
                    settle_s=args.settle)
    print("run  headless/s     app/s   share   p50 ms   p99 ms   max ms   ticks")
    shares, p99s, maxes, ok = [], [], [], True
    with tempfile.TemporaryDirectory(prefix="faktory-bench-app-") as tmp:
        for i in range(1, args.repeat + 1):
            headless, app, stalls = run_pair(cfg, Path(tmp), i)
            ok = ok and headless.ok and app.ok and bool(stalls)
            print(_row(i, headless, app, stalls), flush=True)
            for note in headless.notes + app.notes:
                print(f"     note: {note}")
            for stall in stalls.get("worst", []):
                print(f"     stall of {stall['ms']} ms at {stall['at_s']} s after the app started")
            if headless.jobs_per_s and stalls:
                shares.append(app.jobs_per_s / headless.jobs_per_s)
                p99s.append(stalls["p99_ms"])
                maxes.append(stalls["max_ms"])
    if not shares:
        print("no complete run")
        return 1
    share, p99 = statistics.median(shares), statistics.median(p99s)
    print(f"median: throughput {share:.0%} of headless (goal >= {THROUGHPUT_GOAL:.0%}), "
          f"GUI stall p99 {p99:.1f} ms (goal < {STALL_P99_GOAL_MS:.0f} ms), "
          f"worst stall {max(maxes):.1f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
