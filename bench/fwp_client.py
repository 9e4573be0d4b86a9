"""The load generator's FWP client: the app's own pipelined client, plus a blocking INFO.

`FWPClient` and `connect` are `faktory_desktop.client.fwp`'s (one FIFO of reply futures per
connection, no client library, no checks); `info_sync` reads INFO once, after a run.
"""

from __future__ import annotations

import socket
from typing import Any

import hiredis
import orjson

from faktory_desktop.client.fwp import FWPClient, FWPError, Reply, ReplyError, connect
from faktory_desktop.protocol.auth import password_hash

__all__ = ["FWPClient", "FWPError", "ReplyError", "connect", "info_sync"]


def info_sync(host: str, port: int, password: str | None = None,
              timeout: float = 10.0) -> dict[str, Any]:
    """A blocking `INFO` on a fresh connection (after the run, to cross-check the counts)."""
    reader = hiredis.Reader()
    with socket.create_connection((host, port), timeout=timeout) as sock:

        def reply() -> Reply:
            while (item := reader.gets()) is False:
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("the server closed the connection")
                reader.feed(data)
            return item

        greeting = reply()
        if not isinstance(greeting, bytes) or not greeting.startswith(b"HI "):
            raise ValueError(f"unexpected greeting {greeting!r}")
        hello: dict[str, Any] = {"v": 2}
        server = orjson.loads(greeting[3:])
        if "s" in server and password is not None:
            hello["pwdhash"] = password_hash(password, server["s"], int(server.get("i", 1)))
        sock.sendall(b"HELLO " + orjson.dumps(hello) + b"\r\n")
        if reply() != b"OK":
            raise ValueError("HELLO refused")
        sock.sendall(b"INFO\r\nEND\r\n")
        info = reply()
        if not isinstance(info, bytes):
            raise ValueError(f"INFO failed: {info!r}")
        data = orjson.loads(info)
        return data if isinstance(data, dict) else {}
