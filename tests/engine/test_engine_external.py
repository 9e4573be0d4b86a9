"""ExternalEngine: URL parsing and connecting to a server someone else runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from faktory_desktop.engine import (
    EngineAddress,
    EngineError,
    EngineStartError,
    EngineState,
    ExternalEngine,
    parse_engine_url,
)

from .helpers import client, pid_alive


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://localhost:6380/2", EngineAddress(host="localhost", port=6380, db=2)),
        ("redis://example.com", EngineAddress(host="example.com", port=6379)),
        (
            "redis://user:p%40ss@h:1/0",
            EngineAddress(host="h", port=1, username="user", password="p@ss"),
        ),
        ("redis://:secret@h:1", EngineAddress(host="h", port=1, password="secret")),
        ("rediss://h:6390/1", EngineAddress(host="h", port=6390, db=1, tls=True)),
        ("unix:///run/redis.sock?db=3", EngineAddress(unix_path="/run/redis.sock", db=3)),
        ("unix:///run/redis.sock", EngineAddress(unix_path="/run/redis.sock")),
    ],
)
def test_parse_url(url: str, expected: EngineAddress) -> None:
    assert parse_engine_url(url) == expected


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("http://h:1", "unknown scheme 'http'"),
        ("localhost:6379", "unknown scheme|no scheme|no host"),
        ("redis://h:notaport", "Port"),
        ("redis://h:1/zero", "db must be a number"),
        ("redis://", "no host"),
        ("unix://", "socket path"),
    ],
)
def test_bad_urls(url: str, match: str) -> None:
    with pytest.raises(EngineError, match=match) as info:
        ExternalEngine(url)
    assert "\n" not in str(info.value) and "expected redis://" in str(info.value)


def test_bad_url_message_hides_the_password() -> None:
    with pytest.raises(EngineError) as info:
        parse_engine_url("redis://user:hunter2@h:1/x")
    assert "hunter2" not in str(info.value)


async def test_external_engine_against_a_running_engine(make_engine) -> None:
    engine = await make_engine()
    states: list[EngineState] = []
    external = ExternalEngine(engine.address.redis_url, on_state_change=states.append)
    address = await external.start()
    assert address == engine.address and external.state is EngineState.RUNNING
    c = client(address)
    assert await c.ping()
    await c.aclose()
    await external.stop()
    await external.stop()
    assert states == [EngineState.STARTING, EngineState.RUNNING, EngineState.STOPPED]
    assert pid_alive(engine.pid)
    c = client(engine.address)
    assert await c.ping()  # the server keeps running
    await c.aclose()


async def test_external_engine_unreachable(tmp_path: Path) -> None:
    external = ExternalEngine(f"unix://{tmp_path}/none.sock", connect_timeout=0.3)
    with pytest.raises(EngineStartError, match="cannot reach Redis"):
        await external.start()
    assert external.state is EngineState.FAILED
