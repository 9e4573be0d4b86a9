"""`--metrics` and `--redis-gateway`, and their conf.d tables: loopback unless told, off unless
given, and a malformed value is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from faktory_desktop.config import ConfigError, build_settings
from tests.test_cli import _run


def settings_with(tmp_path: Path, toml: str = "", **flags: str):
    (tmp_path / "conf.d").mkdir(exist_ok=True)
    (tmp_path / "conf.d" / "extra.toml").write_text(toml)
    return build_settings({"config_dir": str(tmp_path), "data_dir": str(tmp_path), **flags},
                          env={})


def test_both_are_off_by_default(tmp_path: Path) -> None:
    settings = settings_with(tmp_path)
    assert settings.metrics_binding is None and settings.redis_gateway is None


@pytest.mark.parametrize(("text", "expected"), [
    ("9100", ("127.0.0.1", 9100)),
    ("0.0.0.0:9100", ("0.0.0.0", 9100)),
    (":9100", ("0.0.0.0", 9100)),
    ("[::1]:9100", ("::1", 9100)),
])
def test_a_bare_port_binds_loopback(tmp_path: Path, text: str, expected: tuple) -> None:
    assert settings_with(tmp_path, metrics=text).metrics_binding == expected
    assert settings_with(tmp_path, redis_gateway=text).redis_gateway == expected


def test_conf_d_tables_and_the_flag_wins(tmp_path: Path) -> None:
    toml = '[prometheus]\nbinding = "9200"\n[redis_gateway]\nbinding = "127.0.0.1:6400"\n'
    settings = settings_with(tmp_path, toml)
    assert settings.metrics_binding == ("127.0.0.1", 9200)
    assert settings.redis_gateway == ("127.0.0.1", 6400)
    assert settings_with(tmp_path, toml, metrics="9300").metrics_binding == ("127.0.0.1", 9300)


def test_a_malformed_table_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r'^\[redis_gateway\]: invalid binding "x:y"'):
        settings_with(tmp_path, '[redis_gateway]\nbinding = "x:y"\n')


def test_a_malformed_flag_exits_2_with_one_line(tmp_path: Path) -> None:
    result = _run("serve", "--metrics", "nowhere", "-d", str(tmp_path), "-c", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == ('faktory-desktop: --metrics: invalid binding "nowhere": expected '
                             "HOST:PORT, e.g. 127.0.0.1:7419\n")
