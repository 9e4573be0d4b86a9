"""The dashboard's live history: fixed-size numpy ring buffers, with no Qt in sight.

Samples arrive about once a second from the Poller. Each series keeps its newest `CAPACITY`
values (an hour at 1/s) in a ring, so memory and per-sample cost are constant however long the
app runs. Reading a time window is one binary search on the sample times plus numpy slices.

Rules worth knowing:
- Rates come from the deltas of running totals. The first sample has no predecessor, so it has
  no rate (NaN, not plotted); Faktory's own UI plots the absolute total there, a tall spike.
- A total that goes down (another data folder, a flushed engine) is a new baseline, not
  negative work: that sample has no rate either.
- Series are named; a name seen for the first time is back-filled with NaN so it lines up with
  the shared times, and a name missing from a sample is dropped (a removed queue).
- `gap()` appends a NaN row (the server stopped), so lines break instead of bridging the pause.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

CAPACITY = 3600
NAN = math.nan


class Ring:
    """The newest `capacity` floats; any trailing run of them is one contiguous numpy view.

    Each value is written twice, at i and i + capacity, so the last n values are always a
    single slice of the doubled buffer: readers never see the wraparound and nothing is copied.
    """

    def __init__(self, capacity: int = CAPACITY, filled: int = 0) -> None:
        """A ring of `capacity` slots whose first `filled` values are NaN (a late arrival)."""
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._buf = np.full(2 * capacity, NAN, dtype=np.float64)
        self._count = min(filled, capacity)
        self._next = self._count % capacity  # slot the next value goes to

    def __len__(self) -> int:
        return self._count

    def append(self, value: float) -> None:
        i = self._next
        self._buf[i] = self._buf[i + self.capacity] = value
        self._next = (i + 1) % self.capacity
        self._count = min(self._count + 1, self.capacity)

    def last(self, n: int | None = None) -> np.ndarray:
        """The newest `n` values (all when None), oldest first; a read-only view."""
        n = self._count if n is None else max(0, min(n, self._count))
        end = self._next + self.capacity
        view = self._buf[end - n:end]
        view.flags.writeable = False
        return view


@dataclass(frozen=True)
class Window:
    """A trailing slice of a Timeline: sample times and each series' values at them."""

    times: np.ndarray
    series: Mapping[str, np.ndarray]

    @property
    def end(self) -> float | None:
        return float(self.times[-1]) if len(self.times) else None


class Timeline:
    """Sample times plus named series sharing them. Names may come and go between samples."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self.times = Ring(capacity)
        self._series: dict[str, Ring] = {}

    def __len__(self) -> int:
        return len(self.times)

    @property
    def names(self) -> list[str]:
        return list(self._series)

    def append(self, t: float, values: Mapping[str, float]) -> None:
        """One sample: `values` names every series that exists now; others are dropped."""
        for gone in self._series.keys() - values.keys():
            del self._series[gone]
        self.times.append(self._monotonic(t))
        for name, value in values.items():
            ring = self._series.get(name)
            if ring is None:
                ring = self._series[name] = Ring(self.capacity, len(self.times) - 1)
            ring.append(value)

    def gap(self, t: float) -> None:
        """A NaN row for every series: lines break here instead of joining across a pause."""
        if len(self.times):
            self.append(t, dict.fromkeys(self._series, NAN))

    def window(self, seconds: float) -> Window:
        """The samples taken within `seconds` of the newest one: read-only views into the rings,
        valid until the next append (copy them to keep them)."""
        times = self.times.last()
        if not len(times):
            return Window(times, {name: ring.last(0) for name, ring in self._series.items()})
        start = int(np.searchsorted(times, times[-1] - seconds, side="left"))
        n = len(times) - start
        return Window(times[start:], {name: ring.last(n) for name, ring in self._series.items()})

    def _monotonic(self, t: float) -> float:
        """Never step back (a wall-clock adjustment), so the times stay sorted for searching."""
        times = self.times.last(1)
        return max(t, float(times[0])) if len(times) else t


class RateMeter:
    """Per-second rates from running totals (processed, failed, ...)."""

    def __init__(self) -> None:
        self._last: tuple[float, tuple[int, ...]] | None = None

    def reset(self) -> None:
        """Forget the baseline: the next sample is a first sample again."""
        self._last = None

    def update(self, t: float, totals: Sequence[int]) -> tuple[float, ...] | None:
        """The rates since the previous sample, or None when there is nothing to compare with."""
        previous, self._last = self._last, (t, tuple(totals))
        if previous is None:
            return None
        then, before = previous
        elapsed = t - then
        if elapsed <= 0 or len(before) != len(totals):
            return None
        if any(now < was for now, was in zip(totals, before, strict=True)):
            return None  # a total went back: a new baseline, not negative work
        return tuple((now - was) / elapsed for now, was in zip(totals, before, strict=True))


@dataclass(frozen=True)
class QueuePoint:
    name: str
    size: float
    latency_s: float


class LiveSeries:
    """Everything the live graphs plot: rates, busy workers, and each queue's size and latency."""

    RATES = ("processed", "failed")

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.rates = Timeline(capacity)
        self.busy = Timeline(capacity)
        self.sizes = Timeline(capacity)
        self.latency = Timeline(capacity)
        self._meter = RateMeter()

    def __len__(self) -> int:
        return len(self.rates)

    @property
    def timelines(self) -> tuple[Timeline, ...]:
        return (self.rates, self.busy, self.sizes, self.latency)

    def record(self, t: float, processed: int, failed: int, busy_workers: int | None,
               queues: Iterable[QueuePoint]) -> None:
        rates = self._meter.update(t, (processed, failed))
        self.rates.append(t, dict(zip(self.RATES, rates or (NAN, NAN), strict=True)))
        self.busy.append(t, {"busy": NAN if busy_workers is None else float(busy_workers)})
        points = list(queues)
        self.sizes.append(t, {q.name: float(q.size) for q in points})
        self.latency.append(t, {q.name: q.latency_s for q in points})

    def gap(self, t: float) -> None:
        """The server stopped: break every line, and start the rates over from the next sample."""
        for timeline in self.timelines:
            timeline.gap(t)
        self._meter.reset()
