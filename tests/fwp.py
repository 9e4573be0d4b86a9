"""A raw FWP client for tests: speaks the wire protocol byte for byte, no client library.
Also a plain HTTP server, standing where Faktory's Web UI would."""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any


class RawClient:
    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        self.greeting = self.file.readline()

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, line: bytes) -> None:
        self.sock.sendall(line + b"\r\n")

    def read_reply(self) -> bytes:
        """One whole RESP reply, as raw bytes (a bulk reply includes its header line)."""
        line = self.file.readline()
        if line.startswith(b"$") and not line.startswith(b"$-1"):
            size = int(line[1:])
            return line + self.file.read(size + 2)
        return line

    def call(self, line: bytes | str) -> bytes:
        self.send(line.encode() if isinstance(line, str) else line)
        return self.read_reply()

    def hello(self, **fields: Any) -> bytes:
        payload = {"v": 2, **fields}
        return self.call(b"HELLO " + json.dumps(payload, separators=(",", ":")).encode())

    def call_json(self, line: bytes | str) -> Any:
        """Send a command whose reply is a bulk JSON string; return it decoded."""
        reply = self.call(line)
        assert reply.startswith(b"$") and not reply.startswith(b"$-1"), reply
        return json.loads(reply.split(b"\r\n", 1)[1])

    def push(self, job: dict[str, Any]) -> bytes:
        return self.call(b"PUSH " + json.dumps(job).encode())

    def closed_by_server(self) -> bool:
        """True when the server has closed the connection (reads EOF)."""
        return self.file.readline() == b""


class TLSClient(RawClient):
    """A RawClient over TLS that does not verify the (self-signed) server certificate."""

    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection((host, port), timeout=timeout)
        self.sock = context.wrap_socket(raw, server_hostname=host)
        self.file = self.sock.makefile("rb")
        self.greeting = self.file.readline()


def job(jid: str, jobtype: str = "SomeJob", **extra: Any) -> dict[str, Any]:
    return {"jid": jid, "jobtype": jobtype, "args": extra.pop("args", []), **extra}


@contextlib.contextmanager
def http_server(port: int = 0) -> Iterator[int]:
    """A real HTTP server (the standard library's) on 127.0.0.1, like Faktory's Web UI; yields
    its port. It answers every request with an error status, which is still HTTP."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
