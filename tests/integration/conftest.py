"""Fixtures for the wire tests: connections to servers started with `make_server(...)`."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from faktory_desktop.server.runtime import ServerThread
from tests.fwp import RawClient
from tests.integration.wire import TLSClient


@pytest.fixture
def dial() -> Iterator[Callable[..., RawClient]]:
    """`dial(server, hello=True, tls=False, **hello_fields)`: a connection to a given server."""
    clients: list[RawClient] = []

    def open_client(server: ServerThread, hello: bool = True, tls: bool = False,
                    **fields: object) -> RawClient:
        kind = TLSClient if tls else RawClient
        client = kind("127.0.0.1", server.runtime.port)
        clients.append(client)
        if hello:
            assert client.hello(**fields) == b"+OK\r\n"
        return client

    yield open_client
    for client in clients:
        client.close()
