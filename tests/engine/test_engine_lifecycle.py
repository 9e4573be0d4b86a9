"""Engine lifecycle against real redis-server / valkey-server processes (asyncio and uvloop)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
from pathlib import Path

import pytest

from faktory_desktop.engine import Engine, EngineAddress, EngineStartError, EngineState
from faktory_desktop.engine.config import socket_path_for

from .helpers import (
    assert_gone,
    client,
    engine_pids_in,
    pid_alive,
    wait_aof_written,
    wait_pong,
    wait_until,
)

pytestmark = pytest.mark.both_loops


def mode(path: str | Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_start_ping_modes_and_stop(make_engine, data_dir: Path) -> None:
    states: list[EngineState] = []
    engine = await make_engine(on_state_change=states.append)
    address = engine.address
    assert engine.state is EngineState.RUNNING and address is not None and address.unix_path
    c = client(address)
    assert await c.ping()
    assert (await c.config_get("maxmemory-policy"))["maxmemory-policy"] == "noeviction"
    assert (await c.config_get("appendonly"))["appendonly"] == "yes"
    await c.aclose()

    assert mode(data_dir) == 0o700
    assert mode(Path(address.unix_path).parent) == 0o700
    assert mode(address.unix_path) == 0o700
    conf = data_dir / "redis.conf"
    assert mode(conf) == 0o600
    lines = conf.read_text().splitlines()
    for line in ("port 0", "maxmemory-policy noeviction", "appendonly yes", "unixsocketperm 700"):
        assert line in lines
    assert json.loads(engine.pidfile_path.read_text())["pid"] == engine.pid
    assert os.getsid(engine.pid) == engine.pid  # own session: a terminal's Ctrl-C is ours alone
    assert engine.version is not None and engine.version[0] in ("redis", "valkey")

    pid = engine.pid
    await engine.stop()
    await assert_gone(pid)
    assert engine.state is EngineState.STOPPED and engine.pid is None
    assert not engine.pidfile_path.exists() and not os.path.exists(address.unix_path)
    await engine.stop()  # idempotent
    assert states == [EngineState.STARTING, EngineState.RUNNING, EngineState.STOPPED]


async def test_clean_stop_persists_data(make_engine) -> None:
    engine = await make_engine()
    c = client(engine.address)
    await c.set("job:1", "payload")
    await c.aclose()
    old_pid = engine.pid
    await engine.stop()
    await assert_gone(old_pid)

    await engine.start()
    c = client(engine.address)
    assert await c.get("job:1") == "payload"
    await c.aclose()


async def test_kill9_restarts_and_keeps_data(make_engine) -> None:
    states: asyncio.Queue[EngineState] = asyncio.Queue()
    engine = await make_engine(on_state_change=states.put_nowait)
    while not states.empty():
        states.get_nowait()
    c = client(engine.address)
    await c.set("survives", "kill -9")
    await wait_aof_written(engine.address)
    old_pid = engine.pid
    os.kill(old_pid, signal.SIGKILL)

    assert await asyncio.wait_for(states.get(), 10) is EngineState.RESTARTING
    assert await asyncio.wait_for(states.get(), 10) is EngineState.RUNNING
    assert engine.pid not in (None, old_pid)
    await assert_gone(old_pid)
    assert await c.get("survives") == "kill -9"  # same address: the client just reconnects
    await c.aclose()


async def test_stale_pidfile_is_ignored(make_engine, data_dir: Path) -> None:
    dead = await asyncio.create_subprocess_exec("true")
    await dead.wait()
    data_dir.mkdir(mode=0o700)
    stale = {
        "pid": dead.pid,
        "create_time": 0.0,
        "binary": "/usr/bin/redis-server",
        "address": {"unix_path": "/nonexistent/x.sock"},
    }
    (data_dir / "engine.pid").write_text(json.dumps(stale))
    engine = await make_engine()
    assert json.loads(engine.pidfile_path.read_text())["pid"] == engine.pid


async def test_pidfile_naming_an_unrelated_process_leaves_it_alone(make_engine, data_dir) -> None:
    data_dir.mkdir(mode=0o700)
    record = {"pid": os.getpid(), "create_time": 0.0, "binary": "x", "address": {"host": "h"}}
    (data_dir / "engine.pid").write_text(json.dumps(record))
    engine = await make_engine()
    assert engine.state is EngineState.RUNNING  # and we (the pytest process) are still here


async def test_second_supervisor_on_same_data_dir_is_refused(make_engine, data_dir) -> None:
    first = await make_engine()
    second = Engine(data_dir, binary=first.binary)
    with pytest.raises(EngineStartError, match="in use by another Faktory Desktop"):
        await second.start()
    assert second.state is EngineState.FAILED
    assert engine_pids_in(data_dir) == {first.pid}
    c = client(first.address)
    assert await c.ping()
    await c.aclose()
    await second.stop()
    assert first.state is EngineState.RUNNING


async def test_windows_flavour_listens_on_localhost_with_password(make_engine) -> None:
    engine = await make_engine(platform="win32")
    address = engine.address
    assert address.unix_path is None and address.host == "127.0.0.1" and address.password
    c = client(address)
    assert await c.ping()
    await c.aclose()
    anonymous = client(EngineAddress(host="127.0.0.1", port=address.port))
    with pytest.raises(Exception, match="(?i)auth"):
        await anonymous.ping()
    await anonymous.aclose()
    assert pid_alive(engine.pid)


async def test_many_quick_cycles_leave_nothing_behind(make_engine, data_dir: Path) -> None:
    engine = await make_engine()
    for _ in range(3):
        pid = engine.pid
        await engine.stop()
        await assert_gone(pid)
        await engine.start()
    await wait_until(lambda: engine_pids_in(data_dir) == {engine.pid}, what="one engine")


async def test_crash_loop_ends_in_failed(make_engine, data_dir: Path) -> None:
    states: asyncio.Queue[EngineState] = asyncio.Queue()
    engine = await make_engine(on_state_change=states.put_nowait, restart_limit=3)
    with (data_dir / "redis.conf").open("a") as conf:
        conf.write("no-such-directive yes\n")  # every restart now fails on the config
    old_pid = engine.pid
    os.kill(old_pid, signal.SIGKILL)
    seen = []
    while not seen or seen[-1] is not EngineState.FAILED:
        seen.append(await asyncio.wait_for(states.get(), 10))
    assert seen == [
        EngineState.STARTING,
        EngineState.RUNNING,
        EngineState.RESTARTING,
        EngineState.FAILED,
    ]
    assert engine.pid is None and engine_pids_in(data_dir) == set()
    await engine.stop()
    assert engine.state is EngineState.STOPPED


async def test_stop_while_restarting(make_engine, data_dir: Path) -> None:
    states: asyncio.Queue[EngineState] = asyncio.Queue()
    engine = await make_engine(on_state_change=states.put_nowait)
    old_pid = engine.pid
    os.kill(old_pid, signal.SIGKILL)
    while await asyncio.wait_for(states.get(), 10) is not EngineState.RESTARTING:
        pass
    await engine.stop()
    assert engine.state is EngineState.STOPPED
    await assert_gone(old_pid)
    assert engine_pids_in(data_dir) == set()


async def test_foreign_engine_on_our_socket_is_refused(engine_binary: str, data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    sock = socket_path_for(data_dir.resolve())
    Path(sock).parent.mkdir(mode=0o700, exist_ok=True)
    args = ["--port", "0", "--unixsocket", sock, "--dir", str(data_dir.parent), "--save", ""]
    foreign = await asyncio.create_subprocess_exec(
        engine_binary, *args, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        await wait_pong(EngineAddress(unix_path=sock))
        engine = Engine(data_dir, binary=engine_binary)
        with pytest.raises(EngineStartError, match="already listens"):
            await engine.start()
        assert foreign.returncode is None and engine_pids_in(data_dir) == set()
        c = client(EngineAddress(unix_path=sock))
        assert await c.ping()
        await c.aclose()
        await engine.stop()
    finally:
        foreign.kill()
        await foreign.wait()

