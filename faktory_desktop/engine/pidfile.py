"""Our own pidfile, `<data_dir>/engine.pid`: which engine process serves a data dir.

redis' `pidfile` setting is not used; we write this JSON file right after spawning the child,
so that the next start can find an engine that a crashed earlier run left behind.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from .address import EngineAddress
from .config import write_private_file

log = logging.getLogger("faktory_desktop.engine")

PIDFILE_NAME = "engine.pid"
_ENGINE_NAMES = ("redis", "valkey")
_CREATE_TIME_SLACK = 1.0  # seconds; guards against a recycled pid


@dataclass(frozen=True)
class PidRecord:
    """What we know about the engine process serving a data dir."""

    pid: int
    create_time: float
    binary: str
    address: EngineAddress


def write_pidfile(path: Path, record: PidRecord) -> None:
    """Write `record` to `path` as JSON (mode 0600)."""
    data: dict[str, Any] = asdict(record)
    write_private_file(path, json.dumps(data, indent=2) + "\n")


def read_pidfile(path: Path) -> PidRecord | None:
    """The record in `path`, or None if there is none; an unreadable file is logged and removed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return PidRecord(
            pid=int(data["pid"]),
            create_time=float(data["create_time"]),
            binary=str(data["binary"]),
            address=EngineAddress(**data["address"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable pidfile %s: %s", path, exc)
        remove_file(path)
        return None


def remove_file(path: Path | str | None) -> None:
    """Remove a file if it exists."""
    if path is None:
        return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def is_gone(proc: psutil.Process) -> bool:
    """Whether `proc` has exited (a zombie nobody reaped counts as exited)."""
    try:
        return not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def live_engine_process(record: PidRecord) -> psutil.Process | None:
    """The process `record` names if it is still alive and is really that redis/valkey engine."""
    try:
        proc = psutil.Process(record.pid)
        if is_gone(proc):
            return None
        name = proc.name().lower()
        if not any(engine in name for engine in _ENGINE_NAMES):
            return None
        if abs(proc.create_time() - record.create_time) > _CREATE_TIME_SLACK:
            return None
        if hasattr(os, "getuid") and proc.uids().real != os.getuid():
            return None
    except psutil.Error:
        return None
    return proc
