"""The wire lines of Faktory's own load tester (`test/load/main.go` in contribsys/faktory).

That test pushes `faktory.NewJob("SomeJob", 1, "string", 3)` to a random one of five queues, and
its consumers `FETCH` all five, in an order each connection shuffles once. The Go client's
`NewJob` sets a 16-character base64url jid, `queue`, `created_at` (RFC 3339 with nanoseconds,
UTC) and `retry: 25`, so a FAILed job goes to the retry set; `json.Marshal` writes the fields in
the struct's order. Its FAIL sends `{"errtype":"unknown","jid":...,"message":...}` (a Go map, so
sorted keys), the message being `os.ErrClosed`'s text.

The args differ in one way: `[seq, push_ns, "string"]` instead of `[1, "string", 3]`, so the
consumer can check for duplicates and measure push-to-fetch latency as in the other scenarios.
"""

from __future__ import annotations

import base64
import os
import random
import time
from collections.abc import Callable

__all__ = ["QUEUES", "fail_line", "fetch_line", "push_line_maker"]

QUEUES = ("queue0", "queue1", "queue2", "queue3", "queue4")
_PUSH = (b'PUSH {"retry":25,"jid":"%s","queue":"%s","jobtype":"SomeJob","created_at":"%s",'
         b'"args":[%d,%d,"string"]}')
_FAIL_HEAD = b'FAIL {"errtype":"unknown","jid":"'
_FAIL_TAIL = b'","message":"file already closed"}'


def fetch_line() -> bytes:
    """`FETCH` of all five queues in an order of this connection's own (call once per one)."""
    return b"FETCH " + " ".join(random.sample(QUEUES, len(QUEUES))).encode()


def fail_line(jid: bytes) -> bytes:
    return _FAIL_HEAD + jid + _FAIL_TAIL


def push_line_maker() -> Callable[[int, int], bytes]:
    """A function of (seq, push_ns) that returns one PUSH line shaped as the Go client's."""
    queues = [q.encode() for q in QUEUES]
    choice, urandom, encode = random.choice, os.urandom, base64.urlsafe_b64encode
    clock = _CreatedAt()

    def line(seq: int, push_ns: int) -> bytes:
        return _PUSH % (encode(urandom(12)), choice(queues), clock.now(), seq, push_ns)

    return line


class _CreatedAt:
    """`time.Now().UTC().Format(time.RFC3339Nano)`: trailing zeros of the fraction dropped."""

    def __init__(self) -> None:
        self._second = -1
        self._stamp = b""

    def now(self) -> bytes:
        second, nanos = divmod(time.time_ns(), 1_000_000_000)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)).encode()
        if not nanos:
            return self._stamp + b"Z"
        return self._stamp + (b".%09d" % nanos).rstrip(b"0") + b"Z"
