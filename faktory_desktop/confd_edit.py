"""Edits of conf.d from the app: cron entries and throttles, written with tomlkit so the user's
comments and formatting stay as they were.

A new cron entry goes to conf.d/cron.toml; an existing one is edited in the file it is written in.
A throttle is written where `[throttles]` already is (a second `[throttles]` in another file
would be a duplicate table), else to conf.d/throttles.toml. Every edit is checked against the
whole of conf.d before the file is replaced, so a bad edit changes nothing.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from faktory_desktop.config import ConfigError, load_features
from faktory_desktop.core.features import Features

CRON_FILE = "cron.toml"
THROTTLES_FILE = "throttles.toml"


@dataclass(frozen=True)
class CronEdit:
    """An entry as the app's form gives it; None and empty values are left out of the file."""

    schedule: str
    jobtype: str
    timezone: str | None = None
    queue: str | None = None
    retry: int | None = None
    args: list[Any] = field(default_factory=list)
    reserve_for: int | None = None
    custom: dict[str, Any] = field(default_factory=dict)

    def entry(self) -> dict[str, Any]:
        return {"schedule": self.schedule, "timezone": self.timezone or None}

    def job(self) -> dict[str, Any]:
        return {"type": self.jobtype, "queue": self.queue or None, "retry": self.retry,
                "args": self.args or None, "reserve_for": self.reserve_for}


def _after_last_key(table: Table) -> tuple[int, str] | None:
    """Where a new key goes: right after the table's last plain key (so before any comment or
    blank line that leads into what follows), with that key's indentation. None: at the end."""
    body = table.value.body
    for position in range(len(body) - 1, -1, -1):
        key, item = body[position]
        if key is not None and not isinstance(item, Table | AoT):
            return (position + 1, str(item.trivia.indent)) if position + 1 < len(body) else None
    return None


def _update(table: Table, values: dict[str, Any]) -> None:
    """Set, replace or drop (None) keys, keeping each kept key's comment and the indentation."""
    for key, value in values.items():
        if value is None:
            if key in table:
                del table[key]
        elif key in table:
            table[key] = value
        elif (place := _after_last_key(table)) is None:
            table.add(key, value)
        else:
            item = tomlkit.item(value)
            item.trivia.indent = place[1]
            table.value._insert_at(place[0], key, item)


def _update_custom(job: Table, custom: dict[str, Any]) -> None:
    if not custom:
        if "custom" in job:
            del job["custom"]
        return
    if "custom" not in job:
        inline = tomlkit.inline_table()
        inline.update(custom)
        _update(job, {"custom": inline})
        return
    existing = job["custom"]
    for key in [k for k in existing if k not in custom]:
        del existing[key]
    if isinstance(existing, Table):
        _update(existing, custom)
    else:
        existing.update(custom)


def _fill(table: Table, edit: CronEdit) -> None:
    _update(table, edit.entry())
    if "job" not in table:
        table.add("job", tomlkit.table())
    job = table["job"]
    _update(job, edit.job())
    _update_custom(job, edit.custom)


def _read(config_dir: Path, name: str) -> tomlkit.TOMLDocument:
    path = config_dir / "conf.d" / name
    try:
        return tomlkit.parse(path.read_text()) if path.exists() else tomlkit.document()
    except (OSError, tomlkit.exceptions.ParseError) as exc:
        raise ConfigError(f"conf.d/{name}: cannot edit it: {exc}") from None


def _write(config_dir: Path, name: str, document: tomlkit.TOMLDocument) -> Features:
    """Check conf.d with this file's new text, then replace the file in one step."""
    text = tomlkit.dumps(document)
    features = load_features(config_dir, {name: text})
    path = config_dir / "conf.d" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{name}.tmp")
    temp.write_text(text)
    os.replace(temp, path)
    return features


def _cron_tables(document: tomlkit.TOMLDocument, name: str, index: int) -> AoT:
    tables = document.get("cron")
    if not isinstance(tables, AoT) or not 1 <= index <= len(tables):
        raise ConfigError(f"conf.d/{name} has no [[cron]] entry {index} any more; reload and "
                          "try again")
    return tables


def save_cron(config_dir: Path, edit: CronEdit, where: tuple[str, int] | None = None,
              ) -> Features:
    """Add an entry to cron.toml (`where` None), or rewrite entry `index` of file `name`."""
    if where is None:
        document = _read(config_dir, CRON_FILE)
        table = tomlkit.table()
        _fill(table, edit)
        table.trivia.indent = "\n" if document.body else ""  # a blank line before it
        if "cron" in document:
            document["cron"].append(table)
        else:
            document.append("cron", tomlkit.aot())
            document["cron"].append(table)
        return _write(config_dir, CRON_FILE, document)
    name, index = where
    document = _read(config_dir, name)
    _fill(_cron_tables(document, name, index)[index - 1], edit)
    return _write(config_dir, name, document)


def delete_cron(config_dir: Path, where: tuple[str, int]) -> Features:
    name, index = where
    document = _read(config_dir, name)
    del _cron_tables(document, name, index)[index - 1]
    return _write(config_dir, name, document)


def _throttles_file(config_dir: Path) -> str:
    for path in sorted((config_dir / "conf.d").glob("*.toml")):
        try:
            if "throttles" in tomllib.loads(path.read_text()):
                return path.name
        except (OSError, tomllib.TOMLDecodeError):
            continue  # the check in _write names a broken file
    return THROTTLES_FILE


def save_throttle(config_dir: Path, queue: str, kind: str, limit: int, timeout: int,
                  ) -> Features:
    """Add or change the throttle of `queue`: kind is "concurrency" or "worker"."""
    name = _throttles_file(config_dir)
    document = _read(config_dir, name)
    if "throttles" not in document:
        document.add("throttles", tomlkit.table())
    entry = tomlkit.inline_table()
    entry.update({kind: limit, "timeout": timeout})
    document["throttles"][queue] = entry
    return _write(config_dir, name, document)


def delete_throttle(config_dir: Path, queue: str) -> Features:
    name = _throttles_file(config_dir)
    document = _read(config_dir, name)
    throttles = document.get("throttles")
    if throttles is None or queue not in throttles:
        raise ConfigError(f'conf.d/{name} has no throttle for "{queue}" any more')
    del throttles[queue]
    return _write(config_dir, name, document)
