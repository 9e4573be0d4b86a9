"""The server under test as a child process: start it fresh, find its engine, stop it, read its log.

By default this is `python -m faktory_desktop serve` on a free port with a temporary data and
config directory. `--server-cmd` runs any other command instead (a real Faktory binary, say); it
may use the placeholders `{host}`, `{port}`, `{webport}`, `{data}` and `{conf}`.

The server is ready when its log says `listening` (Faktory's own wording, and ours) or its port
accepts a connection. The storage engine is found from our log line
`valkey 9.1.2 running (pid N) at unix:///path.sock?db=0`, or else as the server's child process
named redis/valkey, whose unix socket (or TCP port) `redis-benchmark` can then use.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

__all__ = ["EngineTarget", "ServerError", "ServerProcess", "cpu_seconds", "free_port",
           "kernel_seconds", "syscalls"]

ENGINE_NAMES = ("redis", "valkey", "keydb", "dragonfly")
_LISTENING = re.compile(rb"listening", re.IGNORECASE)
_ENGINE_PID = re.compile(rb"running \(pid (\d+)\)")
_ENGINE_UNIX = re.compile(rb"(?:redis-cli -s |unix://)([^\s?]+)")
_PROBLEM = re.compile(rb"^(?:E |W |ERROR|WARN|FATAL|panic|Traceback|\S*Error\b)|Traceback")


class ServerError(RuntimeError):
    """The server did not start, or died."""


@dataclass(frozen=True, slots=True)
class EngineTarget:
    """Where redis-benchmark can reach the engine: a unix socket path, or host and port."""

    unix: str | None = None
    host: str | None = None
    port: int | None = None

    def benchmark_args(self) -> list[str]:
        if self.unix:
            return ["-s", self.unix]
        return ["-h", str(self.host), "-p", str(self.port)]

    def describe(self) -> str:
        return f"unix:{self.unix}" if self.unix else f"{self.host}:{self.port}"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def default_command() -> str:
    return (f"{shlex.quote(sys.executable)} -m faktory_desktop serve -b {{host}}:{{port}} "
            "-w {host}:{webport} -d {data} -c {conf} -l info")


class ServerProcess:
    """One fresh server. `start()`, then `pid`, `engine_pid`, `engine_target`; `stop()`."""

    def __init__(self, command: str | None = None, host: str = "127.0.0.1",
                 keep_dir: bool = False, confd: dict[str, str] | None = None) -> None:
        self.host = host
        self.port = free_port(host)
        self.webport = free_port(host)
        self._tmp = tempfile.TemporaryDirectory(prefix="faktory-bench-")
        self.workdir = Path(self._tmp.name)
        self.keep_dir = keep_dir
        self.log_path = self.workdir / "server.log"
        data, conf = self.workdir / "data", self.workdir / "conf"
        data.mkdir()
        (conf / "conf.d").mkdir(parents=True)
        for name, text in (confd or {}).items():
            (conf / "conf.d" / name).write_text(text)
        template = command or default_command()
        self.argv = [part.format(host=host, port=self.port, webport=self.webport, data=data,
                                 conf=conf) for part in shlex.split(template)]
        self.proc: subprocess.Popen[bytes] | None = None
        self.pid = 0
        self.engine_pid: int | None = None
        self.engine_name = ""
        self.engine_target: EngineTarget | None = None
        self.notes: list[str] = []

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> None:
        log = self.log_path.open("wb")
        try:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)
        except OSError as exc:
            raise ServerError(f"cannot run {self.argv[0]}: {exc}") from None
        finally:
            log.close()
        self.pid = self.proc.pid
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise ServerError(f"the server exited with status {self.proc.returncode} "
                                  f"before listening:\n{self.log_tail()}")
            if _LISTENING.search(self.log_bytes()) or self._port_open():
                break
            if time.monotonic() > deadline:
                raise ServerError(f"the server did not listen within {timeout:.0f} s:\n"
                                  f"{self.log_tail()}")
            time.sleep(0.05)
        self._find_engine()

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, then SIGKILL after `timeout`; an engine left behind is reported and killed."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.notes.append(f"the server ignored SIGTERM for {timeout:.0f} s; killed it")
                self.proc.kill()
                self.proc.wait()
        if self.engine_pid is not None and psutil.pid_exists(self.engine_pid):
            with contextlib.suppress(psutil.Error):
                engine = psutil.Process(self.engine_pid)
                engine.wait(10)
            if psutil.pid_exists(self.engine_pid):
                self.notes.append(f"the engine (pid {self.engine_pid}) outlived the server; "
                                  "killed it")
                with contextlib.suppress(psutil.Error):
                    psutil.Process(self.engine_pid).kill()
        return self.proc.returncode

    def cleanup(self) -> None:
        if not self.keep_dir:
            self._tmp.cleanup()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- what we measure ----------------------------------------------------------------------

    def log_bytes(self) -> bytes:
        try:
            return self.log_path.read_bytes()
        except OSError:
            return b""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_bytes().decode(errors="replace").splitlines()[-lines:])

    def log_problems(self, limit: int = 40) -> list[str]:
        """Warning and error lines, and tracebacks (each with the lines that follow it)."""
        out: list[str] = []
        lines = self.log_bytes().splitlines()
        i = 0
        while i < len(lines) and len(out) < limit:
            line = lines[i]
            if line.startswith(b"Traceback"):
                end = i + 1
                while end < len(lines) and (lines[end][:1] in (b" ", b"\t") or not lines[end]):
                    end += 1
                block = lines[i:end + 1]
                out.append("\n".join(b.decode(errors="replace") for b in block))
                i = end + 1
                continue
            if _PROBLEM.search(line):
                out.append(line.decode(errors="replace"))
            i += 1
        return out

    # -- engine discovery -------------------------------------------------------------------

    def _port_open(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.2)
            return sock.connect_ex((self.host, self.port)) == 0

    def _find_engine(self) -> None:
        log = self.log_bytes()
        match = _ENGINE_PID.search(log)
        if match and psutil.pid_exists(int(match.group(1))):
            self.engine_pid = int(match.group(1))
        else:
            with contextlib.suppress(psutil.Error):
                for child in psutil.Process(self.pid).children(recursive=True):
                    if any(name in child.name().lower() for name in ENGINE_NAMES):
                        self.engine_pid = child.pid
                        break
        if self.engine_pid is None:
            self.notes.append("no storage engine process found under the server; "
                              "engine CPU and the redis-benchmark reference are skipped")
            return
        with contextlib.suppress(psutil.Error):
            self.engine_name = psutil.Process(self.engine_pid).name()
        match = _ENGINE_UNIX.search(log)
        if match and os.path.exists(match.group(1)):
            self.engine_target = EngineTarget(unix=match.group(1).decode())
            return
        self.engine_target = self._engine_target_from_process()
        if self.engine_target is None:
            self.notes.append(f"could not find where the engine (pid {self.engine_pid}) "
                              "listens; the redis-benchmark reference is skipped")

    def _engine_target_from_process(self) -> EngineTarget | None:
        assert self.engine_pid is not None
        try:
            engine = psutil.Process(self.engine_pid)
            unix = [c.laddr for c in engine.net_connections(kind="unix")
                    if isinstance(c.laddr, str) and c.laddr]
            if unix:
                return EngineTarget(unix=unix[0])
            for conn in engine.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN and conn.laddr:
                    return EngineTarget(host=conn.laddr.ip, port=conn.laddr.port)
        except psutil.Error:
            return None
        return None


def cpu_seconds(pid: int | None) -> float | None:
    """user + system CPU seconds of one process (not its children), or None if it is gone."""
    if pid is None:
        return None
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return float(times.user + times.system)


def kernel_seconds(pid: int | None) -> float | None:
    """The system (kernel) part of `cpu_seconds`: the syscalls' side of the work."""
    if pid is None:
        return None
    try:
        return float(psutil.Process(pid).cpu_times().system)
    except psutil.Error:
        return None


def syscalls(pid: int | None) -> tuple[int, int] | None:
    """(read, write) syscalls made so far by one process (Linux /proc/PID/io), or None."""
    if pid is None:
        return None
    try:
        io = psutil.Process(pid).io_counters()  # type: ignore[attr-defined]
    except (psutil.Error, AttributeError, NotImplementedError):
        return None
    return int(io.read_count), int(io.write_count)
