"""A floor for the bench: the least a Python asyncio FWP server can do per job.

No storage engine, no JSON parsing, no job lifecycle: an asyncio Protocol on uvloop that greets
with `+HI {"v":2}`, answers HELLO, ACK, FAIL and BEAT with `+OK`, keeps each PUSHed job's bytes in
a FIFO per queue (the queue name is found with one `bytes.find`), and hands them out to FETCH in
that order, in the order the FETCH names its queues. A FETCH that finds nothing waits for a push
to one of its queues, or answers nil after 2 s, as a real server does. So the bench's checks hold
(every job delivered once, push-to-fetch latency from the job's own args), and what the server
process spends per job is what uvloop and the socket reads and writes cost: 3 requests and 3
replies per job (PUSH, FETCH, ACK), the floor under any Python server of this design.

Its INFO reports what it counts (processed, failures, the queues); it keeps no retry or working
set, so it reports none, and the bench skips those checks with a note. END closes the
connection and FLUSH empties the queues; any other command gets `-ERR`.

    python -m bench.null_server -b 127.0.0.1:7419      # alone; under the bench:
    make bench ARGS="--no-reference \
        --server-cmd '.venv/bin/python -m bench.null_server -b {host}:{port}'"
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections import deque

from bench.load import new_event_loop

__all__ = ["NullServer", "main"]

FETCH_WAIT_S = 2.0
GREETING = b'+HI {"v":2}\r\n'
OK = b"+OK\r\n"
NIL = b"$-1\r\n"
_QUEUE = b'"queue":"'


class NullServer:
    """The queues and counters all connections share."""

    def __init__(self) -> None:
        self.jobs: dict[bytes, deque[bytes]] = {}
        self.waiters: dict[bytes, deque[Connection]] = {}
        self.processed = 0
        self.failures = 0

    def push(self, job: bytes) -> None:
        start = job.find(_QUEUE)
        if start < 0:
            queue = b"default"
        else:
            start += len(_QUEUE)
            queue = job[start:job.find(b'"', start)]
        waiting = self.waiters.get(queue)
        while waiting:
            conn = waiting.popleft()
            if conn.waiting is not None and queue in conn.waiting:
                conn.deliver(job)
                return
        self.jobs.setdefault(queue, deque()).append(job)

    def take(self, queues: list[bytes]) -> bytes | None:
        for queue in queues:
            found = self.jobs.get(queue)
            if found:
                return found.popleft()
        return None

    def wait(self, conn: Connection, queues: list[bytes]) -> None:
        for queue in queues:
            self.waiters.setdefault(queue, deque()).append(conn)

    def forget(self, queues: tuple[bytes, ...]) -> None:
        """Drop waiters that no longer wait on these queues (after a FETCH timed out)."""
        for queue in queues:
            self.waiters[queue] = deque(c for c in self.waiters.get(queue, ())
                                        if c.waiting is not None and queue in c.waiting)

    def info(self) -> bytes:
        queues = {q.decode(errors="replace"): len(d) for q, d in self.jobs.items()}
        data = {"faktory": {"total_processed": self.processed, "total_failures": self.failures,
                            "total_enqueued": sum(queues.values()), "total_queues": len(queues),
                            "queues": queues},
                "server": {"description": "bench null server (no storage)",
                           "faktory_version": "0"}}
        return _bulk(json.dumps(data).encode())


class Connection(asyncio.Protocol):
    """One client. Commands are answered in order; while a FETCH waits, later lines wait too."""

    def __init__(self, server: NullServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.waiting: tuple[bytes, ...] | None = None
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        transport.write(GREETING)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self.waiting = None
        if self.timer is not None:
            self.timer.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiting is None:
            self._process()

    def _process(self) -> None:
        buffer, start = self.buffer, 0
        while self.waiting is None and (end := buffer.find(b"\r\n", start)) >= 0:
            self._command(buffer[start:end])
            start = end + 2
        self.buffer = buffer[start:]

    def _command(self, line: bytes) -> None:
        assert self.transport is not None
        verb, _, rest = line.partition(b" ")
        server = self.server
        if verb == b"PUSH":
            server.push(rest)
            self.transport.write(OK)
        elif verb == b"FETCH":
            self._fetch(rest.split())
        elif verb in (b"ACK", b"FAIL"):
            server.processed += 1
            server.failures += verb == b"FAIL"
            self.transport.write(OK)
        elif verb in (b"BEAT", b"HELLO"):
            self.transport.write(OK)
        elif verb == b"INFO":
            self.transport.write(server.info())
        elif verb == b"FLUSH":
            server.jobs.clear()
            self.transport.write(OK)
        elif verb == b"END":
            self.transport.close()
        else:
            self.transport.write(b"-ERR unknown command " + verb[:40] + b"\r\n")

    def _fetch(self, queues: list[bytes]) -> None:
        assert self.transport is not None
        if not queues:
            self.transport.write(b"-ERR FETCH needs at least one queue\r\n")
            return
        job = self.server.take(queues)
        if job is not None:
            self.transport.write(_bulk(job))
            return
        self.waiting = tuple(queues)
        self.server.wait(self, queues)
        self.timer = asyncio.get_running_loop().call_later(FETCH_WAIT_S, self._timed_out)

    def deliver(self, job: bytes) -> None:
        """A push to a queue this connection waits on: answer its FETCH with the job."""
        assert self.transport is not None and self.timer is not None
        self.timer.cancel()
        self.waiting = None
        self.transport.write(_bulk(job))
        if self.buffer:
            self._process()

    def _timed_out(self) -> None:
        assert self.transport is not None and self.waiting is not None
        queues, self.waiting = self.waiting, None
        self.server.forget(queues)
        self.transport.write(NIL)
        if self.buffer:
            self._process()


def _bulk(data: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(data), data)


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    state = NullServer()
    listener = await loop.create_server(lambda: Connection(state), host, port)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"bench null server listening on {host}:{port}", flush=True)
    await stop.wait()
    listener.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.null_server",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("-b", "--bind", default="127.0.0.1:7419", metavar="HOST:PORT",
                        help="where to listen (127.0.0.1:7419)")
    args = parser.parse_args(argv)
    host, _, port = args.bind.rpartition(":")
    if not host or not port.isdigit():
        parser.error(f"-b wants HOST:PORT, not {args.bind!r}")
    loop = new_event_loop()
    try:
        loop.run_until_complete(serve(host, int(port)))
    except OSError as exc:
        print(f"bench null server: cannot listen on {args.bind}: {exc}", file=sys.stderr)
        return 1
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
