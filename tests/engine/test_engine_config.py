"""The redis.conf we write, socket paths and private directories."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from faktory_desktop.engine import EngineError
from faktory_desktop.engine.config import (
    SOCKET_PATH_MAX,
    EngineConfig,
    ensure_private_dir,
    plan_config,
    render_config,
    socket_path_for,
    write_config,
)


def test_posix_config_text(tmp_path: Path) -> None:
    cfg = EngineConfig(tmp_path / "data", unix_path="/tmp/faktory-desktop-1/abcd1234.sock")
    lines = render_config(cfg).splitlines()
    expected = [
        "port 0",
        'unixsocket "/tmp/faktory-desktop-1/abcd1234.sock"',
        "unixsocketperm 700",
        "protected-mode yes",
        f'dir "{tmp_path / "data"}"',
        "daemonize no",
        "timeout 0",
        "maxmemory-policy noeviction",
        "appendonly yes",
        "appendfsync everysec",
        "save 120 1",
        "save 30 5",
        "dbfilename faktory.rdb",
        "stop-writes-on-bgsave-error yes",
        f'logfile "{tmp_path / "data" / "redis.log"}"',
        "loglevel notice",
        "slowlog-log-slower-than 10000",
        "slowlog-max-len 128",
    ]
    assert lines[1:] == expected
    assert not any(line.startswith(("pidfile", "bind", "requirepass")) for line in lines)


def test_windows_config_text(tmp_path: Path) -> None:
    cfg = plan_config(tmp_path, "warning", platform="win32")
    text = render_config(cfg)
    assert cfg.unix_path is None and cfg.port > 0 and cfg.password and len(cfg.password) >= 32
    assert f"port {cfg.port}\n" in text
    assert "bind 127.0.0.1\n" in text
    assert f'requirepass "{cfg.password}"\n' in text
    assert "unixsocket" not in text and "port 0\n" not in text
    assert "loglevel warning\n" in text
    address = cfg.address
    assert (address.host, address.port, address.password) == ("127.0.0.1", cfg.port, cfg.password)


def test_windows_paths_are_quoted(tmp_path: Path) -> None:
    cfg = EngineConfig(Path('C:\\Users\\a b\\"x"'), port=1234, password="pw")
    assert 'dir "C:\\\\Users\\\\a b\\\\\\"x\\""' in render_config(cfg)


def test_posix_plan_uses_a_socket(tmp_path: Path) -> None:
    cfg = plan_config(tmp_path, "debug", platform="linux")
    assert cfg.unix_path is not None and cfg.port == 0 and cfg.password is None
    assert cfg.log_level == "verbose"


def test_unknown_log_level(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="unknown log level"):
        plan_config(tmp_path, "chatty", platform="linux")


def test_socket_path_xdg_and_tmp(tmp_path: Path) -> None:
    data = Path("/home/u/.local/share/faktory-desktop")
    xdg = socket_path_for(data, env={"XDG_RUNTIME_DIR": "/run/user/1000"}, uid=1000)
    tmp = socket_path_for(data, env={}, uid=1000)
    assert xdg.startswith("/run/user/1000/faktory-desktop/") and xdg.endswith(".sock")
    assert tmp.startswith("/tmp/faktory-desktop-1000/")
    assert Path(xdg).name == Path(tmp).name and len(Path(tmp).stem) == 8
    other = socket_path_for(Path("/elsewhere"), env={}, uid=1000)
    assert other != tmp


def test_socket_path_falls_back_when_xdg_is_too_long() -> None:
    long_runtime = "/run/" + "x" * 120
    path = socket_path_for(Path("/d"), env={"XDG_RUNTIME_DIR": long_runtime}, uid=7)
    assert path.startswith("/tmp/faktory-desktop-7/") and len(path.encode()) < SOCKET_PATH_MAX


def test_write_config_makes_private_dirs_and_file(tmp_path: Path) -> None:
    sock = tmp_path / "run" / "s.sock"
    cfg = EngineConfig(tmp_path / "a" / "data", unix_path=str(sock))
    conf = write_config(cfg)
    assert stat.S_IMODE(os.stat(cfg.data_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(sock.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o600
    assert conf.read_text() == render_config(cfg)


def test_private_dir_is_tightened(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o755)
    ensure_private_dir(loose)
    assert stat.S_IMODE(os.stat(loose).st_mode) == 0o700


def test_private_dir_owned_by_someone_else_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    owner = os.stat(theirs).st_uid
    monkeypatch.setattr(os, "getuid", lambda: owner + 1)
    with pytest.raises(EngineError, match="owned by uid"):
        ensure_private_dir(theirs)


def test_private_dir_refuses_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(EngineError, match="not a directory"):
        ensure_private_dir(tmp_path / "link")


def test_forced_shutdown_only_where_the_engine_knows_it(tmp_path):
    valkey = render_config(plan_config(tmp_path, version=("valkey", "9.1.2")))
    redis7 = render_config(plan_config(tmp_path, version=("redis", "7.0.15")))
    redis6 = render_config(plan_config(tmp_path, version=("redis", "6.2.14")))
    assert "shutdown-on-sigterm force" in valkey and "shutdown-on-sigterm force" in redis7
    assert "shutdown-on-sigterm" not in redis6
