"""Launch time, headless and app (`python -m bench.launch`, `make bench-launch`).

Each launch is a fresh process on a free port with its own temporary data, config and
preferences directories (so a saved preference of the user's never applies), timed from just
before `Popen`:

- accept: until the port accepts a connection and greets with `+HI` (polled every 5 ms);
- paint (app only): until the app prints its first-paint marker. With `FAKTORY_DESKTOP_PAINT_MARK`
  set, the app writes one line to stderr once its main window has been painted
  (`ui/first_paint.py`); the app runs offscreen unless `--display` is given.

The process is then stopped with SIGTERM. Medians of `--runs` launches (5), with min and max.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.server_proc import free_port
from faktory_desktop.ui.first_paint import PAINT_MARK, PAINT_MARK_ENV

POLL_S = 0.005
TIMEOUT_S = 60.0
GOALS = {("app", "accept"): 0.7, ("app", "paint"): 1.0}


@dataclass
class Launch:
    accept: float | None = None
    paint: float | None = None
    notes: list[str] = field(default_factory=list)


def command(mode: str, port: int, workdir: Path) -> list[str]:
    argv = [sys.executable, "-m", "faktory_desktop"]
    if mode == "serve":
        argv.append("serve")
    return argv + ["-b", f"127.0.0.1:{port}", "-d", str(workdir / "data"),
                   "-c", str(workdir / "conf"), "-l", "warn"]


def environment(mode: str, workdir: Path, display: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(workdir / "config")  # QSettings: the app's defaults
    env["XDG_DATA_HOME"] = str(workdir / "share")
    if mode == "app":
        env[PAINT_MARK_ENV] = "1"
        if not display:
            env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def greets(port: int) -> bool:
    """Whether the port takes a connection and says `+HI` on it."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
            return sock.recv(64).startswith(b"+HI")
    except OSError:
        return False


def watch_marker(stream, start: float, launch: Launch, done: threading.Event) -> None:
    """Read the app's stderr; note when the first-paint marker appears."""
    for line in stream:
        if launch.paint is None and PAINT_MARK.encode() in line:
            launch.paint = time.perf_counter() - start
            done.set()
    done.set()


def launch_once(mode: str, display: bool) -> Launch:
    launch = Launch()
    with tempfile.TemporaryDirectory(prefix="faktory-launch-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        argv = command(mode, port, workdir)
        painted = threading.Event()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=environment(mode, workdir, display),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        reader = threading.Thread(target=watch_marker, daemon=True,
                                  args=(proc.stderr, start, launch, painted))
        reader.start()
        try:
            while launch.accept is None and time.perf_counter() - start < TIMEOUT_S:
                if proc.poll() is not None:
                    launch.notes.append(f"exited with status {proc.returncode}: "
                                        f"{shlex.join(argv)}")
                    break
                if greets(port):
                    launch.accept = time.perf_counter() - start
                else:
                    time.sleep(POLL_S)
            if mode == "app" and not painted.wait(TIMEOUT_S):
                launch.notes.append("no first-paint marker")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                launch.notes.append("ignored SIGTERM; killed")
                proc.kill()
                proc.wait()
            reader.join(5)
    return launch


def summary(label: str, figures: list[float | None]) -> str:
    got = [f for f in figures if f is not None]
    if not got:
        return f"{label:<14} no figure"
    med = statistics.median(got)
    runs = " ".join(f"{f:.2f}" for f in got)
    return (f"{label:<14} median {med:.2f} s  (min {min(got):.2f}, max {max(got):.2f}; "
            f"runs: {runs})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.launch", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="launches per mode (5)")
    parser.add_argument("--mode", choices=("serve", "app", "both"), default="both")
    parser.add_argument("--display", action="store_true",
                        help="the app on the real display instead of offscreen")
    args = parser.parse_args(argv)
    modes = ("serve", "app") if args.mode == "both" else (args.mode,)
    failed = False
    for mode in modes:
        runs = [launch_once(mode, args.display) for _ in range(args.runs)]
        for run in runs:
            for note in run.notes:
                print(f"! {mode}: {note}")
                failed = True
        print(summary(f"{mode} accept", [r.accept for r in runs]))
        if mode == "app":
            print(summary("app paint", [r.paint for r in runs]))
        for (goal_mode, what), goal in GOALS.items():
            got = [getattr(r, what) for r in runs if getattr(r, what) is not None]
            if goal_mode == mode and got:
                verdict = "met" if statistics.median(got) <= goal else "NOT met"
                print(f"  goal {what} <= {goal:.1f} s: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
