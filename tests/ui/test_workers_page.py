"""The Workers page against a real server: it lists connected processes, and its Quiet and
Terminate reach a real client as the reply to its next BEAT."""

from __future__ import annotations

import pytest

from faktory_desktop.core import humanize
from faktory_desktop.core.workers import WorkerState
from faktory_desktop.ui.jobs.workers_page import EMPTY_TEXT, WorkersPage
from tests.ui.jobs_support import answering, api, connect

QUIET = b'$17\r\n{"state":"quiet"}\r\n'
TERMINATE = b'$21\r\n{"state":"terminate"}\r\n'


pytestmark = pytest.mark.usefixtures("gui_widgets")


@pytest.fixture
def workers(controller):
    clients = {wid: connect(controller, wid=wid, hostname=f"host-{wid}", pid=pid,
                            labels=["ruby", "blue"])
               for wid, pid in (("w-alpha", 101), ("w-beta", 202))}
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture
def page(qtbot, controller, wait_until, workers):
    page = WorkersPage(controller)
    qtbot.addWidget(page)
    page.resize(1000, 400)
    page.show()
    wait_until(lambda: page.model.rowCount() == 2)
    return page


def select(page, *wids):
    page.table.clearSelection()
    page.reselect(set(wids))
    assert [w.wid for w in page.selected()] == sorted(wids)


def state(controller, wid):
    return next(w.state for w in api(controller, "workers") if w.wid == wid)


def test_lists_connected_processes(page, workers):
    row = [page.proxy.index(0, c).data() for c in range(9)]
    assert row[:4] == ["w-alpha", "host-w-alpha", "101", "ruby, blue"]
    assert row[5] in ("just now", "1 s ago") and row[6] == "running"
    assert row[7] == "0 KB" and row[8] == "0"
    assert page.summary.text() == "2 processes · 0 jobs in progress"


def test_rss_follows_faktorys_rule():
    assert humanize.rss(99_999) == "99999 KB"
    assert humanize.rss(100_000) == "97.7 MB"
    assert humanize.rss(9_999_999) == "9765.6 MB"
    assert humanize.rss(10_000_000) == "9.5 GB"


def test_quiet_reaches_the_workers_beat(page, controller, wait_until, workers):
    select(page, "w-alpha")
    page.quiet_action.trigger()
    wait_until(lambda: state(controller, "w-alpha") is WorkerState.QUIET)
    assert workers["w-alpha"].call('BEAT {"wid":"w-alpha"}') == QUIET
    assert workers["w-beta"].call('BEAT {"wid":"w-beta"}') == b"+OK\r\n"
    wait_until(lambda: page.proxy.index(0, 6).data() == "quiet")
    assert not page.quiet_action.isEnabled()  # already quiet
    assert "w-alpha" in page.message.text() and "next heartbeat" in page.message.text()


def test_terminate_asks_then_reaches_the_workers_beat(page, controller, run, workers):
    select(page, "w-beta")
    with answering(False):
        run(page.signal_selected(WorkerState.TERMINATE))
    assert workers["w-beta"].call('BEAT {"wid":"w-beta"}') == b"+OK\r\n"
    with answering(True) as asked:
        run(page.signal_selected(WorkerState.TERMINATE))
    assert "w-beta" in asked[0][1]
    assert workers["w-beta"].call('BEAT {"wid":"w-beta"}') == TERMINATE
    assert page.proxy.index(1, 6).data() == "terminate"


def test_quiet_all_and_terminate_all(page, controller, run, workers):
    with answering(True):
        run(page.signal_all(WorkerState.QUIET))
    for wid, client in workers.items():
        assert client.call(f'BEAT {{"wid":"{wid}"}}') == QUIET
    with answering(True) as asked:
        run(page.signal_all(WorkerState.TERMINATE))
    assert asked[0][0] == "Terminate all workers?"
    for wid, client in workers.items():
        assert client.call(f'BEAT {{"wid":"{wid}"}}') == TERMINATE


def test_refreshes_while_shown_and_says_when_there_are_none(qtbot, controller, wait_until):
    page = WorkersPage(controller)
    qtbot.addWidget(page)
    page.show()
    assert page.timer.isActive()
    wait_until(lambda: page.summary.text() != "")
    assert page.stack.currentWidget() is page.empty and page.empty.text() == EMPTY_TEXT
    with connect(controller, wid="w-late", hostname="h", pid=1):
        wait_until(lambda: page.model.rowCount() == 1)  # the 2 s timer found it
    page.hide()
    assert not page.timer.isActive()


def test_durations_and_relative_times_read_naturally():
    second = 1_000_000_000
    assert [humanize.span(s) for s in (0, 0.4, 59, 60, 3599, 3600, 3660, 90000)] == \
        ["0 s", "< 1 s", "59 s", "1 min", "59 min", "1 h", "1 h 1 min", "1 d 1 h"]
    assert humanize.ago(0, now=0) == "just now"
    assert humanize.ago(0, now=125 * second) == "2 min ago"
    assert humanize.ago(7200 * second + 300 * second, now=0) == "in 2 h"
    assert humanize.stamp("not a time") == humanize.INVALID and humanize.stamp("") == ""
