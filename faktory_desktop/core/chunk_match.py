"""`transfer.prefilter` over a whole chunk of entries at once, for searches over a million.

Testing 10,000 entries one by one costs a Python call, a lowercased copy and a substring test
each. Here the chunk is joined into one bytes object, lowercased once, and searched with
`bytes.find`, which jumps to the next entry after each hit: C loops over megabytes instead of a
Python loop over entries (0.27 s of CPU for 1M retries). An entry holding a newline, the
separator, is impossible in compact JSON; a chunk with one is tested entry by entry instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from faktory_desktop.core.records import JobFilter
from faktory_desktop.core.transfer import prefilter, prefilter_needles

SEPARATOR = b"\n"
_NON_ASCII = re.compile(rb"[\x80-\xff]")

ChunkTest = Callable[[list[bytes]], list[int]]  # a chunk -> the indices `prefilter` keeps


def chunk_prefilter(flt: JobFilter) -> ChunkTest:
    """The indices of the entries `prefilter(flt)` keeps, in order, found a chunk at a time."""
    needles, text = prefilter_needles(flt)
    one_by_one = prefilter(flt)

    def keep(chunk: list[bytes]) -> list[int]:
        if not needles and not text:
            return list(range(len(chunk)))
        blob = SEPARATOR.join(chunk)
        if blob.count(SEPARATOR) != len(chunk) - 1:
            return [i for i, payload in enumerate(chunk) if one_by_one(payload)]
        kept: set[int] | None = None
        for needle in needles:
            kept = _holding(blob, needle, kept)
            if not kept:
                return []
        if text:
            with_text = _holding(blob.lower(), text, kept)
            if not blob.isascii():  # prefilter keeps these: case-folding could make a match
                with_text |= _non_ascii(blob, kept)
            kept = with_text
        return sorted(kept or ())

    return keep


def _holding(blob: bytes, needle: bytes, among: set[int] | None) -> set[int]:
    """The entries (of `among`, if given) whose bytes contain `needle`."""
    return _entries_hit(blob, lambda pos: blob.find(needle, pos), among)


def _non_ascii(blob: bytes, among: set[int] | None) -> set[int]:
    def next_hit(pos: int) -> int:
        hit = _NON_ASCII.search(blob, pos)
        return -1 if hit is None else hit.start()

    return _entries_hit(blob, next_hit, among)


def _entries_hit(blob: bytes, next_hit: Callable[[int], int], among: set[int] | None) -> set[int]:
    """The entries holding a hit: `next_hit(pos)` is the first at or after `pos` (-1: none).

    An entry's index is the number of separators before its hit, counted on from the hit
    before; after each hit the search goes on at the next entry.
    """
    found: set[int] = set()
    index = counted_to = 0
    pos = next_hit(0)
    while pos >= 0:
        index += blob.count(SEPARATOR, counted_to, pos)
        if among is None or index in among:
            found.add(index)
        end = blob.find(SEPARATOR, pos)
        if end < 0:
            break
        counted_to, index = end + 1, index + 1
        pos = next_hit(end + 1)
    return found
