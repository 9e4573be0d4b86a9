"""conf.d's cron entries and throttles on the command line: a bad file at start is one line and
exit 2; SIGHUP reloads, and a bad file at reload is logged while the old configuration runs."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_cli import _run, serving

CRON = '[[cron]]\nschedule = "*/5 * * * *"\n[cron.job]\ntype = "FiveJob"\n'
THROTTLES = '[throttles]\napi = { concurrency = 2, timeout = 60 }\n'


def write(config: Path, name: str, text: str) -> None:
    confd = config / "conf.d"
    confd.mkdir(parents=True, exist_ok=True)
    (confd / name).write_text(text)


@pytest.mark.parametrize(("name", "text", "message"), [
    ("cron.toml", CRON.replace("*/5 * * * *", "*/5 * * *"),
     'conf.d/cron.toml: [[cron]] entry 1 (schedule "*/5 * * *"): "*/5 * * *" has 4 fields; '
     "a schedule has 5: minute hour day-of-month month day-of-week"),
    ("cron.toml", CRON + CRON.replace('type = "FiveJob"', 'type = "J"\nqueeu = "x"'),
     'conf.d/cron.toml: [[cron]] entry 2 (schedule "*/5 * * * *"): unknown key "queeu" in '
     "[cron.job] (known: type, queue, retry, args, reserve_for, custom)"),
    ("throttles.toml", "[throttles]\napi = { concurrency = 2 }\n",
     'conf.d: [throttles] "api": every throttle needs a timeout in seconds, after which an '
     "unreleased slot lapses, e.g. timeout = 60"),
    ("cron.toml", "[[cron]\nschedule = 1\n",
     "conf.d/cron.toml: TOML syntax error: Expected ']]' at the end of an array declaration "
     "(at line 1, column 7)"),
])  # fmt: skip
def test_a_bad_file_at_start_is_one_line_and_exit_2(tmp_path, name, text, message):
    write(tmp_path, name, text)
    result = _run("serve", "-b", "127.0.0.1:0", "-d", str(tmp_path / "db"), "-c", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == f"faktory-desktop: {message}\n"


def test_a_bad_entry_in_the_second_file_names_that_file(tmp_path):
    write(tmp_path, "a.toml", CRON)
    write(tmp_path, "b.toml", CRON + CRON.replace("*/5", "*/0"))
    result = _run("serve", "-b", "127.0.0.1:0", "-d", str(tmp_path / "db"), "-c", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith('faktory-desktop: conf.d/b.toml: [[cron]] entry 2 '
                                    '(schedule "*/0 * * * *")')


def lines_until(lines: Iterator[str], pattern: str) -> str:
    for line in lines:
        if re.search(pattern, line):
            return line
    raise AssertionError(f"the server never logged {pattern!r}")


def test_sighup_reloads_and_a_bad_reload_keeps_the_old_configuration(tmp_path):
    write(tmp_path, "throttles.toml", THROTTLES)
    with serving(tmp_path) as (proc, lines):
        lines_until(lines, r"conf.d: 0 cron entries, 1 throttled queues \(kill -HUP \d+")
        lines_until(lines, "listening at")
        write(tmp_path, "cron.toml", CRON)
        proc.send_signal(signal.SIGHUP)
        lines_until(lines, r"configuration reloaded: 1 cron entries, 1 throttles")
        write(tmp_path, "cron.toml", CRON.replace("*/5", "61"))
        proc.send_signal(signal.SIGHUP)
        line = lines_until(lines, "configuration not reloaded")
        assert "conf.d/cron.toml: [[cron]] entry 1" in line and "bad minute" in line
        assert proc.poll() is None
