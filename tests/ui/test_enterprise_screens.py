"""The Enterprise state where the app shows jobs: a job's lock, expiry, batch and tracking in its
detail (Release reaches the engine), Busy's progress column, and the dashboard's counts."""

from __future__ import annotations

import pytest

from faktory_desktop.core.records import BUSY, Source
from faktory_desktop.ui.jobs.bar import BAR_ROLE, BarDelegate
from faktory_desktop.ui.jobs.browser import JobBrowserPage
from faktory_desktop.ui.jobs.detail import JobDetailDialog
from faktory_desktop.ui.jobs.enterprise_box import countdown
from tests.enterprise.ent import batch_new, callback, custom_job, fetch, rfc3339
from tests.integration.wire import compact
from tests.ui.jobs_support import connect, record

pytestmark = pytest.mark.usefixtures("gui_widgets")
NOT_UNIQUE = b"-NOTUNIQUE Job not unique\r\n"


def track_set(client, jid, **update):
    assert client.call(b"TRACK SET " + compact({"jid": jid, **update})) == b"+OK\r\n"


@pytest.fixture
def ent_job(client):
    """A unique, expiring, tracked batch member waiting in queue `work`."""
    bid = batch_new(client, description="Thumbnails", success=callback("Done"))
    custom = {"unique_for": 600, "expires_in": 3600, "bid": bid, "track": 1}
    job = custom_job(custom, "Thumbnail", args=[7], queue="work")
    assert client.push(job) == b"+OK\r\n"
    track_set(client, job["jid"], percent=40, desc="resizing images")
    return job, bid


def open_detail(qtbot, controller, jid, wait_until):
    dialog = JobDetailDialog(controller, record(controller, Source.of_queue("work"), jid))
    qtbot.addWidget(dialog)
    dialog.show()
    wait_until(lambda: dialog.ent_box is not None and dialog.ent_box.isVisible())
    return dialog


def test_countdown_reads_as_a_clock():
    assert [countdown(s) for s in (-3, 7.9, 252, 3723)] == ["0:00", "0:07", "4:12", "1:02:03"]


def test_detail_shows_lock_expiry_batch_and_tracking(qtbot, controller, ent_job, wait_until):
    job, bid = ent_job
    box = open_detail(qtbot, controller, job["jid"], wait_until).ent_box
    assert box.lock.text().startswith("Held by this job · 9:5")
    assert box.lock.text().endswith("left (of 10 min)") and box.release.isEnabled()
    assert "(in 59:5" in box.expiry.text() and "dropped if fetched after" in box.expiry.text()
    assert f"href='{bid}'" in box.batch.text() and box.batch.text().startswith("member of")
    assert box.bar.value() == 40 and box.bar.isVisible()
    assert box.track.text().startswith("resizing images · enqueued · updated ")
    before = box.lock.text()
    wait_until(lambda: box.lock.text() != before, 3)  # it counts down between reads


def test_release_frees_the_lock_in_the_engine(qtbot, controller, run, client, ent_job,
                                              wait_until):
    job, _bid = ent_job
    twin = {k: v for k, v in job.items() if k not in ("jid", "custom")}
    assert client.push(custom_job({"unique_for": 600}, **twin)) == NOT_UNIQUE
    dialog = open_detail(qtbot, controller, job["jid"], wait_until)
    assert run(dialog.ent_box.release_lock())
    assert dialog.message.text().startswith("Released the unique lock")
    assert dialog.ent_box.lock.text() == "Free (a lock lasts 10 min)"
    assert not dialog.ent_box.release.isEnabled()
    assert client.push(custom_job({"unique_for": 600}, **twin)) == b"+OK\r\n"


def test_batch_link_asks_for_that_batch(qtbot, controller, ent_job, wait_until):
    job, bid = ent_job
    dialog = open_detail(qtbot, controller, job["jid"], wait_until)
    with qtbot.waitSignal(dialog.batchRequested) as asked:
        dialog.ent_box.batch.linkActivated.emit(bid)  # a click on the link
    assert asked.args == [bid]


def test_plain_job_has_no_enterprise_box(qtbot, controller, client):
    job = custom_job({"locale": "en"}, queue="work")
    assert client.push(job) == b"+OK\r\n"
    dialog = JobDetailDialog(controller, record(controller, Source.of_queue("work"), job["jid"]))
    qtbot.addWidget(dialog)
    assert dialog.ent_box is None


def test_busy_shows_progress_of_tracked_jobs_on_screen(qtbot, controller, client, wait_until):
    tracked = custom_job({"track": 1}, "Report", queue="work")
    plain = custom_job({}, "Plain", queue="work")
    for job in (tracked, plain):
        assert client.push(job) == b"+OK\r\n"
    worker = connect(controller, wid="w1")
    assert {fetch(worker, "work")["jid"] for _ in range(2)} == {tracked["jid"], plain["jid"]}
    track_set(worker, tracked["jid"], percent=65, desc="rendering page 13")
    page = JobBrowserPage(controller, BUSY)
    qtbot.addWidget(page)
    page.resize(1400, 500)
    page.show()
    column = [c.title for c in page.model.columns].index("Progress")
    wait_until(lambda: page.model.rowCount() == 2 and bool(page.model.progress))
    shown = {page.model.record(r).jid: page.model.index(r, column).data() for r in range(2)}
    assert shown == {tracked["jid"]: "65% · rendering page 13", plain["jid"]: ""}
    assert set(page.model.progress) == {tracked["jid"]}  # only tracked rows are read
    track_set(worker, tracked["jid"], percent=90)
    wait_until(lambda: page.model.progress[tracked["jid"]] == ("90% · rendering page 13", 0.9))
    row = next(r for r in range(2) if page.model.record(r).jid == tracked["jid"])
    assert page.model.index(row, column).data(BAR_ROLE) == 0.9  # drawn as a bar
    assert isinstance(page.table.itemDelegateForColumn(column), BarDelegate)
    worker.close()


def test_dashboard_counts_expired_jobs_and_refused_duplicates(client, wait_until, dashboard,
                                                              poller):
    unique = custom_job({"unique_for": 60}, args=["once"])
    assert client.push(unique) == b"+OK\r\n"
    assert client.push(custom_job({"unique_for": 60}, args=["once"])) == NOT_UNIQUE
    assert client.push(custom_job({"expires_at": rfc3339(-1)}, queue="late")) == b"+OK\r\n"
    assert fetch(client, "late") is None  # dropped: it had expired
    page = dashboard
    poller.start()
    wait_until(lambda: page.ent_counts.text() != "")
    assert page.ent_counts.text() == ("1 expired job dropped at fetch · 1 duplicate push "
                                      "refused (unique jobs)")
    poller.stop()
