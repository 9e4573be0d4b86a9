"""The Redis gateway: the engine also listening on TCP, with a password, so that another Redis
can follow it as a replica (Faktory Enterprise's "Redis Gateway"; its settings are ours).

`resolve_gateway` turns what was asked (`GatewayRequest`) into what goes into redis.conf
(`Gateway`): the password (the user's, or one generated once and kept in the data dir, mode
0600), a check that the address can be bound, and, for TLS, a check that the engine binary was
built with TLS. Each failure is a `GatewayError` with one line; the engine then starts without
the gateway rather than not at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from faktory_desktop.bind_errors import bind_problem

from .config import _quote, free_port, write_private_file

PASSWORD_FILE = "gateway.password"
TLS_CHECK_TIMEOUT_S = 10.0


class GatewayError(Exception):
    """The gateway cannot be set up as asked; one line for the user."""


@dataclass(frozen=True)
class GatewayRequest:
    host: str
    port: int
    password: str | None = None  # None: generated once, kept in the data dir; "/path": a file
    tls: bool = False  # serve TLS only on the gateway port, with tls_cert and tls_key
    tls_cert: Path | None = None
    tls_key: Path | None = None


@dataclass(frozen=True)
class Gateway:
    host: str
    port: int
    password: str
    tls_cert: Path | None = None
    tls_key: Path | None = None

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def connect_host(self) -> str:
        """The host a client on this computer uses (loopback for a wildcard bind)."""
        return "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host

    @property
    def local_only(self) -> bool:
        return self.host in ("127.0.0.1", "::1", "localhost")

    def cli_command(self, reveal: bool = False) -> str:
        password = self.password if reveal else "<password>"
        tls = " --tls --insecure" if self.tls else ""
        return f"redis-cli -h {self.connect_host} -p {self.port}{tls} -a {password}"

    def replica_config(self, reveal: bool = False) -> str:
        """The lines a second Redis needs to follow this one (its redis.conf); with TLS, it
        trusts the server's (self-signed) certificate, copied beside it, and needs its own."""
        password = self.password if reveal else "<password>"
        lines = [f"replicaof {self.connect_host} {self.port}", f"masterauth {_quote(password)}"]
        if self.tls_cert is not None:
            lines += ["tls-replication yes", f"tls-ca-cert-file {_quote(self.tls_cert)}",
                      "# and the replica's own tls-cert-file and tls-key-file lines"]
        return "\n".join(lines) + "\n"


async def resolve_gateway(request: GatewayRequest, data_dir: Path, binary: str) -> Gateway:
    """The gateway to configure; GatewayError says why there can be none."""
    check_bindable(request.host, request.port)
    cert, key = (request.tls_cert, request.tls_key) if request.tls else (None, None)
    if request.tls:
        if cert is None or key is None:
            raise GatewayError("TLS on the gateway needs the server's certificate (--tls-cert "
                               "and --tls-key, or the PEM files in the config directory)")
        problem = await tls_problem(binary, cert, key)
        if problem is not None:
            raise GatewayError(problem)
    password = request.password
    if password and password.startswith("/"):
        password = await asyncio.to_thread(_read_password, Path(password))
    if not password:
        password = await asyncio.to_thread(kept_password, data_dir)
    return Gateway(request.host, request.port, password, cert, key)


def _read_password(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError as exc:
        raise GatewayError(f"cannot read the gateway password file {path}: "
                           f"{exc.strerror}") from None


def kept_password(data_dir: Path) -> str:
    """The generated password in `data_dir`, made (mode 0600) the first time."""
    path = data_dir / PASSWORD_FILE
    with contextlib.suppress(FileNotFoundError):
        kept = path.read_text().strip()
        if kept:
            return kept
    password = secrets.token_urlsafe(32)
    write_private_file(path, password + "\n")
    return password


def check_bindable(host: str, port: int) -> None:
    """Bind `host:port` for a moment, so that the engine does not fail to start on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        raise GatewayError(bind_problem(host, port, exc)) from None


async def tls_problem(binary: str, cert: Path, key: Path) -> str | None:
    """Why `binary` cannot serve TLS with this certificate, or None: it is started once, with
    TLS only on a free port, and its log read until it is ready or has exited."""
    with tempfile.TemporaryDirectory(prefix="faktory-tls-check-") as tmp:
        proc = await asyncio.create_subprocess_exec(
            binary, "--port", "0", "--tls-port", str(free_port()), "--tls-cert-file", str(cert),
            "--tls-key-file", str(key), "--tls-auth-clients", "no", "--save", "",
            "--appendonly", "no", "--dir", tmp,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            last = await asyncio.wait_for(_read_until_ready(proc), TLS_CHECK_TIMEOUT_S)
        except TimeoutError:
            return f"{binary} did not start with TLS within {TLS_CHECK_TIMEOUT_S:.0f} s"
        finally:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
    if last is None:
        return None
    if "TLS support" in last or "connection type tls" in last:
        return (f"{binary} was built without TLS: use a redis-server with TLS (--redis-server) "
                "or turn the gateway's TLS off")
    return f"{binary} refused the gateway's TLS settings: {last}"


async def _read_until_ready(proc: asyncio.subprocess.Process) -> str | None:
    """None once the engine is ready; else the first line that tells why it exited."""
    assert proc.stdout is not None
    reasons: list[str] = []
    async for raw in proc.stdout:
        line = raw.decode(errors="replace").strip()
        if "Ready to accept connections" in line:
            return None
        if " # " in line and "WARNING" not in line:  # redis marks problems with '#'
            reasons.append(line.split(" # ", 1)[1])
    return next((r for r in reasons if "TLS" in r or "tls" in r), reasons[-1] if reasons
                else "it exited")
