"""The command line: one clear line and exit 2 on bad flags; --version; a real serve run."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil

from tests.fwp import RawClient

CLI = [sys.executable, "-m", "faktory_desktop"]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


@contextlib.contextmanager
def serving(config: Path, *flags: str) -> Iterator[tuple[subprocess.Popen[str], Iterator[str]]]:
    """`serve` on a free port with `config`'s conf.d and a data dir beside it, and `flags`: the
    process and its log lines. At the end it must stop with exit 0 on SIGTERM; after a failure it
    is killed."""
    proc = subprocess.Popen([*CLI, "serve", "-b", "127.0.0.1:0", "-d", str(config / "db"),
                             "-c", str(config), *flags], stderr=subprocess.PIPE, text=True)
    try:
        yield proc, iter(proc.stderr)  # type: ignore[arg-type]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_version():
    result = _run("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"Faktory Desktop \S+ \(Faktory 1\.10\.0 protocol, "
                        r"(compiled|pure Python) hot path\)\n", result.stdout)


def test_bad_flag_exits_2_with_one_line(tmp_path):
    result = _run("serve", "-e", "prod", "-d", str(tmp_path))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "invalid choice" in result.stderr


def test_bad_binding_exits_2_with_one_line(tmp_path):
    result = _run("serve", "-b", "nowhere", "-d", str(tmp_path), "-c", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == ('faktory-desktop: invalid binding "nowhere": expected '
                                     "HOST:PORT, e.g. 127.0.0.1:7419")


def test_production_without_password_exits_2(tmp_path):
    result = _run("serve", "-e", "production", "-d", str(tmp_path), "-c", str(tmp_path),
                  env={"FAKTORY_PASSWORD": ""})
    assert result.returncode == 2 and "requires a password" in result.stderr


def test_missing_engine_binary_exits_1_with_one_line(tmp_path):
    result = _run("serve", "-b", "127.0.0.1:0", "-d", str(tmp_path / "db"), "-c", str(tmp_path),
                  "--redis-server", str(tmp_path / "no-such-redis"))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no-such-redis" in result.stderr


def test_serve_accepts_clients_and_stops_cleanly_on_sigterm(tmp_path: Path):
    proc = subprocess.Popen([*CLI, "serve", "-b", "127.0.0.1:0", "-w", "off",
                             "-d", str(tmp_path / "db"), "-c", str(tmp_path)],
                            stderr=subprocess.PIPE, text=True)
    try:
        port = None
        for line in proc.stderr:  # type: ignore[union-attr]
            if m := re.search(r"listening at 127\.0\.0\.1:(\d+)", line):
                port = int(m.group(1))
                break
        assert port, "the server never said it was listening"
        engine_pids = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        assert engine_pids
        with RawClient("127.0.0.1", port) as client:
            assert client.hello() == b"+OK\r\n"
            assert client.call("INFO").startswith(b"$")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert not [p for p in engine_pids if psutil.pid_exists(p)
                    and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
