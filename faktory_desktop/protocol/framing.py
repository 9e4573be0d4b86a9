r"""Splitting the client's byte stream into lines, with a size limit.

Faktory reads one command per line (P-02): a line ends at ``\n``; the terminator and one ``\r``
right before it are stripped (``\r\n`` and a bare ``\n`` are both accepted). Faktory itself has
no line length limit (P-04); this layer deliberately imposes one, ``max_line`` bytes of line
content (terminator not counted), so a client cannot make the server buffer without bound.

:class:`LineBuffer` is O(n) in the bytes fed, however they are chunked: it appends to one
``bytearray``, remembers how far it has already searched for ``\n``, and trims consumed lines
once per :meth:`LineBuffer.feed`. A partial line is reported as too long as soon as its content
provably exceeds the limit (a trailing ``\r`` may still turn out to be part of ``\r\n``).

When a line is too long, :class:`LineTooLong` is raised and carries, in ``lines``, the complete
lines that came before the offending one in that same ``feed`` call, so nothing that preceded it
is lost. The buffer is then unusable: every later ``feed`` raises again (with no lines).
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import mypyc_attr

__all__ = ["DEFAULT_MAX_LINE", "LineBuffer", "LineTooLong"]

DEFAULT_MAX_LINE: Final = 16 * 1024 * 1024


@mypyc_attr(native_class=False)
class LineTooLong(Exception):
    """A line's content exceeded ``max_line`` bytes; ``lines`` holds the lines before it."""

    def __init__(self, max_line: int, lines: list[bytes] | None = None) -> None:
        super().__init__(f"line too long: the limit is {max_line} bytes")
        self.max_line = max_line
        self.lines: list[bytes] = lines if lines is not None else []


class LineBuffer:
    """Accumulates bytes and hands out complete lines, each without its terminator."""

    __slots__ = ("_buf", "_failed", "_scanned", "max_line")

    def __init__(self, max_line: int = DEFAULT_MAX_LINE) -> None:
        if max_line < 0:
            raise ValueError("max_line must not be negative")
        self.max_line = max_line
        self._buf = bytearray()
        self._scanned = 0  # _buf[:_scanned] is known to contain no b"\n"
        self._failed = False

    @property
    def pending(self) -> int:
        """Number of buffered bytes that do not yet form a complete line."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[bytes]:
        """Add ``data``; return the lines it completed, in order.

        Raises :class:`LineTooLong` when a complete line or the buffered partial line is over
        the limit (see the module docstring for what ``LineTooLong.lines`` then holds).
        """
        if self._failed:
            raise LineTooLong(self.max_line)
        if not self._buf and type(data) is bytes and data and data.find(b"\n") == len(data) - 1:
            # The common case (a client waiting for each reply): exactly one whole line and
            # nothing buffered. Slice it out directly instead of going through the bytearray.
            end = len(data) - 2 if data.endswith(b"\r\n") else len(data) - 1
            if end <= self.max_line:
                return [data[:end]]
        buf = self._buf
        buf += data
        limit = self.max_line
        spans: list[tuple[int, int]] = []
        start = 0
        pos = self._scanned
        find = buf.find
        while (nl := find(b"\n", pos)) >= 0:
            end = nl - 1 if nl > start and buf[nl - 1] == 0x0D else nl
            if end - start > limit:
                raise self._overflow(spans)
            spans.append((start, end))
            start = pos = nl + 1
        lines = self._cut(spans)
        if start:
            del buf[:start]
        self._scanned = len(buf)
        # Content length of the partial line is at least this much (a final \r may be a CR LF).
        if len(buf) - buf.endswith(b"\r") > limit:
            self._fail()
            raise LineTooLong(limit, lines)
        return lines

    def _cut(self, spans: list[tuple[int, int]]) -> list[bytes]:
        if not spans:
            return []
        with memoryview(self._buf) as view:  # one copy per line, released before resizing
            return [bytes(view[s:e]) for s, e in spans]

    def _overflow(self, spans: list[tuple[int, int]]) -> LineTooLong:
        lines = self._cut(spans)
        self._fail()
        return LineTooLong(self.max_line, lines)

    def _fail(self) -> None:
        self._failed = True
        self._buf = bytearray()
        self._scanned = 0
