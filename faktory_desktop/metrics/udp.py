"""A UDP sender that can never hold up the server: one non-blocking socket, and a packet that
cannot leave at once is dropped and counted, never waited for.

The socket is connected, so a statsd host that is down shows up as the next send's error
(ECONNREFUSED, from the ICMP reply); the last one is kept for the log and the app.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterable

log = logging.getLogger(__name__)


class UdpSender:
    def __init__(self, host: str, port: int, per_packet: int) -> None:
        self.host = host
        self.port = port
        self.per_packet = per_packet
        self.packets = 0
        self.dropped = 0
        self.last_error: str | None = None
        self.last_error_at: float | None = None  # time.time()
        self._sock: socket.socket | None = None

    async def open(self) -> None:
        """Resolve the host (off the loop) and connect the socket; OSError names the problem."""
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(self.host, self.port, type=socket.SOCK_DGRAM)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setblocking(False)
        try:
            sock.connect(address)  # UDP: no packet leaves, it only fixes the peer
        except OSError:
            sock.close()
            raise
        self._sock = sock

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def send(self, lines: Iterable[str]) -> None:
        """Send `lines` in packets of `per_packet` lines each; a packet that fails is dropped."""
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) == self.per_packet:
                self._send_packet(batch)
                batch = []
        if batch:
            self._send_packet(batch)

    def _send_packet(self, lines: list[str]) -> None:
        if self._sock is None:
            return
        try:
            self._sock.send("\n".join(lines).encode())
            self.packets += 1
        except OSError as exc:  # BlockingIOError, ECONNREFUSED, ENETUNREACH, EMSGSIZE...
            self.dropped += 1
            error = exc.strerror or type(exc).__name__
            if error != self.last_error:
                log.warning("statsd: cannot send to %s:%d: %s (metrics are dropped until it "
                            "works)", self.host, self.port, error)
            self.last_error = error
            self.last_error_at = time.time()
