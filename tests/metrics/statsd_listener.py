"""A statsd server for tests: a real UDP socket that parses the DogStatsD lines it receives."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

LINE = re.compile(r"(?P<name>[^:|#]+):(?P<value>[^|]+)\|(?P<kind>c|g|ms)(?:\|#(?P<tags>.*))?")


@dataclass(frozen=True)
class Metric:
    name: str
    value: float
    kind: str
    tags: tuple[str, ...]


def parse_line(line: str) -> Metric:
    m = LINE.fullmatch(line)
    assert m, f"not a DogStatsD line: {line!r}"
    tags = tuple(m["tags"].split(",")) if m["tags"] else ()
    return Metric(m["name"], float(m["value"]), m["kind"], tags)


class StatsdListener:
    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.packets: list[list[str]] = []
        self.metrics: list[Metric] = []

    def close(self) -> None:
        self.sock.close()

    def receive_until(self, done: Callable[[list[Metric]], bool], timeout: float = 15.0) -> None:
        """Read packets until `done(metrics so far)`; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not done(self.metrics):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"statsd lines never came; got {self.metrics}"
            self.sock.settimeout(remaining)
            self._take(self.sock.recv(65535))

    def drain(self) -> None:
        """Read the packets that have already arrived, without waiting for more."""
        self.sock.setblocking(False)
        try:
            while True:
                self._take(self.sock.recv(65535))
        except BlockingIOError:
            pass
        finally:
            self.sock.setblocking(True)

    def _take(self, data: bytes) -> None:
        lines = data.decode().split("\n")
        self.packets.append(lines)
        self.metrics += [parse_line(line) for line in lines]

    def named(self, name: str) -> list[Metric]:
        return [m for m in self.metrics if m.name == name]

    def total(self, name: str, *tags: str) -> float:
        return sum(m.value for m in self.named(name) if set(tags) <= set(m.tags))
