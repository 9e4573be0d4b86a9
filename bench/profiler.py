"""Sample the server with py-spy during the load and rank its hot functions.

`py-spy record --native --format raw` writes collapsed stacks (`outer;...;leaf count` per
line, the format flamegraph.pl, inferno and speedscope.app read), with C frames (uvloop, libc
syscalls, hiredis, orjson) between the Python ones. Samples waiting in epoll, on a lock or for
the GIL are dropped, so every share is of the server's *busy* time. Three rankings come out:

- Python self: each sample goes to its innermost Python frame, so a function is charged for its
  own code and the C it calls (`Session._write` includes the `write()` syscall). The event-loop
  entry (`serve` in cli.py) collects what uvloop does in C on its own: socket reads, buffered
  writes, callbacks.
- Python total: samples with the function anywhere on the stack (entry wrappers left out).
- Native self: the innermost frame of any kind, C and syscalls included.

Modules compiled by mypyc (faktory_desktop/compiled.py) have no Python frames: their functions
are C functions named `CPyDef_<module>___<Class>___<method>` (a coroutine's body ends in
`_gen_____mypyc_generator_helper__`, a wrapper called from Python starts `CPyPy_`). Those are
ranked with the Python functions, as `module.Class.method (compiled)`.

py-spy is `pip install py-spy`; it needs ptrace rights on the server (root, or
kernel.yama.ptrace_scope=0).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HotFunction", "Profile", "PySpy", "find_py_spy", "hot_functions"]

_FRAME_LINE = re.compile(r":\d+\)$")
_MYPYC_NAME = re.compile(r"CPy(?:Def|Py)_(\w+?)(_gen_____mypyc_generator_helper__)?")


@dataclass(frozen=True, slots=True)
class HotFunction:
    """One function's share of the sampled (busy) time, in percent."""

    name: str
    self_pct: float
    total_pct: float


def find_py_spy() -> str | None:
    local = Path(sys.executable).parent / "py-spy"
    return str(local) if local.exists() else shutil.which("py-spy")


class PySpy:
    """`py-spy record` attached to one pid, from `start()` until `stop()`."""

    def __init__(self, pid: int, output: Path, rate: int = 100, native: bool = True) -> None:
        binary = find_py_spy()
        if binary is None:
            raise RuntimeError("py-spy not found; install it with: "
                               ".venv/bin/python -m pip install py-spy")
        self.output = output
        self.argv = [binary, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
                     "--function", "--output", str(output)]
        if native:
            self.argv.append("--native")
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = ""

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        time.sleep(0.5)  # let it attach before the load starts
        if self.proc.poll() is not None:
            out = self.proc.stdout.read().decode(errors="replace") if self.proc.stdout else ""
            raise RuntimeError(f"py-spy exited at once: {out.strip()[-500:]}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.log = (out or b"").decode(errors="replace").strip()


WAIT_FRAMES = frozenset({
    "epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll", "select", "pselect",
    "nanosleep", "clock_nanosleep", "pthread_cond_wait", "pthread_cond_timedwait", "sem_wait",
    "sem_timedwait", "take_gil", "PyThread_acquire_lock_timed", "kevent",
})


@dataclass(frozen=True, slots=True)
class Profile:
    """Ranked functions from one recording. Shares are of the busy samples."""

    samples: int  # all samples
    busy: int  # samples not waiting (epoll, locks, the GIL)
    python_self: list[HotFunction]  # innermost Python frame: its code and the C it calls
    python_total: list[HotFunction]  # Python frames anywhere on the stack
    native_self: list[HotFunction]  # innermost frame of any kind (with --native: C, syscalls)


def _function(frame: str) -> tuple[str, bool]:
    """`name (path/to/file.py:12)` -> (`name (file.py)`, is_python)."""
    frame = _FRAME_LINE.sub(")", frame.strip())
    name, sep, where = frame.partition(" (")
    if not sep:
        return frame, False
    compiled = _MYPYC_NAME.fullmatch(name)
    if compiled:  # `session___Session____step` -> `session.Session._step`
        kind = "compiled coroutine" if compiled.group(2) else "compiled"
        return f"{compiled.group(1).replace('___', '.')} ({kind})", True
    path = where[:-1] if where.endswith(")") else where
    python = path.endswith(".py") or path.startswith("<")
    for marker in ("site-packages/", "/faktory_desktop/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            if marker == "/faktory_desktop/":
                path = "faktory_desktop/" + path
            elif marker == "/lib/python3":
                path = path.split("/", 1)[-1]
            break
    return f"{name} ({path})", python


def hot_functions(raw: Path, top: int = 10) -> Profile:
    """Rank the functions of a `py-spy record --format raw` file (see the module docstring)."""
    py_self: Counter[str] = Counter()
    py_total: Counter[str] = Counter()
    native_self: Counter[str] = Counter()
    samples = busy = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_function(f) for f in stack.split(";") if f]
        if not frames:
            continue
        samples += count
        if any(name.partition(" (")[0] in WAIT_FRAMES for name, _ in frames):
            continue
        busy += count
        native_self[frames[-1][0]] += count
        python = [name for name, is_python in frames if is_python]
        if python:
            py_self[python[-1]] += count
            for name in set(python):
                py_total[name] += count
    if not busy:
        return Profile(samples, 0, [], [], [])

    def rank(counts: Counter[str], self_counts: Counter[str], skip_roots: bool = False
             ) -> list[HotFunction]:
        ranked = [HotFunction(name, 100.0 * self_counts[name] / busy,
                              100.0 * py_total.get(name, count) / busy)
                  for name, count in counts.most_common()
                  if not (skip_roots and count >= 0.85 * busy)]
        return ranked[:top]

    return Profile(samples, busy, rank(py_self, py_self), rank(py_total, py_self, True),
                   rank(native_self, native_self))
