"""Malformed input over the wire: every mistake gets its answer, and nobody else notices."""

from __future__ import annotations

import json

import pytest

from tests.conftest import new_jid
from tests.fwp import RawClient, job
from tests.integration.wire import compact, info, wait_until

MAX_LINE = 1024
TOO_LONG = b"-ERR line too long: the limit is 1024 bytes\r\n"


def assert_healthy(client: RawClient) -> None:
    """A full round trip on a private queue: push, fetch, ack."""
    jid = new_jid()
    assert client.push(job(jid, queue="health")) == b"+OK\r\n"
    assert client.call_json("FETCH health")["jid"] == jid
    assert client.call(b"ACK " + compact({"jid": jid})) == b"+OK\r\n"


# (line, exact reply) pairs that must leave the connection usable (P-06: errors never close)
EXACT = [
    (b"CMD foo", b"-ERR unknown command CMD\r\n"),  # T-02, P-07
    (b"push {}", b"-ERR unknown command push\r\n"),  # P-04: verbs are case-sensitive
    (b"", b"-ERR unknown command \r\n"),  # P-07: empty line
    (b" INFO", b"-ERR unknown command \r\n"),  # the verb is what precedes the first space
    (b"HELLO {}", b"-ERR unknown command HELLO\r\n"),  # P-18
    (b"INFOX", b"-ERR unknown command INFOX\r\n"),
    (b"ACK {}", b"-ERR invalid ACK {}\r\n"),  # P-50
    (b'ACK {"jid":["x"]}', b'-ERR invalid ACK {"jid":["x"]}\r\n'),
    (b"FAIL {}", b"-ERR missing JID\r\n"),  # P-56
    (b'FAIL {"jid":1}', b'-ERR invalid FAIL {"jid":1}\r\n'),  # P-55: type mismatch
    (b"FAIL x", b"-ERR invalid FAIL x\r\n"),
    (b"BEAT x", b"-ERR invalid BEAT x\r\n"),  # P-60
    (b"BEAT {}", b"-ERR unknown worker \r\n"),  # P-61
    (b"FETCH", b"-ERR must call fetch with at least one queue\r\n"),  # P-41
    (b"MUTATE {} {}", b"-ERR invalid format\r\n"),  # P-70
    (b'MUTATE {"cmd":"clear"}', b"-ERR invalid target for mutation command\r\n"),
    (b"QUEUE NAP x", b"-ERR no such QUEUE subcommand: NAP\r\n"),  # P-80
    (b"QUEUE LATENCY *", b"-ERR QUEUE LATENCY does not support wildcards\r\n"),
    (b'PUSH {"jid":"short"}', b"-ERR jobs must have a reasonable jid parameter\r\n"),
    (b'PUSH {"jid":"long-enough"}', b"-ERR jobs must have a jobtype parameter\r\n"),
    (b'PUSH {"jid":"long-enough","jobtype":"T"}', b"-ERR jobs must have an args parameter\r\n"),
    # deliberate differences (docs/compatibility.md)
    (b'PUSH{"jid":"12345678"}', b'-ERR unknown command PUSH{"jid":"12345678"}\r\n'),
    (b"BATCH new {}", b"-ERR BATCH NEW needs a success or complete callback job\r\n"),
    (b"TRACK get", b"-ERR TRACK GET needs a jid\r\n"),
]

# (line, reply prefix): parser messages are ours, the prefix is Faktory's
PREFIX = [
    (b"PUSH {", b"-ERR invalid JSON: "),  # P-22
    (b"PUSH [1]", b"-ERR invalid JSON: "),
    (b'PUSH {"jid":"long-enough","jobtype":"T","args":"nope"}', b"-ERR invalid JSON: "),
    (b'PUSH {"jid":"long-enough","jobtype":["T"],"args":[]}', b"-ERR invalid JSON: "),
    (b'PUSH {"jid":"long-enough","jobtype":"T","args":[],"at":5}', b"-ERR invalid JSON: "),
    (b"PUSHB {", b"-ERR invalid JSON: "),  # P-30
    (b"PUSHB [1,", b"-ERR invalid JSON: "),
    (b"MUTATE {", b"-ERR "),  # P-71
    (b'PUSH {"jid":"long-enough","jobtype":"T","args":[],"at":"soon"}',
     b"-ERR invalid timestamp for 'at': \"soon\": "),
]


@pytest.mark.parametrize(("line", "expected"), EXACT, ids=[repr(line[:24]) for line, _ in EXACT])
def test_malformed_command_gets_exact_error_and_connection_stays(client, connect, line, expected):
    assert client.call(line) == expected
    assert_healthy(client)
    assert_healthy(connect())


@pytest.mark.parametrize(("line", "prefix"), PREFIX, ids=[repr(line[:24]) for line, _ in PREFIX])
def test_malformed_payload_gets_error_and_connection_stays(client, connect, line, prefix):
    reply = client.call(line)
    assert reply.startswith(prefix) and reply.endswith(b"\r\n") and reply.count(b"\r\n") == 1
    assert b"internal error" not in reply
    assert_healthy(client)
    assert_healthy(connect())
    assert info(client)["faktory"]["queues"] == {"health": 0}  # nothing else was pushed


def test_invalid_utf8_and_control_bytes_in_verb(client):
    # P-07: the verb is echoed (invalid UTF-8 replaced); control bytes cannot break the framing
    assert client.call(b"\xff\xfe x") == b"-ERR unknown command \xef\xbf\xbd\xef\xbf\xbd\r\n"
    assert client.call(b"IN\rFO") == b"-ERR unknown command IN FO\r\n"
    assert client.call(b"\x00") == b"-ERR unknown command \x00\r\n"
    assert_healthy(client)


def test_error_text_never_contains_a_newline(client):
    # P-03: an error is one line even when it echoes a payload with an escaped newline in it
    reply = client.call(b'ACK {"a":"line1\\nline2"}')
    assert reply == b'-ERR invalid ACK {"a":"line1\\nline2"}\r\n'


def test_bare_lf_and_crlf_both_end_a_line(client):
    # P-02
    client.sock.sendall(b"INFO\nINFO\r\nCMD\n")
    assert client.read_reply().startswith(b"$")
    assert client.read_reply().startswith(b"$")
    assert client.read_reply() == b"-ERR unknown command CMD\r\n"


def test_pipelined_burst_is_answered_in_order(client):
    # P-05: many commands in one write are answered one by one, in order (also past the
    # server's read-pause threshold)
    jids = [f"jid-burst-{i:05d}" for i in range(300)]
    burst = b"".join(b"PUSH " + compact(job(j, queue="burst")) + b"\r\n" for j in jids)
    client.sock.sendall(burst + b"CMD last\r\n")
    assert [client.read_reply() for _ in jids] == [b"+OK\r\n"] * len(jids)
    assert client.read_reply() == b"-ERR unknown command CMD\r\n"
    assert info(client)["faktory"]["queues"] == {"burst": 300}
    assert client.call_json("FETCH burst")["jid"] == jids[0]


def test_pipelined_mix_of_hot_and_cold_verbs_is_answered_in_order(client):
    # P-05 across both ways the server runs a command (the hot verbs inline, the others in a
    # task): one write, replies in order, and each command sees what the ones before it did
    jid = new_jid()
    client.sock.sendall(b"\r\n".join([
        b"PUSH " + compact(job(jid, queue="mix")), b"INFO", b"FETCH mix",
        b"ACK " + compact({"jid": jid}), b"INFO", b"BEAT " + compact({"wid": "nobody"}),
        b"CMD last", b"",
    ]))

    def bulk_json() -> dict:
        return json.loads(client.read_reply().split(b"\r\n", 1)[1])

    assert client.read_reply() == b"+OK\r\n"
    assert bulk_json()["faktory"]["queues"] == {"mix": 1}
    assert bulk_json()["jid"] == jid
    assert client.read_reply() == b"+OK\r\n"
    after = bulk_json()["faktory"]
    assert (after["queues"], after["total_processed"]) == ({"mix": 0}, 1)
    assert client.read_reply().startswith(b"-ERR ")  # BEAT of an unknown worker
    assert client.read_reply() == b"-ERR unknown command CMD\r\n"
    assert_healthy(client)


def test_client_vanishing_mid_fetch_leaves_server_healthy(client, connect):
    # a blocked FETCH whose client goes away is simply dropped
    leaving = connect()
    leaving.send(b"FETCH nothing-here")
    leaving.close()
    partial = connect()
    partial.sock.sendall(b'PUSH {"jid":"half-a-li')
    partial.close()
    assert_healthy(client)
    assert info(client)["faktory"]["queues"] == {"health": 0}


def test_line_over_limit_is_refused_and_closed(make_server, dial):
    # deliberate difference (Faktory has no limit, P-04): `-ERR line too long ...`, then close
    server = make_server(max_line=MAX_LINE)
    victim, bystander = dial(server), dial(server)
    victim.send(b"PUSH " + b"x" * MAX_LINE)
    assert victim.read_reply() == TOO_LONG
    assert victim.closed_by_server()
    assert_healthy(bystander)
    assert wait_until(lambda: info(bystander)["server"]["connections"] == 1)


def test_line_at_limit_is_accepted(make_server, dial):
    # the limit counts line content, without the terminator
    server = make_server(max_line=MAX_LINE)
    client = dial(server)
    head = compact(job("jid-at-limit", args=[""]))
    pad = MAX_LINE - len(b"PUSH ") - len(head)
    line = b"PUSH " + compact(job("jid-at-limit", args=["y" * pad]))
    assert len(line) == MAX_LINE
    assert client.call(line) == b"+OK\r\n"
    assert client.call_json("FETCH default")["jid"] == "jid-at-limit"


def test_unterminated_flood_is_refused_before_a_newline(make_server, dial):
    # the server does not wait for a newline that never comes
    server = make_server(max_line=MAX_LINE)
    victim, bystander = dial(server), dial(server)
    victim.sock.sendall(b"PUSH " + b"z" * (4 * MAX_LINE))
    assert victim.read_reply() == TOO_LONG
    assert victim.closed_by_server()
    assert_healthy(bystander)


def test_commands_before_the_long_line_are_answered(make_server, dial):
    # replies for complete lines that preceded the long one in the same packet come first
    server = make_server(max_line=MAX_LINE)
    client = dial(server)
    client.sock.sendall(b"CMD a\r\nINFO\r\n" + b"Q" * (MAX_LINE + 1) + b"\r\n")
    assert client.read_reply() == b"-ERR unknown command CMD\r\n"
    assert client.read_reply().startswith(b"$")
    assert client.read_reply() == TOO_LONG
    assert client.closed_by_server()


def test_long_hello_is_refused(make_server, dial):
    # the limit also applies before HELLO (an error, then close)
    server = make_server(max_line=MAX_LINE)
    client = dial(server, hello=False)
    client.send(b'HELLO {"v":2,"hostname":"' + b"h" * MAX_LINE + b'"}')
    assert client.read_reply() == TOO_LONG
    assert client.closed_by_server()
    assert_healthy(dial(server))


def test_default_limit_accepts_a_large_job(client):
    # P-04: big payloads (1 MiB of args) go through with the default limit
    big = "b" * (1024 * 1024)
    assert client.push(job("jid-big-one", args=[big])) == b"+OK\r\n"
    fetched = client.call_json("FETCH default")
    assert fetched["args"] == [big]


def test_json_with_spaces_and_unicode_is_fine_outside_mutate(client):
    # pyfaktory sends json.dumps with spaces; non-ASCII survives the round trip
    payload = {"jid": "jid-spacey-1", "jobtype": "T", "args": ["\u00fcber", {"k": "\u2603"}]}
    assert client.call(b"PUSH " + json.dumps(payload).encode()) == b"+OK\r\n"
    assert client.call_json("FETCH default")["args"] == ["\u00fcber", {"k": "\u2603"}]
    assert client.call(b'ACK {"jid": "jid-spacey-1"}') == b"+OK\r\n"
