"""The package re-exports the public API other layers are written against."""

import faktory_desktop.protocol as protocol
from faktory_desktop.protocol import connection


def test_public_names_exported() -> None:
    for name in protocol.__all__:
        assert hasattr(protocol, name), name
    expected = {
        "OK", "NULL", "simple", "error", "bulk", "integer",
        "new_challenge", "password_hash", "verify_password",
        "ClientHello", "HelloError", "parse_hello",
        "LineTooLong", "LineBuffer",
        "Command", "parse_command",
        "ConnState", "Identified", "Request", "Closed", "Event", "FWPConnection",
    }  # fmt: skip
    assert expected <= set(protocol.__all__)


def test_connection_module_exposes_conn_state() -> None:
    assert connection.ConnState is protocol.ConnState
    assert {m.name for m in protocol.ConnState} == {"AWAITING_HELLO", "IDENTIFIED", "CLOSED"}


def test_event_union_matches_isinstance() -> None:
    ev = protocol.Closed(None, "x")
    assert isinstance(ev, protocol.Event)
    assert not isinstance(object(), protocol.Event)
