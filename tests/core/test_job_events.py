"""The job events: hooks that only append, and the fold that reads them for every listener."""

from __future__ import annotations

import asyncio

from faktory_desktop.core import jsonc
from faktory_desktop.core.event_fold import Folded
from faktory_desktop.core.events import UNIQUE_LOCK, JobEvents
from faktory_desktop.core.timefmt import NS, format_ns

T0 = 1_800_000_000 * NS


class Recorder:
    """A listener that keeps what it is handed, and says when it got something."""

    def __init__(self, wants_latency: bool) -> None:
        self.wants_latency = wants_latency
        self.folds: list[Folded] = []
        self.got = asyncio.Event()

    def fold(self, jobs: Folded) -> None:
        self.folds.append(jobs)
        self.got.set()


class Broken:
    wants_latency = False

    def fold(self, jobs: Folded) -> None:
        raise RuntimeError("a listener's bug")


def fetched(events: JobEvents, jid: str, jobtype: str = "Mail") -> bytes:
    """FETCH of a job enqueued 2 s before T0, as the manager reports it."""
    job = {"jid": jid, "queue": "q", "jobtype": jobtype, "enqueued_at": format_ns(T0 - 2 * NS)}
    member = jsonc.dumps({"jid": jid, "reserved_at": format_ns(T0), "job": job})
    events.fetched(job, member, T0)
    return member


async def test_the_timer_folds_what_the_hooks_appended() -> None:
    events, broken, recorder = JobEvents(), Broken(), Recorder(wants_latency=True)
    events.add(broken)  # raises at every fold: logged, the others still get theirs
    events.add(recorder)
    ok, failing = fetched(events, "a"), fetched(events, "b")
    events.acked(ok, T0 + NS // 2)
    events.failed(failing)
    events.count(UNIQUE_LOCK, b'{"jid":"c","queue":"q","jobtype":"Mail"}')
    assert recorder.folds == []  # nothing read on the job's path
    await asyncio.wait_for(recorder.got.wait(), 5)
    [jobs] = recorder.folds
    tally = jobs.finished["q", "Mail"]
    assert (tally.perform, tally.failed) == ([0.5], 1)
    assert jobs.latency == {"q": [2.0, 2.0]}
    assert jobs.features == {(UNIQUE_LOCK, "q", "Mail"): 1}
    recorder.got.clear()  # the timer goes on after a listener raised
    events.acked(fetched(events, "d"), T0 + NS)
    await asyncio.wait_for(recorder.got.wait(), 5)
    assert recorder.folds[1].finished["q", "Mail"].perform == [1.0]
    events.remove(broken)
    events.remove(recorder)


async def test_latency_is_read_only_when_a_listener_wants_it() -> None:
    events, recorder = JobEvents(), Recorder(wants_latency=False)
    events.add(recorder)
    events.acked(fetched(events, "a"), T0 + NS)
    events.fold()
    assert recorder.folds[0].latency == {}
    assert recorder.folds[0].finished["q", "Mail"].perform == [1.0]
    events.remove(recorder)


async def test_a_removed_listener_gets_the_events_so_far_and_then_none() -> None:
    events, recorder = JobEvents(), Recorder(wants_latency=False)
    events.add(recorder)
    member = fetched(events, "a")
    events.remove(recorder)
    assert not events
    assert len(recorder.folds) == 1 and recorder.folds[0].finished == {}
    events.add(recorder)  # added again: an ACK of a job fetched while none listened
    events.acked(member, T0 + 3 * NS)
    events.fold()
    assert recorder.folds[1].finished["q", "Mail"].perform == [3.0]  # read from its member
    events.remove(recorder)
