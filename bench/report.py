"""The results: a compact table for people, or JSON for tools.

One row per run, plus a median row per scenario when it ran more than once. Below the table
come what the run saw besides the figures: error replies, server log warnings and tracebacks,
notes, and the profile's hot functions when `--profile` was given.
"""

from __future__ import annotations

import json
import os
import platform
from typing import Any

import psutil

from bench.profiler import Profile
from bench.runner import RunResult, median_of

__all__ = ["as_json", "as_text"]

MEDIAN_FIELDS = ("jobs_per_s", "server_us_per_job", "engine_us_per_job", "generator_us_per_job",
                 "p50_ms", "p90_ms", "p99_ms", "lpush_per_s", "rpop_per_s", "ratio",
                 "machine_busy_cores", "other_busy_cores", "machine_steal_pct", "elapsed_s")

COLUMNS = (("run", "<"), ("P/C/B", "<"), ("jobs/s", ">"), ("srv µs/job", ">"),
           ("eng µs/job", ">"), ("gen µs/job", ">"), ("p50 ms", ">"), ("p99 ms", ">"),
           ("LPUSH/RPOP k/s", ">"), ("ratio", ">"))


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _ceiling(lpush: float | None, rpop: float | None) -> str:
    if lpush is None or rpop is None:
        return "-"
    return f"{lpush / 1000:.0f}/{rpop / 1000:.0f}"


def _row(label: str, mix: str, values: dict[str, Any]) -> list[str]:
    ratio = values.get("ratio")
    return [label, mix, _num(values.get("jobs_per_s")), _num(values.get("server_us_per_job")),
            _num(values.get("engine_us_per_job")), _num(values.get("generator_us_per_job")),
            _ms(values.get("p50_ms")), _ms(values.get("p99_ms")),
            _ceiling(values.get("lpush_per_s"), values.get("rpop_per_s")),
            "-" if ratio is None else f"{ratio:.4f}"]


def _mix(r: RunResult) -> str:
    return f"{r.producers}/{r.consumers}/{r.blocked}"


def _scenarios(results: list[RunResult]) -> list[str]:
    return list(dict.fromkeys(r.scenario for r in results))


def medians(results: list[RunResult]) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for name in _scenarios(results):
        runs = [r for r in results if r.scenario == name and r.finished]
        out[name] = {f: median_of(runs, f) for f in MEDIAN_FIELDS}
    return out


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.ljust(w) if align == "<" else cell.rjust(w)
                 for cell, w, (_, align) in zip(row, widths, COLUMNS, strict=True)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def as_text(results: list[RunResult], header: dict[str, Any]) -> str:
    rows = [[name for name, _ in COLUMNS]]
    meds = medians(results)
    for name in _scenarios(results):
        runs = [r for r in results if r.scenario == name]
        for i, r in enumerate(runs, 1):
            label = name if len(runs) == 1 else f"{name} #{i}"
            rows.append(_row(label + ("" if r.ok else " !"), _mix(r), r.to_dict()))
        if len(runs) > 1:
            rows.append(_row(f"{name} median", _mix(runs[0]), meds[name]))
    out = [f"Faktory Desktop bench: {header['jobs']:,} jobs per run, "
           f"{header['server']}, load in {header['procs']} process(es), "
           f"{header['cpus']} CPUs", ""]
    out += _table(rows)
    out += ["",
            "P/C/B: producer/consumer/blocked-FETCH connections. µs/job: CPU (user+system) of the",
            "server process, of its engine and of the load generator, per finished job. p50/p99:",
            "push-to-fetch latency. ratio: jobs/s / min(LPUSH/s, RPOP/s) of redis-benchmark",
            "(-c 10) against the same engine, before and after the load (mean). '!' marks a run",
            "with problems.", ""]
    for name in _scenarios(results):
        runs = [r for r in results if r.scenario == name]
        for i, r in enumerate(runs, 1):
            label = name if len(runs) == 1 else f"{name} #{i}"
            out += _details(label, r)
    return "\n".join(out).rstrip() + "\n"


def _details(label: str, r: RunResult) -> list[str]:
    busy = "-" if r.machine_busy_cores is None else f"{r.machine_busy_cores:.2f}"
    steal = "-" if r.machine_steal_pct is None else f"{r.machine_steal_pct:.1f}%"
    other = "-" if r.other_busy_cores is None else f"{r.other_busy_cores:.2f}"
    out = [f"{label}: {r.finished:,} jobs ({r.failed} FAILed) in {r.elapsed_s:.2f} s, pushes "
           f"done at {r.push_s:.2f} s; p90 {_ms(r.p90_ms)} ms, max {_ms(r.max_ms)} ms; "
           f"{r.null_fetches} empty FETCHes",
           f"  machine: {busy} cores busy ({other} outside server, engine and generator), "
           f"steal {steal}"]
    if r.server_kernel_us_per_job is not None and r.server_us_per_job:
        out.append(f"  server CPU in the kernel: {r.server_kernel_us_per_job:.0f} µs/job "
                   f"({100 * r.server_kernel_us_per_job / r.server_us_per_job:.0f}% of it)")
    if r.syscalls_per_job:
        out.append("  syscalls per job (read/write): " + ", ".join(
            f"{who} {n['read']:.1f}/{n['write']:.1f}" for who, n in r.syscalls_per_job.items()))
    if len(r.reference_runs) > 1:
        runs = ", ".join(f"{(x['lpush'] or 0) / 1000:.0f}/{(x['rpop'] or 0) / 1000:.0f}"
                         for x in r.reference_runs)
        out.append(f"  redis-benchmark LPUSH/RPOP k/s before and after the load: {runs}")
    if r.blocked and r.blocked_fetches:
        out.append(f"  blocked: {r.blocked_fetches} idle FETCHes answered, slowest in "
                   f"{_ms(r.blocked_max_ms)} ms (Faktory waits 2 s)")
    elif r.blocked:
        out.append("  blocked: no idle FETCH returned during the run (shorter than its 2 s wait)")
    info = r.server_info.get("faktory", {}) if isinstance(r.server_info, dict) else {}
    if info:
        sets = info.get("sets") if isinstance(info.get("sets"), dict) else {}
        out.append(f"  server INFO: processed {info.get('total_processed')}, failures "
                   f"{info.get('total_failures')}, enqueued {info.get('total_enqueued')}, "
                   f"retries {sets.get('retries', '-')}, queues {info.get('queues')}")
    if r.retried:
        out.append(f"  {r.retried} FAILed jobs came back from the retry set during the run "
                   "and were ACKed")
    if r.errors:
        out.append(f"  error replies: {r.errors}")
        out += [f"    {s}" for s in r.error_samples]
    for problem in r.server_log_problems:
        out += ["  server log: " + line for line in problem.splitlines()]
    out += [f"  note: {n}" for n in r.notes]
    if r.profile is not None:
        out += _profile_lines(r.profile)
    return out


def _profile_lines(p: Profile) -> list[str]:
    out = [f"  py-spy: {p.busy} busy samples of {p.samples} (the rest waited in epoll, on a "
           "lock or for the GIL); % of busy time"]
    sections = (("Python functions, self (own code + the C it calls)", p.python_self),
                ("Python functions, total (with callees)", p.python_total),
                ("innermost frame, C and syscalls included", p.native_self))
    for title, ranked in sections:
        out.append(f"    {title}:")
        out += [f"      {h.self_pct:5.1f}% {h.total_pct:5.1f}%  {h.name}" for h in ranked]
    out.append("      (columns: self%, total%)")
    return out


def machine_header(jobs: int, server: str, procs: int) -> dict[str, Any]:
    return {"jobs": jobs, "server": server, "procs": procs, "cpus": psutil.cpu_count(),
            "platform": platform.platform(), "python": platform.python_version(),
            "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None}


def as_json(results: list[RunResult], header: dict[str, Any]) -> str:
    return json.dumps({"header": header, "runs": [r.to_dict() for r in results],
                       "medians": medians(results)}, indent=2, default=str)
