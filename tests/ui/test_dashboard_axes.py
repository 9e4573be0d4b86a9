"""The live graphs' scales: the y top moves in round steps, the x axis counts back from now."""

from __future__ import annotations

import pytest

from faktory_desktop.ui.dashboard.axes import MINUS, RecentAxis, ago_label
from faktory_desktop.ui.dashboard.graphs import nice_top


@pytest.mark.parametrize(("value", "top"), [
    (0.0, 1.0), (0.4, 1.0), (1.0, 1.0), (1.01, 1.2), (1.3, 1.5), (7.0, 8.0), (8.5, 10.0),
    (10.0, 10.0), (11.0, 12.0), (6_300.0, 8_000.0), (6_000.0, 6_000.0), (float("nan"), 1.0),
])
def test_nice_top_is_the_next_round_number(value, top):
    assert nice_top(value) == pytest.approx(top)


def test_nice_top_is_stable_under_small_changes():
    assert len({nice_top(v) for v in range(6_100, 7_900, 7)}) == 1


@pytest.mark.parametrize(("seconds", "step", "text"), [
    (0.0, 15, "now"), (-45.0, 15, f"{MINUS}45 s"), (-600.0, 120, f"{MINUS}10 min"),
    (-3600.0, 900, f"{MINUS}60 min"), (-0.2, 5, "now"),
])
def test_ago_labels(seconds, step, text):
    assert ago_label(seconds, step) == text


def test_recent_axis_ticks_end_at_now_and_fit_the_width(qtbot):
    axis = RecentAxis()
    wide = axis.tickValues(-60, 0, 1200)
    narrow = axis.tickValues(-60, 0, 200)
    (wide_step, wide_ticks), (narrow_step, narrow_ticks) = wide[0], narrow[0]
    assert wide_ticks[-1] == 0 and narrow_ticks[-1] == 0 and wide_ticks[0] == -60
    assert narrow_step > wide_step  # fewer labels where they would collide
    assert all(-60 <= t <= 0 for t in wide_ticks + narrow_ticks)
    hour = axis.tickValues(-3600, 0, 600)[0]
    assert axis.tickStrings(hour[1], 1.0, hour[0])[-1] == "now"
    assert all(label.endswith("min") for label in axis.tickStrings(hour[1], 1.0, hour[0])[:-1])
