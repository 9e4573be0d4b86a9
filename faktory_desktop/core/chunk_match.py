"""`transfer.prefilter` over a whole chunk of entries at once, for searches over a million.

Testing 10,000 entries one by one costs a Python call, a lowercased copy and a substring test
each. Here the chunk is joined into one bytes object, lowercased once, and searched with
`bytes.find`, which jumps to the next entry after each hit: C loops over megabytes instead of a
Python loop over entries (0.27 s of CPU for 1M retries). Most of that is the lowercased copy,
so when few entries hold the text's longest letterless run (`4242@` of `user4242@`), only those
are lowercased: no other entry can hold the text in any case. An entry holding a newline, the
separator, is impossible in compact JSON; each hit is checked against its entry, and a chunk
where one does not line up is tested entry by entry instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from faktory_desktop.core.records import JobFilter
from faktory_desktop.core.transfer import prefilter, prefilter_needles

SEPARATOR = b"\n"
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_NO_LETTERS = re.compile(rb"[^A-Za-z]+")
MIN_ANCHOR = 3  # shorter ones are in nearly every entry: not worth the extra search
MAX_ANCHORED = 200  # entries holding the anchor, past which lowercasing the chunk is cheaper

ChunkTest = Callable[[list[bytes]], list[int]]  # a chunk -> the indices `prefilter` keeps


class _Misaligned(Exception):
    """An entry holds the separator, so counting separators does not find entries."""


def chunk_prefilter(flt: JobFilter) -> ChunkTest:
    """The indices of the entries `prefilter(flt)` keeps, in order, found a chunk at a time."""
    needles, text = prefilter_needles(flt)
    one_by_one = prefilter(flt)
    anchor = caseless_anchor(text)

    def keep(chunk: list[bytes]) -> list[int]:
        if not needles and not text:
            return list(range(len(chunk)))
        try:
            return _kept(Joined(chunk), needles, text, anchor)
        except _Misaligned:
            return [i for i, payload in enumerate(chunk) if one_by_one(payload)]

    return keep


class Joined:
    """A chunk joined with separators, and the entry that holds a given position."""

    def __init__(self, chunk: list[bytes]) -> None:
        self.chunk = chunk
        self.blob = SEPARATOR.join(chunk)

    def entries_hit(self, searched: bytes, next_hit: Callable[[int], int],
                    among: set[int] | None, limit: int | None = None) -> set[int] | None:
        """The entries (of `among`, if given) holding a hit in `searched` (the blob, or the
        blob lowercased): `next_hit(pos)` is the first hit at or after `pos`, -1 for none.
        None once more than `limit` entries have a hit.

        An entry's index is the number of separators before its hit, counted on from the hit
        before, and checked: the bytes between the separators around the hit must be that
        entry's. After each hit the search goes on at the next entry.
        """
        found: set[int] = set()
        index = counted_to = hits = 0
        pos = next_hit(0)
        while pos >= 0:
            hits += 1
            if limit is not None and hits > limit:
                return None
            index += searched.count(SEPARATOR, counted_to, pos)
            start = searched.rfind(SEPARATOR, 0, pos) + 1
            end = searched.find(SEPARATOR, pos)
            end = len(searched) if end < 0 else end
            if index >= len(self.chunk) or self.chunk[index] != self.blob[start:end]:
                raise _Misaligned
            if among is None or index in among:
                found.add(index)
            counted_to, index = end + 1, index + 1
            pos = next_hit(end + 1) if end < len(searched) else -1
        return found

    def holding(self, needle: bytes, among: set[int] | None) -> set[int]:
        """The entries (of `among`, if given) whose bytes hold `needle`."""
        return self.entries_hit(self.blob, _finder(self.blob, needle), among) or set()

    def holding_text(self, text: bytes, anchor: bytes, among: set[int] | None) -> set[int]:
        """The entries (of `among`, if given) whose bytes, lowercased, hold `text` (lowercase).

        Lowercasing the whole chunk is most of the work, so when the text has an anchor (see
        `caseless_anchor`) found in few entries, only those entries are lowercased.
        """
        if len(anchor) >= MIN_ANCHOR:
            near = self.entries_hit(self.blob, _finder(self.blob, anchor), among,
                                    MAX_ANCHORED)
            if near is not None:
                return {i for i in near if text in self.chunk[i].lower()}
        lowered = self.blob.lower()  # ASCII only, as bytes.lower() is: separators stay put
        return self.entries_hit(lowered, _finder(lowered, text), among) or set()


def caseless_anchor(text: bytes) -> bytes:
    """The longest run of the text with no letters (`4242@` in `user4242@`), or b"".

    Lowercasing leaves such bytes as they are, so an entry whose lowercase holds the text holds
    the anchor as it is: only the entries holding the anchor need lowercasing.
    """
    return max(_NO_LETTERS.findall(text), key=len, default=b"")


def _kept(joined: Joined, needles: list[bytes], text: bytes, anchor: bytes) -> list[int]:
    kept: set[int] | None = None
    for needle in needles:
        kept = joined.holding(needle, kept)
        if not kept:
            return []
    if text:
        with_text = joined.holding_text(text, anchor, kept)
        if not joined.blob.isascii():  # prefilter keeps these: case-folding could make a match
            with_text |= joined.entries_hit(joined.blob, _non_ascii_finder(joined.blob),
                                            kept) or set()
        kept = with_text
    return sorted(kept or ())


def _finder(searched: bytes, needle: bytes) -> Callable[[int], int]:
    return lambda pos: searched.find(needle, pos)


def _non_ascii_finder(blob: bytes) -> Callable[[int], int]:
    def next_hit(pos: int) -> int:
        hit = _NON_ASCII.search(blob, pos)
        return -1 if hit is None else hit.start()

    return next_hit
