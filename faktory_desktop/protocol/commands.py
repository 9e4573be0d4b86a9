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

from dataclasses import dataclass

__all__ = ["Command", "parse_command"]


@dataclass(frozen=True, slots=True)
class Command:
    """One client command: ``verb`` (case kept) and the raw bytes after the first space.

    ``has_args`` is True when the line had a space after the verb, even if nothing follows it.
    """

    verb: str
    args: bytes
    has_args: bool = False

    def __post_init__(self) -> None:
        if self.args and not self.has_args:  # arguments imply the separating space
            object.__setattr__(self, "has_args", True)


def parse_command(line: bytes) -> Command:
    """Split one line (already stripped of its terminator) into a :class:`Command`."""
    verb, space, args = line.partition(b" ")
    return Command(verb.decode("utf-8", "replace"), args, bool(space))
