"""Edits of conf.d from the app: comments and formatting kept, each entry in its own file, and a
bad edit changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from faktory_desktop.confd_edit import (
    CronEdit,
    delete_cron,
    delete_throttle,
    save_cron,
    save_throttle,
)
from faktory_desktop.config import ConfigError

CRON = """\
# Our periodic jobs
[[cron]]
  # every five minutes, for the API
  schedule = "*/5 * * * *"   # keep it short
  [cron.job]
    type = "FiveJob"
    queue = "critical"
    [cron.job.custom]
      foo = "bar"

# hourly cleanup
[[cron]]
  schedule = "@hourly"
  [cron.job]
    type = "HourJob"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "cron.toml").write_text(CRON)
    return tmp_path


def text(config: Path, name: str = "cron.toml") -> str:
    return (config / "conf.d" / name).read_text()


def test_an_edit_keeps_comments_and_formatting(config):
    edit = CronEdit("*/10 * * * *", "FiveJob", queue="critical", retry=3,
                    custom={"foo": "baz", "unique_for": 65})
    features = save_cron(config, edit, ("cron.toml", 1))
    assert text(config) == CRON.replace('"*/5 * * * *"', '"*/10 * * * *"').replace(
        'queue = "critical"\n', 'queue = "critical"\n    retry = 3\n').replace(
        'foo = "bar"\n', 'foo = "baz"\n      unique_for = 65\n')
    assert features.cron[0].job["custom"] == {"foo": "baz", "unique_for": 65}


def test_a_new_entry_goes_to_cron_toml(config):
    save_cron(config, CronEdit("0 9 * * 1-5", "MorningJob", timezone="Europe/Berlin"))
    assert text(config).startswith(CRON)
    assert text(config)[len(CRON):] == ('\n[[cron]]\nschedule = "0 9 * * 1-5"\n'
                                        'timezone = "Europe/Berlin"\n\n'
                                        '[cron.job]\ntype = "MorningJob"\n')


def test_an_entry_of_another_file_is_edited_in_that_file(config):
    other = '# team B\n[[cron]]\nschedule = "@daily"\n[cron.job]\ntype = "B"\n'
    (config / "conf.d" / "team.toml").write_text(other)
    features = save_cron(config, CronEdit("@weekly", "B"), ("team.toml", 1))
    assert text(config, "team.toml") == other.replace("@daily", "@weekly")
    assert text(config) == CRON
    assert [e.file for e in features.cron] == ["cron.toml", "cron.toml", "team.toml"]


def test_delete_removes_only_that_entry(config):
    features = save_cron(config, CronEdit("@daily", "X"))
    features = delete_cron(config, ("cron.toml", 3))
    assert text(config).rstrip() == CRON.rstrip() and len(features.cron) == 2


@pytest.mark.parametrize(("edit", "message"), [
    (CronEdit("*/5 * * *", "FiveJob"), 'entry 1 (schedule "*/5 * * *"): "*/5 * * *" has 4'),
    (CronEdit("* * * * *", "J", timezone="Nowhere/Land"), 'unknown timezone "Nowhere/Land"'),
])  # fmt: skip
def test_a_bad_edit_changes_nothing(config, edit, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        save_cron(config, edit, ("cron.toml", 1))
    assert text(config) == CRON


def test_an_entry_gone_meanwhile_is_named(config):
    with pytest.raises(ConfigError, match="has no \\[\\[cron\\]\\] entry 5 any more"):
        save_cron(config, CronEdit("@daily", "X"), ("cron.toml", 5))


def test_throttles_are_written_where_they_are(config):
    (config / "conf.d" / "limits.toml").write_text(
        "# limits\n[throttles]\napi = { concurrency = 4, timeout = 60 }  # the partner API\n")
    features = save_throttle(config, "bulk", "worker", 2, 30)
    assert text(config, "limits.toml") == (
        "# limits\n[throttles]\napi = { concurrency = 4, timeout = 60 }  # the partner API\n"
        "bulk = {worker = 2, timeout = 30}\n")
    assert features.throttles["bulk"].described == "2 per worker"
    assert not (config / "conf.d" / "throttles.toml").exists()
    delete_throttle(config, "bulk")
    assert "bulk" not in text(config, "limits.toml")


def test_a_first_throttle_goes_to_throttles_toml(config):
    save_throttle(config, "api", "concurrency", 3, 60)
    assert text(config, "throttles.toml") == "[throttles]\napi = {concurrency = 3, timeout = 60}\n"
