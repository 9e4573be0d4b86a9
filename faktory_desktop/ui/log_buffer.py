"""The logs the Server panel shows: the server's own records, and the engine's log file.

`LogBuffer` is a logging handler on the `faktory_desktop` logger. Records arrive on the server
thread (and any other); each is formatted once, as on stderr, into a bounded ring that the GUI
reads with `since(seq)`, so a reader only ever copies what is new to it.

`FileTail` follows the engine's log file (redis.log). Reading it is file I/O, so the GUI calls
`read_new_lines(tail)`, which runs the read on a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from faktory_desktop.logs import FaktoryFormatter

LOGGER_NAME = "faktory_desktop"
DEFAULT_CAPACITY = 5000
TAIL_LINES = 200
TAIL_BYTES = 64 * 1024  # enough for TAIL_LINES lines of a redis log
MAX_CATCH_UP = 1024 * 1024  # more new bytes than this: show the tail instead of all of it


@dataclass(frozen=True, slots=True)
class LogLine:
    """One record as the GUI shows it: the stderr line (with a traceback, if any)."""

    seq: int
    level: int  # logging.DEBUG … logging.CRITICAL
    text: str


class LogBuffer(logging.Handler):
    """The last `capacity` records, readable from any thread."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        super().__init__()
        self.setFormatter(FaktoryFormatter())
        self._lines: deque[LogLine] = deque(maxlen=capacity)
        self._ring_lock = threading.Lock()
        self._seq = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001 - logging must never raise into the caller
            self.handleError(record)
            return
        with self._ring_lock:
            self._seq += 1
            self._lines.append(LogLine(self._seq, record.levelno, text))

    @property
    def last_seq(self) -> int:
        with self._ring_lock:
            return self._seq

    def since(self, seq: int) -> list[LogLine]:
        """Lines newer than `seq`, oldest first."""
        with self._ring_lock:
            if seq >= self._seq:
                return []
            return [line for line in self._lines if line.seq > seq]


def install_log_buffer(capacity: int = DEFAULT_CAPACITY, logger_name: str = LOGGER_NAME
                       ) -> LogBuffer:
    """Attach a LogBuffer to the app's logger (once: a second call returns the first one).

    It captures what the logger lets through (its effective level), like stderr does.
    """
    logger = logging.getLogger(logger_name)
    for handler in logger.handlers:
        if isinstance(handler, LogBuffer):
            return handler
    buffer = LogBuffer(capacity)
    logger.addHandler(buffer)
    return buffer


def uninstall_log_buffer(buffer: LogBuffer, logger_name: str = LOGGER_NAME) -> None:
    logging.getLogger(logger_name).removeHandler(buffer)


# -- levels of displayed lines ----------------------------------------------------------------

_SERVER_LINE = re.compile(r"^([DIWEC]) \d{4}-\d{2}-\d{2}T")
_SERVER_LEVELS = {"D": logging.DEBUG, "I": logging.INFO, "W": logging.WARNING,
                  "E": logging.ERROR, "C": logging.CRITICAL}
# redis/valkey: "1234:M 01 Jul 2026 10:00:00.000 * Ready to accept connections"
_ENGINE_LINE = re.compile(r"^\d+:[A-Za-z] \d{1,2} \w{3} \d{4} [\d:.]+ ([.\-*#]) ")
_ENGINE_LEVELS = {".": logging.DEBUG, "-": logging.DEBUG, "*": logging.INFO,
                  "#": logging.WARNING}


def server_line_level(line: str) -> int | None:
    """The level of a server log line, or None for a continuation (traceback) line."""
    match = _SERVER_LINE.match(line)
    return _SERVER_LEVELS[match.group(1)] if match else None


def engine_line_level(line: str) -> int | None:
    """The level of an engine log line from its marker (. - * #), or None if it has none."""
    match = _ENGINE_LINE.match(line)
    return _ENGINE_LEVELS[match.group(1)] if match else None


# -- the engine's log file ----------------------------------------------------------------------

@dataclass(frozen=True)
class TailRead:
    """What a read found: `reset` means the lines replace what was shown (first read, a new or
    truncated file, or too much to catch up on)."""

    reset: bool
    lines: list[str]


class FileTail:
    """Follows one file: first its last lines, then whatever is appended. Not thread-safe; one
    read at a time."""

    def __init__(self, path: Path, lines: int = TAIL_LINES) -> None:
        self.path = path
        self.lines = lines
        self._offset: int | None = None
        self._inode: int | None = None
        self._partial = b""

    def read_new(self) -> TailRead:
        """Blocking: read what is new since the last call."""
        try:
            with open(self.path, "rb") as handle:
                stat = os.fstat(handle.fileno())
                restart = (self._offset is None or stat.st_ino != self._inode
                           or stat.st_size < self._offset
                           or stat.st_size - self._offset > MAX_CATCH_UP)
                if restart:
                    return self._read_tail(handle, stat)
                return TailRead(False, self._read_from_offset(handle))
        except FileNotFoundError:
            restart = self._offset is not None
            self._offset, self._inode, self._partial = None, None, b""
            return TailRead(restart, [])

    def _read_tail(self, handle: BinaryIO, stat: os.stat_result) -> TailRead:
        start = max(0, stat.st_size - TAIL_BYTES)
        handle.seek(start)
        data = handle.read(stat.st_size - start)
        if start > 0:
            data = data.split(b"\n", 1)[1] if b"\n" in data else b""  # drop a cut first line
        self._offset, self._inode, self._partial = stat.st_size, stat.st_ino, b""
        return TailRead(True, self._split(data)[-self.lines:])

    def _read_from_offset(self, handle: BinaryIO) -> list[str]:
        assert self._offset is not None
        handle.seek(self._offset)
        data = handle.read()
        self._offset += len(data)
        return self._split(data)

    def _split(self, data: bytes) -> list[str]:
        """Whole lines only; an unfinished last line waits for the next read."""
        data = self._partial + data
        complete, newline, self._partial = data.rpartition(b"\n")
        if not newline:
            return []
        return complete.decode(errors="replace").split("\n")


async def read_new_lines(tail: FileTail) -> TailRead:
    """`tail.read_new()` on a worker thread, so the GUI never waits on the disk."""
    return await asyncio.to_thread(tail.read_new)
