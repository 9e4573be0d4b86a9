"""Killing the supervising process with -9: PDEATHSIG, and an engine left behind."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from faktory_desktop.engine import Engine

from .helpers import assert_gone, client, engine_pids_in, pid_alive, run_engine_child

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process semantics")


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux-only")
async def test_engine_dies_with_its_supervisor(engine_binary: str, data_dir: Path) -> None:
    supervisor, engine_pid = await run_engine_child(data_dir, engine_binary, die_with_parent=True)
    assert pid_alive(engine_pid)
    supervisor.kill()
    await supervisor.wait()
    await assert_gone(engine_pid)


async def test_engine_left_behind_is_stopped_not_duplicated(
    engine_binary: str, data_dir: Path
) -> None:
    supervisor, orphan = await run_engine_child(data_dir, engine_binary, die_with_parent=False)
    supervisor.kill()
    await supervisor.wait()
    assert pid_alive(orphan), "the engine should outlive its supervisor without PDEATHSIG"

    engine = Engine(data_dir, binary=engine_binary)
    try:
        await engine.start()
        await assert_gone(orphan)  # stopped with SHUTDOWN SAVE ...
        assert engine_pids_in(data_dir) == {engine.pid}  # ... and replaced, not duplicated
        c = client(engine.address)
        assert await c.get("left") == "behind"  # nothing was lost
        await c.aclose()
    finally:
        pid = engine.pid
        await engine.stop()
        if pid is not None:
            await assert_gone(pid)
        if pid_alive(orphan):
            os.kill(orphan, signal.SIGKILL)
