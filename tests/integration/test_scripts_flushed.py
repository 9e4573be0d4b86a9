"""The hot path calls its Lua scripts by SHA: an engine that has lost them (`SCRIPT FLUSH` from
redis-cli) gets the script itself instead (EVAL), and no client notices."""

from __future__ import annotations

import redis

from tests.fwp import job


def test_after_a_script_flush_fetch_and_ack_work_unchanged(server, client):
    address = server.runtime.engine.address
    assert address is not None and address.unix_path
    engine = redis.Redis(unix_socket_path=address.unix_path)
    assert client.push(job("after-flush-1", args=[])) == b"+OK\r\n"

    engine.script_flush()
    assert client.call_json("FETCH default")["jid"] == "after-flush-1"
    engine.script_flush()
    assert client.call('ACK {"jid":"after-flush-1"}') == b"+OK\r\n"
    assert engine.zcard("working") == 0
    assert engine.get("processed") == b"1"
    engine.close()
