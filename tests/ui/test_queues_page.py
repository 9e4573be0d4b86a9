"""The Queues page against a real server: what it lists, and pause, resume, clear and remove."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from faktory_desktop.core.api import QueueSummary
from faktory_desktop.core.records import Source
from faktory_desktop.ui.controller import NOTHING_TO_LIST
from faktory_desktop.ui.jobs.queues_page import QueuesPage
from faktory_desktop.ui.poller import Poller
from tests.ui.jobs_support import (
    answering,
    api,
    push,
    records,
)

pytestmark = pytest.mark.usefixtures("gui_widgets")


@pytest.fixture
def page(qtbot, controller, wait_until, client):
    for n in range(3):
        push(client, queue="mail", args=[n])
    push(client, queue="reports")
    page = QueuesPage(controller)
    qtbot.addWidget(page)
    page.resize(900, 500)
    page.show()
    wait_until(lambda: page.model.rowCount() == 2)
    return page


def select(page, *names):
    page.table.clearSelection()
    page.reselect(list(names))
    assert page.selected_names() == sorted(names)


def queues(controller) -> dict[str, QueueSummary]:
    return {q.name: q for q in api(controller, "queues")}


def cell(page, row, column):
    return page.proxy.index(row, column).data()


def test_lists_queues_with_size_latency_and_state(page):
    assert [cell(page, r, 0) for r in range(2)] == ["mail", "reports"]
    assert [cell(page, r, 1) for r in range(2)] == ["3", "1"]
    assert cell(page, 0, 3) == "active" and cell(page, 0, 2).endswith("s")
    assert page.summary.text() == "2 queues · 4 jobs waiting"
    assert not page.clear_action.isEnabled()  # nothing selected yet


def test_a_stopped_server_lists_no_queues_and_says_why(page, controller, run):
    run(controller.stop(), 60)
    assert page.stack.currentWidget() is page.empty and page.empty.text() == NOTHING_TO_LIST
    assert page.summary.text() == ""
    assert not any(action.isEnabled() for action in page.page_actions + page.table.actions())
    assert run(controller.start(), 60)
    run(page.refresh())
    assert page.stack.currentWidget() is page.table and page.summary.text().startswith("2 queues")
    assert all(action.isEnabled() for action in page.page_actions)  # "New job…", "Pause all"…
    assert not page.clear_action.isEnabled()  # a row action: nothing is selected


def test_follows_the_pollers_snapshots(qtbot, controller, wait_until, client):
    poller = Poller(controller, interval_ms=50)
    page = QueuesPage(controller, poller)
    qtbot.addWidget(page)
    poller.start()
    try:
        push(client, queue="fresh")
        wait_until(lambda: page.model.rowCount() == 1)
    finally:
        poller.stop()
    assert page.model.rows[0].name == "fresh"


def test_pause_toggles_to_resume_and_back(page, controller, run, wait_until):
    select(page, "mail")
    assert page.pause_action.text() == "Pause"
    page.pause_action.trigger()
    wait_until(lambda: queues(controller)["mail"].paused)
    wait_until(lambda: page.pause_action.text() == "Resume")
    assert cell(page, 0, 3) == "paused" and not queues(controller)["reports"].paused
    page.pause_action.trigger()
    wait_until(lambda: not queues(controller)["mail"].paused)
    wait_until(lambda: page.pause_action.text() == "Pause")
    assert page.message.text() == "Resumed queue mail."


def test_pause_all_and_resume_all(page, controller, run):
    run(page.pause_all(True))
    assert all(q.paused for q in queues(controller).values())
    run(page.pause_all(False))
    assert not any(q.paused for q in queues(controller).values())


def test_clear_asks_with_the_count_and_keeps_the_queue(page, controller, run):
    run(controller.call(controller.api.pause(["mail"])))
    run(page.refresh())
    select(page, "mail")
    with answering(False) as asked:
        assert run(page.clear_selected()) == 0
    assert "Delete all 3 jobs in queue mail?" in asked[0][1]
    assert queues(controller)["mail"].size == 3
    with answering(True):
        assert run(page.clear_selected()) == 3
    after = queues(controller)
    assert after["mail"].size == 0 and after["mail"].paused  # still known, still paused
    assert after["reports"].size == 1
    assert page.message.text() == "Deleted 3 jobs from queue mail."


def test_remove_forgets_the_queue_and_its_jobs(page, controller, run):
    select(page, "mail")
    with answering(True) as asked:
        run(page.remove_selected())
    assert "delete 3 jobs" in asked[0][1]
    assert list(queues(controller)) == ["reports"]
    assert records(controller, Source.of_queue("mail")) == []
    assert page.model.rowCount() == 1


def test_the_confirmation_is_a_real_non_blocking_dialog(qtbot, page, controller, run,
                                                        wait_until):
    select(page, "mail")
    task = page.tasks.spawn(page.clear_selected())
    boxes = []
    wait_until(lambda: boxes.extend(w for w in QApplication.topLevelWidgets()
                                    if isinstance(w, QMessageBox) and w.isVisible()) or boxes)
    box = boxes[0]
    assert "3 jobs" in box.informativeText()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert run(task) == 0
    assert queues(controller)["mail"].size == 3


def test_opening_a_queue_asks_for_its_browser(qtbot, page):
    index = page.proxy.index(1, 0)
    with qtbot.waitSignal(page.queueOpened) as opened:
        page.table.activated.emit(index)
    assert opened.args == ["reports"]
    select(page, "mail")
    page.table.setFocus()
    page.table.setCurrentIndex(page.proxy.index(0, 0))
    with qtbot.waitSignal(page.queueOpened) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == ["mail"]


def test_no_queues_shows_a_sentence(qtbot, controller, wait_until):
    page = QueuesPage(controller)
    qtbot.addWidget(page)
    page.show()
    wait_until(lambda: page.summary.text() != "")
    assert page.stack.currentWidget() is page.empty
    assert "appears here when a client pushes" in page.empty.text()
