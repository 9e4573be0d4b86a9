"""The Cron page against a real server: the entries of conf.d with their next runs, Enqueue now,
Pause/Resume, and New/Edit/Delete written to conf.d keeping the user's comments."""

from __future__ import annotations

import pytest

from faktory_desktop.ui.cron import CronPage
from faktory_desktop.ui.cron.form import CronEntryDialog
from tests.ui.conf_support import shown, write_confd
from tests.ui.jobs_support import answering, api, connect

pytestmark = pytest.mark.usefixtures("gui_widgets")

CRON = """\
# Periodic jobs of the shop
[[cron]]
  # the partner API wants a report every five minutes
  schedule = "*/5 * * * *"   # keep this in step with the partner
  [cron.job]
    type = "ReportJob"
    queue = "reports"
    [cron.job.custom]
      unique_for = 65

[[cron]]
  schedule = "0 9 * * 1-5"
  timezone = "Europe/Berlin"
  [cron.job]
    type = "MorningMail"
    args = ["team"]
"""


@pytest.fixture
def cron_file(controller, run):
    return write_confd(controller, run, "cron.toml", CRON)


@pytest.fixture
def page(qtbot, controller, wait_until, cron_file):
    return shown(qtbot, CronPage(controller), wait_until, rows=2)


def cells(page, row):
    return [page.model.index(row, c).data() for c in range(page.model.columnCount())]


def select(page, jobtype):
    page.table.clearSelection()
    rows = [i for i, r in enumerate(page.model.rows) if r.jobtype == jobtype]
    page.select_source_rows(rows)
    assert [r.jobtype for r in page.selected()] == [jobtype]


def test_lists_entries_with_words_and_next_runs(page):
    report = cells(page, 0)
    assert report[:6] == ["*/5 * * * *", "active", "Every 5 minutes", "ReportJob", "reports",
                          '{"unique_for": 65}']
    assert report[6].startswith("20") and report[8] == "not run yet"
    morning = cells(page, 1)
    assert morning[2] == "At 09:00, Monday through Friday (Europe/Berlin)"
    assert page.summary.text() == "2 periodic jobs"


def test_enqueue_now_pushes_the_job(page, controller, run):
    select(page, "ReportJob")
    run(page.enqueue_selected())
    with connect(controller) as client:
        fetched = client.call_json("FETCH reports")
    assert fetched["jobtype"] == "ReportJob" and fetched["custom"] == {"unique_for": 65}
    assert page.message.text().startswith(f"Enqueued ReportJob {fetched['jid']} on reports")
    assert cells(page, 0)[8].endswith("enqueued")


def test_pause_and_resume(page, controller, run):
    select(page, "MorningMail")
    run(page.toggle_pause())
    assert cells(page, 1)[1] == "paused" and page.pause_action.text() == "Resume"
    assert page.summary.text() == "2 periodic jobs · 1 paused"
    run(page.toggle_pause())
    assert cells(page, 1)[1] == "active"


def test_edit_keeps_the_comments_and_takes_effect_at_once(page, controller, run, cron_file,
                                                          wait_until):
    select(page, "ReportJob")
    dialog = page._open_form(page.selected()[0])
    dialog.schedule.setText("*/10 * * * *")
    assert dialog.preview.text().startswith("Every 10 minutes. Next runs:")
    assert run(dialog.save())
    assert cron_file.read_text() == CRON.replace('"*/5 * * * *"', '"*/10 * * * *"')
    assert [r.schedule for r in api(controller, "cron_rows")][0] == "*/10 * * * *"
    wait_until(lambda: cells(page, 0)[0] == "*/10 * * * *")
    assert page.message.text() == ("Saved ReportJob (*/10 * * * *) to conf.d/cron.toml; it is "
                                   "in force now.")


def test_an_edited_paused_entry_stays_paused(page, controller, run, wait_until):
    select(page, "MorningMail")
    run(page.toggle_pause())
    dialog = page._open_form(page.selected()[0])
    dialog.schedule.setText("0 10 * * 1-5")
    assert run(dialog.save())
    edited = next(r for r in api(controller, "cron_rows") if r.jobtype == "MorningMail")
    assert edited.schedule == "0 10 * * 1-5" and edited.paused


def test_the_schedule_is_checked_as_it_is_typed(page, controller):
    dialog = CronEntryDialog(controller, None, page)
    dialog.schedule.setText("61 * * * *")
    assert dialog.preview.text() == '"61 * * * *": bad minute'
    assert not dialog.save_button.isEnabled()
    dialog.schedule.setText("@hourly")
    assert dialog.preview.text().startswith("Every hour. Next runs:")
    assert len(dialog.preview.text().splitlines()) == 6 and dialog.save_button.isEnabled()


def test_new_entry_goes_to_cron_toml(page, controller, run, cron_file, wait_until):
    dialog = page._open_form(None)
    dialog.schedule.setText("@daily")
    dialog.jobtype.setText("Cleanup")
    dialog.custom.setPlainText('{"expires_in": 60}')
    assert run(dialog.save())
    text = cron_file.read_text()
    assert text.startswith(CRON) and 'type = "Cleanup"' in text
    assert 'custom = {expires_in = 60}' in text
    assert sorted(r.jobtype for r in api(controller, "cron_rows")) == [
        "Cleanup", "MorningMail", "ReportJob"]
    wait_until(lambda: page.model.rowCount() == 3)


def test_a_bad_field_is_named_and_nothing_is_written(page, controller, run, cron_file):
    dialog = page._open_form(None)
    dialog.jobtype.setText("X")
    dialog.args.setText("{not json")
    assert not run(dialog.save())
    assert dialog.message.text().startswith("Args is not valid JSON")
    dialog.args.setText("")
    dialog.queue.setText("bad queue")
    assert not run(dialog.save())
    assert "queue names must match" in dialog.message.text()
    assert cron_file.read_text() == CRON


def test_delete_removes_the_entry_from_its_file(page, controller, run, cron_file):
    select(page, "MorningMail")
    with answering(True):
        run(page.delete_selected())
    assert "MorningMail" not in cron_file.read_text()
    assert cron_file.read_text().startswith("# Periodic jobs of the shop")
    assert [r.jobtype for r in api(controller, "cron_rows")] == ["ReportJob"]


def test_details_show_next_runs_and_history(page, controller, run, wait_until):
    select(page, "ReportJob")
    dialog = page.open_selected()
    run(dialog.enqueue_now())
    assert dialog.history.rowCount() == 1
    assert dialog.history.item(0, 2).text() == "enqueued (Enqueue now)"
    assert len(dialog.runs.text().splitlines()) == 5
