"""The Settings dialog's checks: each takes a field's text and returns a readable problem, or
None when the text is fine. No Qt here, so they are plain functions to test."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path

from faktory_desktop.engine import EngineError
from faktory_desktop.engine.external import parse_engine_url

_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


def port_problem(text: str, name: str = "port", usual: int = 7419) -> str | None:
    text = text.strip()
    if not text:
        return f"Enter a {name} number (Faktory's usual one is {usual})."
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        return f"The {name} must be a number from 1 to 65535, not “{text}”."
    return None


def web_port_problem(text: str, fwp_port: str) -> str | None:
    problem = port_problem(text, "Web UI port", 7420)
    if problem is None and text.strip() == fwp_port.strip():
        return "The Web UI needs a port of its own, not the server's."
    return problem


def host_problem(text: str) -> str | None:
    text = text.strip().strip("[]")
    if not text:
        return "Enter the address to listen on: 127.0.0.1 (this computer only) or 0.0.0.0."
    try:
        ipaddress.ip_address(text)
        return None
    except ValueError:
        pass
    if _HOSTNAME.match(text):
        return None
    return f"“{text}” is not an IP address or host name."


def data_dir_problem(text: str) -> str | None:
    """An empty field means the default folder. A folder that does not exist yet is fine if it
    can be created (its nearest existing parent is a writable folder)."""
    if not text.strip():
        return None
    path = Path(text.strip()).expanduser()
    if not path.is_absolute():
        return "The data folder must be a full path, e.g. /home/you/faktory-data."
    if path.exists():
        if not path.is_dir():
            return f"{path} is a file, not a folder."
        return None if os.access(path, os.W_OK | os.X_OK) else f"{path} is not writable."
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return f"{path} does not exist and cannot be created here."
    return None


def engine_problem(text: str) -> str | None:
    """An empty field means automatic (the bundled engine, or one on the PATH)."""
    if not text.strip():
        return None
    path = Path(text.strip()).expanduser()
    if not path.is_file():
        return f"There is no engine program at {path}."
    if not os.access(path, os.X_OK):
        return f"{path} is not executable."
    return None


def redis_url_problem(text: str) -> str | None:
    """An empty field means the app runs its own engine."""
    if not text.strip():
        return None
    try:
        parse_engine_url(text.strip())
    except EngineError as exc:
        return str(exc)[:1].upper() + str(exc)[1:] + "."
    return None
