"""The open-file limit: `faktory-desktop serve` started under `ulimit -Sn 256` (a subprocess).

With a high hard limit the server raises its soft limit and serves 500 connections, each with
HELLO and INFO, and INFO never fails. With a hard limit of 256 it lowers its connection cap to
fit, says so once, and every client beyond it gets `too many connections`, never a silent close.
"""

from __future__ import annotations

import os
import re
import resource
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from faktory_desktop.engine.config import free_port
from tests.fwp import RawClient
from tests.integration.client_support import wait_for

pytestmark = pytest.mark.slow

CONNECTIONS = 500
OK = b"+OK\r\n"


@pytest.fixture(autouse=True)
def enough_files_for_the_clients() -> Iterator[None]:
    """This test process holds the 500 client sockets itself."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@contextmanager
def serve_under_limit(tmp_path: Path, soft: int, hard: int) -> Iterator[tuple[int, Path]]:
    """`faktory-desktop serve` with RLIMIT_NOFILE (soft, hard); yields (port, its log file)."""
    port, log = free_port(), tmp_path / "serve.log"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    args = [sys.executable, "-m", "faktory_desktop", "serve", "-b", f"127.0.0.1:{port}",
            "-d", str(tmp_path / "db"), "-c", str(tmp_path / "config")]
    with open(log, "wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env,
                                preexec_fn=limit)
    try:
        wait_for(lambda: _listening(port) or proc.poll() is not None, timeout=30,
                 what="the server to listen")
        assert proc.poll() is None, log.read_text()
        yield port, log
    finally:
        proc.terminate()
        proc.wait(30)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_a_server_under_ulimit_256_serves_500_connections_and_info_never_fails(tmp_path):
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < 3500:
        pytest.skip(f"the hard open-file limit here ({hard}) is below what 2000 connections need")
    with serve_under_limit(tmp_path, 256, hard) as (port, log), ExitStack() as stack:
        clients = [stack.enter_context(RawClient("127.0.0.1", port)) for _ in range(CONNECTIONS)]
        assert all(client.hello() == OK for client in clients)
        for client in clients:  # every INFO in flight at once
            client.send(b"INFO")
        replies = [client.read_reply() for client in clients]
        errors = [r for r in replies if not r.startswith(b"$")]
        assert not errors, errors[:5]
        assert all(b'"connections":' in r for r in replies)
        text = log.read_text()
    assert re.search(r"open-file limit raised from 256 to \d+", text), text
    assert "Too many open files" not in text and "internal error" not in text, text


def test_a_hard_limit_of_256_lowers_the_cap_and_refuses_the_rest_with_an_error(tmp_path):
    with serve_under_limit(tmp_path, 256, 256) as (port, log), ExitStack() as stack:
        match = re.search(r"the connection cap is (\d+)", log.read_text())
        assert match, log.read_text()
        cap = int(match.group(1))
        assert 50 <= cap < 256
        served, refused = 0, 0
        for _ in range(300):
            client = stack.enter_context(RawClient("127.0.0.1", port))
            refused_at_once = client.greeting.startswith(b"-ERR")
            reply = client.greeting if refused_at_once else client.hello()
            if reply == OK:
                served += 1
                assert client.call("INFO").startswith(b"$")
            else:
                # beyond the cap, HELLO is answered (or the greeting replaced) with the error
                assert reply.startswith(b"-ERR too many connections: "), reply
                refused += 1
        print(f"hard limit 256: cap {cap}, served {served}, refused {refused}")
        assert (served, refused) == (cap, 300 - cap)
        text = log.read_text()
    assert text.count("the connection cap is") == 1
    assert "Too many open files" not in text and "internal error" not in text, text
