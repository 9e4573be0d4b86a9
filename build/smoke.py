"""Smoke-test the built bundle, as a user would run it, outside the source tree.

    .venv/bin/python build/smoke.py [PATH/TO/faktory-desktop]

1. `faktory-desktop --version` exits 0, and names the hot path this tree was built with
   (compiled by mypyc, or pure Python): the bundle carries the compiled modules;
2. `faktory-desktop serve` on a free port with a temp data dir: raw FWP HELLO, PUSH, FETCH (the
   job comes back) and ACK; the engine it runs is the one inside the bundle; SIGTERM exits 0 and
   the engine is gone;
3. the desktop app, offscreen: alive after a few seconds, its own server answers `+HI`, and
   SIGTERM quits it with exit 0, its engine gone too;
4. on Linux, the app on X11 with no X server answering: one line and exit 1, never an abort.
5. every screen: the app's screen tour (`FAKTORY_DESKTOP_SCREEN_TOUR`, faktory_desktop/ui/
   screen_tour.py) shows each page and dialog, saves it as an image and quits with exit 0, with
   no traceback in its log: the bundle leaves parts of Qt, ICU and numpy out, and this is where
   a screen that needs one of them would show it.

The checks run from a temp folder with HOME and the XDG dirs pointed into it, so they read no
preferences of this machine's user and write none. POSIX only (SIGTERM). psutil (a project
dependency, so in the venv) finds the engine child.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

from faktory_desktop.compiled import hot_path_kind

ROOT = Path(__file__).resolve().parent.parent
FAKTORY_PORT = 7419  # never used here: it may be a real Faktory's
FAST_MODULES = ("uvloop", "hiredis", "orjson")
JOB = {"jid": "smoke-job-1", "jobtype": "Smoke", "args": []}


def default_exe() -> Path:
    if sys.platform == "darwin":
        app = ROOT / "dist" / "Faktory Desktop.app" / "Contents" / "MacOS" / "faktory-desktop"
        if app.exists():
            return app
    return ROOT / "dist" / "faktory-desktop" / "faktory-desktop"


def free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != FAKTORY_PORT:
            return port


def check(ok: bool, what: str, log: Path | None = None) -> None:
    if not ok:
        if log is not None and log.exists():
            print(f"--- {log}:\n{log.read_text(errors='replace')[-4000:]}---")
        sys.exit(f"FAIL: {what}")
    print(f"ok: {what}")


class Fwp:
    """Just enough of the Faktory Work Protocol: RESP lines and bulk strings."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.file = self.sock.makefile("rb")

    def reply(self) -> str | None:
        line = self.file.readline().decode().rstrip("\r\n")
        if line.startswith("$"):
            size = int(line[1:])
            return None if size < 0 else self.file.read(size + 2)[:-2].decode()
        return line

    def call(self, verb: str, payload: object | None = None) -> str | None:
        line = verb if payload is None else f"{verb} {json.dumps(payload)}"
        self.sock.sendall(line.encode() + b"\r\n")
        return self.reply()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def connect(port: int, proc: subprocess.Popen, log: Path, what: str,
            seconds: float = 30.0) -> Fwp:
    """Connect once the server listens and read its `+HI`; fail if the process dies first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            conn = Fwp(port)
        except OSError:
            time.sleep(0.2)
            continue
        hi = conn.reply() or ""
        check(hi.startswith("+HI "), f"{what} says +HI on 127.0.0.1:{port}", log)
        return conn
    check(False, f"{what} listens on 127.0.0.1:{port}", log)
    raise AssertionError  # not reached: check() exited


def engines(proc: subprocess.Popen) -> list[psutil.Process]:
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [c for c in children if "server" in c.name()]


def native_modules(proc: subprocess.Popen) -> set[str]:
    """The C extensions that the server's fast path falls back from silently, found loaded."""
    paths = [m.path for m in psutil.Process(proc.pid).memory_maps()]
    return {name for name in FAST_MODULES if any(f"/{name}/" in path for path in paths)}


def stop(proc: subprocess.Popen, engine: list[psutil.Process], log: Path, what: str) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    check(code == 0, f"{what}: SIGTERM exits 0 (got {code})", log)
    gone, alive = psutil.wait_procs(engine, timeout=10)
    for leftover in alive:
        leftover.kill()
    check(not alive, f"{what}: no engine process left behind", log)


def environment(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("FAKTORY_REDIS_SERVER", "REDIS_URL", "FAKTORY_URL", "FAKTORY_PASSWORD",
                        "PYTHONPATH", "VIRTUAL_ENV", "DISPLAY", "WAYLAND_DISPLAY")}
    home = tmp / "home"
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env["HOME"] = str(home)
    return env


def check_version(exe: Path, env: dict[str, str], cwd: Path) -> None:
    result = subprocess.run([exe, "--version"], env=env, cwd=cwd, capture_output=True,
                            text=True, timeout=60)
    check(result.returncode == 0 and "Faktory Desktop" in result.stdout,
          f"--version exits 0: {result.stdout.strip() or result.stderr.strip()}")
    built = hot_path_kind()  # as this tree was built: the bundle must carry the same
    check(f"{built} hot path" in result.stdout, f"the bundle runs the {built} hot path")


def check_serve(exe: Path, env: dict[str, str], tmp: Path) -> None:
    port, web_port, log = free_port(), free_port(), tmp / "serve.log"
    argv: list[str | Path] = [exe, "serve", "-b", f"127.0.0.1:{port}", "-w",
                              f"127.0.0.1:{web_port}", "-d", tmp / "db", "-c", tmp / "cfg"]
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT)
    try:
        conn = connect(port, proc, log, "serve")
        check(conn.call("HELLO", {"v": 2}) == "+OK", "HELLO gets +OK", log)
        check(conn.call("PUSH", JOB) == "+OK", "PUSH gets +OK", log)
        fetched = conn.call("FETCH default")
        job = json.loads(fetched or "null")
        check(isinstance(job, dict) and job.get("jid") == JOB["jid"],
              f"FETCH default returns the job: {fetched and fetched[:80]}", log)
        check(conn.call("ACK", {"jid": JOB["jid"]}) == "+OK", "ACK gets +OK", log)
        conn.sock.sendall(b"END\r\n")  # no reply: the server closes the connection
        conn.close()
        engine = engines(proc)
        bundle = exe.resolve().parent
        check(len(engine) == 1 and Path(engine[0].exe()).is_relative_to(bundle),
              f"the engine is the bundled one: {[e.exe() for e in engine]}", log)
        check("listening at" in log.read_text(), "serve logs its banner to the terminal", log)
        check_web_ui(web_port, log)
        if sys.platform == "linux":  # psutil reads memory maps on Linux
            loaded = native_modules(proc)
            check(loaded == set(FAST_MODULES),
                  f"the server has {', '.join(sorted(loaded)) or 'none'} of {FAST_MODULES} loaded",
                  log)
        stop(proc, engine, log, "serve")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def check_web_ui(port: int, log: Path) -> None:
    """The Web UI answers, with its templates and static files bundled."""
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(base + "/queues", timeout=10) as page:
        check(page.status == 200 and b"Queues" in page.read(), "the Web UI renders /queues", log)
    with urllib.request.urlopen(base + "/static/dashboard.js", timeout=10) as script:
        check(script.status == 200, "the Web UI serves its static files", log)


def check_gui(exe: Path, env: dict[str, str], tmp: Path, alive_for: float = 5.0) -> None:
    port, log = free_port(), tmp / "gui.log"
    env = {**env, "QT_QPA_PLATFORM": "offscreen"}
    argv: list[str | Path] = [exe, "-b", f"127.0.0.1:{port}",
                              "-d", tmp / "gui-db", "-c", tmp / "gui-cfg"]
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT)
    try:
        time.sleep(alive_for)
        check(proc.poll() is None, f"the app is still running after {alive_for:.0f} s", log)
        # The app starts its server at launch (a preference, on by default).
        connect(port, proc, log, "the app's server").close()
        stop(proc, engines(proc), log, "app")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def check_x11(exe: Path, env: dict[str, str], tmp: Path) -> None:
    """On X11 with no X server to answer, the app ends with one line and exit 1, never Qt's
    abort: "the X server refused" when the xcb plugin loads (the bundle carries its libraries,
    or the system has them), else a line naming the packages it lacks."""
    display = next(n for n in range(4242, 4342) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    env = {k: v for k, v in env.items() if not k.startswith(("QT_", "XDG_SESSION"))}
    result = subprocess.run([exe, "-b", f"127.0.0.1:{free_port()}", "-d", tmp / "x11-db",
                             "-c", tmp / "x11-cfg"], env={**env, "DISPLAY": f":{display}"},
                            cwd=tmp, capture_output=True, text=True, timeout=60)
    lines = result.stderr.strip().splitlines()
    check(result.returncode == 1 and len(lines) == 1,
          f"X11 without a display: exit 1 with one line (got {result.returncode}): "
          f"{result.stderr.strip()[-300:]}")
SCREENS = 16  # the 12 pages of the sidebar, About, Settings, its file picker, New Job


def check_screens(exe: Path, env: dict[str, str], tmp: Path) -> None:
    port, log, shots = free_port(), tmp / "tour.log", tmp / "screens"
    env = {**env, "QT_QPA_PLATFORM": "offscreen", "FAKTORY_DESKTOP_SCREEN_TOUR": str(shots)}
    argv: list[str | Path] = [exe, "-b", f"127.0.0.1:{port}",
                              "-d", tmp / "tour-db", "-c", tmp / "tour-cfg"]
    with log.open("wb") as out:
        code = subprocess.run(argv, env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT,
                              timeout=180).returncode
    listed = (shots / "tour.txt").read_text().split() if (shots / "tour.txt").exists() else []
    check(code == 0, f"the screen tour exits 0 (got {code})", log)
    check(len(listed) == SCREENS and all((shots / name).stat().st_size > 2000 for name in listed),
          f"the screen tour saved {len(listed)} of {SCREENS} screens: {' '.join(listed)}", log)
    text = log.read_text(errors="replace")
    check("Traceback" not in text and "Could not" not in text,
          "the screen tour logged no traceback and no Qt failure", log)


def main() -> int:
    exe = Path(sys.argv[1]).absolute() if len(sys.argv) > 1 else default_exe()
    if not exe.exists():
        sys.exit(f"no bundle at {exe}: build it first (.venv/bin/python build/build.py)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="faktory-smoke-") as name:
        tmp = Path(name)
        env = environment(tmp)
        check_version(exe, env, tmp)
        check_serve(exe, env, tmp)
        check_gui(exe, env, tmp)
        if sys.platform == "linux":
            check_x11(exe, env, tmp)
        check_screens(exe, env, tmp)
    print(f"smoke test passed in {time.monotonic() - started:.0f} s: {exe}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
