"""FWPConnection: handshake, commands, closing (P-10..P-18, P-20; §1.6 line limit)."""

import orjson
import pytest

from faktory_desktop.protocol import (
    ClientHello,
    Closed,
    Command,
    ConnState,
    FWPConnection,
    Identified,
    Request,
    password_hash,
)
from faktory_desktop.protocol.replies import error

HELLO = b'HELLO {"hostname":"box","wid":"w1","pid":42,"labels":["golang"],"v":2}\r\n'
PASSWORD = "s3cret"


def identified(password: str | None = None, max_line: int = 1024) -> FWPConnection:
    conn = FWPConnection(password, max_line=max_line)
    hello = HELLO if len(HELLO) <= max_line else b"HELLO {}\r\n"
    if password is not None:
        hi = orjson.loads(conn.greeting()[4:])
        hashed = password_hash(password, hi["s"], hi["i"])
        hello = b'HELLO {"v":2,"pwdhash":"%s"}\r\n' % hashed.encode()
    [event] = conn.receive_data(hello)
    assert isinstance(event, Identified)
    assert conn.state is ConnState.IDENTIFIED
    return conn


def challenge(conn: FWPConnection) -> tuple[int, str]:
    hi = orjson.loads(conn.greeting()[4:])
    return hi["i"], hi["s"]


# --- greeting (P-10) ------------------------------------------------------------------------


def test_greeting_without_password() -> None:
    assert FWPConnection(None).greeting() == b'+HI {"v":2}\r\n'


def test_empty_password_means_no_password() -> None:
    conn = FWPConnection("")
    assert conn.greeting() == b'+HI {"v":2}\r\n'
    assert isinstance(conn.receive_data(b"HELLO {}\r\n")[0], Identified)


def test_greeting_with_password_has_v_i_s_in_order() -> None:
    greeting = FWPConnection(PASSWORD).greeting()
    assert greeting.startswith(b'+HI {"v":2,"i":') and greeting.endswith(b'"}\r\n')
    assert list(orjson.loads(greeting[4:])) == ["v", "i", "s"]
    i, s = challenge(FWPConnection(PASSWORD))
    assert 4000 <= i <= 8095
    assert s == format(int(s, 16), "x")


def test_greeting_is_stable_per_connection_and_fresh_per_new_connection() -> None:
    conn = FWPConnection(PASSWORD)
    assert conn.greeting() == conn.greeting()
    assert len({FWPConnection(PASSWORD).greeting() for _ in range(20)}) == 20


def test_initial_state() -> None:
    assert FWPConnection(None).state is ConnState.AWAITING_HELLO


# --- AWAITING_HELLO -> IDENTIFIED (P-13, P-15) --------------------------------------------


def test_good_hello_identifies() -> None:
    conn = FWPConnection(None)
    assert conn.receive_data(HELLO) == [
        Identified(ClientHello(v=2, wid="w1", hostname="box", pid=42, labels=("golang",)))
    ]
    assert conn.state is ConnState.IDENTIFIED


def test_hello_split_across_chunks() -> None:
    conn = FWPConnection(None)
    assert conn.receive_data(HELLO[:10]) == []
    assert conn.state is ConnState.AWAITING_HELLO
    [event] = conn.receive_data(HELLO[10:])
    assert isinstance(event, Identified)


def test_hello_with_bare_lf() -> None:
    assert isinstance(FWPConnection(None).receive_data(b"HELLO {}\n")[0], Identified)


def test_pwdhash_ignored_without_password() -> None:
    # P-14: with no password configured any pwdhash is ignored
    [event] = FWPConnection(None).receive_data(b'HELLO {"pwdhash":"nonsense","v":2}\r\n')
    assert isinstance(event, Identified)


def test_correct_password_v2() -> None:
    # P-14
    conn = FWPConnection(PASSWORD)
    i, s = challenge(conn)
    line = b'HELLO {"v":2,"pwdhash":"%s"}\r\n' % password_hash(PASSWORD, s, i).encode()
    [event] = conn.receive_data(line)
    assert isinstance(event, Identified)
    assert conn.state is ConnState.IDENTIFIED


@pytest.mark.parametrize("version", [b"", b'"v":1,', b'"v":0,'])
def test_correct_password_single_iteration_for_old_clients(version: bytes) -> None:
    # P-14 compatibility rule / T-110: the PyPI `faktory` client sends no v, hashes once
    conn = FWPConnection(PASSWORD)
    _, s = challenge(conn)
    line = b'HELLO {%s"pwdhash":"%s"}\r\n' % (version, password_hash(PASSWORD, s, 1).encode())
    [event] = conn.receive_data(line)
    assert isinstance(event, Identified)


# --- AWAITING_HELLO -> CLOSED -------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        b"PUSH {}\r\n",  # P-11 wrong prefix
        b"hello {}\r\n",
        b"HELLO\r\n",
        b"\r\n",
        b"HELLO {nope}\r\n",  # P-11 invalid JSON
        b'HELLO {"pid":"x"}\r\n',  # P-11 type mismatch
        b'HELLO {"v":"2"}\r\n',
    ],
)
def test_invalid_hello_closes_silently(line: bytes) -> None:
    conn = FWPConnection(None)
    [event] = conn.receive_data(line)
    assert isinstance(event, Closed)
    assert event.reply is None
    assert event.reason
    assert conn.state is ConnState.CLOSED


def test_invalid_hello_closes_silently_with_password_too() -> None:
    [event] = FWPConnection(PASSWORD).receive_data(b"INFO\r\n")
    assert isinstance(event, Closed)
    assert event.reply is None


def test_wrong_password() -> None:
    # P-14 / T-111: -ERR Invalid password, then close
    conn = FWPConnection(PASSWORD)
    i, s = challenge(conn)
    bad = password_hash("wrong", s, i).encode()
    [event] = conn.receive_data(b'HELLO {"v":2,"pwdhash":"%s"}\r\n' % bad)
    assert isinstance(event, Closed)
    assert event.reply == b"-ERR Invalid password\r\n"
    assert conn.state is ConnState.CLOSED


def test_v2_client_hashing_once_is_rejected() -> None:
    conn = FWPConnection(PASSWORD)
    _, s = challenge(conn)
    once = password_hash(PASSWORD, s, 1).encode()
    [event] = conn.receive_data(b'HELLO {"v":2,"pwdhash":"%s"}\r\n' % once)
    assert isinstance(event, Closed)
    assert event.reply == error("Invalid password")


@pytest.mark.parametrize("hello", [b'HELLO {"v":2}\r\n', b'HELLO {"v":2,"pwdhash":null}\r\n'])
def test_missing_pwdhash_with_password_is_invalid_password(hello: bytes) -> None:
    [event] = FWPConnection(PASSWORD).receive_data(hello)
    assert isinstance(event, Closed)
    assert event.reply == error("Invalid password")


def test_commands_pipelined_behind_rejected_hello_are_dropped() -> None:
    conn = FWPConnection(PASSWORD)
    events = conn.receive_data(b'HELLO {"v":2,"pwdhash":"x"}\r\nFLUSH\r\nINFO\r\n')
    assert len(events) == 1 and isinstance(events[0], Closed)
    assert conn.receive_data(b"INFO\r\n") == []


def test_line_too_long_before_hello() -> None:
    conn = FWPConnection(None, max_line=16)
    [event] = conn.receive_data(b"HELLO {" + b" " * 20)
    assert event == Closed(b"-ERR line too long: the limit is 16 bytes\r\n", "line too long")
    assert conn.state is ConnState.CLOSED


def test_eof_before_hello() -> None:
    conn = FWPConnection(None)
    assert conn.receive_data(b"HELLO {") == []
    [event] = conn.receive_eof()
    assert isinstance(event, Closed) and event.reply is None
    assert conn.state is ConnState.CLOSED


def test_server_close_before_hello() -> None:
    # e.g. the server's 2 s handshake deadline (P-12)
    conn = FWPConnection(None)
    conn.close()
    assert conn.state is ConnState.CLOSED
    assert conn.receive_data(HELLO) == []


# --- IDENTIFIED -> IDENTIFIED ---------------------------------------------------------------


def test_commands_become_requests() -> None:
    conn = identified()
    assert conn.receive_data(b"CMD foo\r\n") == [Request(Command("CMD", b"foo"))]
    assert conn.state is ConnState.IDENTIFIED


def test_identified_with_password_then_commands() -> None:
    conn = identified(PASSWORD)
    assert conn.receive_data(b"INFO\r\n") == [Request(Command("INFO", b""))]


def test_pipelined_commands_keep_order() -> None:
    # P-05: replies are in order, so requests must be too
    conn = identified()
    events = conn.receive_data(b'PUSH {"jid":"1"}\r\nFETCH default\r\nACK {"jid":"1"}\nINF')
    assert events == [
        Request(Command("PUSH", b'{"jid":"1"}')),
        Request(Command("FETCH", b"default")),
        Request(Command("ACK", b'{"jid":"1"}')),
    ]
    assert conn.receive_data(b"O\r\n") == [Request(Command("INFO", b""))]


def test_hello_and_commands_in_one_chunk() -> None:
    conn = FWPConnection(None)
    events = conn.receive_data(HELLO + b"PUSH {}\r\nEND\r\n")
    assert isinstance(events[0], Identified)
    assert events[1:] == [Request(Command("PUSH", b"{}")), Request(Command("END", b""))]


def test_second_hello_is_just_a_request() -> None:
    # P-18: answered by the server as `-ERR unknown command HELLO`
    conn = identified()
    assert conn.receive_data(HELLO) == [Request(Command("HELLO", HELLO[6:-2]))]
    assert conn.state is ConnState.IDENTIFIED


def test_empty_line_is_a_request_with_empty_verb() -> None:
    # P-07
    assert identified().receive_data(b"\r\n") == [Request(Command("", b""))]


def test_lowercase_verb_kept() -> None:
    # P-04
    assert identified().receive_data(b"push {}\r\n") == [Request(Command("push", b"{}"))]


def test_end_is_a_request_and_server_closes() -> None:
    # P-20: END is executed by the server, which then calls close()
    conn = identified()
    assert conn.receive_data(b"END\r\nINFO\r\n") == [
        Request(Command("END", b"")),
        Request(Command("INFO", b"")),
    ]
    conn.close()
    assert conn.state is ConnState.CLOSED


def test_empty_data_is_not_eof() -> None:
    conn = identified()
    assert conn.receive_data(b"") == []
    assert conn.state is ConnState.IDENTIFIED


# --- IDENTIFIED -> CLOSED -------------------------------------------------------------------


def test_line_too_long_after_complete_lines_in_one_chunk() -> None:
    conn = identified(max_line=10)
    events = conn.receive_data(b"INFO\r\nFLUSH\r\n" + b"P" * 11 + b"\r\nEND\r\n")
    assert events == [
        Request(Command("INFO", b"")),
        Request(Command("FLUSH", b"")),
        Closed(error("line too long: the limit is 10 bytes"), "line too long"),
    ]
    assert conn.state is ConnState.CLOSED
    assert conn.receive_data(b"INFO\r\n") == []


def test_line_too_long_across_chunks() -> None:
    conn = identified(max_line=10)
    assert conn.receive_data(b"INFO\r\nPUSH ") == [Request(Command("INFO", b""))]
    assert conn.receive_data(b"12345") == []  # exactly 10 bytes of content so far
    [event] = conn.receive_data(b"6")
    assert event == Closed(b"-ERR line too long: the limit is 10 bytes\r\n", "line too long")


def test_line_exactly_at_limit_is_accepted() -> None:
    conn = identified(max_line=10)
    assert conn.receive_data(b"PUSH 12345\r\n") == [Request(Command("PUSH", b"12345"))]


def test_eof_when_identified_discards_partial_line() -> None:
    conn = identified()
    assert conn.receive_data(b"PUSH {") == []
    [event] = conn.receive_eof()
    assert isinstance(event, Closed) and event.reply is None
    assert conn.state is ConnState.CLOSED


def test_server_close_when_identified() -> None:
    conn = identified()
    conn.close()
    assert conn.state is ConnState.CLOSED


# --- CLOSED is terminal ---------------------------------------------------------------------


def test_closed_ignores_everything_and_close_is_idempotent() -> None:
    conn = identified()
    [event] = conn.receive_eof()
    assert isinstance(event, Closed)
    assert conn.receive_data(b"INFO\r\n") == []
    assert conn.receive_eof() == []
    conn.close()
    conn.close()
    assert conn.state is ConnState.CLOSED


def test_t01_conversation() -> None:
    # T-01 at the protocol level: HI ends with CRLF; a full HELLO is identified
    conn = FWPConnection(None)
    assert conn.greeting().endswith(b"\r\n")
    events = conn.receive_data(HELLO + b"CMD foo\r\n")
    assert [type(e) for e in events] == [Identified, Request]
