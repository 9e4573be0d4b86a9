"""Where the Web UI listens: -w, [web] in conf.d, off, a port in use, and `serve` end to end."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from faktory_desktop.config import ConfigError, build_settings
from faktory_desktop.server.runtime import ServerThread
from tests.fwp import RawClient
from tests.test_cli import serving
from tests.web.web_support import Http


def settings_for(tmp_path: Path, toml: str = "", **flags: str) -> tuple[str | None, int]:
    (tmp_path / "conf.d").mkdir(exist_ok=True)
    (tmp_path / "conf.d" / "web.toml").write_text(toml)
    s = build_settings({"config_dir": str(tmp_path), **flags}, env={})
    return s.web_host, s.web_port


def test_web_binding_flag_toml_and_default(tmp_path: Path) -> None:
    assert settings_for(tmp_path) == ("127.0.0.1", 7420)  # Faktory's address
    assert settings_for(tmp_path, web_binding="0.0.0.0:8080") == ("0.0.0.0", 8080)
    assert settings_for(tmp_path, web_binding=":7500") == ("0.0.0.0", 7500)
    toml = '[web]\nbinding = "127.0.0.1:7600"\n'
    assert settings_for(tmp_path, toml) == ("127.0.0.1", 7600)
    assert settings_for(tmp_path, toml, web_binding="127.0.0.1:7700") == ("127.0.0.1", 7700)


@pytest.mark.parametrize("off", ["off", "OFF", ":0", "127.0.0.1:0"])
def test_web_ui_can_be_turned_off(tmp_path: Path, off: str) -> None:
    assert settings_for(tmp_path, web_binding=off)[0] is None


@pytest.mark.parametrize("bad", ["nowhere", "127.0.0.1:99999", "host:"])
def test_a_bad_web_binding_is_one_clear_error(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError, match=r'invalid Web UI binding .*expected HOST:PORT.*"off"'):
        settings_for(tmp_path, web_binding=bad)


def test_web_password_from_toml_else_the_command_password(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "a.toml").write_text('[faktory]\npassword = "cmd"\n')
    assert build_settings({"config_dir": str(tmp_path)}, env={}).web_password == "cmd"
    (tmp_path / "conf.d" / "b.toml").write_text('[web]\npassword = "web"\n')
    settings = build_settings({"config_dir": str(tmp_path)}, env={})
    assert (settings.password, settings.web_password) == ("cmd", "web")


def test_a_web_port_in_use_logs_one_line_and_fwp_still_serves(
        make_server: Callable[..., ServerThread], caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy_port = taken.getsockname()[1]
        with caplog.at_level(logging.ERROR):
            server = make_server(web_host="127.0.0.1", web_port=busy_port)
        assert server.runtime.web is None
        lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert lines == [f"Web UI not started: 127.0.0.1:{busy_port} is already in use (choose "
                         "another with -w HOST:PORT, or -w off)"]
        with RawClient("127.0.0.1", server.runtime.port) as client:
            assert client.hello() == b"+OK\r\n"


def test_no_web_ui_when_off(make_server: Callable[..., ServerThread]) -> None:
    assert make_server().runtime.web is None  # Settings default: off (the app's default)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_on_the_web_port(tmp_path: Path) -> None:
    web_port = free_port()
    with serving(tmp_path, "-w", f"127.0.0.1:{web_port}") as (_, lines):
        for line in lines:
            if m := re.search(r"Web server now listening at 127\.0\.0\.1:(\d+)", line):
                assert int(m.group(1)) == web_port
                break
        else:
            pytest.fail("the server never said where the Web UI listens")
        reply = Http(web_port).get("/health")
        assert reply.status == 200 and reply.json()["server"]["description"] == "Faktory"
