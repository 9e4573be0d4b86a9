"""The job screens wired together: a queue opens in the browser, a job opens its detail and
editor, and two selected jobs open side by side."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication

from faktory_desktop.core.records import Source
from faktory_desktop.ui.job_screens import JobScreens
from faktory_desktop.ui.jobs.detail import JobDetailDialog
from faktory_desktop.ui.jobs.diff import JobDiffDialog
from faktory_desktop.ui.jobs.editor import JobEditorDialog
from faktory_desktop.ui.main_window import MainWindow
from faktory_desktop.ui.poller import Poller
from tests.enterprise.ent import batch_new, callback
from tests.ui.jobs_support import connect, push, records


@pytest.fixture
def screens(controller):
    window = MainWindow()
    poller = Poller(controller, interval_ms=100)
    jobs = JobScreens(controller, poller, window)
    window.show()
    yield jobs
    poller.stop()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, JobDetailDialog | JobEditorDialog | JobDiffDialog):
            widget.close()
    window.quit_on_close = True
    window.close()
    window.deleteLater()


def _dialogs(kind):
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_opening_a_queue_browses_it_and_names_it_in_the_sidebar(screens, controller,
                                                                wait_until):
    client = connect(controller)
    jid = push(client, queue="mailers")
    screens.open_queue("mailers")
    assert screens.queue.source == Source.of_queue("mailers")
    assert screens.window.pages.currentWidget() is screens.queue
    assert screens.window.sidebar.currentItem().text() == "Queue · mailers"
    wait_until(lambda: screens.queue.model.total == 1)
    assert [r.jid for r in records(controller, Source.of_queue("mailers"))] == [jid]


def test_a_job_opens_its_detail_then_the_editor(screens, controller, wait_until):
    client = connect(controller)
    push(client, queue="default")
    record = records(controller, Source.of_queue("default"))[0]
    screens.queue.openRequested.emit(record)
    wait_until(lambda: len(_dialogs(JobDetailDialog)) == 1)
    _dialogs(JobDetailDialog)[0].editRequested.emit(record)
    wait_until(lambda: len(_dialogs(JobEditorDialog)) == 1)


def test_two_selected_jobs_open_side_by_side(screens, controller, wait_until):
    client = connect(controller)
    push(client, args=[1])
    push(client, args=[2])
    screens.open_queue("default")
    browser = screens.queue
    wait_until(lambda: browser.model.total == 2)
    browser.compare_selected()  # nothing selected: a message, no dialog
    assert not _dialogs(JobDiffDialog)
    selection = browser.table.selectionModel()
    for row in (0, 1):
        selection.select(browser.model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)
    browser.compare_selected()
    wait_until(lambda: len(_dialogs(JobDiffDialog)) == 1)


def test_a_batch_link_in_a_job_detail_opens_the_batches_screen_on_it(screens, controller,
                                                                      wait_until):
    client = connect(controller)
    bid = batch_new(client, description="Thumbnails", success=callback("Done"))
    jid = push(client, queue="work", custom={"bid": bid})
    screens.open_job(records(controller, Source.of_queue("work"))[0])
    detail = _dialogs(JobDetailDialog)[0]
    wait_until(lambda: detail.ent_box is not None and detail.ent_box.isVisible())
    detail.ent_box.batch.linkActivated.emit(bid)  # a click on the link
    assert screens.window.pages.currentWidget() is screens.batches
    shown = screens.batches.detail
    wait_until(lambda: shown.detail is not None and shown.jobs.rowCount() == 1)
    assert shown.detail.batch.bid == bid and shown.jobs.item(0, 2).text() == jid
    shown.jobs.cellDoubleClicked.emit(0, 0)  # a batch's job opens its detail
    wait_until(lambda: len(_dialogs(JobDetailDialog)) == 2)
