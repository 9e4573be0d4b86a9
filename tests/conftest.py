"""Shared fixtures: a real server (our engine's redis child, our FWP listener) per test.

Every server gets its own temp data dir, binds a free port on 127.0.0.1 (never 7419), and is
stopped with its engine at the end of the test, leaving no process behind.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from faktory_desktop.config import Settings
from faktory_desktop.core.clock import Clock
from faktory_desktop.server.runtime import ServerThread
from tests.fwp import RawClient, TLSClient

_jid_counter = itertools.count()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a private server: free port, temp data and config dirs."""
    return Settings(host="127.0.0.1", port=0, data_dir=tmp_path / "db",
                    config_dir=tmp_path / "config",
                    redis_server=os.environ.get("FAKTORY_REDIS_SERVER"))


@pytest.fixture
def make_server(settings: Settings) -> Iterator[Callable[..., ServerThread]]:
    """Start servers (on their own threads) with optional setting overrides and clock."""
    started: list[ServerThread] = []

    def start(clock: Clock | None = None, **overrides: object) -> ServerThread:
        thread = ServerThread(replace(settings, **overrides), clock=clock)
        thread.start()
        started.append(thread)
        return thread

    yield start
    for thread in reversed(started):
        thread.stop()


@pytest.fixture
def server(make_server: Callable[..., ServerThread]) -> ServerThread:
    return make_server()


@pytest.fixture
def port(server: ServerThread) -> int:
    return server.runtime.port


@pytest.fixture
def dial() -> Iterator[Callable[..., RawClient]]:
    """`dial(server, hello=True, tls=False, **hello_fields)`: a connection to a given server,
    closed at the end of the test."""
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


@pytest.fixture
def connect(server: ServerThread, dial: Callable[..., RawClient]) -> Callable[..., RawClient]:
    """Connections to the test server; `connect()` says HELLO, `connect(hello=False)` does not."""
    return lambda hello=True, **fields: dial(server, hello, **fields)


@pytest.fixture
def client(connect: Callable[..., RawClient]) -> RawClient:
    """An identified producer connection."""
    return connect()


def new_jid() -> str:
    return f"jid-{os.getpid()}-{next(_jid_counter):08d}"
