"""The Redis gateway: a real second redis-server (Debian's) follows the engine as a replica
through it; its password, its address checks, and the engine's restart with it still on."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
import redis

from faktory_desktop.engine.config import free_port
from faktory_desktop.engine.gateway import PASSWORD_FILE
from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.storage import keys
from tests.conftest import new_jid
from tests.fwp import RawClient, job
from tests.integration.client_support import wait_for
from tests.integration.test_wire_tls import _self_signed

REDIS_SERVER = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(REDIS_SERVER is None, reason="Debian's redis-server is not "
                                 "installed (make test's system-deps installs it)")


def gateway_of(server: ServerThread):
    gateway = server.runtime.engine.gateway
    assert gateway is not None
    return gateway


def tcp_listeners(pid: int) -> list[psutil._common.pconn]:
    return [c for c in psutil.Process(pid).net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN]


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[Callable[..., redis.Redis]]:
    """`replica(config_text)`: Debian's redis-server with that config added, stopped after."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(extra: str) -> redis.Redis:
        assert REDIS_SERVER is not None
        port = free_port()
        directory = tmp_path / f"replica-{port}"
        directory.mkdir()
        conf = directory / "redis.conf"
        conf.write_text(f'port {port}\nbind 127.0.0.1\ndir "{directory}"\nsave ""\n'
                        f"appendonly no\n{extra}")
        procs.append(subprocess.Popen([REDIS_SERVER, str(conf)], stdout=subprocess.DEVNULL))
        client = redis.Redis(port=port, socket_timeout=5)
        wait_for(lambda: _pings(client), what="the replica to answer")
        return client

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_the_gateway_is_off_by_default(server: ServerThread) -> None:
    assert server.runtime.engine.gateway is None
    pid = server.runtime.engine.pid
    assert pid is not None and tcp_listeners(pid) == []


@needs_redis
def test_a_replica_follows_the_engine_through_the_gateway(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient],
        replica: Callable[..., redis.Redis]) -> None:
    # A replica must understand its master's RDB: Redis 7 cannot load Valkey 9's.
    server = make_server(redis_gateway=("127.0.0.1", free_port()), redis_server=REDIS_SERVER)
    follower = replica(gateway_of(server).replica_config(reveal=True))
    wait_for(lambda: follower.info("replication")["master_link_status"] == "up", timeout=30,
             what="master_link_status:up")
    jid = new_jid()
    assert dial(server).push(job(jid, queue="copied")) == b"+OK\r\n"
    wait_for(lambda: any(jid.encode() in j for j in follower.lrange(keys.queue("copied"), 0, -1)),
             what="the job in the replica")


def test_the_password_is_required_and_kept_in_the_data_dir(
        make_server: Callable[..., ServerThread], settings) -> None:
    port = free_port()
    server = make_server(redis_gateway=("127.0.0.1", port))
    gateway = gateway_of(server)
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, password="wrong", socket_timeout=5).ping()
    with pytest.raises(redis.AuthenticationError):  # NOAUTH
        redis.Redis(port=port, socket_timeout=5).get("x")
    assert redis.Redis(port=port, password=gateway.password, socket_timeout=5).ping()

    kept = settings.data_dir / PASSWORD_FILE
    assert kept.read_text().strip() == gateway.password
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    server.stop()
    again = make_server(redis_gateway=("127.0.0.1", port))
    assert gateway_of(again).password == gateway.password


def test_a_password_set_by_the_user_is_used(make_server: Callable[..., ServerThread]) -> None:
    port = free_port()
    make_server(redis_gateway=("127.0.0.1", port),
                toml={"redis_gateway": {"password": "sekrit"}})
    assert redis.Redis(port=port, password="sekrit", socket_timeout=5).ping()


def test_the_engine_restarts_with_the_gateway_still_on(
        make_server: Callable[..., ServerThread]) -> None:
    port = free_port()
    server = make_server(redis_gateway=("127.0.0.1", port))
    password = gateway_of(server).password
    engine = server.runtime.engine
    killed = engine.pid
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    wait_for(lambda: engine.pid not in (None, killed), timeout=30, what="a new engine")
    client = redis.Redis(port=port, password=password, socket_timeout=5)
    wait_for(lambda: _pings(client), timeout=30, what="the gateway after the restart")


@pytest.mark.parametrize("kind", ["in use", "not ours"])
def test_an_address_that_cannot_be_bound_is_one_line_and_the_server_starts(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient],
        caplog: pytest.LogCaptureFixture, kind: str) -> None:
    caplog.set_level(logging.INFO, logger="faktory_desktop")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        host, port = ("127.0.0.1", taken.getsockname()[1]) if kind == "in use" \
            else ("192.0.2.1", free_port())  # TEST-NET-1: no interface of ours has it
        server = make_server(redis_gateway=(host, port))
    assert dial(server).push(job(new_jid())) == b"+OK\r\n"
    assert server.runtime.engine.gateway is None
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    why = (f"{host}:{port} is already in use" if kind == "in use"
           else f"cannot listen on {host}:{port}: Cannot assign requested address")
    assert errors == [f"the Redis gateway is off: {why}; the Faktory server runs without it"]
    assert server.runtime.engine.gateway_error == why


def test_with_redis_url_there_is_no_gateway_and_the_log_says_so(
        make_server: Callable[..., ServerThread], server: ServerThread,
        caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.INFO, logger="faktory_desktop")
    address = server.runtime.engine.address
    assert address is not None
    external = make_server(redis_url=address.redis_url, data_dir=tmp_path / "other",
                           redis_gateway=("127.0.0.1", free_port()))
    assert external.runtime.engine.address == address
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(w.startswith("the Redis gateway is off: with --redis-url") for w in warnings)


def test_listening_beyond_this_computer_is_said_loudly(
        make_server: Callable[..., ServerThread], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="faktory_desktop")
    server = make_server(redis_gateway=("0.0.0.0", free_port()))
    assert not gateway_of(server).local_only
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(w.startswith("THE REDIS GATEWAY LISTENS ON 0.0.0.0:") for w in warnings)


@pytest.fixture(scope="module")
def cert_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _self_signed(tmp_path_factory.mktemp("tls"))


@needs_redis
def test_tls_on_the_gateway_with_the_servers_certificate(
        make_server: Callable[..., ServerThread], cert_pair: tuple[Path, Path],
        replica: Callable[..., redis.Redis]) -> None:
    cert, key = cert_pair
    port = free_port()
    server = make_server(redis_gateway=("127.0.0.1", port), redis_server=REDIS_SERVER,
                         tls_cert=cert, tls_key=key, toml={"redis_gateway": {"tls": True}})
    gateway = gateway_of(server)
    assert gateway.tls and "tls-replication yes" in gateway.replica_config()
    secure = redis.Redis(port=port, password=gateway.password, ssl=True, ssl_cert_reqs="none",
                         socket_timeout=5)
    assert secure.ping()
    with pytest.raises(redis.ConnectionError):  # plain text is not served there
        redis.Redis(port=port, password=gateway.password, socket_timeout=5).ping()
    own = f'tls-cert-file "{cert}"\ntls-key-file "{key}"\n'  # any pair: here, the same one
    follower = replica(gateway.replica_config(reveal=True) + own)
    wait_for(lambda: follower.info("replication")["master_link_status"] == "up", timeout=30,
             what="master_link_status:up over TLS")


def test_tls_with_an_engine_built_without_it_is_one_line(
        make_server: Callable[..., ServerThread], cert_pair: tuple[Path, Path],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="faktory_desktop")
    cert, key = cert_pair
    server = make_server(redis_gateway=("127.0.0.1", free_port()), tls_cert=cert, tls_key=key,
                         toml={"redis_gateway": {"tls": True}})
    error = server.runtime.engine.gateway_error or ""
    if REDIS_SERVER is not None and server.runtime.engine.binary == REDIS_SERVER:
        pytest.skip("the engine found supports TLS")
    assert server.runtime.engine.gateway is None
    assert error.endswith("was built without TLS: use a redis-server with TLS (--redis-server) "
                          "or turn the gateway's TLS off")
