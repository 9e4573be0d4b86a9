"""Startup failures: no binary, a hung engine, an engine that exits; state changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from faktory_desktop.engine import Engine, EngineNotFound, EngineStartError, EngineState
from faktory_desktop.engine.state import can_transition, check_transition

from .helpers import assert_gone, engine_pids_in

FAKE_ENGINE = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "Redis server v=7.0.15 sha=00000000:0"; exit 0; fi
echo $$ > "$(dirname "$1")/fake.pid"
echo "fake engine: line one" >> "$(dirname "$1")/redis.log"
echo "fake engine: {last}" >> "$(dirname "$1")/redis.log"
{then}
"""


def fake_engine(tmp_path: Path, last: str, then: str) -> str:
    path = tmp_path / "fake-redis-server"
    path.write_text(FAKE_ENGINE.format(last=last, then=then))
    path.chmod(0o755)
    return str(path)


async def test_startup_timeout_reports_the_log_tail(tmp_path: Path) -> None:
    binary = fake_engine(tmp_path, "Bad file format reading the append only file", "exec sleep 60")
    states: list[EngineState] = []
    engine = Engine(tmp_path / "data", binary, startup_timeout=0.5, on_state_change=states.append)
    with pytest.raises(EngineStartError) as info:
        await engine.start()
    message = str(info.value)
    assert "did not become ready within 0.5s" in message
    assert "fake engine: line one" in message and "Bad file format" in message
    await assert_gone(int((tmp_path / "data" / "fake.pid").read_text()))
    assert states == [EngineState.STARTING, EngineState.FAILED]
    assert not engine.pidfile_path.exists()
    await engine.stop()
    assert engine.state is EngineState.STOPPED


async def test_early_exit_reports_code_and_log_tail(tmp_path: Path) -> None:
    binary = fake_engine(tmp_path, "FATAL CONFIG FILE ERROR", "exit 3")
    engine = Engine(tmp_path / "data", binary, startup_timeout=20)
    with pytest.raises(EngineStartError, match="exited with code 3") as info:
        await engine.start()
    assert "FATAL CONFIG FILE ERROR" in str(info.value)
    assert engine.state is EngineState.FAILED


async def test_missing_binary(tmp_path: Path) -> None:
    engine = Engine(tmp_path / "data", binary=str(tmp_path / "nope"))
    with pytest.raises(EngineNotFound, match="nope"):
        await engine.start()
    assert engine.state is EngineState.FAILED


async def test_failed_start_can_be_retried(tmp_path: Path, engine_binary: str) -> None:
    engine = Engine(tmp_path / "data", binary=str(tmp_path / "nope"))
    with pytest.raises(EngineNotFound):
        await engine.start()
    engine._binary_arg = engine_binary  # the user fixed the setting
    await engine.start()
    assert engine.state is EngineState.RUNNING
    pid = engine.pid
    await engine.stop()
    await assert_gone(pid)
    assert engine_pids_in(engine.data_dir) == set()


def test_state_transitions() -> None:
    assert can_transition(EngineState.STOPPED, EngineState.STARTING)
    assert can_transition(EngineState.RUNNING, EngineState.RESTARTING)
    assert can_transition(EngineState.RESTARTING, EngineState.FAILED)
    assert not can_transition(EngineState.STOPPED, EngineState.RUNNING)
    with pytest.raises(RuntimeError, match="STOPPED -> RESTARTING"):
        check_transition(EngineState.STOPPED, EngineState.RESTARTING)
