"""The job browser against a real server: paging over 100k jobs, the filter, bulk and selection
actions with their confirmations, JSONL export and import, the keys, and the live refresh."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from faktory_desktop.core.api import Action
from faktory_desktop.core.records import BUSY, DEAD, RETRIES, SCHEDULED, Source
from faktory_desktop.ui import confirm
from faktory_desktop.ui.controller import NOTHING_TO_LIST
from faktory_desktop.ui.jobs import import_export
from faktory_desktop.ui.jobs.browser import JobBrowserPage
from faktory_desktop.ui.jobs.model import PLACEHOLDER
from tests.conftest import new_jid
from tests.fwp import RawClient, job

BIG = int(os.environ.get("BROWSER_TEST_JOBS", 100_000))
BATCH = 1_000


@pytest.fixture
def producer(controller):
    with RawClient("127.0.0.1", controller.port) as client:
        assert client.hello() == b"+OK\r\n"
        yield client


@pytest.fixture
def answers():
    """Answer every confirmation with yes, and keep the questions asked."""
    asked: list[tuple[str, str]] = []
    confirm.set_answerer(lambda title, text: asked.append((title, text)) or True)
    yield asked
    confirm.set_answerer(None)


@pytest.fixture
def open_page(qtbot, controller, wait_until):
    def make(source: Source) -> JobBrowserPage:
        page = JobBrowserPage(controller, source)
        qtbot.addWidget(page)
        page.resize(1100, 700)
        page.show()
        qtbot.waitExposed(page)
        wait_until(lambda: page._loaded, message="the first page never arrived")
        return page

    return make


def push_bulk(client: RawClient, jobs: list[dict]) -> None:
    for start in range(0, len(jobs), BATCH):
        reply = client.call(b"PUSHB " + json.dumps(jobs[start:start + BATCH]).encode())
        assert reply == b"$2\r\n{}\r\n", reply


def fail(client: RawClient, jobtype: str, args: list, message: str = "boom") -> str:
    jid = new_jid()
    client.push(job(jid, jobtype, args=args, queue="work"))
    assert json.loads(client.call("FETCH work").split(b"\r\n")[1])["jid"] == jid
    report = {"jid": jid, "errtype": "RuntimeError", "message": message}
    assert client.call("FAIL " + json.dumps(report)) == b"+OK\r\n"
    return jid


def api_call(controller, run, method: str, *args):
    return run(controller.call(getattr(controller.api, method)(*args)))


def show_row(page: JobBrowserPage, wait_until, row: int):
    """Scroll the table to `row` and wait until its job is loaded; returns the record."""
    page.table.scrollTo(page.model.index(row, 0))
    wait_until(lambda: page.model.record(row) is not None, message=f"row {row} never loaded")
    return page.model.record(row)


# -- paging ---------------------------------------------------------------------------------------

def test_browsers_page_correctly_over_100k_jobs(producer, open_page, wait_until):
    push_bulk(producer, [job(f"big-{i:08d}", args=[i], queue="big") for i in range(BIG)])
    push_bulk(producer, [job(f"set-{i:08d}", args=[i], at=f"2099-01-{1 + i // 86400:02d}T"
                             f"{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z")
                         for i in range(BIG)])
    page = open_page(Source.of_queue("big"))
    assert page.model.rowCount() == BIG
    assert page.model.data(page.model.index(BIG - 1, 0)) == PLACEHOLDER  # not read yet
    for row in (0, BIG // 2, BIG - 1):  # a queue: newest first
        assert show_row(page, wait_until, row).jid == f"big-{BIG - 1 - row:08d}"
    assert page.model.fetches <= 6  # only the pages shown were read
    page.set_source(SCHEDULED)
    wait_until(lambda: page.model.rowCount() == BIG)
    for row in (0, BIG // 2 + 7, BIG - 1):  # a set: earliest first
        assert show_row(page, wait_until, row).jid == f"set-{row:08d}"
    page.flip_order()
    wait_until(lambda: page.model.rowCount() == BIG)
    assert show_row(page, wait_until, 3).jid == f"set-{BIG - 4:08d}"


# -- filter ---------------------------------------------------------------------------------------

def apply_filter(page: JobBrowserPage, wait_until, jobtype="", jid="", text="") -> list[str]:
    bar = page.filter_bar
    bar.jobtype.setText(jobtype)
    bar.jid.setText(jid)
    bar.text.setText(text)
    bar.apply()
    if page.filter.empty:
        wait_until(lambda: not page.model.filtered and page._loaded)
        return []
    wait_until(lambda: page._found is not None and page._scan is None, message="scan hung")
    return [page.model.record(r).jid for r in range(page.model.rowCount())]


def test_filter_finds_the_right_jobs(producer, open_page, wait_until):
    jobs = [job(f"flt-{i:06d}", ("Mailer", "Billing", "Resize")[i % 3],
                args=[f"user{i}@example.com" if i % 7 == 0 else i], queue="mixed")
            for i in range(3000)]
    push_bulk(producer, jobs)
    page = open_page(Source.of_queue("mixed"))
    mailers = apply_filter(page, wait_until, jobtype="Mailer")
    assert sorted(mailers) == sorted(j["jid"] for j in jobs if j["jobtype"] == "Mailer")
    assert page.filter_bar.status.text() == "Matches: 1,000"
    assert apply_filter(page, wait_until, jid="flt-001234") == ["flt-001234"]
    by_args = apply_filter(page, wait_until, jobtype="Billing", text="@EXAMPLE.com")
    assert sorted(by_args) == sorted(j["jid"] for j in jobs if j["jobtype"] == "Billing"
                                     and isinstance(j["args"][0], str))
    assert apply_filter(page, wait_until, text="no such text") == []
    assert page.ui.empty.text() == "No jobs match the filter."
    apply_filter(page, wait_until)  # cleared: every job again
    wait_until(lambda: page.model.rowCount() == 3000)


def test_filter_finds_text_in_the_error(producer, open_page, wait_until):
    wanted = {fail(producer, "Charge", [i], "card declined") for i in range(5)}
    for i in range(8):
        fail(producer, "Charge", [i], "timeout")
    page = open_page(RETRIES)
    assert set(apply_filter(page, wait_until, text="DECLINED")) == wanted
    assert set(apply_filter(page, wait_until, text="RuntimeError: card")) == wanted


# -- actions --------------------------------------------------------------------------------------

def test_bulk_kill_by_filter_moves_exactly_the_matching_jobs(producer, open_page, wait_until,
                                                             controller, run, answers):
    mails = {fail(producer, "Mail", [i]) for i in range(30)}
    bills = {fail(producer, "Bill", [i]) for i in range(20)}
    page = open_page(RETRIES)
    apply_filter(page, wait_until, jobtype="Mail")
    page.ui.scope.setCurrentIndex(1)
    page.ui.buttons[Action.KILL].click()
    wait_until(lambda: page.message.text().startswith("Killed"), message=page.message.text())
    assert answers == [("Kill 30 jobs?", "Kill all 30 jobs in Retries matching job type “Mail”? "
                        "They move to Dead, where they stay 180 days.")]
    assert page.message.text() == "Killed 30 jobs: now in Dead."
    assert {r.jid for r in api_call(controller, run, "page", DEAD, 0, 100).records} == mails
    assert {r.jid for r in api_call(controller, run, "page", RETRIES, 0, 100).records} == bills
    wait_until(lambda: page.filter_bar.status.text() == "Matches: 0")  # re-counted


def test_delete_selection_asks_with_the_count(producer, open_page, wait_until, qtbot,
                                              controller, run):
    push_bulk(producer, [job(f"sel-{i:04d}", queue="sel") for i in range(10)])
    page = open_page(Source.of_queue("sel"))
    page.table.setFocus()
    for key in "xjjx":  # select rows 0 and 2
        qtbot.keyClick(page.table, key)
    assert page.selected_rows() == [0, 2]
    qtbot.keyClick(page.table, "D", Qt.KeyboardModifier.ShiftModifier)
    wait_until(lambda: _dialog(page) is not None, message="no confirmation")
    box = _dialog(page)
    assert box.text() == "Delete 2 jobs?"
    assert "2 selected jobs in queue “sel”" in box.informativeText()
    next(b for b in box.buttons() if b.text() == "Delete").click()
    wait_until(lambda: page.message.text() == "Deleted 2 jobs.", message=page.message.text())
    left = {r.jid for r in api_call(controller, run, "page", Source.of_queue("sel"), 0, 20).records}
    assert left == {f"sel-{i:04d}" for i in range(10)} - {"sel-0009", "sel-0007"}


def _dialog(page) -> QMessageBox | None:
    boxes = [b for b in page.findChildren(QMessageBox, "confirmDialog") if b.isVisible()]
    return boxes[0] if boxes else None


# -- import and export ----------------------------------------------------------------------------

def test_export_then_import_round_trips(producer, open_page, wait_until, controller, run,
                                        tmp_path, answers):
    for i in range(40):
        fail(producer, "Mail" if i % 4 else "Bill", [f"user{i}"])
    page = open_page(RETRIES)
    before = {r.payload for r in api_call(controller, run, "page", RETRIES, 0, 100).records}
    path = tmp_path / "retries.jsonl"
    assert run(import_export.export_to(page, path)) == 40
    assert set(path.read_bytes().splitlines()) == before
    api_call(controller, run, "clear_set", RETRIES)
    report = run(import_export.import_from(page, path))
    assert report.added == 40 and page.message.text() == "Imported 40 jobs into Retries."
    after = {r.payload for r in api_call(controller, run, "page", RETRIES, 0, 100).records}
    assert after == before


def test_rejected_import_lines_are_reported(open_page, run, tmp_path: Path):
    page = open_page(SCHEDULED)
    path = tmp_path / "in.jsonl"
    lines = [job("abcdefgh01", args=[], at="2099-01-01T00:00:00Z"), "oops",
             job("abcdefgh02", args=[])]
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines))
    report = run(import_export.import_from(page, path))
    assert report.added == 1 and [r.line for r in report.rejected] == [2, 3]
    assert page.message.text() == "Imported 1 job into Scheduled. 2 lines rejected."
    box = page.findChild(QMessageBox, "importReport")
    assert box is not None and box.isVisible()
    details = box.detailedText().splitlines()
    assert details[0].startswith("line 2: invalid JSON")
    assert details[1] == "line 3: a scheduled job needs an 'at' time"
    box.close()


# -- keys and live refresh ------------------------------------------------------------------------

def test_keys_move_select_and_focus_the_filter(producer, open_page, qtbot, wait_until):
    push_bulk(producer, [job(new_jid(), queue="keys") for _ in range(20)])
    page = open_page(Source.of_queue("keys"))
    page.activateWindow()
    page.table.setFocus()
    qtbot.keyClick(page.table, "j")
    qtbot.keyClick(page.table, "j")
    qtbot.keyClick(page.table, "k")
    assert page.table.currentIndex().row() == 1 and page.selected_rows() == []
    qtbot.keyClick(page.table, "x")
    assert page.selected_rows() == [1]
    qtbot.keyClick(page.table, "x")
    assert page.selected_rows() == []
    qtbot.keyClick(page.table, "G", Qt.KeyboardModifier.ShiftModifier)
    assert page.table.currentIndex().row() == 19
    qtbot.keyClick(page.table, "?")
    assert page.keys.isVisible()
    qtbot.keyClick(page.keys, "a")
    assert not page.keys.isVisible()
    qtbot.keyClick(page.table, "/")
    wait_until(lambda: QApplication.focusWidget() is page.filter_bar.text)
    qtbot.keyClick(page.filter_bar.text, Qt.Key.Key_Escape)
    wait_until(lambda: QApplication.focusWidget() is page.table)


def test_live_refresh_keeps_the_selected_job_and_the_scroll(producer, open_page, wait_until):
    push_bulk(producer, [job(f"live-{i:04d}", queue="live") for i in range(300)])
    page = open_page(Source.of_queue("live"))
    show_row(page, wait_until, 150)
    page.table.selectRow(150)
    chosen = page.model.record(150).jid
    scroll = page.table.verticalScrollBar().value()
    push_bulk(producer, [job(f"new-{i:04d}", queue="live") for i in range(7)])
    wait_until(lambda: page.model.rowCount() == 307, timeout=10, message="no live refresh")
    wait_until(lambda: page.selected_rows() == [157])
    assert page.model.record(157).jid == chosen
    assert page.table.verticalScrollBar().value() == scroll


def test_busy_shows_jobs_in_progress_read_only(controller, open_page, wait_until):
    with RawClient("127.0.0.1", controller.port) as worker:
        assert worker.hello(wid="w-busy-1", hostname="box", pid=7) == b"+OK\r\n"
        worker.push(job("busyjob01", "Crunch", args=[42], queue="cpu"))
        assert b"busyjob01" in worker.call("FETCH cpu")
        page = open_page(BUSY)
        wait_until(lambda: page.model.record(0) is not None)
        values = [page.model.index(0, c).data() for c in range(page.model.columnCount())]
        assert values[:6] == ["w-busy-1", "busyjob01", "cpu", "Crunch", "", "[42]"]  # not tracked
        assert values[6] == "just now" or values[6].endswith("s ago")
        assert not any(b.isVisible() for b in page.ui.buttons.values())
        assert page.ui.read_only.isVisible() and not page.ui.import_.isVisible()
        page.kill()
        assert page.message.text() == "Kill does not apply to Busy."


def test_a_stopped_server_lists_nothing_and_says_why(open_page, producer, controller, run,
                                                    wait_until):
    """Not "No jobs in Retries", nor rows that can no longer be acted on; back once it runs."""
    producer.push(job(new_jid(), at="2099-01-01T00:00:00Z"))
    page = open_page(SCHEDULED)
    wait_until(lambda: page.model.total == 1)
    run(controller.stop(), 60)
    wait_until(lambda: page.ui.empty.text() == NOTHING_TO_LIST)
    assert page.stack.currentIndex() == 1 and page.ui.summary.text() == ""
    usable = [page.ui.order, page.ui.export, page.filter_bar, *page.ui.buttons.values()]
    assert not any(widget.isEnabled() for widget in usable)  # nothing to act on
    assert run(controller.start(), 60)
    wait_until(lambda: page.stack.currentIndex() == 0 and page.model.total == 1,
               message=f"after the restart: {page.ui.summary.text()!r}")
    assert page.ui.summary.text().startswith("1 job")
    assert all(widget.isEnabled() for widget in usable)


def test_a_page_made_before_the_server_ran_loads_when_first_shown(qtbot, producer, controller,
                                                                  run, wait_until):
    """As in the app, which builds its pages before it starts the server."""
    producer.push(job(new_jid(), at="2099-01-01T00:00:00Z"))
    run(controller.stop(), 60)
    page = JobBrowserPage(controller, SCHEDULED)
    qtbot.addWidget(page)
    assert page.ui.empty.text() == NOTHING_TO_LIST
    assert run(controller.start(), 60)
    assert page.ui.empty.text() != NOTHING_TO_LIST  # the server runs: no stale "not running"
    page.show()
    assert page.tasks.busy  # read at once, not at the refresh timer's first tick
    wait_until(lambda: page.model.total == 1 and page.stack.currentIndex() == 0)
