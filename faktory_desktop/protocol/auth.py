"""Password authentication, exactly as Faktory does it (P-10, P-14).

With a password configured, the server's ``+HI`` carries a per-connection challenge: ``i``, a
random iteration count in [4000, 8095], and ``s``, a salt (a crypto-random non-negative int63 in
lowercase hex without leading zeros). The client answers with ``pwdhash``::

    h = SHA256(utf8(password) + utf8(salt))
    repeat h = SHA256(h)  (on the raw 32-byte digest)  until SHA-256 ran `i` times in total
    pwdhash = lowercase hex of h

Compatibility rule: a client whose HELLO ``v`` is below 2 (or absent) is verified with a single
iteration whatever ``i`` was; the PyPI ``faktory`` client hashes once and relies on this.
The comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import secrets
from collections.abc import Callable
from typing import Any

__all__ = [
    "ITERATIONS_MAX",
    "ITERATIONS_MIN",
    "new_challenge",
    "password_hash",
    "verify_password",
]

ITERATIONS_MIN = 4000
ITERATIONS_MAX = 4000 + 4096 - 1  # Go: rand.Intn(4096) + 4000
_MAX_INT63 = (1 << 63) - 1  # Go: crypto/rand.Int(rand.Reader, maxInt63) → [0, maxInt63)


def _fastest_sha256() -> Callable[[bytes], Any]:
    """CPython's built-in SHA-256 if present, else hashlib's (OpenSSL) one.

    For thousands of 32-byte hashes in a row the built-in has less per-call overhead (~20%
    faster here); both give identical digests.
    """
    for module in ("_sha2", "_sha256"):  # CPython 3.12+, 3.11
        try:
            sha: Callable[[bytes], Any] = importlib.import_module(module).sha256
            return sha
        except (ImportError, AttributeError):
            continue
    return hashlib.sha256  # pragma: no cover - depends on the interpreter build


_sha256 = _fastest_sha256()


def new_challenge() -> tuple[int, str]:
    """Return a fresh ``(iterations, salt)`` pair for one connection's ``+HI``."""
    iterations = ITERATIONS_MIN + secrets.randbelow(4096)
    salt = format(secrets.randbelow(_MAX_INT63), "x")
    return iterations, salt


def password_hash(password: str, salt: str, iterations: int) -> str:
    """Hash ``password + salt`` with SHA-256 applied ``iterations`` times (at least once).

    Strings are encoded as UTF-8; ``surrogateescape`` keeps a password that came from the
    environment or argv as undecodable bytes byte-identical to what Go would see.
    """
    sha256 = _sha256
    h: bytes = sha256((password + salt).encode("utf-8", "surrogateescape")).digest()
    for _ in range(iterations - 1):
        h = sha256(h).digest()
    return h.hex()


def verify_password(
    password: str,
    salt: str,
    iterations: int,
    client_version: int,
    pwdhash: str | None,
) -> bool:
    """Check a HELLO's ``pwdhash`` against the challenge; ``v < 2`` clients use 1 iteration."""
    if pwdhash is None:
        return False
    expected = password_hash(password, salt, iterations if client_version >= 2 else 1)
    # "replace" can only produce b"?", which is never part of a hex digest: no false match.
    return hmac.compare_digest(pwdhash.encode("utf-8", "replace"), expected.encode("ascii"))
