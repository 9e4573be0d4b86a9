"""Job detail and the job diff: what they show of a real failed job, and what their buttons do."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from faktory_desktop.core.records import RETRIES, SCHEDULED, Source
from faktory_desktop.ui.jobs.detail import JobDetailDialog
from faktory_desktop.ui.jobs.diff import JobDiffDialog, LineStatus, side_by_side
from tests.ui.jobs_support import (
    answering,
    api,
    fail_into_retries,
    push,
    record,
    records,
)

pytestmark = pytest.mark.usefixtures("gui_widgets")


def open_detail(qtbot, controller, rec):
    dialog = JobDetailDialog(controller, rec)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def texts(dialog) -> list[str]:
    return [label.text() for label in dialog.findChildren(QLabel)]


def test_detail_shows_the_failure_and_custom_fields(qtbot, controller, run, client):
    jid = fail_into_retries(client, "Mailer", [1, "two"], custom={"locale": "en", "n": 3})
    rec = record(controller, RETRIES, jid)
    dialog = open_detail(qtbot, controller, rec)
    shown = texts(dialog)
    assert "KeyError" in shown and "no such user" in shown
    assert str(rec.failure["retry_count"]) in shown and str(rec.failure["remaining"]) in shown
    assert any(t.endswith("ago)") or t.startswith("in ") or "(in " in t for t in shown)
    assert any("(in " in t for t in shown)  # the next retry, in local time and relative
    assert "en" in shown and "3" in shown  # custom fields
    backtraces = [w.toPlainText() for w in dialog.findChildren(QPlainTextEdit)
                  if w is not dialog.json_view and "mailer.rb" in w.toPlainText()]
    assert backtraces == ["app/mailer.rb:12:in `deliver'\nlib/worker.rb:40:in `run'"]
    assert json.loads(dialog.json_view.toPlainText()) == rec.job
    assert dialog.retry_button.isVisible() and dialog.delete_button.isVisible()


def test_copy_puts_the_jobs_json_on_the_clipboard(qtbot, controller, run, client):
    jid = fail_into_retries(client)
    rec = record(controller, RETRIES, jid)
    dialog = open_detail(qtbot, controller, rec)
    dialog.copy_button.click()
    assert json.loads(QGuiApplication.clipboard().text()) == json.loads(rec.payload)
    assert "clipboard" in dialog.message.text()


def test_edit_asks_the_app_for_the_editor(qtbot, controller, run, client):
    rec = record(controller, RETRIES, fail_into_retries(client))
    dialog = open_detail(qtbot, controller, rec)
    with qtbot.waitSignal(dialog.editRequested) as asked:
        dialog.edit_button.click()
    assert asked.args == [rec]


def test_retry_now_moves_the_job_to_its_queue(qtbot, controller, run, wait_until, client):
    jid = fail_into_retries(client, queue="work")
    dialog = open_detail(qtbot, controller, record(controller, RETRIES, jid))
    changed = []
    dialog.jobsChanged.connect(lambda: changed.append(True))
    dialog.retry_button.click()
    wait_until(lambda: changed)
    assert record(controller, Source.of_queue("work"), jid)
    assert "Enqueued on queue work" in dialog.message.text()
    assert not dialog.retry_button.isEnabled() and not dialog.delete_button.isEnabled()
    assert run(dialog.retry_now()) == 0  # a second time: it is no longer there
    assert "no longer in Retries" in dialog.message.text()


def test_delete_asks_first_and_deletes(qtbot, controller, run, client):
    jid = push(client, "Later", at="2099-01-01T00:00:00Z")
    dialog = open_detail(qtbot, controller, record(controller, SCHEDULED, jid))
    assert dialog.retry_button.text() == "Add to queue"
    with answering(False):
        assert run(dialog.delete()) == 0
    assert [r.jid for r in records(controller, SCHEDULED)] == [jid]
    with answering(True) as asked:
        assert run(dialog.delete()) == 1
    assert jid in asked[0][1] and records(controller, SCHEDULED) == []


def test_side_by_side_aligns_and_marks_lines():
    left, right = side_by_side("a\nb\nc", "a\nB\nc\nd")
    assert [ln.status for ln in left] == [LineStatus.SAME, LineStatus.CHANGED, LineStatus.SAME,
                                          LineStatus.FILLER]
    assert [ln.status for ln in right] == [LineStatus.SAME, LineStatus.CHANGED, LineStatus.SAME,
                                           LineStatus.ADDED]


def test_the_diff_marks_a_changed_argument(qtbot, controller, run, client):
    first = push(client, "Mailer", args=[1, "alice", {"x": 1}], queue="mail")
    second = push(client, "Mailer", args=[1, "bob", {"x": 1}], queue="mail")
    queue = Source.of_queue("mail")
    dialog = JobDiffDialog(record(controller, queue, first),
                           record(controller, queue, second))
    qtbot.addWidget(dialog)
    dialog.show()
    assert any('"alice"' in line for line in dialog.changed_lines("left"))
    assert any('"bob"' in line for line in dialog.changed_lines("right"))
    assert not any('"jobtype"' in line for line in dialog.changed_lines("right"))
    assert dialog.left_view.blockCount() == dialog.right_view.blockCount()
    assert "differ" in dialog.summary.text()
    dialog.next_difference()
    assert dialog.left_view.textCursor().blockNumber() == \
        dialog.right_view.textCursor().blockNumber()


def test_after_an_edit_the_detail_shows_the_saved_job(qtbot, controller, client):
    rec = record(controller, RETRIES, fail_into_retries(client, args=[1]))
    dialog = open_detail(qtbot, controller, rec)
    saved = api(controller, "save", rec, dict(rec.job, args=[2]))
    dialog.set_record(saved)
    assert json.loads(dialog.json_view.toPlainText())["args"] == [2]
    assert dialog.tabs.count() == 2 and dialog.record is saved
