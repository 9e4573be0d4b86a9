"""HTTP Basic auth, cross-origin POST refusal, and the headers every response carries.

Auth follows Faktory (U-02, C-12): any user name, the Web password, realm "Faktory"; compared in
constant time. Cross-origin refusal follows Go's CrossOriginProtection, which Faktory 1.9.4
adopted (U-03): a browser's `Sec-Fetch-Site` decides when present, else `Origin` against `Host`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import urlsplit

from aiohttp import web

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def check_auth(request: web.Request, password: str | None) -> None:
    """Raise 401 unless no password is set or the request carries it."""
    if not password:
        return
    header = request.headers.get("Authorization", "")
    if not header:
        raise _unauthorized("Authorization required")
    given = _basic_password(header)
    if given is None or not hmac.compare_digest(given.encode(), password.encode()):
        raise _unauthorized("Authorization failed")


def _basic_password(header: str) -> str | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, sep, password = decoded.partition(":")
    return password if sep else None


def _unauthorized(text: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(text=text, headers={"WWW-Authenticate": 'Basic realm="Faktory"'})


def check_same_origin(request: web.Request) -> None:
    """Raise 403 for an unsafe method sent from another site."""
    if request.method in SAFE_METHODS:
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site not in ("same-origin", "none"):
            raise web.HTTPForbidden(text="cross-origin request refused")
        return
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
        raise web.HTTPForbidden(text="cross-origin request refused")


def add_headers(response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
