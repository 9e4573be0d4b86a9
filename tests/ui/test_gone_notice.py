"""Jobs whose worker process has gone, on the Busy screen and the Workers page: the notice says
how many and when they come back by themselves, and Requeue now puts them back on their queue."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from faktory_desktop.core.gone import GoneJobs
from faktory_desktop.core.timefmt import NS, now_ns
from faktory_desktop.ui.job_screens import JobScreens
from faktory_desktop.ui.jobs.gone_notice import back_text
from faktory_desktop.ui.main_window import MainWindow
from faktory_desktop.ui.poller import Poller
from tests.ui.jobs_support import api, connect, push

pytestmark = pytest.mark.usefixtures("gui_widgets")
JOBS = 4


@pytest.fixture
def screens(controller):
    window = MainWindow()
    poller = Poller(controller, interval_ms=100)
    jobs = JobScreens(controller, poller, window)
    window.resize(1100, 600)
    window.show()
    yield jobs
    poller.stop()
    window.quit_on_close = True
    window.close()
    window.deleteLater()


def leave_with_jobs(controller, wait_until) -> None:
    """A worker process takes four jobs, then its connection drops (as when it is killed)."""
    producer = connect(controller)
    for _ in range(JOBS):
        push(producer, queue="mail")
    worker = connect(controller, wid="w-gone", hostname="box", pid=4242)
    for _ in range(JOBS):
        assert worker.call("FETCH mail").startswith(b"$")
    worker.close()
    producer.close()
    wait_until(lambda: api(controller, "gone_jobs").jobs == JOBS)


@pytest.mark.parametrize("screen", ["busy", "workers"])
def test_the_notice_names_the_gone_jobs_and_requeue_now_puts_them_back(
        screens, controller, wait_until, qtbot, screen):
    page = screens.browsers[1] if screen == "busy" else screens.workers
    notice = screens.gone_notices[0 if screen == "busy" else 1]
    screens.window.show_page(screens.window.pages.indexOf(page))
    leave_with_jobs(controller, wait_until)
    wait_until(lambda: notice.isVisible(), message="the notice to show")
    assert notice.label.text().startswith(f"{JOBS} jobs reserved by workers that have gone, "
                                          "back in their queues for a retry after ")
    if screen == "workers":
        assert page.summary.text() == "0 processes · 0 jobs in progress"
    with qtbot.waitSignal(notice.requeued) as requeued:
        qtbot.mouseClick(notice.button, Qt.MouseButton.LeftButton)
    assert requeued.args == [JOBS]
    assert {q.name: q.size for q in api(controller, "queues")} == {"mail": JOBS}
    assert api(controller, "stats").busy == 0
    wait_until(lambda: not notice.isVisible(), message="the notice to hide")
    assert page.message.text() == f"Put {JOBS} jobs back on their queues."


def test_the_notice_is_hidden_while_no_job_is_held_by_a_gone_worker(screens, controller,
                                                                     wait_until):
    screens.window.show_page(screens.window.pages.indexOf(screens.workers))
    worker = connect(controller, wid="w-here")
    push(connect(controller), queue="mail")
    assert worker.call("FETCH mail").startswith(b"$")
    wait_until(lambda: screens.workers.summary.text().endswith("1 job in progress"))
    QApplication.processEvents()
    assert not any(n.isVisible() for n in screens.gone_notices)
    worker.close()


def test_back_after_shows_the_date_only_when_it_is_not_today():
    soon = now_ns() + 60 * NS
    assert back_text(GoneJobs(1, 1, soon)).endswith(
        "1 job reserved by workers that have gone, back in their queues for a retry after "
        + time.strftime("%H:%M", time.localtime(soon // NS)))
    later = now_ns() + 3 * 86400 * NS
    assert back_text(GoneJobs(2, 1, later)).endswith(
        time.strftime("%Y-%m-%d %H:%M", time.localtime(later // NS)))


def test_dashboard_counts_jobs_in_the_card_and_processes_in_the_graph(
        controller, wait_until, dashboard, poller):
    page = dashboard
    poller.start()
    try:
        leave_with_jobs(controller, wait_until)
        wait_until(lambda: page.cards.text("busy") == str(JOBS))
        assert page.cards.cards["busy"].caption.text() == "IN PROGRESS"
        wait_until(lambda: "gone" in page.busy.title.text())
        assert page.busy.title.text() == (f"<b>Busy processes</b> · {JOBS} jobs reserved by "
                                          "workers that have gone")
        assert page.latest is not None and page.latest.busy_workers == 0  # no process holds them
    finally:
        poller.stop()
