"""The handshake over the wire: HI, HELLO, passwords, the 2 s deadline, the connection cap."""

from __future__ import annotations

import time

import pytest

from faktory_desktop.protocol.auth import password_hash
from tests.integration.wire import (
    beat,
    challenge,
    hello_line,
    info,
    pwdhash,
    wait_until,
)

PASSWORD = "s3cret-\u00e9"  # non-ASCII: the hash is over UTF-8 bytes


def test_greeting_without_password_is_exact_and_hello_ok(connect):
    # T-01, P-10, P-15
    client = connect(hello=False)
    assert client.greeting == b'+HI {"v":2}\r\n'
    reply = client.hello(hostname="host-1", wid="wid-t01", pid=1234, labels=["python"])
    assert reply == b"+OK\r\n"
    assert beat(client, "wid-t01") == b"+OK\r\n"


def test_password_hash_vector_matches_spec():
    # T-12, P-14: the spec's vector, computed here with hashlib and by the server's own code
    expected = "6d877f8e5544b1f2598768f817413ab8a357afffa924dedae99eb91472d4ec30"
    assert pwdhash("foobar", "55104dc76695721d", 1545) == expected
    assert password_hash("foobar", "55104dc76695721d", 1545) == expected
    single = "bda5ef54df4404655456165c27f46764614a296cdafcaffc747b7ab7cc1ea313"
    assert pwdhash("foobar", "55104dc76695721d", 1) == single


def test_password_challenge_shape_and_hash_login(make_server, dial):
    # P-10: HI carries i in [4000, 8095] and a lowercase-hex salt; P-14 hash of i iterations
    server = make_server(password=PASSWORD)
    salts = set()
    for _ in range(3):
        client = dial(server, hello=False)
        iterations, salt = challenge(client.greeting)
        assert 4000 <= iterations <= 8095
        assert 1 <= len(salt) <= 16 and not salt.startswith("0")
        salts.add(salt)
        reply = client.hello(pwdhash=pwdhash(PASSWORD, salt, iterations))
        assert reply == b"+OK\r\n"
        assert client.call("INFO").startswith(b"$")
    assert len(salts) == 3  # a fresh salt per connection


@pytest.mark.parametrize("version", [None, 0, 1])
def test_version_below_two_logs_in_with_single_iteration(make_server, dial, version):
    # T-110, P-14: v < 2 (or no v at all, like the cdrx client) is checked with 1 iteration
    server = make_server(password=PASSWORD)
    client = dial(server, hello=False)
    _iterations, salt = challenge(client.greeting)
    fields = {"hostname": "cdrx", "pwdhash": pwdhash(PASSWORD, salt, 1)}
    if version is not None:
        fields["v"] = version
    assert client.call(hello_line(**fields)) == b"+OK\r\n"
    assert client.call("INFO").startswith(b"$")


def test_version_two_with_single_iteration_hash_is_refused(make_server, dial):
    # P-14: v 2 must use the full iteration count
    server = make_server(password=PASSWORD)
    client = dial(server, hello=False)
    _iterations, salt = challenge(client.greeting)
    assert client.hello(pwdhash=pwdhash(PASSWORD, salt, 1)) == b"-ERR Invalid password\r\n"
    assert client.closed_by_server()


@pytest.mark.parametrize(
    "fields",
    [
        {"pwdhash": "0" * 64},
        {"pwdhash": ""},
        {},  # no pwdhash at all
        {"pwdhash": "wrong", "wid": "w-bad"},
    ],
    ids=["wrong-hash", "empty-hash", "missing-hash", "wrong-hash-worker"],
)
def test_wrong_password_gets_invalid_password_then_eof(make_server, dial, fields):
    # T-111, P-14
    server = make_server(password=PASSWORD)
    client = dial(server, hello=False)
    assert client.hello(**fields) == b"-ERR Invalid password\r\n"
    assert client.closed_by_server()
    other = dial(server, hello=False)  # the server is unaffected
    iterations, salt = challenge(other.greeting)
    assert other.hello(pwdhash=pwdhash(PASSWORD, salt, iterations)) == b"+OK\r\n"
    assert info(other)["server"]["connections"] == 1


def test_hash_from_another_connections_salt_is_refused(make_server, dial):
    # P-10: the salt is per connection, so a replayed hash fails
    server = make_server(password=PASSWORD)
    first, second = dial(server, hello=False), dial(server, hello=False)
    iterations, salt = challenge(first.greeting)
    good = pwdhash(PASSWORD, salt, iterations)
    assert first.hello(pwdhash=good) == b"+OK\r\n"
    assert second.hello(pwdhash=good) == b"-ERR Invalid password\r\n"
    assert second.closed_by_server()


def test_pwdhash_ignored_without_password(connect):
    # P-14: with no password configured any pwdhash is ignored
    client = connect(hello=False)
    assert client.hello(pwdhash="nonsense") == b"+OK\r\n"


def test_hello_key_matching_is_case_insensitive(connect):
    # P-13: "WID" is wid; unknown keys are ignored
    client = connect(hello=False)
    assert client.call(b'HELLO {"v":2,"WID":"wid-upper","Pid":7,"whatever":[1]}') == b"+OK\r\n"
    assert beat(client, "wid-upper") == b"+OK\r\n"


def test_hello_without_wid_is_a_producer(connect):
    # T-30: `{}` is a valid HELLO for a non-consumer; a producer's BEAT names no worker (P-61)
    client = connect(hello=False)
    assert client.call(b"HELLO {}") == b"+OK\r\n"
    assert client.call(b"BEAT {}") == b"-ERR unknown worker \r\n"
    assert client.call(b'BEAT {"wid":""}') == b"-ERR unknown worker \r\n"


@pytest.mark.parametrize(
    "line",
    [
        b"HELLO",
        b"HELLO ",  # T-30: data ""
        b"HELLO {",  # T-30: data "{"
        b"HELLO{}",
        b"hello {}",
        b"HELLO  {}",
        b"HELLO []",
        b'HELLO {"v":2} trailing',
        b'HELLO {"pid":"x"}',  # P-11 type mismatches
        b'HELLO {"v":"2"}',
        b'HELLO {"v":256}',
        b'HELLO {"labels":"python"}',
        b'HELLO {"wid":7}',
        b"INFO",  # commands before HELLO
        b"PUSH {}",
        b"END",
        b"",
    ],
)
def test_anything_but_a_valid_hello_closes_silently(connect, line):
    # P-11: the server closes the socket without sending anything
    client = connect(hello=False)
    client.send(line)
    assert client.file.readline() == b""
    other = connect()  # the server stays healthy
    assert info(other)["server"]["connections"] == 1


def test_pipelined_commands_after_hello_are_answered(connect):
    # P-02, P-05: HELLO and commands in one packet, bare LF accepted, replies in order
    client = connect(hello=False)
    client.sock.sendall(b'HELLO {"v":2}\r\nINFO\nCMD x\r\n')
    assert client.read_reply() == b"+OK\r\n"
    assert client.read_reply().startswith(b"$")
    assert client.read_reply() == b"-ERR unknown command CMD\r\n"


def test_commands_pipelined_behind_rejected_hello_are_dropped(connect):
    # P-11: a bad HELLO closes at once; nothing behind it runs
    client = connect(hello=False)
    client.sock.sendall(b'HELLO {"v":"x"}\r\nFLUSH\r\n')
    assert client.file.readline() == b""


def test_second_hello_is_an_unknown_command(client):
    # P-18
    assert client.hello() == b"-ERR unknown command HELLO\r\n"
    assert client.call("INFO").startswith(b"$")


def test_no_hello_within_two_seconds_closes_and_identified_connection_stays(connect):
    # T-112, P-12: the deadline is 2 s from accept, a trickle of HELLO bytes does not extend
    # it, and an identified connection is never timed out
    silent = connect(hello=False)
    started = time.monotonic()
    partial = connect(hello=False)
    partial.sock.sendall(b'HELLO {"v":')
    identified = connect()
    assert silent.greeting == b'+HI {"v":2}\r\n'
    assert silent.file.readline() == b""  # blocks until the server closes
    elapsed = time.monotonic() - started
    assert 1.7 <= elapsed <= 3.0, elapsed
    assert partial.file.readline() == b""
    assert time.monotonic() - started <= 3.0
    assert identified.call("INFO").startswith(b"$")  # outlived the deadline


def test_connection_cap_refuses_the_extra_connection(make_server, dial):
    # T-119, P-16 (scaled down: max_connections=3, so the 4th gets `too many connections: 4`)
    server = make_server(max_connections=3)
    clients = [dial(server) for _ in range(3)]
    extra = dial(server, hello=False)
    assert extra.greeting == b'+HI {"v":2}\r\n'
    assert extra.hello() == b"-ERR too many connections: 4\r\n"
    assert extra.closed_by_server()
    assert info(clients[0])["server"]["connections"] == 3  # the refused one is not counted
    clients[1].send(b"END")
    assert clients[1].closed_by_server()
    assert wait_until(lambda: info(clients[0])["server"]["connections"] == 2)
    replacement = dial(server)  # room again
    assert replacement.call("INFO").startswith(b"$")


def test_commands_pipelined_behind_a_refused_hello_do_not_run(make_server, dial):
    # P-16: a connection over the cap is closed before anything it sent after HELLO runs
    server = make_server(max_connections=1)
    client = dial(server)
    extra = dial(server, hello=False)
    extra.sock.sendall(b'HELLO {"v":2}\r\nPUSH {"jid":"jid-sneaky","jobtype":"T","args":[]}\r\n')
    assert extra.read_reply() == b"-ERR too many connections: 2\r\n"
    assert extra.closed_by_server()
    assert info(client)["faktory"]["queues"] == {}


def test_unidentified_connections_do_not_count(make_server, dial):
    # P-16: only identified connections count against the cap
    server = make_server(max_connections=1)
    waiting = [dial(server, hello=False) for _ in range(3)]
    client = dial(server)
    assert info(client)["server"]["connections"] == 1
    assert all(w.greeting == b'+HI {"v":2}\r\n' for w in waiting)


def test_end_closes_without_reply(client, connect):
    # T-11, P-20: END (with or without arguments) writes nothing and closes
    client.send(b"END")
    assert client.closed_by_server()
    other = connect()
    other.send(b"END now please")
    assert other.closed_by_server()


def test_shutdown_closes_open_connections(make_server, dial):
    # P-17: stopping the server closes every client connection
    server = make_server()
    client, idle = dial(server), dial(server, hello=False)
    server.stop()
    assert client.closed_by_server()
    assert idle.closed_by_server()


def test_labels_null_and_extra_fields_accepted(connect):
    # P-13: null leaves defaults; rss_kb and username are accepted
    client = connect(hello=False)
    line = (b'HELLO {"v":2,"wid":"w-null","labels":null,"rss_kb":1024,"username":"u",'
            b'"hostname":null}')
    assert client.call(line) == b"+OK\r\n"
    assert beat(client, "w-null") == b"+OK\r\n"
