"""A first end-to-end check: push, fetch, ack over raw FWP against a real engine."""

import json

from tests.conftest import new_jid
from tests.fwp import job


def test_push_fetch_ack_round_trip(client):
    jid = new_jid()
    assert client.push(job(jid, args=[1, "two"])) == b"+OK\r\n"
    fetched = client.call_json("FETCH default")
    assert fetched["jid"] == jid and fetched["args"] == [1, "two"] and fetched["retry"] == 25
    assert client.call(json.dumps({"jid": jid}).join(["ACK ", ""])) == b"+OK\r\n"
    info = client.call_json("INFO")
    assert info["faktory"]["total_processed"] == 1
