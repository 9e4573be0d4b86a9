"""The Dashboard page against a real server: jobs pushed, fetched, acked and failed by a raw FWP
client show up in the cards, the live graphs and the daily history."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from faktory_desktop.ui.dashboard import DashboardPage
from tests.fwp import RawClient, job

_jids = itertools.count()


@pytest.fixture
def page(dashboard: DashboardPage) -> DashboardPage:
    return dashboard  # every page test here calls its page `page`


def push(client: RawClient, queue: str = "default") -> str:
    jid = f"dashjob{next(_jids):04d}"
    assert client.push(job(jid, queue=queue)) == b"+OK\r\n"
    return jid


def fetch(client: RawClient, queue: str = "default") -> str:
    return client.call_json(f"FETCH {queue}")["jid"]


def ys(graph, name: str) -> np.ndarray:
    _x, y = graph.curves[name].getOriginalDataset()
    return np.asarray(y if y is not None else [], dtype=float)


def has_positive(graph, name: str) -> bool:
    values = ys(graph, name) if name in graph.curves else np.array([])
    return bool(len(values)) and bool(np.nanmax(values, initial=0) > 0)


def samples_after(page: DashboardPage, extra: int):
    target = len(page.series) + extra
    return lambda: len(page.series) >= target


def test_placeholder_until_the_first_snapshot(page, poller, wait_until):
    assert page.stack.currentWidget() is page.placeholder
    assert page.placeholder.text().startswith("Waiting for the server…")
    poller.start()
    wait_until(lambda: page.stack.currentIndex() == 1, message="the graphs never replaced it")
    assert page.cards.text("enqueued") == "0"


def test_placeholder_while_the_server_is_stopped(page, poller, controller, run, wait_until):
    poller.start()
    wait_until(lambda: page.stack.currentIndex() == 1)
    run(controller.stop(), 60)
    assert page.stack.currentWidget() is page.placeholder
    assert "stopped" in page.placeholder.text()
    assert run(controller.start(), 60)
    wait_until(lambda: page.stack.currentIndex() == 1, message="no graphs after a restart")


def test_pushed_job_shows_in_enqueued_card_and_queue_graph(page, poller, client, wait_until):
    poller.start()
    push(client, "critical")
    wait_until(lambda: page.cards.text("enqueued") == "1",
               message=f"enqueued reads {page.cards.text('enqueued')!r}")
    wait_until(lambda: "critical" in page.sizes.curves and ys(page.sizes, "critical")[-1] == 1)
    assert "critical" in page.latency.curves
    assert page.queue_list.names() == ["critical"]


def test_ack_counts_processed_and_a_per_second_rate(page, poller, client, wait_until):
    poller.start()
    wait_until(samples_after(page, 2))  # a baseline first: the ack must show up as a delta
    push(client)
    client.call(f'ACK {{"jid":"{fetch(client)}"}}')
    wait_until(lambda: page.cards.text("processed") == "1")
    wait_until(lambda: has_positive(page.throughput, "processed"),
               message="no per-second processed point")
    assert not has_positive(page.throughput, "failed")
    push(client)
    client.call(f'FAIL {{"jid":"{fetch(client)}","errtype":"E","message":"boom"}}')
    wait_until(lambda: page.cards.text("failed") == "1")
    wait_until(lambda: has_positive(page.throughput, "failed"), message="no failed point")


def test_first_sample_never_plots_the_absolute_total(page, poller, client, wait_until):
    for _ in range(3):
        push(client)
        client.call(f'ACK {{"jid":"{fetch(client)}"}}')
    poller.start()
    wait_until(samples_after(page, 3))
    processed = ys(page.throughput, "processed")
    assert np.isnan(processed[0])
    assert np.nanmax(processed) == 0  # no spike of 3: nothing was processed while we watched
    assert page.cards.text("processed") == "3"


def test_curves_are_updated_in_place(page, poller, client, wait_until):
    poller.start()
    push(client)
    wait_until(lambda: "default" in page.sizes.curves)
    curve, rate = page.sizes.curves["default"], page.throughput.curves["processed"]
    wait_until(samples_after(page, 3))
    assert page.sizes.curves["default"] is curve and page.throughput.curves["processed"] is rate


def test_toggling_a_queue_hides_and_shows_its_lines(page, poller, client, wait_until):
    poller.start()
    push(client, "alpha")
    push(client, "beta")
    wait_until(lambda: {"alpha", "beta"} <= page.sizes.curves.keys())
    page.queue_list.set_shown("alpha", False)
    assert not page.sizes.is_shown("alpha") and not page.latency.is_shown("alpha")
    assert page.sizes.is_shown("beta")
    wait_until(samples_after(page, 2))
    assert not page.sizes.is_shown("alpha")  # stays hidden while the data flows
    page.queue_list.set_shown("alpha", True)
    assert page.sizes.is_shown("alpha") and page.latency.is_shown("alpha")


def test_a_removed_queue_loses_its_line(page, poller, client, controller, run, wait_until):
    poller.start()
    push(client, "doomed")
    push(client, "kept")
    wait_until(lambda: {"doomed", "kept"} <= page.sizes.curves.keys())
    run(controller.call(controller.api.clear_queue("doomed")))
    wait_until(lambda: "doomed" not in page.sizes.curves, message="the line stayed")
    assert "doomed" not in page.latency.curves and page.queue_list.names() == ["kept"]


@pytest.fixture
def sample(page, controller, run):
    """`sample(processed)`: one snapshot of the real server's, a second after the last one (on
    the page's own clock), with the processed total given."""
    base = run(controller.call(controller.api.snapshot()))
    now = [1_700_000_000.0]
    page.clock = lambda: now[0]

    def feed(processed: int) -> None:
        now[0] += 1
        page.on_snapshot(replace(base, stats=replace(base.stats, processed=processed)))

    return feed


def test_window_sizes_change_the_x_range_shown(page, sample):
    for n in range(700):  # 700 s of samples, one a second
        sample(n)
    ago = page.throughput.curves["processed"].getOriginalDataset()[0]
    assert page.throughput.x_range() == pytest.approx((-60, 0))
    assert ago[0] >= -60 and ago[-1] == 0
    page.window_picker.select(600)
    assert page.window_seconds == 600
    ago = page.throughput.curves["processed"].getOriginalDataset()[0]
    assert page.throughput.x_range() == pytest.approx((-600, 0))
    assert ago[0] == -600 and len(ago) == 601
    page.set_window(3600)
    ago = page.busy.curves["busy"].getOriginalDataset()[0]
    assert page.busy.x_range() == pytest.approx((-3600, 0))
    assert len(ago) == 700  # all there is
    assert np.nanmax(ys(page.throughput, "processed")) == 1.0


def test_axes_stay_still_while_samples_flow_in(page, sample):
    """A new sample moves the data, not the axes: their drawing is kept (the GUI's main cost)."""
    for n in range(0, 400, 40):  # a steady 40 jobs/s
        sample(n)
    axes = [page.throughput.plot.getPlotItem().getAxis(side) for side in ("bottom", "left")]
    ranges = [tuple(axis.range) for axis in axes]
    labels = [axes[0].tickStrings(values, 1.0, spacing)
              for spacing, values in axes[0].tickValues(-60, 0, 600)]
    sample(400)
    sample(442)  # 42 jobs/s: still under the same round top (50)
    assert [tuple(axis.range) for axis in axes] == ranges
    assert labels[0][-1] == "now" and labels[0][0].endswith(" s")
    sample(442 + 139)  # a burst: the y axis grows to a round number above it
    assert axes[1].range[1] == pytest.approx(150.0)
    assert tuple(axes[0].range) == ranges[0]


def test_hidden_page_records_but_does_not_redraw(page, poller, client, wait_until):
    poller.start()
    wait_until(lambda: page.stack.currentIndex() == 1)
    page.hide()
    push(client)
    wait_until(lambda: page.latest is not None and page.latest.stats.enqueued == 1)
    wait_until(samples_after(page, 2))
    assert page.cards.text("enqueued") == "0" and "default" not in page.sizes.curves
    page.show()
    assert page.cards.text("enqueued") == "1" and ys(page.sizes, "default")[-1] == 1


def test_history_shows_today_and_is_not_polled_every_second(
        page, poller, client, controller, wait_until, monkeypatch):
    calls: list[int] = []
    original = controller.api.history

    def counting(days: int):
        calls.append(days)
        return original(days)

    monkeypatch.setattr(controller.api, "history", counting)
    poller.start()
    push(client)
    client.call(f'ACK {{"jid":"{fetch(client)}"}}')
    wait_until(lambda: page.cards.text("processed") == "1")
    page.hide()
    page.show()  # shown again: the history is fetched
    wait_until(lambda: page.history.today() == (1, 0), message=f"today: {page.history.today()}")
    assert page.history.processed_bars.opts["height"][-1] == 1
    assert "1 processed" in page.history.summary.text()
    fetched = len(calls)
    wait_until(samples_after(page, 5))
    assert len(calls) == fetched  # five snapshots, no history fetch
    page.history.picker.select(30)
    wait_until(lambda: len(page.history.rows) == 30)
    assert calls[-1] == 30 and page.history.today() == (1, 0)


def test_a_minimized_window_records_but_does_not_redraw(page, sample):
    sample(0)
    sample(5)
    assert ys(page.throughput, "processed")[-1] == 5
    page.showMinimized()
    assert page.isVisible() and not page.on_screen()
    sample(12)
    assert ys(page.throughput, "processed")[-1] == 5 and page.cards.text("processed") == "5"
    page.showNormal()
    sample(20)
    assert list(ys(page.throughput, "processed")[-3:]) == [5, 7, 8]  # nothing was lost
    assert page.cards.text("processed") == "20"


def test_todays_bar_grows_with_the_live_counters_without_a_fetch(
        page, poller, client, controller, wait_until, monkeypatch):
    poller.start()
    wait_until(lambda: page.history.today() == (0, 0))  # fetched once, when shown
    calls: list[int] = []
    original = controller.api.history
    monkeypatch.setattr(controller.api, "history", lambda days: calls.append(days) or
                        original(days))
    for _ in range(3):
        push(client)
    client.call(f'ACK {{"jid":"{fetch(client)}"}}')
    client.call(f'ACK {{"jid":"{fetch(client)}"}}')
    client.call(f'FAIL {{"jid":"{fetch(client)}","errtype":"E","message":"m"}}')
    wait_until(lambda: page.cards.text("processed") == "3")
    wait_until(lambda: page.history.today() == (3, 1), message=f"today: {page.history.today()}")
    assert page.history.processed_bars.opts["height"][-1] == 3
    assert "3 processed · 1 failed" in page.history.summary.text()
    assert calls == []  # the poll fed it, not a fetch of the whole span
    latest = page.latest
    assert latest is not None and latest.today is not None
    assert latest.today[1:] == (latest.stats.processed, latest.stats.failed)  # one read
