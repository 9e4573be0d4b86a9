"""Settings resolution: flags, conf.d, environment and passwords (spec 6, T-85..T-87)."""

from __future__ import annotations

from pathlib import Path

import pytest

from faktory_desktop.config import ConfigError, build_settings, load_toml, parse_binding


def _settings(tmp_path: Path, env: dict[str, str] | None = None, **flags):
    flags.setdefault("config_dir", str(tmp_path / "cfg"))
    return build_settings(flags, env=env or {})


def test_conf_d_files_are_concatenated_in_name_order(tmp_path):  # T-85
    confd = tmp_path / "conf.d"
    confd.mkdir()
    (confd / "a.toml").write_text('[[cron]]\nschedule = "* * * * *"\n[cron.job]\ntype = "OneJob"')
    (confd / "b.toml").write_text('[[cron]]\nschedule = "* * * * *"\n[cron.job]\ntype = "TwoJob"\n')
    assert [c["job"]["type"] for c in load_toml(tmp_path)["cron"]] == ["OneJob", "TwoJob"]


def test_a_table_defined_twice_is_one_clear_error(tmp_path):
    confd = tmp_path / "cfg" / "conf.d"
    confd.mkdir(parents=True)
    (confd / "a.toml").write_text("[faktory]\nbinding = ':1'\n")
    (confd / "b.toml").write_text("[faktory]\npassword = 'x'\n")
    with pytest.raises(ConfigError, match=r"unable to parse .*a.toml, b.toml"):
        _settings(tmp_path)


def test_environment_from_faktory_env(tmp_path):  # T-86
    s = _settings(tmp_path, env={"FAKTORY_ENV": "staging", "FAKTORY_SKIP_PASSWORD": "yes"})
    assert s.environment == "staging" and s.password is None


def test_unknown_environment_is_rejected(tmp_path):
    with pytest.raises(ConfigError, match='Invalid environment "prod"'):
        _settings(tmp_path, environment="prod")


def test_production_without_password_is_refused(tmp_path):  # T-87
    with pytest.raises(ConfigError, match="requires a password"):
        _settings(tmp_path, environment="production")


def test_password_sources_in_order(tmp_path):  # T-87, C-10
    secret = tmp_path / "pw"
    secret.write_text("foobar\n")
    prod = {"environment": "production"}
    assert _settings(tmp_path, {"FAKTORY_PASSWORD": "abc123"}, **prod).password == "abc123"
    assert _settings(tmp_path, {"FAKTORY_PASSWORD": str(secret)}, **prod).password == "foobar"
    assert _settings(tmp_path, password_file=str(secret), **prod).password == "foobar"
    confd = tmp_path / "cfg" / "conf.d"
    confd.mkdir(parents=True)
    (confd / "f.toml").write_text("[faktory]\npassword = 'fromtoml'\n")
    assert _settings(tmp_path).password == "fromtoml"  # enforced in development too (C-11)


def test_missing_password_file_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the password file /nope"):
        _settings(tmp_path, {"FAKTORY_PASSWORD": "/nope"})


def test_binding_flag_beats_toml(tmp_path):  # C-02
    confd = tmp_path / "cfg" / "conf.d"
    confd.mkdir(parents=True)
    (confd / "f.toml").write_text("[faktory]\nbinding = '127.0.0.2:7000'\n")
    assert (_settings(tmp_path).host, _settings(tmp_path).port) == ("127.0.0.2", 7000)
    assert _settings(tmp_path, binding="127.0.0.1:7001").port == 7001


@pytest.mark.parametrize(("text", "expected"), [
    ("127.0.0.1:7419", ("127.0.0.1", 7419)), (":7419", ("0.0.0.0", 7419)),
    ("[::1]:7419", ("::1", 7419)),
])
def test_parse_binding(text, expected):
    assert parse_binding(text) == expected


@pytest.mark.parametrize("text", ["7419", "localhost:", "host:99999", "host:abc"])
def test_bad_binding_is_one_clear_error(text):
    with pytest.raises(ConfigError, match="expected HOST:PORT"):
        parse_binding(text)


def test_tls_needs_both_files(tmp_path):
    with pytest.raises(ConfigError, match="both --tls-cert and --tls-key"):
        _settings(tmp_path, tls_cert="x.pem")


def test_requeue_gone_workers_is_off_unless_conf_d_or_the_app_says_so(tmp_path):
    assert _settings(tmp_path).requeue_gone_workers is False
    confd = tmp_path / "cfg" / "conf.d"
    confd.mkdir(parents=True)
    (confd / "f.toml").write_text("[faktory]\nrequeue_gone_workers = true\n")
    assert _settings(tmp_path).requeue_gone_workers is True
    assert _settings(tmp_path, requeue_gone_workers=False).requeue_gone_workers is False


def test_requeue_gone_workers_that_is_not_a_boolean_is_one_clear_error(tmp_path):
    confd = tmp_path / "cfg" / "conf.d"
    confd.mkdir(parents=True)
    (confd / "f.toml").write_text("[faktory]\nrequeue_gone_workers = 'yes'\n")
    with pytest.raises(ConfigError, match="requeue_gone_workers in conf.d must be true or false"):
        _settings(tmp_path)
def test_engine_deadline_and_health_limit_from_flags_then_conf_d(tmp_path):
    default = _settings(tmp_path)
    assert (default.engine_timeout, default.engine_health_limit) == (5.0, 15.0)
    confd = tmp_path / "cfg" / "conf.d"
    confd.mkdir(parents=True)
    (confd / "e.toml").write_text("[engine]\ntimeout = 2\nhealth_limit = 7.5\n")
    from_toml = _settings(tmp_path)
    assert (from_toml.engine_timeout, from_toml.engine_health_limit) == (2.0, 7.5)
    assert _settings(tmp_path, engine_timeout=3.0).engine_timeout == 3.0


@pytest.mark.parametrize("value", [0, -1, "5", True, 3601])
def test_a_bad_engine_deadline_is_one_clear_error(tmp_path, value):
    with pytest.raises(ConfigError, match=r"invalid --engine-timeout \(\[engine\] timeout\)"):
        _settings(tmp_path, engine_timeout=value)
