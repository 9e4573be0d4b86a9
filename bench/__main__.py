"""`python -m bench` (`make bench ARGS="..."`): parse the flags, run the scenarios, report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bench.reference import INSTALL_HINT, find_benchmark
from bench.report import as_json, as_text, machine_header
from bench.runner import RunConfig, RunResult, run_once

DESCRIPTION = """Load-test a fresh Faktory Desktop server over raw FWP and report jobs/s, CPU µs
per job (server, engine, load generator), push-to-fetch latency, and a same-run redis-benchmark
LPUSH/RPOP reference ratio.

scenarios:
  standard  5 producers + 5 consumers on one queue, our own small jobs (retry 0), 1% FAIL
  faktory   what Faktory's own test/load does: 10 connections (--connections N), half pushing
            to a random one of five queues, half fetching all five in a shuffled order; the
            Go client's job JSON with retry 25, so the 1% FAILed go to the retry set
  blocked   100 connections: 50 sit in FETCH on an empty queue the whole time, the other 50
            (25 producers + 25 consumers) do the standard load
  enterprise  the standard load with every job unique_for 60 s, tracked (custom.track = 1)
            and pushed in batches of 100 (BATCH NEW, PUSH x 100, BATCH COMMIT)
  throttled 10 producers + 100 consumers on a queue throttled to 50 concurrent jobs
            (`concurrency = 50` in conf.d): every FETCH goes through fetch_throttled.lua
  --connections/--blocked without --scenario run just the blocked scenario with those figures.
  all (the default) runs standard, faktory, enterprise, blocked and throttled.
"""

DEFAULT_PRODUCERS = 5
DEFAULT_CONSUMERS = 5
BLOCKED_CONNECTIONS = 100
BLOCKED_IDLE = 50
THROTTLED_PRODUCERS = 10
THROTTLED_CONSUMERS = 100
THROTTLE = 50
FAKTORY_CONNECTIONS = 10


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--scenario", choices=("standard", "faktory", "blocked", "enterprise", "throttled",
                               "all"),
        default=None,
        help="which scenario(s) to run (default: all)")
    add("--jobs", type=int, default=30_000, help="jobs per run (30000)")
    add("--producers", type=int, help="producer connections (standard: 5; blocked: half the "
                                      "non-blocked connections)")
    add("--consumers", type=int, help="consumer connections (standard: 5; blocked: the rest)")
    add("--blocked", type=int, help="connections blocked in FETCH idle (blocked scenario: 50)")
    add("--connections", type=int, help="total connections in the blocked scenario (100), "
                                        "or in the faktory scenario (10)")
    add("--procs", type=int, choices=(1, 2), default=1,
        help="load processes: 1 = all connections in one (default; least CPU on a 2-core "
             "machine), 2 = producers in one, consumers in the other")
    add("--rate", type=float, default=0.0,
        help="pace PUSHes at this many jobs/s in all (open loop); default: as fast as possible")
    add("--repeat", type=int, default=1, help="run each scenario this many times (1)")
    add("--server-cmd", help="run this server instead of ours; placeholders {host} {port} "
                             "{webport} {data} {conf}, e.g. 'faktory -b {host}:{port} "
                             "-w {host}:{webport} -d {data} -e development'")
    add("--password", help="password for a --server-cmd that requires one")
    add("--no-reference", action="store_true", help="skip redis-benchmark")
    add("--reference-requests", type=int, default=100_000,
        help="redis-benchmark -n (100000)")
    add("--profile", nargs="?", const="/tmp/faktory-bench-profile.txt", type=Path,
        metavar="PATH", help="sample the server with py-spy during the load (collapsed "
                             "stacks to PATH) and list its hot functions")
    add("--web-poll", type=float, default=0.0, metavar="SECONDS",
        help="during the load, poll the Web UI's /stats this often, as an open dashboard does")
    add("--timeout", type=float, default=120.0, help="give up on a run after this many s (120)")
    add("--keep", action="store_true", help="keep the server's temp dir and log")
    add("--json", action="store_true", help="print JSON instead of the table")
    return parser


def configs(args: argparse.Namespace) -> list[RunConfig]:
    scenario = args.scenario
    if scenario is None:
        custom = args.connections is not None or args.blocked is not None
        scenario = "blocked" if custom else "all"
    common = {"jobs": args.jobs, "procs": args.procs, "rate": args.rate,
              "timeout_s": args.timeout, "server_cmd": args.server_cmd,
              "password": args.password, "reference": not args.no_reference,
              "reference_requests": args.reference_requests, "keep_dir": args.keep,
              "web_poll_s": args.web_poll}
    out: list[RunConfig] = []
    if scenario in ("standard", "all"):
        blocked = (args.blocked or 0) if scenario == "standard" else 0
        out.append(RunConfig("standard", producers=args.producers or DEFAULT_PRODUCERS,
                             consumers=args.consumers if args.consumers is not None
                             else DEFAULT_CONSUMERS, blocked=blocked, **common))
    if scenario in ("faktory", "all"):
        out.append(_faktory(args, common))
    if scenario in ("enterprise", "all"):
        out.append(RunConfig("enterprise", producers=args.producers or DEFAULT_PRODUCERS,
                             consumers=args.consumers if args.consumers is not None
                             else DEFAULT_CONSUMERS, blocked=0, enterprise=True, **common))
    if scenario in ("blocked", "all"):
        connections = args.connections or BLOCKED_CONNECTIONS
        blocked = BLOCKED_IDLE if args.blocked is None else args.blocked
        active = connections - blocked
        producers = args.producers or max(1, active // 2)
        consumers = args.consumers if args.consumers is not None else max(1, active - producers)
        out.append(RunConfig("blocked", producers=producers, consumers=consumers,
                             blocked=blocked, **common))
    if scenario in ("throttled", "all"):
        out.append(RunConfig("throttled", producers=args.producers or THROTTLED_PRODUCERS,
                             consumers=args.consumers or THROTTLED_CONSUMERS, blocked=0,
                             throttle=THROTTLE, **common))
    return out


def _faktory(args: argparse.Namespace, common: dict[str, Any]) -> RunConfig:
    """As test/load splits its connections: even-numbered ones push, odd ones fetch."""
    blocked = (args.blocked or 0) if args.scenario == "faktory" else 0
    active = (args.connections or FAKTORY_CONNECTIONS + blocked) - blocked
    producers = args.producers or max(1, (active + 1) // 2)
    consumers = args.consumers if args.consumers is not None else max(1, active - producers)
    return RunConfig("faktory", producers=producers, consumers=consumers, blocked=blocked,
                     faktory=True, **common)


def validate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    for name in ("producers", "consumers", "blocked", "connections"):
        value = getattr(args, name)
        if value is not None and value < 0:
            parser.error(f"--{name} must not be negative")
    if args.producers == 0:
        parser.error("--producers must be at least 1")
    if args.connections is not None and args.blocked is not None \
            and args.connections - args.blocked < 2:
        parser.error("--connections must leave at least 2 non-blocked connections")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    validate(args, parser)

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if not args.no_reference and find_benchmark() is None:
        progress(f"note: {INSTALL_HINT}")
    results: list[RunResult] = []
    runs = configs(args)
    for repeat in range(args.repeat):
        for cfg in runs:
            if cfg.profile is None and args.profile is not None and repeat == 0:
                cfg = _with_profile(cfg, args.profile)
            label = cfg.scenario + (f" #{repeat + 1}" if args.repeat > 1 else "")
            progress(f"{label}: {cfg.jobs:,} jobs, {cfg.producers} producers, "
                     f"{cfg.consumers} consumers, {cfg.blocked} blocked ...")
            try:
                result = run_once(cfg, progress)
            except KeyboardInterrupt:
                progress("interrupted; the server and the load processes were stopped")
                return 130
            progress(f"  {result.jobs_per_s:,.0f} jobs/s in {result.elapsed_s:.2f} s"
                     + ("" if result.ok else "  (problems: see below)"))
            results.append(result)
    header = machine_header(args.jobs, args.server_cmd or "python -m faktory_desktop serve",
                            args.procs)
    print(as_json(results, header) if args.json else as_text(results, header), end="")
    return 0 if all(r.ok for r in results) else 1


def _with_profile(cfg: RunConfig, path: Path) -> RunConfig:
    from dataclasses import replace

    target = path if len(path.suffixes) else path.with_suffix(".txt")
    return replace(cfg, profile=target.with_name(f"{target.stem}-{cfg.scenario}{target.suffix}"))


if __name__ == "__main__":
    sys.exit(main())
