"""Packing Redis commands (RESP arrays of bulk strings) for the multiplexer.

hiredis's `pack_command` formats every argument's `$<length>` header with `sprintf`: about 700
instructions each, some 20 per job, 6% of the server's instructions per job (callgrind,
`python -m bench.instructions`). Here the headers of the usual lengths come from a table, and the
rest is one `bytes.join`. That pays only compiled: as plain Python this is slower than hiredis's C,
so the pure-Python fallback keeps hiredis's (`multiplexer.PACK_HERE`). Arguments are what the
hot path passes: bytes, str (UTF-8), int and float (as `str()` writes them, as hiredis does);
anything else is a TypeError, as in hiredis.
"""

from __future__ import annotations

from typing import Any, Final

# Final: compiled, these are C statics, not a lookup in the module's dict at each use
_TABLED: Final = 1024
_BULK_HEADERS: Final = [b"$%d\r\n" % n for n in range(_TABLED)]
_ARRAY_HEADERS: Final = [b"*%d\r\n" % n for n in range(64)]
CRLF: Final = b"\r\n"


def pack_command(args: tuple[Any, ...]) -> bytes:
    """`args` as one RESP command."""
    count = len(args)
    parts = [_ARRAY_HEADERS[count] if count < 64 else b"*%d\r\n" % count]
    for arg in args:
        data = _as_bytes(arg)
        size = len(data)
        parts.append(_BULK_HEADERS[size] if size < _TABLED else b"$%d\r\n" % size)
        parts.append(data)
        parts.append(CRLF)
    return b"".join(parts)


def _as_bytes(arg: Any) -> bytes:
    if isinstance(arg, bytes):
        return arg
    if isinstance(arg, str):
        return arg.encode()
    if (isinstance(arg, int) and not isinstance(arg, bool)) or isinstance(arg, float):
        return str(arg).encode()
    raise TypeError(f"a Redis command argument must be bytes, str, int or float, not "
                    f"{type(arg).__name__}")
