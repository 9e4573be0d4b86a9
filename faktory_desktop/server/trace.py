"""The live protocol trace: recent commands with their replies and durations, for the app.

Off by default, and then it costs one attribute check per command. When on, each command adds
one entry to a bounded ring that a reader on another thread (the GUI) takes a copy of.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

ARG_PREVIEW = 160
REPLY_PREVIEW = 160


@dataclass(frozen=True, slots=True)
class TraceEntry:
    seq: int
    at: float  # wall-clock time the command arrived
    connection: int
    verb: str
    args: str
    reply: str
    duration_ms: float


def _preview(data: bytes, limit: int) -> str:
    text = data[: limit + 1].decode(errors="replace").rstrip("\r\n")
    return text if len(text) <= limit else text[:limit] + "…"


class ProtocolTrace:
    def __init__(self, capacity: int = 5000) -> None:
        self.enabled = False
        self._entries: deque[TraceEntry] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._seq = 0

    def record(self, connection: int, verb: str, args: bytes, reply: bytes | None,
               started: float) -> None:
        duration_ms = (time.perf_counter() - started) * 1000
        reply_text = "(connection closed)" if reply is None else _preview(reply, REPLY_PREVIEW)
        with self._lock:
            self._seq += 1
            self._entries.append(TraceEntry(
                self._seq, time.time() - duration_ms / 1000, connection, verb,
                _preview(args, ARG_PREVIEW), reply_text, duration_ms))

    def since(self, seq: int) -> list[TraceEntry]:
        """Entries newer than `seq`, oldest first."""
        with self._lock:
            return [e for e in self._entries if e.seq > seq]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
