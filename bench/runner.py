"""One benchmark run: fresh server, load processes, CPU snapshots, reference, teardown.

The orchestrator (this process) stays idle while the load runs. It snapshots the CPU times of
the server, its engine, the load processes and the whole machine when it sends `go`, and again
the moment every load process reports `done`; the difference divided by the jobs finished is
the CPU µs per job. The run's wall time is from the first `go` to the last finished job, both
as the load processes saw them on the shared monotonic clock.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import statistics
import time
from dataclasses import asdict, dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, cast

import psutil

from bench import faktory_shape
from bench.fwp_client import info_sync
from bench.info_check import Expected, check_info
from bench.load import LoadPlan, LoadResult, worker_main
from bench.profiler import Profile, PySpy, hot_functions
from bench.reference import Reference, run_reference
from bench.server_proc import ServerError, ServerProcess, cpu_seconds, kernel_seconds, syscalls
from bench.web_poll import WebPoller

__all__ = ["RunConfig", "RunResult", "run_once"]


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything one run needs."""

    scenario: str
    jobs: int
    producers: int
    consumers: int
    blocked: int
    procs: int = 1
    rate: float = 0.0
    timeout_s: float = 120.0
    server_cmd: str | None = None
    password: str | None = None
    reference: bool = True
    reference_requests: int = 100_000
    profile: Path | None = None
    keep_dir: bool = False
    settle_s: float = 0.0  # wait this long after the server is up before the load starts
    enterprise: bool = False  # the jobs are unique, tracked and batched (load.LoadPlan)
    web_poll_s: float = 0.0  # poll the Web UI's /stats this often during the load (0: never)
    throttle: int = 0  # a `concurrency` throttle on the load's queue (0: none)
    faktory: bool = False  # Faktory's test/load lines: five queues, retry 25 (load.LoadPlan)


@dataclass(slots=True)
class RunResult:
    """What one run measured (None where it could not be measured)."""

    scenario: str
    jobs: int
    producers: int
    consumers: int
    blocked: int
    procs: int
    ok: bool = False
    elapsed_s: float = 0.0
    push_s: float = 0.0
    jobs_per_s: float = 0.0
    finished: int = 0
    failed: int = 0
    retried: int = 0
    server_us_per_job: float | None = None
    server_kernel_us_per_job: float | None = None  # the system part of it
    engine_us_per_job: float | None = None
    generator_us_per_job: float | None = None
    machine_busy_cores: float | None = None
    machine_steal_pct: float | None = None
    other_busy_cores: float | None = None
    syscalls_per_job: dict[str, dict[str, float]] = field(default_factory=dict)
    p50_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    null_fetches: int = 0
    duplicates: int = 0
    blocked_fetches: int = 0
    blocked_max_ms: float | None = None
    lpush_per_s: float | None = None
    rpop_per_s: float | None = None
    ratio: float | None = None
    reference_runs: list[dict[str, float | None]] = field(default_factory=list)
    reference_command: str = ""
    engine: str = ""
    server_info: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    server_log_problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profile: Profile | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _plans(cfg: RunConfig, host: str, port: int) -> list[LoadPlan]:
    base = LoadPlan(host=host, port=port, password=cfg.password, push_jobs=0, producers=0,
                    consume_jobs=0, consumers=0, blocked=0, rate=cfg.rate,
                    timeout_s=cfg.timeout_s, enterprise=cfg.enterprise, faktory=cfg.faktory)
    if cfg.procs <= 1 or cfg.consumers == 0:
        return [replace(base, push_jobs=cfg.jobs, producers=cfg.producers,
                        consume_jobs=cfg.jobs if cfg.consumers else 0,
                        consumers=cfg.consumers, blocked=cfg.blocked, name="load")]
    # Producers (and the idle blocked fetchers) in one process, consumers in the other.
    return [replace(base, push_jobs=cfg.jobs, producers=cfg.producers, blocked=cfg.blocked,
                    name="producers"),
            replace(base, consume_jobs=cfg.jobs, consumers=cfg.consumers, name="consumers")]


def _confd(cfg: RunConfig) -> dict[str, str]:
    """conf.d files for the server: the throttle of the throttled scenario."""
    if not cfg.throttle:
        return {}
    return {"throttles.toml": f"[throttles]\ndefault = {{ concurrency = {cfg.throttle}, "
                              "timeout = 60 }\n"}


def _percentile(sorted_values: list[int], pct: float) -> float:
    """Nearest-rank percentile, in ms."""
    if not sorted_values:
        return 0.0
    index = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index] / 1e6


class _Workers:
    """The load processes and their pipes."""

    def __init__(self, plans: list[LoadPlan]) -> None:
        ctx = mp.get_context("spawn")
        self.plans = plans
        self.pipes: list[Connection] = []
        self.procs: list[Any] = []
        for plan in plans:
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=worker_main, args=(plan, theirs), name=f"bench-{plan.name}",
                               daemon=True)
            proc.start()
            theirs.close()
            self.pipes.append(ours)
            self.procs.append(proc)

    def expect(self, kind: str, timeout: float) -> list[Any]:
        """Wait until every process sent a `kind` message; returns their payloads in order."""
        got: dict[int, Any] = {}
        deadline = time.monotonic() + timeout
        while len(got) < len(self.pipes):
            pending = [p for i, p in enumerate(self.pipes) if i not in got]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"load processes sent no {kind!r} within {timeout:.0f} s")
            for ready in wait(pending, remaining):
                pipe = cast(Connection, ready)
                index = self.pipes.index(pipe)
                try:
                    message, payload = pipe.recv()
                except EOFError:
                    raise RuntimeError(f"load process {self.plans[index].name} died") from None
                if message == "error":
                    raise RuntimeError(f"load process {self.plans[index].name}: {payload}")
                if message == kind:
                    got[index] = payload
        return [got[i] for i in range(len(self.pipes))]

    def send(self, message: str) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(message)

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) or 0.0 for p in self.procs)

    def close(self) -> None:
        for proc in self.procs:
            proc.join(5)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
        for pipe in self.pipes:
            pipe.close()


def _machine() -> tuple[float, float, float]:
    """(busy, steal, total) CPU seconds over all cores since boot."""
    t = psutil.cpu_times()
    steal = getattr(t, "steal", 0.0)
    idle = t.idle + getattr(t, "iowait", 0.0)
    total = sum(t)
    return total - idle - steal, steal, total


def run_once(cfg: RunConfig, log: Any = print) -> RunResult:
    """Run the load once against a fresh server; never raises for server trouble."""
    result = RunResult(cfg.scenario, cfg.jobs, cfg.producers, cfg.consumers, cfg.blocked,
                       cfg.procs if cfg.consumers else 1)
    server = ServerProcess(cfg.server_cmd, keep_dir=cfg.keep_dir, confd=_confd(cfg))
    workers: _Workers | None = None
    spy: PySpy | None = None
    try:
        try:
            server.start()
        except ServerError as exc:
            result.notes.append(str(exc))
            return result
        result.engine = (f"{server.engine_name} pid {server.engine_pid}"
                         f" at {server.engine_target.describe()}" if server.engine_target
                         else server.engine_name)
        refs: list[Reference] = []
        if cfg.reference:
            log(f"  redis-benchmark against {_where(server)} (before the load) ...")
            refs.append(run_reference(server.engine_target, cfg.reference_requests))
        workers = _Workers(_plans(cfg, server.host, server.port))
        workers.expect("ready", 60)
        time.sleep(cfg.settle_s)
        if cfg.profile is not None:
            spy = PySpy(server.pid, cfg.profile)
            spy.start()
        before = (cpu_seconds(server.pid), cpu_seconds(server.engine_pid), workers.cpu(),
                  _machine(), syscalls(server.pid), syscalls(server.engine_pid),
                  kernel_seconds(server.pid))
        poller = WebPoller(server.host, server.webport, cfg.web_poll_s) if cfg.web_poll_s else None
        if poller is not None:
            poller.start()
        workers.send("go")
        workers.expect("done", cfg.timeout_s + 30)
        if poller is not None:
            poller.stop()
            result.notes.append(f"Web UI polled {poller.requests} times"
                                + (f"; errors: {poller.errors[:3]}" if poller.errors else ""))
        after = (cpu_seconds(server.pid), cpu_seconds(server.engine_pid), workers.cpu(),
                 _machine(), syscalls(server.pid), syscalls(server.engine_pid),
                 kernel_seconds(server.pid))
        if spy is not None:
            spy.stop()
        loads: list[LoadResult] = workers.expect("result", 60)
        _measure(result, cfg, loads, before, after)
        if not server.alive():
            result.ok = False
            result.notes.append(f"the server died during the run "
                                f"(exit status {server.proc.returncode if server.proc else '?'})")
        else:
            try:
                result.server_info = info_sync(server.host, server.port, cfg.password)
            except (OSError, ValueError) as exc:
                result.notes.append(f"INFO after the run failed: {exc}")
            else:
                _check_info(result, cfg)
        if spy is not None:
            _profile(result, spy)
        if cfg.reference and server.alive():
            log(f"  redis-benchmark against {_where(server)} (after the load) ...")
            refs.append(run_reference(server.engine_target, cfg.reference_requests))
        _reference(result, refs)
    except (RuntimeError, TimeoutError) as exc:
        result.ok = False
        result.notes.append(str(exc))
    finally:
        if spy is not None and spy.proc is not None and spy.proc.poll() is None:
            spy.stop()
        if workers is not None:
            workers.send("stop")
            workers.close()
        died = not server.alive()
        status = server.stop()
        if status not in (0, None, -15) and not died:
            result.notes.append(f"the server exited with status {status}")
        result.server_log_problems = server.log_problems()
        result.notes.extend(server.notes)
        if not result.ok or result.server_log_problems:
            result.notes.append(f"server log: {server.log_path}"
                                + ("" if cfg.keep_dir else " (deleted; keep it with --keep)"))
        server.cleanup()
    return result


def _measure(result: RunResult, cfg: RunConfig, loads: list[LoadResult],
             before: tuple[Any, ...], after: tuple[Any, ...]) -> None:
    t_go = min(r.t_go for r in loads)
    t_end = max(r.t_end for r in loads)
    pushes = [r.t_push_end for r in loads if r.t_push_end and r.pushed]
    result.elapsed_s = (t_end - t_go) / 1e9
    result.push_s = (max(pushes) - t_go) / 1e9 if pushes else 0.0
    consumed = sum(r.acked + r.failed for r in loads)
    result.finished = consumed if cfg.consumers else sum(r.pushed for r in loads)
    result.failed = sum(r.failed for r in loads)
    result.retried = sum(r.retried for r in loads)
    result.jobs_per_s = result.finished / result.elapsed_s if result.elapsed_s > 0 else 0.0
    jobs = max(result.finished, 1)

    def per_job(i: int) -> float | None:
        if before[i] is None or after[i] is None:
            return None
        return (after[i] - before[i]) * 1e6 / jobs

    result.server_us_per_job = per_job(0)
    result.server_kernel_us_per_job = per_job(6)
    result.engine_us_per_job = per_job(1)
    result.generator_us_per_job = per_job(2)
    busy0, steal0, total0 = before[3]
    busy1, steal1, total1 = after[3]
    wall = (total1 - total0) / max(psutil.cpu_count() or 1, 1)
    if wall > 0:
        result.machine_busy_cores = (busy1 - busy0) / wall
        result.machine_steal_pct = 100.0 * (steal1 - steal0) / (total1 - total0)
        ours = sum(after[i] - before[i] for i in range(3)
                   if before[i] is not None and after[i] is not None)
        result.other_busy_cores = result.machine_busy_cores - ours / wall
    for index, name in ((4, "server"), (5, "engine")):
        if before[index] is not None and after[index] is not None:
            reads, writes = (a - b for a, b in zip(after[index], before[index], strict=True))
            result.syscalls_per_job[name] = {"read": round(reads / jobs, 2),
                                             "write": round(writes / jobs, 2)}
    latencies = sorted(v for r in loads for v in r.latency_ns())
    if latencies:
        result.p50_ms = _percentile(latencies, 50)
        result.p90_ms = _percentile(latencies, 90)
        result.p99_ms = _percentile(latencies, 99)
        result.max_ms = latencies[-1] / 1e6
    result.null_fetches = sum(r.null_fetches for r in loads)
    result.duplicates = sum(r.duplicates for r in loads)
    result.blocked_fetches = sum(r.blocked_fetches for r in loads)
    if result.blocked_fetches:
        result.blocked_max_ms = max(r.blocked_max_ms for r in loads)
    for r in loads:
        for verb, count in r.errors.items():
            result.errors[verb] = result.errors.get(verb, 0) + count
        result.error_samples.extend(r.error_samples)
    timed_out = any(r.timed_out for r in loads)
    if timed_out:
        result.notes.append(f"timed out after {cfg.timeout_s:.0f} s: finished "
                            f"{result.finished} of {cfg.jobs} jobs")
    if any(r.aborted for r in loads):
        result.notes.append(f"stopped early, all connections of a role were lost: finished "
                            f"{result.finished} of {cfg.jobs} jobs")
    if result.duplicates:
        result.notes.append(f"{result.duplicates} jobs were delivered more than once")
    result.ok = not timed_out and not result.errors and result.finished == cfg.jobs


def _check_info(result: RunResult, cfg: RunConfig) -> None:
    """Cross-check the server's INFO counts with the load's (a mismatch fails the run)."""
    if not result.ok or not cfg.consumers:
        return  # jobs left behind on purpose, or by a failed run that already says so
    queues = faktory_shape.QUEUES if cfg.faktory else ("default",)
    check = check_info(result.server_info, Expected(queues, result.finished, result.failed,
                                                    result.retried, retries_kept=cfg.faktory))
    if check.problems:
        result.ok = False
    result.notes.extend(check.problems + check.skipped)


def _where(server: ServerProcess) -> str:
    return server.engine_target.describe() if server.engine_target else "?"


def _reference(result: RunResult, refs: list[Reference]) -> None:
    """Average the runs before and after the load: the ceiling around the measured window."""
    good = [r for r in refs if r.ceiling]
    result.reference_runs = [{"lpush": r.lpush, "rpop": r.rpop} for r in good]
    if good:
        result.lpush_per_s = statistics.fmean(r.lpush for r in good if r.lpush)
        result.rpop_per_s = statistics.fmean(r.rpop for r in good if r.rpop)
        result.ratio = result.jobs_per_s / min(result.lpush_per_s, result.rpop_per_s)
        result.reference_command = good[0].command
    for note in dict.fromkeys(r.note for r in refs if r.note):
        result.notes.append(note)


def _profile(result: RunResult, spy: PySpy) -> None:
    if not spy.output.exists():
        result.notes.append(f"py-spy wrote no profile: {spy.log[-300:]}")
        return
    result.profile = hot_functions(spy.output)
    result.notes.append(f"py-spy collapsed stacks: {spy.output} "
                        "(flamegraph.pl, inferno-flamegraph or speedscope.app read them)")


def median_of(results: list[RunResult], name: str) -> float | None:
    values = [getattr(r, name) for r in results if getattr(r, name) is not None]
    return statistics.median(values) if values else None
