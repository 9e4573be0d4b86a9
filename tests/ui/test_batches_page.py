"""The Batches page against a real server: batches made over FWP are listed with their numbers
and callbacks, the detail finds each job wherever it is, and Delete / Retry reach the engine."""

from __future__ import annotations

import pytest

from faktory_desktop.core.records import RETRIES, Source
from faktory_desktop.ui.batches.page import EMPTY_TEXT, BatchesPage
from tests.enterprise.ent import batch_new, callback, custom_job, fetch, rfc3339
from tests.integration.wire import ack, fail
from tests.ui.jobs_support import answering, api, records

pytestmark = pytest.mark.usefixtures("gui_widgets")


def push_in(client, bid, jobtype="Resize", **extra):
    job = custom_job({"bid": bid}, jobtype, **extra)
    assert client.push(job) == b"+OK\r\n"
    return job["jid"]


@pytest.fixture
def batches(client):
    """A parent batch with one child whose jobs are in a queue, Scheduled, Retries and Busy."""
    parent = batch_new(client, description="Nightly import", complete=callback("ImportDone"),
                       success=callback("ImportOk"))
    child = batch_new(client, description="Resize images", parent_bid=parent,
                      success=callback("ResizeDone"))
    jids = {"busy": push_in(client, child, queue="images", args=[1]),
            "retry": push_in(client, child, queue="images", args=[2])}
    assert fetch(client, "images")["jid"] == jids["busy"]
    assert fetch(client, "images")["jid"] == jids["retry"]
    assert fail(client, jids["retry"], errtype="IOError", message="disk full") == b"+OK\r\n"
    jids["queued"] = push_in(client, child, queue="images", args=[3])
    jids["later"] = push_in(client, child, queue="images", args=[4], at=rfc3339(3600))
    done = push_in(client, child, queue="done", args=[5])
    assert ack(client, fetch(client, "done")["jid"]) == b"+OK\r\n" and done
    for bid in (child, parent):
        assert client.call(f"BATCH COMMIT {bid}") == b"+OK\r\n"
    return {"parent": parent, "child": child, **jids}


@pytest.fixture
def page(qtbot, controller, wait_until):
    page = BatchesPage(controller)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    return page


def cells(page, row):
    return [page.proxy.index(row, c).data() for c in range(page.model.columnCount())]


def listed(page, wait_until, n):
    wait_until(lambda: page.model.rowCount() == n)


def test_empty_state_explains_what_a_batch_is(page, wait_until):
    wait_until(lambda: page.stack.currentWidget() is page.empty)
    assert page.empty.text() == EMPTY_TEXT and "callback" in EMPTY_TEXT
    assert "0 batches" in page.summary.text()


def test_list_shows_numbers_progress_and_callbacks(batches, page, wait_until):
    listed(page, wait_until, 2)
    rows = {cells(page, r)[0]: cells(page, r) for r in range(2)}
    child = rows["Resize images"]
    assert child[2:6] == ["5", "4", "1", "1 of 5 done"]
    assert child[6] == "success: not fired"
    parent = rows["Nightly import"]
    assert parent[2:4] == ["0", "0"]  # waits for its child only
    assert parent[6] == "complete: not fired, success: not fired"
    assert page.summary.text() == "2 batches · 4 jobs pending"


def test_detail_finds_each_job_where_it_is_and_links_the_family(batches, page, wait_until):
    listed(page, wait_until, 2)
    page.show_batch(batches["child"])
    detail = page.detail
    wait_until(lambda: detail.detail is not None and detail.jobs.rowCount() == 4)
    where = {detail.jobs.item(r, 2).text(): detail.jobs.item(r, 0).text() for r in range(4)}
    assert where == {batches["busy"]: "Busy (in progress)", batches["retry"]: "Retries",
                     batches["queued"]: "queue images", batches["later"]: "Scheduled"}
    assert batches["parent"] in detail.parent_link.text()
    assert "Nightly import" in detail.parent_link.text()
    assert page.selected().bid == batches["child"]  # selected in the list too
    detail.parent_link.linkActivated.emit(batches["parent"])  # a click on the link
    wait_until(lambda: detail.detail is not None and detail.detail.batch.bid == batches["parent"])
    assert "Resize images" in detail.children_links.text()
    assert f"href='{batches['child']}'" in detail.children_links.text()
    assert detail.jobs.rowCount() == 0


def test_retry_pending_jobs_reaches_the_engine(batches, page, controller, run, wait_until):
    listed(page, wait_until, 2)
    page.show_batch(batches["child"])
    wait_until(lambda: page.detail.detail is not None and page.retry_action.isEnabled())
    with answering(False):
        assert run(page.retry_selected()) == 0
    assert [r.jid for r in records(controller, RETRIES)] == [batches["retry"]]
    with answering(True) as asked:
        assert run(page.retry_selected()) == 2  # the retry and the scheduled job
    assert "Resize images" in asked[0][1]
    assert records(controller, RETRIES) == []
    queued = {r.jid for r in records(controller, Source.of_queue("images"))}
    assert queued == {batches["retry"], batches["later"], batches["queued"]}
    assert page.message.text() == "Enqueued 2 jobs of the batch now."
    where = {page.detail.jobs.item(r, 2).text(): page.detail.jobs.item(r, 0).text()
             for r in range(page.detail.jobs.rowCount())}
    assert where[batches["retry"]] == where[batches["later"]] == "queue images"


def test_detail_is_read_again_only_when_the_batch_changes(batches, page, client, run,
                                                          wait_until):
    """Finding a batch's jobs scans every queue: a tick that changes nothing does not."""
    listed(page, wait_until, 2)
    page.show_batch(batches["child"])
    wait_until(lambda: page.detail.detail is not None)
    shown = page.detail.detail
    run(page.refresh())
    assert page.detail.detail is shown
    push_in(client, batches["child"], queue="images", args=[6])
    run(page.refresh())
    assert page.detail.detail is not shown and page.detail.detail.batch.total == 6
    assert page.detail.jobs.rowCount() == 5


def test_delete_batch_asks_then_reaches_the_engine(batches, page, client, run, wait_until):
    listed(page, wait_until, 2)
    page.show_batch(batches["child"])
    wait_until(lambda: page.detail.detail is not None and page.delete_action.isEnabled())
    with answering(False):
        assert not run(page.delete_selected())
    assert client.call_json(f"BATCH STATUS {batches['child']}")["total"] == 5
    with answering(True) as asked:
        assert run(page.delete_selected())
    assert "cannot be undone" in asked[0][1]
    assert client.call(f"BATCH STATUS {batches['child']}") == (
        f"-ERR No such batch {batches['child']}\r\n".encode())
    assert page.model.rowCount() == 1 and page.detail.detail is None
    assert api(page.controller, "size", Source.of_queue("images")) == 1  # jobs stay


def test_a_stopped_server_lists_nothing_and_says_why(batches, page, controller, run,
                                                    wait_until):
    listed(page, wait_until, 2)
    page.show_batch(batches["child"])
    wait_until(lambda: page.delete_action.isEnabled())
    run(controller.stop(), 60)
    run(page.refresh())
    assert page.stack.currentWidget() is page.empty
    assert page.empty.text() == controller.unavailable_text()
    assert page.detail.detail is None
    assert not page.delete_action.isEnabled() and not page.retry_action.isEnabled()
