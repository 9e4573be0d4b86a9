"""Searches a chunk at a time: the chunk prefilter keeps exactly what the per-entry prefilter
keeps, a search finds exactly the entries a whole decode-and-match would, and a set read in
chunks loses nothing when entries leave its front meanwhile."""

from __future__ import annotations

import json

import pytest

from faktory_desktop.core import jsonc
from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.core.chunk_match import MAX_ANCHORED, caseless_anchor, chunk_prefilter
from faktory_desktop.core.records import RETRIES, JobFilter, Source, record_from
from faktory_desktop.core.transfer import prefilter
from faktory_desktop.storage import keys, search
from faktory_desktop.storage.store import SortedSet


def _entry(jid: str, jobtype: str, args: list, error: str = "") -> bytes:
    job = {"jid": jid, "jobtype": jobtype, "queue": "q", "args": args}
    if error:
        job["failure"] = {"message": error, "errtype": "E", "retry_count": 1}
    return jsonc.dumps(job)


CORPUS = [
    _entry("a1", "Mail", ["Alice@Example.com"]),
    _entry("a2", "Mail", ["bob"], error="SMTP timeout for ALICE"),
    _entry("a3", "Bill", [42, {"note": "alice"}]),
    _entry("a4", "Bill", ["\u212aelvin"]),  # the Kelvin sign lowercases to an ASCII k
    _entry("a11", "MailX", ["alicealice"]),
    b'{"jid":"a5","jobtype":"Mail","args":["ali\\u0063e"]}',  # JSON escapes hide the text
    b"not json at all: alice",
    b"",
    _entry("a6", "Mail", ["end of entry: ali"]),
    _entry("a7", "Mail", ["ce at the start"]),
    _entry("a8", "Mail", ["USER4242@Example.COM", "order-1234"]),
]

FILTERS = [
    JobFilter(), JobFilter(text="alice"), JobFilter(text="ALICE"), JobFilter(text="kelvin"),
    JobFilter(jobtype="Mail"), JobFilter(jid="a1"), JobFilter(jobtype="Mail", text="alice"),
    JobFilter(jid="a11", text="alice"), JobFilter(text="42"), JobFilter(text="nowhere"),
    JobFilter(text='"note"'), JobFilter(text="timeout for"), JobFilter(jobtype="Bill", jid="a1"),
    JobFilter(text="user4242@example"), JobFilter(text="ORDER-1234"), JobFilter(text="user4243@"),
]


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
@pytest.mark.parametrize("corpus", [CORPUS, [*CORPUS, b'{"args":["line\nbreak alice"]}'],
                                    [b'["a\nline break"]', *CORPUS]],
                         ids=["json", "a newline in a hit", "a newline before the hits"])
def test_the_chunk_prefilter_keeps_what_the_entry_prefilter_keeps(flt, corpus):
    one = prefilter(flt)
    assert chunk_prefilter(flt)(corpus) == [i for i, p in enumerate(corpus) if one(p)]


def test_the_caseless_anchor_is_the_longest_run_without_letters():
    assert caseless_anchor(b"user4242@example.com") == b"4242@"
    assert caseless_anchor(b"alice") == b""
    # Only the entries holding the anchor are lowercased, yet the text is found in any case;
    # with the anchor in many entries, the whole chunk is lowercased instead.
    for copies in (1, MAX_ANCHORED + 1):
        chunk = [b'["USER4242@x"]', b"[1]", b'["user4241@x"]'] * copies
        assert chunk_prefilter(JobFilter(text="user4242@"))(chunk) == list(range(0, len(chunk), 3))


def test_a_match_never_spans_two_entries():
    # "ali" ends one entry and "ce" starts the next: joined, they would read "ali\nce".
    assert chunk_prefilter(JobFilter(text="alice"))([b'["ali', b'ce"]']) == []


@pytest.fixture
def core_api(server):
    return FaktoryAPI(server.runtime.core)


def _load(server, retries: list[bytes], queue: list[bytes]) -> None:
    async def load() -> None:
        cold = server.runtime.core.store.cold
        await cold.zadd(keys.RETRIES, {p: 4_000_000_000 + i for i, p in enumerate(retries)})
        if queue:
            await cold.lpush(keys.queue("q"), *queue)

    server.submit(load()).result(30)


def _expected(source: Source, entries: list[bytes], flt: JobFilter) -> list[str]:
    records = [record_from(source, p) for p in entries]
    return sorted(r.jid for r in records if r is not None and flt.matches(r))


@pytest.mark.parametrize("flt", [JobFilter(text="alice"), JobFilter(jobtype="Mail"),
                                 JobFilter(jid="j11"), JobFilter(text="timeout"),
                                 JobFilter(text="kelvin"), JobFilter(jobtype="Bill", text="42")],
                         ids=repr)
def test_a_search_over_many_chunks_finds_what_matching_every_entry_finds(server, core_api, flt):
    entries = [_entry(f"j{i}", ("Mail", "Bill", "Push")[i % 3],
                      [i, f"user{i}@example.com", "\u212aelvin" if i % 17 == 0 else "alice"],
                      error="timeout" if i % 5 == 0 else "")
               for i in range(250)]
    _load(server, entries, entries)
    core_api.search_chunk = 16  # 16 chunks, and a short last one
    for source in (RETRIES, Source.of_queue("q")):
        found = server.submit(core_api.find_matches(source, flt, 1000)).result(60)
        assert found.complete
        assert sorted(r.jid for r in found.records) == _expected(source, entries, flt)
        assert all((r.score is not None) == (source is RETRIES) for r in found.records)


def test_a_search_reports_progress_after_each_chunk(server, core_api):
    _load(server, [_entry(f"p{i}", "Mail", [i]) for i in range(50)], [])
    core_api.search_chunk = 20
    seen: list[tuple[int, int]] = []
    found = server.submit(core_api.find_matches(RETRIES, JobFilter(text="1"), 100,
                                                progress=lambda *a: seen.append(a))).result(60)
    assert [scanned for scanned, _ in seen] == [20, 40, 50]
    assert seen[-1][1] == found.count == len([i for i in range(50) if "1" in str(i)])


def test_set_chunks_skip_nothing_when_the_front_of_the_set_leaves_meanwhile(server):
    store = server.runtime.core.store
    members = [json.dumps({"jid": f"m{i:03d}"}).encode() for i in range(100)]

    async def scan() -> list[bytes]:
        await store.cold.zadd(keys.RETRIES, {m: i for i, m in enumerate(members)})
        seen: list[bytes] = []
        async for chunk in search.set_chunks(store, SortedSet.RETRIES, 10):
            seen += chunk
            # Due retries leave from the front while the scan runs (as the scheduler moves
            # them); by rank alone, the next chunk would start 5 entries too far on.
            await store.cold.zpopmin(keys.RETRIES, 5)
        return seen

    seen = server.submit(scan()).result(30)
    assert len(seen) == len(set(seen))  # nothing twice
    assert set(members[:50]) <= set(seen)  # everything still there when reached, once
    assert seen == sorted(seen)
