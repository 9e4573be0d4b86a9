"""TLS on the command port (P-98), alone and with a password (T-100, scaled down)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from faktory_desktop.config import TLS_CERT_FILE, TLS_KEY_FILE, build_settings
from tests.fwp import TLSClient, job
from tests.integration.wire import (
    beat,
    challenge,
    compact,
    fail,
    info,
    pwdhash,
    timed,
    totals,
)

PASSWORD = "123456"  # T-100: test/cfg of Faktory's system test
CLIENTS, JOBS, FAIL_EVERY = 3, 300, 100


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A self-signed localhost certificate: `cryptography` if installed, else the openssl CLI."""
    cert, key = directory / TLS_CERT_FILE, directory / TLS_KEY_FILE
    try:
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            pytest.skip("neither the cryptography package nor the openssl CLI is available")
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj",
             "/CN=localhost"],
            check=True, capture_output=True, timeout=30,
        )
        return cert, key
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(private.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return cert, key


@pytest.fixture(scope="module")
def cert_pair(tmp_path_factory) -> tuple[Path, Path]:
    return _self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(make_server, cert_pair):
    cert, key = cert_pair
    return make_server(tls_cert=cert, tls_key=key)


def login(client: TLSClient, **fields) -> None:
    iterations, salt = challenge(client.greeting)
    assert client.hello(pwdhash=pwdhash(PASSWORD, salt, iterations), **fields) == b"+OK\r\n"


def test_tls_round_trip(tls_server, dial):
    # P-98: the whole protocol over TLS, TLS 1.2 or later
    client = dial(tls_server, tls=True, hello=False)
    assert client.greeting == b'+HI {"v":2}\r\n'
    assert client.sock.version() in ("TLSv1.2", "TLSv1.3")
    assert client.hello() == b"+OK\r\n"
    assert client.push(job("jid-over-tls", args=[1])) == b"+OK\r\n"
    assert client.call_json("FETCH default")["jid"] == "jid-over-tls"
    assert client.call(b'ACK {"jid":"jid-over-tls"}') == b"+OK\r\n"
    assert totals(client) == (1, 0)


def test_plain_client_on_tls_port_is_dropped_silently(tls_server, dial):
    # P-98: a plain-TCP client gets no HI and is disconnected; TLS clients are unaffected
    with socket.create_connection(("127.0.0.1", tls_server.runtime.port), timeout=10) as plain:
        plain.sendall(b'HELLO {"v":2}\r\n')
        try:
            data = plain.recv(1024)
        except ConnectionResetError:
            data = b""
        assert not data.startswith(b"+")
    client = dial(tls_server, tls=True)
    assert client.call("INFO").startswith(b"$")


def test_silent_plain_client_on_tls_port_is_closed_within_the_handshake_deadline(tls_server):
    # P-12: the 2 s handshake guard also covers a client that never starts TLS
    with socket.create_connection(("127.0.0.1", tls_server.runtime.port), timeout=10) as plain:
        data, elapsed = timed(lambda: plain.recv(1024))
    assert data == b""
    assert 1.7 <= elapsed <= 3.0, elapsed


def test_config_dir_pem_files_turn_tls_on(make_server, dial, cert_pair, tmp_path):
    # P-98, §6.3: private.key.pem + public.cert.pem in the config dir enable TLS
    config_dir = tmp_path / "tls-config"
    config_dir.mkdir()
    for source in cert_pair:
        shutil.copy(source, config_dir / source.name)
    flags = {"config_dir": str(config_dir), "data_dir": str(tmp_path / "unused"),
             "binding": "127.0.0.1:0"}
    built = build_settings(flags, env={})
    assert built.tls_cert == config_dir / TLS_CERT_FILE
    assert built.tls_key == config_dir / TLS_KEY_FILE
    assert built.client_url().startswith("tcp+tls://")
    server = make_server(tls_cert=built.tls_cert, tls_key=built.tls_key)
    client = dial(server, tls=True)
    assert client.call("INFO").startswith(b"$")


def test_one_pem_file_alone_leaves_tls_off(cert_pair, tmp_path):
    # P-98: both files must exist
    config_dir = tmp_path / "half-config"
    config_dir.mkdir()
    shutil.copy(cert_pair[0], config_dir / TLS_CERT_FILE)
    built = build_settings({"config_dir": str(config_dir)}, env={})
    assert built.tls_cert is None and built.tls_key is None
    assert built.client_url().startswith("tcp://")


def _work(server, index: int, errors: list[BaseException]) -> None:
    try:
        with TLSClient("127.0.0.1", server.runtime.port) as client:
            login(client, wid=f"wid-sys-{index}", hostname="system", pid=1000 + index)
            assert beat(client, f"wid-sys-{index}") == b"+OK\r\n"
            queue = f"sys{index}"
            for n in range(JOBS):
                assert client.push(job(f"jid-sys-{index}-{n:05d}", queue=queue, args=[n])) == (
                    b"+OK\r\n"
                )
            for n in range(JOBS):
                fetched = client.call_json(f"FETCH {queue}")
                assert fetched["args"] == [n]
                if n % FAIL_EVERY == 0:
                    reply = fail(client, fetched["jid"], errtype="SystemTest", message="planned")
                else:
                    reply = client.call(b"ACK " + compact({"jid": fetched["jid"]}))
                assert reply == b"+OK\r\n"
    except BaseException as exc:  # noqa: BLE001 - reported by the main thread
        errors.append(exc)


def test_system_over_tls_with_password(make_server, dial, cert_pair):
    # T-100 (scaled down to 3 clients x 300 jobs, every 100th FAILed)
    cert, key = cert_pair
    server = make_server(tls_cert=cert, tls_key=key, password=PASSWORD)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_work, args=(server, i, errors)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors[0]
    admin = dial(server, tls=True, hello=False)
    login(admin)
    processed, failures = totals(admin)
    assert processed == CLIENTS * JOBS
    assert failures == CLIENTS * (JOBS // FAIL_EVERY)
    assert info(admin)["faktory"]["sets"]["retries"] == failures
    batch = [job("jid-sys-batch-ok"), {"jid": "jid-sys-batch-bad", "args": []}]
    reply = admin.call(b"PUSHB " + compact(batch))
    body = b'{"jid-sys-batch-bad":"jobs must have a jobtype parameter"}'
    assert reply == b"$%d\r\n%b\r\n" % (len(body), body)


def test_wrong_password_over_tls(make_server, dial, cert_pair):
    # T-111 over TLS
    cert, key = cert_pair
    server = make_server(tls_cert=cert, tls_key=key, password=PASSWORD)
    client = dial(server, tls=True, hello=False)
    _iterations, salt = challenge(client.greeting)
    assert client.hello(pwdhash=pwdhash("654321", salt, 1)) == b"-ERR Invalid password\r\n"
    assert client.closed_by_server()
