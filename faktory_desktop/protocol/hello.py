"""Parsing of the client's ``HELLO`` line (P-11, P-13).

Faktory checks that the line starts with exactly ``HELLO {`` and then feeds the rest to Go's
``encoding/json`` with a ``ClientData`` struct as the target. This module reproduces what that
decoder accepts and rejects:

- The payload must be one JSON object with nothing but whitespace after it.
- Keys match field names exactly or, failing that, case-insensitively with Unicode simple
  folding, as Go does (``"WID"`` is ``wid``; U+017F LONG S matches ``s``, U+212A KELVIN SIGN
  matches ``k``). Unknown keys are ignored. When two keys map to one field the later wins.
- ``null`` leaves a field as it was (its default), except for ``labels``, which it resets to
  empty (Go sets a nil slice). A ``null`` element inside ``labels`` decodes to ``""``.
- Type mismatches are errors: strings must be JSON strings; ``pid`` and ``rss_kb`` must be
  integer literals within int64 (``1.0``, ``1e3``, ``"1"`` and ``true`` are rejected); ``v`` must
  be an integer in 0..255; ``labels`` must be an array of strings.
- Invalid UTF-8 inside strings is replaced by U+FFFD rather than rejected (Go is lenient too).

Known divergences (all about inputs no real client sends): Go rejects ``"v":-0`` while this
parser sees the integer 0; with three or more spellings of one key (``wid``, ``WID``, ``wid``)
orjson's duplicate-key merging can pick a different winner than Go; JSON escapes of lone UTF-16
surrogates are rejected here but replaced by U+FFFD in Go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

__all__ = ["HELLO_PREFIX", "ClientHello", "HelloError", "parse_hello"]

HELLO_PREFIX = b"HELLO {"

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class ClientHello:
    """What a client tells the server about itself in ``HELLO`` (field table in P-13)."""

    v: int = 0
    pwdhash: str | None = None
    wid: str = ""
    hostname: str = ""
    pid: int = 0
    labels: tuple[str, ...] = ()
    rss_kb: int = 0
    username: str = ""


class HelloError(ValueError):
    """The HELLO line is not one Faktory would accept; the server closes silently (P-11)."""


def _string(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    raise HelloError(f"HELLO field {key!r} must be a string, got {_json_type(value)}")


def _int_range(lo: int, hi: int) -> Callable[[str, Any], int]:
    def convert(key: str, value: Any) -> int:
        # bool is a subclass of int; orjson yields float for any literal with '.'/'e' or
        # beyond 64 bits, and Go's integer decoding rejects all of those.
        if type(value) is not int:
            raise HelloError(f"HELLO field {key!r} must be an integer, got {_json_type(value)}")
        if not lo <= value <= hi:
            raise HelloError(f"HELLO field {key!r} is out of range: {value}")
        return value

    return convert


def _labels(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise HelloError(f"HELLO field {key!r} must be an array, got {_json_type(value)}")
    labels = []
    for item in value:
        if item is None:
            labels.append("")  # Go: null into a fresh string element leaves it ""
        elif isinstance(item, str):
            labels.append(item)
        else:
            raise HelloError(f"HELLO field {key!r} must hold strings, got {_json_type(item)}")
    return tuple(labels)


_CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "v": _int_range(0, 255),  # Go: uint8
    "pwdhash": _string,
    "wid": _string,
    "hostname": _string,
    "pid": _int_range(_INT64_MIN, _INT64_MAX),  # Go: int (64-bit)
    "labels": _labels,
    "rss_kb": _int_range(_INT64_MIN, _INT64_MAX),  # Go: int64
    "username": _string,
}

# Per field, per position: every character Unicode simple case folding maps onto the same class.
# The field names are ASCII; the only non-ASCII members of those classes are ſ (s) and K (k).
_EXTRA_FOLDS = {"s": "\u017f", "k": "\u212a"}
_FOLD_CLASSES = {
    name: tuple(frozenset({c, c.upper(), *_EXTRA_FOLDS.get(c, "")}) for c in name)
    for name in _CONVERTERS
}


def _field_for(key: str) -> str | None:
    """Map a JSON key to a field name the way Go's encoding/json does, or ``None``."""
    if key in _CONVERTERS:
        return key
    if key.isascii():
        lowered = key.lower()
        return lowered if lowered in _CONVERTERS else None
    for name, classes in _FOLD_CLASSES.items():
        if len(classes) == len(key) and all(c in cls for c, cls in zip(key, classes, strict=True)):
            return name
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _loads(payload: bytes) -> Any:
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            text = payload.decode("utf-8", "replace")
        else:
            raise HelloError(f"HELLO payload is not valid JSON: {exc}") from None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise HelloError(f"HELLO payload is not valid JSON: {exc}") from None


def parse_hello(line: bytes) -> ClientHello:
    """Parse a whole ``HELLO {...}`` line (without its CRLF) into a :class:`ClientHello`.

    Raises :class:`HelloError` for a wrong prefix, invalid JSON or a type mismatch.
    """
    if not line.startswith(HELLO_PREFIX):
        raise HelloError("expected a line starting with 'HELLO {'")
    data = _loads(line[len(HELLO_PREFIX) - 1 :])
    if not isinstance(data, dict):  # cannot happen after "{", but keep the invariant explicit
        raise HelloError("HELLO payload must be a JSON object")
    fields: dict[str, Any] = {}
    for key, value in data.items():
        name = _field_for(key)
        if name is None:
            continue
        if value is None:
            if name == "labels":
                fields[name] = ()
            continue
        fields[name] = _CONVERTERS[name](key, value)
    return ClientHello(**fields)
