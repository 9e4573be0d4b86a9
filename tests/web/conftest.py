"""A real server with its Web UI on a free port, and a plain HTTP client for it. `server` is
overridden here, so `client`, `connect` and the rest talk to the same server as `http`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from faktory_desktop.server.runtime import ServerThread
from tests.web.web_support import Http


@pytest.fixture
def server(make_server: Callable[..., ServerThread]) -> ServerThread:
    return make_server(web_host="127.0.0.1", web_port=0)


@pytest.fixture
def web_server(server: ServerThread) -> ServerThread:
    return server


@pytest.fixture
def http(web_server: ServerThread) -> Http:
    assert web_server.runtime.web is not None
    return Http(web_server.runtime.web.port)
