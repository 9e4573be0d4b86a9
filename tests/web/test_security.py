"""Basic auth, cross-origin POST refusal, security headers and escaping (spec U-02, U-03)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from faktory_desktop.core.records import Kind
from faktory_desktop.server.runtime import ServerThread
from tests.fwp import RawClient
from tests.web.web_support import Http, basic, failed, keys, push

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(2)>'


@pytest.fixture
def locked(make_server: Callable[..., ServerThread]) -> Http:
    server = make_server(web_host="127.0.0.1", web_port=0, web_password="s3cret")
    assert server.runtime.web is not None
    return Http(server.runtime.web.port)


def test_no_password_no_auth(http: Http) -> None:
    assert http.get("/").status == 200


@pytest.mark.parametrize("path", ["/", "/stats", "/queues", "/retries", "/morgue/x", "/debug",
                                  "/nowhere"])
def test_every_page_asks_for_the_password(locked: Http, path: str) -> None:
    reply = locked.get(path)
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == 'Basic realm="Faktory"'
    assert reply.body == "Authorization required"


@pytest.mark.parametrize("header", [basic("wrong"), basic(""), "Basic !!!", "Bearer s3cret",
                                    "Basic " + "czNjcmV0"])  # "s3cret" without a user:
def test_a_wrong_password_fails(locked: Http, header: str) -> None:
    reply = locked.get("/", authorization=header)
    assert (reply.status, reply.body) == (401, "Authorization failed")


def test_the_right_password_opens_every_page(locked: Http) -> None:
    for path in ("/", "/stats", "/queues", "/busy", "/debug"):
        assert locked.get(path, authorization=basic("s3cret", user="anyone")).status == 200


def test_health_and_static_need_no_password(locked: Http) -> None:
    assert locked.get("/health").status == 200
    assert locked.get("/static/app.css").status == 200


def test_cross_origin_post_is_refused(http: Http, client: RawClient) -> None:
    push(client, "default")
    for headers in ({"sec_fetch_site": "cross-site"}, {"sec_fetch_site": "same-site"},
                    {"origin": "http://evil.example"},
                    {"origin": f"http://127.0.0.1:{http.port + 1}"}):
        reply = http.post("/queues/default", {"action": "delete"}, **headers)
        assert reply.status == 403, headers
    assert http.get("/queues/default").status == 200  # not cleared: still there


def test_same_origin_post_is_accepted(http: Http, client: RawClient) -> None:
    push(client, "default")
    for headers in ({"sec_fetch_site": "same-origin"}, {"sec_fetch_site": "none"},
                    {"origin": http.base}, {}):
        assert http.post("/queues/default", {"action": "pause"}, **headers).status == 302


def test_get_is_never_refused_for_its_origin(http: Http) -> None:
    assert http.get("/queues", sec_fetch_site="cross-site").status == 200


@pytest.mark.parametrize("path", ["/", "/queues", "/stats", "/health", "/nowhere",
                                  "/static/app.js"])
def test_security_headers_on_every_response(http: Http, path: str) -> None:
    headers = http.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp


def test_pages_hold_no_inline_script(http: Http, client: RawClient) -> None:
    push(client, "default")
    for path in ("/", "/queues", "/queues/default", "/retries", "/busy", "/debug"):
        html = http.get(path).body
        for tag in html.split("<script")[1:]:
            assert tag.lstrip().startswith(("src=", 'type="application/json"')), path
        assert " onclick=" not in html and " onload=" not in html


def test_everything_from_a_job_is_escaped(web_server: ServerThread, http: Http,
                                          client: RawClient) -> None:
    jid = failed(client, jobtype=XSS_SCRIPT, args=[XSS_SCRIPT, {"k": XSS_ATTR}],
                 custom={XSS_ATTR: XSS_SCRIPT}, message=XSS_ATTR)
    push(client, "default", jobtype=XSS_ATTR, args=[XSS_ATTR])
    key = keys(web_server, Kind.RETRIES)[jid]
    pages = ["/retries", f"/retries/{key}", "/queues/default", "/retries?text=alert",
             f"/retries?jobtype={XSS_SCRIPT}"]
    for path in pages:
        html = http.get(path.replace("<", "%3C").replace(">", "%3E")).body
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
    detail = http.get(f"/retries/{key}").body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail
    assert "&lt;img src=x onerror=alert(2)&gt;" in detail


def test_a_public_bind_without_password_is_warned(make_server: Callable[..., ServerThread],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="faktory_desktop.web.server"):
        make_server(web_host="0.0.0.0", web_port=0)
    assert any("without a password" in r.getMessage() for r in caplog.records)


def test_loopback_or_a_password_is_not_warned(make_server: Callable[..., ServerThread],
                                              caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="faktory_desktop.web.server"):
        make_server(web_host="127.0.0.1", web_port=0)
    assert not [r for r in caplog.records if "without a password" in r.getMessage()]
