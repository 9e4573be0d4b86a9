"""The job editor and the New job dialog against a real server: a save changes exactly what was
edited, an invalid edit says exactly why and saves nothing."""

from __future__ import annotations

import json

import pytest

from faktory_desktop.core import job as jobs
from faktory_desktop.core.records import RETRIES, SCHEDULED, Source
from faktory_desktop.core.timefmt import parse_ns
from faktory_desktop.ui.jobs.editor import JobEditorDialog
from faktory_desktop.ui.jobs.new_job import NewJobDialog, load_templates
from tests.ui.jobs_support import (
    api,
    fail_into_retries,
    push,
    record,
    records,
    stored,
)

pytestmark = pytest.mark.usefixtures("gui_widgets")


@pytest.fixture
def retry_jid(client):
    """A retry among other jobs: two more retries, a scheduled job, and two queued jobs."""
    jid = fail_into_retries(client, "Mailer", [1, "two"], custom={"locale": "en"}, retry=7)
    fail_into_retries(client, "Mailer", [2])
    fail_into_retries(client, "Billing", [3])
    push(client, "Later", at="2099-01-01T00:00:00Z", args=[4])
    push(client, "Now", queue="work", args=[5])
    push(client, "Now", queue="default", args=[6])
    return jid


def open_editor(qtbot, controller, rec):
    dialog = JobEditorDialog(controller, rec)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_edit_and_save_changes_the_stored_job_and_nothing_else(qtbot, controller, run,
                                                               wait_until, retry_jid):
    before = stored(controller)
    original = record(controller, RETRIES, retry_jid)
    dialog = open_editor(qtbot, controller, original)
    saved = []
    dialog.saved.connect(saved.append)
    dialog.form.args.setPlainText('[1, "changed", {"deep": true}]')
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    wait_until(lambda: saved, message=dialog.message.text())
    after = stored(controller)
    changed = record(controller, RETRIES, retry_jid)
    assert changed.args == [1, "changed", {"deep": True}]
    assert changed.score == original.score  # it kept its place in the set
    expected = dict(original.job, args=[1, "changed", {"deep": True}])
    assert changed.payload == jobs.canonical(expected)  # every other field byte-identical
    assert saved[0].payload == changed.payload and not dialog.isVisible()
    entries = [(p, s) for p, s in before["retries"] if p != original.payload]
    assert after["retries"] == sorted(entries + [(changed.payload, original.score)],
                                      key=lambda e: (e[1], e[0]))
    assert {k: v for k, v in after.items() if k != "retries"} == \
        {k: v for k, v in before.items() if k != "retries"}


@pytest.mark.parametrize(("field", "text", "message"), [
    ("args", "[1, 2", "args: Expecting ',' delimiter at line 1, column 6"),
    ("args", '{"a": 1}', "invalid JSON: field args must be an array"),
    ("jobtype", "", "jobs must have a jobtype parameter"),
    ("queue", "no spaces", 'cannot get "no spaces" queue: queue names must match '
                           "\\A[a-zA-Z0-9._-]+\\z"),
    ("custom", "[1]", "invalid JSON: field custom must be an object"),
    ("reserve_for", 90000, "jobs cannot be reserved for more than one day"),
])
def test_an_invalid_edit_shows_the_exact_message_and_saves_nothing(
        qtbot, controller, run, retry_jid, field, text, message):
    before = stored(controller)
    original = record(controller, RETRIES, retry_jid)
    dialog = open_editor(qtbot, controller, original)
    widget = getattr(dialog.form, field)
    if field == "reserve_for":
        widget.setValue(text)
    elif field in ("args", "custom"):
        widget.setPlainText(text)
    else:
        widget.setText(text)
    assert dialog.form.message.text() == message
    assert not dialog.save_button.isEnabled() and not dialog.enqueue_button.isEnabled()
    assert run(dialog.save()) is None
    assert stored(controller) == before


def test_the_editors_messages_are_the_apis(qtbot, controller, run, retry_jid):
    """The inline message for a rule the API enforces is the API's own JobError text."""
    original = record(controller, RETRIES, retry_jid)
    dialog = open_editor(qtbot, controller, original)
    dialog.form.queue.setText("bad/queue")
    with pytest.raises(jobs.JobError) as refused:
        api(controller, "save", original, dialog.form.job())
    assert dialog.form.message.text() == str(refused.value)


def test_an_invalid_at_on_a_scheduled_job_is_refused_exactly(qtbot, controller, run, client):
    jid = push(client, "Later", at="2099-01-01T00:00:00Z", args=[1])
    before = stored(controller)
    dialog = open_editor(qtbot, controller, record(controller, SCHEDULED, jid))
    dialog.form.at.setText("tomorrow")
    assert dialog.form.message.text() == ("invalid timestamp for 'at': cannot parse "
                                          '"tomorrow" as RFC3339 (e.g. 2006-01-02T15:04:05Z)')
    assert not dialog.save_button.isEnabled()
    assert run(dialog.save()) is None and stored(controller) == before


def test_a_new_at_reschedules_a_scheduled_job(qtbot, controller, run, client):
    jid = push(client, "Later", at="2099-01-01T00:00:00Z", args=[1])
    dialog = open_editor(qtbot, controller, record(controller, SCHEDULED, jid))
    dialog.form.at.setText("2098-06-01T12:00:00Z")
    saved = run(dialog.save())
    assert saved.job["at"] == "2098-06-01T12:00:00Z"
    assert record(controller, SCHEDULED, jid).score == \
        jobs.score_of(parse_ns("2098-06-01T12:00:00Z"))


def test_save_and_enqueue_moves_a_retry_to_its_queue(qtbot, controller, run, wait_until,
                                                      retry_jid):
    dialog = open_editor(qtbot, controller, record(controller, RETRIES, retry_jid))
    dialog.form.args.setPlainText("[99]")
    dialog.enqueue_button.click()
    wait_until(lambda: not dialog.isVisible(), message=dialog.message.text())
    assert retry_jid not in [r.jid for r in records(controller, RETRIES)]
    queued = record(controller, Source.of_queue("work"), retry_jid)
    assert queued.args == [99] and queued.failure["errtype"] == "KeyError"


def test_duplicate_pushes_a_copy_with_a_new_jid(qtbot, controller, run, wait_until, retry_jid):
    before = stored(controller)
    dialog = open_editor(qtbot, controller, record(controller, RETRIES, retry_jid))
    pushed = []
    dialog.pushed.connect(pushed.append)
    dialog.duplicate_button.click()
    wait_until(lambda: pushed, message=dialog.message.text())
    copy = record(controller, Source.of_queue("work"), pushed[0])
    assert pushed[0] != retry_jid and len(pushed[0]) == 16
    assert copy.jobtype == "Mailer" and copy.args == [1, "two"] and not copy.failure
    assert copy.job["custom"] == {"locale": "en"} and copy.job["retry"] == 7
    assert pushed[0] in dialog.message.text()
    assert stored(controller)["retries"] == before["retries"]  # the original is untouched


def test_a_job_that_moved_meanwhile_is_not_saved(qtbot, controller, run, retry_jid):
    original = record(controller, RETRIES, retry_jid)
    dialog = open_editor(qtbot, controller, original)
    assert api(controller, "retry_now", [original]) == 1  # gone from retries meanwhile
    before = stored(controller)
    dialog.form.args.setPlainText("[0]")
    assert run(dialog.save()) is None
    assert "no longer in retries" in dialog.message.text()
    assert "Nothing was saved" in dialog.message.text() and dialog.isVisible()
    assert stored(controller) == before


def test_a_queued_jobs_queue_cannot_be_changed_in_place(qtbot, controller, run, client):
    jid = push(client, "Now", queue="work", args=[5])
    dialog = open_editor(qtbot, controller, record(controller, Source.of_queue("work"), jid))
    assert dialog.form.queue.isReadOnly()
    assert not dialog.enqueue_button.isVisible()  # in a queue, Save is enough


def open_new_job(qtbot, controller):
    dialog = NewJobDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_new_job_pushes_and_remembers_the_template(qtbot, controller, run, wait_until):
    dialog = open_new_job(qtbot, controller)
    dialog.form.jobtype.setText("Report")
    dialog.form.queue.setText("reports")
    dialog.form.args.setPlainText('[2024, {"format": "pdf"}]')
    pushed = []
    dialog.pushed.connect(pushed.append)
    dialog.push_button.click()
    wait_until(lambda: pushed, message=dialog.message.text())
    job = record(controller, Source.of_queue("reports"), pushed[0])
    assert job.jobtype == "Report" and job.args == [2024, {"format": "pdf"}]
    assert pushed[0] in dialog.message.text()
    assert load_templates()[0].jobtype == "Report"

    again = open_new_job(qtbot, controller)
    assert again.templates.count() == 1 and "Report" in again.templates.itemText(0)
    again.use_template(0)
    assert again.form.jobtype.text() == "Report" and again.form.queue.text() == "reports"
    assert json.loads(again.form.args.toPlainText()) == [2024, {"format": "pdf"}]


def test_new_job_keeps_only_the_ten_latest_distinct_templates(qtbot, controller, run):
    dialog = open_new_job(qtbot, controller)
    for n in [*range(12), 11]:
        dialog.form.jobtype.setText(f"Job{n}")
        assert run(dialog.push())
    names = [t.jobtype for t in load_templates()]
    assert names == [f"Job{n}" for n in range(11, 1, -1)]


def test_new_job_refuses_invalid_args_and_pushes_nothing(qtbot, controller, run):
    dialog = open_new_job(qtbot, controller)
    dialog.form.jobtype.setText("Report")
    dialog.form.args.setPlainText("[1,]")
    assert dialog.form.message.text() == "args: Expecting value at line 1, column 4"
    assert not dialog.push_button.isEnabled()
    assert run(dialog.push()) is None
    assert api(controller, "queues") == []


def test_new_job_with_a_future_at_is_scheduled(qtbot, controller, run):
    dialog = open_new_job(qtbot, controller)
    dialog.form.jobtype.setText("Later")
    dialog.form.at.setText("2099-01-01T00:00:00Z")
    jid = run(dialog.push())
    assert record(controller, SCHEDULED, jid).job["at"] == "2099-01-01T00:00:00Z"
    assert "scheduled for" in dialog.message.text()
