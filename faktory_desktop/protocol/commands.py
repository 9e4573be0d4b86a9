"""Splitting a command line into verb and arguments (P-02, P-04).

Faktory cuts each line at its first space: the text before it is the verb, looked up
case-sensitively (``push`` is an unknown command), and everything after it is the argument,
passed on untouched. A line without a space is all verb with empty arguments, so ``FETCH`` and
``FETCH `` both give ``args == b""``; ``has_args`` keeps the one distinction Faktory draws
between them (P-41: no queue list is an error, a trailing space is one empty queue name). An
empty line has the verb ``""`` and is answered as an unknown command (P-07).

The verb is decoded as UTF-8 with invalid bytes replaced, so it can be echoed in
``-ERR unknown command <verb>``; the arguments stay bytes (usually JSON for orjson).
"""

from __future__ import annotations

from typing import NamedTuple

from mypy_extensions import mypyc_attr

__all__ = ["Command", "parse_command"]


class _CommandFields(NamedTuple):
    verb: str
    args: bytes
    has_args: bool


@mypyc_attr(native_class=False)
class Command(_CommandFields):
    """One client command: ``verb`` (case kept) and the raw bytes after the first space.

    ``has_args`` is True when the line had a space after the verb, even if nothing follows it.

    A named tuple, not a frozen dataclass: it is built once per command on the hot path, and a
    frozen dataclass's ``__init__`` (``object.__setattr__`` per field) cost about 2 µs there.
    """

    __slots__ = ()

    def __new__(cls, verb: str, args: bytes, has_args: bool = False) -> Command:
        # arguments imply the separating space
        return tuple.__new__(cls, (verb, args, has_args or bool(args)))


_new_tuple = tuple.__new__


def parse_command(line: bytes) -> Command:
    """Split one line (already stripped of its terminator) into a :class:`Command`."""
    verb, space, args = line.partition(b" ")
    # tuple.__new__ skips Command.__new__'s normalization, which a parsed line never needs
    # (`space` is set whenever `args` is non-empty); this is the hot path.
    return _new_tuple(Command, (verb.decode("utf-8", "replace"), args, bool(space)))
