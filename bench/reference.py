"""The same-run reference: `redis-benchmark -t lpush,rpop` against the server's own engine.

A job needs at least one LPUSH and one pop in the engine, so min(LPUSH/s, RPOP/s) with the same
10 clients is a ceiling for jobs/s that moves with the machine's noise. Reporting jobs/s as a
ratio of it makes runs on a busy or different machine comparable. Debian's `redis-tools`
package provides `redis-benchmark` (`valkey-benchmark` is used too if that is what is installed).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from bench.server_proc import EngineTarget

__all__ = ["Reference", "find_benchmark", "run_reference"]

_RESULT = re.compile(r"^([A-Z_]+)(?: \([^)]*\))?: ([\d.]+) requests per second")
INSTALL_HINT = ("redis-benchmark not found on PATH; install it (Debian/Ubuntu: "
                "apt-get install -y redis-tools) to get the reference ratio")


@dataclass(frozen=True, slots=True)
class Reference:
    """LPUSH and RPOP ops/s, or a note saying why there are none."""

    lpush: float | None = None
    rpop: float | None = None
    command: str = ""
    note: str = ""

    @property
    def ceiling(self) -> float | None:
        if self.lpush is None or self.rpop is None:
            return None
        return min(self.lpush, self.rpop)


def find_benchmark() -> str | None:
    return shutil.which("redis-benchmark") or shutil.which("valkey-benchmark")


def parse_output(text: str) -> dict[str, float]:
    """`LPUSH: 81234.56 requests per second, p50=...` lines (progress uses \\r) into a dict."""
    found: dict[str, float] = {}
    for line in re.split(r"[\r\n]+", text):
        match = _RESULT.match(line.strip())
        if match:
            found[match.group(1)] = float(match.group(2))
    return found


def run_reference(target: EngineTarget | None, requests: int = 100_000, clients: int = 10,
                  pipeline: int = 1, timeout: float = 180.0) -> Reference:
    """Run redis-benchmark once; never raises, a failure becomes the note."""
    binary = find_benchmark()
    if binary is None:
        return Reference(note=INSTALL_HINT)
    if target is None:
        return Reference(note="the engine's address is unknown; reference skipped")
    argv = [binary, *target.benchmark_args(), "-t", "lpush,rpop", "-n", str(requests),
            "-c", str(clients), "-P", str(pipeline), "-q"]
    command = " ".join(argv)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Reference(command=command, note=f"redis-benchmark failed: {exc}")
    results = parse_output(done.stdout)
    lpush, rpop = results.get("LPUSH"), results.get("RPOP")
    if lpush is None or rpop is None:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return Reference(command=command,
                         note=f"redis-benchmark gave no LPUSH/RPOP figures "
                              f"(exit {done.returncode}): {' | '.join(detail)}")
    return Reference(lpush=lpush, rpop=rpop, command=command)
