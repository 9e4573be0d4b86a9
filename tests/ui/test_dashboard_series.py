"""The dashboard's ring buffers and rates (no Qt): wraparound, windows, the first-sample rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from faktory_desktop.ui.dashboard.series import LiveSeries, QueuePoint, RateMeter, Ring, Timeline


def test_ring_keeps_the_newest_values_oldest_first():
    ring = Ring(4)
    for v in range(3):
        ring.append(v)
    assert len(ring) == 3
    assert ring.last().tolist() == [0, 1, 2]
    assert ring.last(2).tolist() == [1, 2]


def test_ring_wraps_around_and_stays_contiguous():
    ring = Ring(4)
    for v in range(11):
        ring.append(v)
    assert len(ring) == 4
    assert ring.last().tolist() == [7, 8, 9, 10]
    assert ring.last(3).tolist() == [8, 9, 10]
    assert ring.last(100).tolist() == [7, 8, 9, 10]
    assert ring.last(0).tolist() == []
    assert ring.last().base is not None  # a view into the buffer, not a copy


def test_ring_views_are_read_only():
    ring = Ring(3)
    ring.append(1.0)
    with pytest.raises(ValueError):
        ring.last()[0] = 5.0


def test_ring_back_filled_with_nan_for_a_late_series():
    ring = Ring(5, filled=3)
    ring.append(7)
    values = ring.last()
    assert len(values) == 4 and np.isnan(values[:3]).all() and values[3] == 7


def test_window_slices_by_time_from_the_newest_sample():
    timeline = Timeline(capacity=100)
    for t in range(50):
        timeline.append(1000.0 + t, {"a": float(t)})
    window = timeline.window(10)
    assert window.times.tolist() == [1000.0 + t for t in range(39, 50)]
    assert window.series["a"].tolist() == [float(t) for t in range(39, 50)]
    assert window.end == 1049.0
    assert len(timeline.window(3600).times) == 50


def test_window_after_wraparound_covers_only_what_is_kept():
    timeline = Timeline(capacity=60)
    for t in range(200):
        timeline.append(float(t), {"a": float(t)})
    window = timeline.window(3600)
    assert window.times[0] == 140.0 and window.times[-1] == 199.0
    assert window.series["a"].tolist() == window.times.tolist()


def test_empty_window():
    window = Timeline().window(60)
    assert len(window.times) == 0 and window.end is None


def test_series_appearing_later_line_up_and_removed_series_go_away():
    timeline = Timeline(capacity=10)
    timeline.append(1.0, {"a": 1.0})
    timeline.append(2.0, {"a": 2.0, "b": 20.0})
    window = timeline.window(60)
    assert window.series["a"].tolist() == [1.0, 2.0]
    assert math.isnan(window.series["b"][0]) and window.series["b"][1] == 20.0
    timeline.append(3.0, {"b": 30.0})
    assert timeline.names == ["b"]
    assert "a" not in timeline.window(60).series


def test_times_never_step_back():
    timeline = Timeline()
    timeline.append(10.0, {})
    timeline.append(9.0, {})  # the wall clock was set back
    assert timeline.times.last().tolist() == [10.0, 10.0]


def test_rate_first_sample_has_none_then_per_second_deltas():
    meter = RateMeter()
    assert meter.update(100.0, (5000, 40)) is None  # never the absolute total
    assert meter.update(101.0, (5010, 41)) == (10.0, 1.0)
    assert meter.update(103.0, (5030, 41)) == (10.0, 0.0)  # per second over a 2 s gap


def test_rate_after_a_total_goes_down_is_a_new_baseline():
    meter = RateMeter()
    meter.update(1.0, (100, 5))
    assert meter.update(2.0, (3, 0)) is None
    assert meter.update(3.0, (5, 0)) == (2.0, 0.0)


def test_rate_reset_makes_the_next_sample_a_first_sample():
    meter = RateMeter()
    meter.update(1.0, (10, 0))
    meter.reset()
    assert meter.update(2.0, (20, 0)) is None


def test_live_series_first_sample_plots_nothing_for_rates():
    series = LiveSeries(capacity=10)
    series.record(1.0, 9000, 12, 2, [QueuePoint("default", 3, 1.5)])
    series.record(2.0, 9004, 13, 1, [QueuePoint("default", 1, 0.2)])
    rates = series.rates.window(60).series
    assert math.isnan(rates["processed"][0]) and math.isnan(rates["failed"][0])
    assert rates["processed"][1] == 4.0 and rates["failed"][1] == 1.0
    assert series.busy.window(60).series["busy"].tolist() == [2.0, 1.0]
    assert series.sizes.window(60).series["default"].tolist() == [3.0, 1.0]
    assert series.latency.window(60).series["default"].tolist() == [1.5, 0.2]


def test_live_series_gap_breaks_lines_and_restarts_rates():
    series = LiveSeries(capacity=10)
    series.record(1.0, 10, 0, 0, [QueuePoint("q", 1, 0.0)])
    series.record(2.0, 12, 0, 0, [QueuePoint("q", 1, 0.0)])
    series.gap(3.0)
    series.record(10.0, 50, 0, 0, [QueuePoint("q", 2, 0.0)])
    processed = series.rates.window(60).series["processed"]
    assert processed[1] == 2.0
    assert math.isnan(processed[2]) and math.isnan(processed[3])  # the gap, then a first sample
    assert math.isnan(series.sizes.window(60).series["q"][2])
    assert len(series) == 4
