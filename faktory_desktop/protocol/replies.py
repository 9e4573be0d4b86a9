r"""RESP2 reply encoders: the subset of the Redis protocol Faktory speaks to clients (P-03).

Every encoder returns the complete bytes to write, terminator included:

- ``OK``                 ``+OK\r\n``                  most successful commands
- ``simple(text)``       ``+TEXT\r\n``                ``+HI {...}``
- ``error(msg, code)``   ``-CODE msg\r\n``            every error; code ``ERR`` by default (P-08)
- ``bulk(data)``         ``$<len>\r\n<data>\r\n``     JSON payloads (FETCH, INFO, BEAT state, ...)
- ``NULL``               ``$-1\r\n``                  FETCH with nothing to hand out
- ``integer(n)``         ``:n\r\n``                   exists in Faktory, unused by OSS commands

Simple strings and errors are single-line by definition, so CR and LF inside their text are
replaced by spaces (a CRLF pair by one space) instead of being allowed to break the framing.
Text is encoded as UTF-8. Bulk strings are binary-safe and written verbatim.
"""

from __future__ import annotations

from typing import Final

__all__ = ["NULL", "OK", "bulk", "error", "integer", "simple"]

OK: Final[bytes] = b"+OK\r\n"
NULL: Final[bytes] = b"$-1\r\n"


def _one_line(text: str) -> bytes:
    """Encode ``text`` as UTF-8 with every CR/LF (and CRLF pair) turned into one space."""
    if "\r" in text or "\n" in text:
        text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return text.encode("utf-8", "replace")


def simple(text: str) -> bytes:
    """A simple string: ``+TEXT\\r\\n``."""
    return b"+" + _one_line(text) + b"\r\n"


def error(message: str, code: str = "ERR") -> bytes:
    """An error reply: ``-CODE message\\r\\n`` (``-ERR message`` unless a code is given, P-08)."""
    return b"-" + _one_line(code) + b" " + _one_line(message) + b"\r\n"


def bulk(data: bytes) -> bytes:
    """A bulk string: ``$<len>\\r\\n<data>\\r\\n``; ``data`` is written verbatim."""
    return b"$%d\r\n%b\r\n" % (len(data), data)


def integer(n: int) -> bytes:
    """An integer reply: ``:n\\r\\n``."""
    return b":%d\r\n" % n
