"""The multiplexer's command packer writes exactly what hiredis's `pack_command` writes."""

from __future__ import annotations

import hiredis
import pytest

from faktory_desktop.storage.resp import pack_command

COMMANDS = [
    ("PING",),
    ("LPUSH", "queue:default", b'{"jid":"0123456789abcdef","args":[1]}'),
    ("EVALSHA", "a" * 40, 3, "working", "queue:a", "queue:b", 1796570440, ".25", b'"w1"',
     "2026-12-06T15:00:40.25Z", "2026-12-06T15:30:40.25Z"),
    ("ZADD", "retry", 1796570440.123456, b"member"),
    ("SET", "k", -5, 0, 2**70, 1e300, 0.1, float("inf")),
    ("SET", "caf\u00e9", "\U0001f600", b"", ""),
    ("SET", b"x" * 1023, b"y" * 1024, "z" * 100_000),  # around the header table's end
    tuple(["MSET"] + [str(i) for i in range(70)]),  # past the array-header table
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: str(args[0]) + str(len(args)))
def test_packs_as_hiredis_does(args):
    packed = pack_command(args)
    assert packed == hiredis.pack_command(args)
    reader = hiredis.Reader()
    reader.feed(packed)
    assert reader.gets() == [a if isinstance(a, bytes) else str(a).encode() for a in args]


@pytest.mark.parametrize("bad", [None, True, [1], {"a": 1}, bytearray(b"x")])
def test_refuses_what_hiredis_refuses(bad):
    with pytest.raises(TypeError):
        hiredis.pack_command(("SET", bad))
    with pytest.raises(TypeError, match="must be bytes, str, int or float"):
        pack_command(("SET", bad))
