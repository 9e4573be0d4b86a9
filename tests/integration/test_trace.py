"""The live protocol trace: off by default, and when on, one entry per command, in order."""

from tests.conftest import new_jid
from tests.fwp import job


def test_trace_is_off_by_default_and_records_commands_when_on(server, client):
    trace = server.runtime.server.trace
    client.call("INFO")
    assert trace.since(0) == []
    trace.enabled = True
    jid = new_jid()
    client.push(job(jid, args=["x" * 500]))
    client.call("NOPE")
    entries = trace.since(0)
    assert [(e.verb, e.reply) for e in entries] == [
        ("PUSH", "+OK"), ("NOPE", "-ERR unknown command NOPE")]
    assert jid in entries[0].args and entries[0].args.endswith("…") and len(entries[0].args) < 200
    assert entries[0].duration_ms >= 0 and entries[0].connection == entries[1].connection
    assert trace.since(entries[0].seq) == entries[1:]
