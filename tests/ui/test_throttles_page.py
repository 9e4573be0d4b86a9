"""The Throttles page against a real server: Enterprise's columns, live, and New/Change/Remove
written to conf.d where [throttles] is."""

from __future__ import annotations

import pytest

from faktory_desktop.ui.throttles import ThrottlesPage
from tests.ui.conf_support import shown, write_confd
from tests.ui.jobs_support import answering, api, connect, push

pytestmark = pytest.mark.usefixtures("gui_widgets")

LIMITS = "# limits for partners\n[throttles]\napi = { concurrency = 2, timeout = 60 }  # partner\n"


@pytest.fixture
def limits_file(controller, run):
    return write_confd(controller, run, "limits.toml", LIMITS)


@pytest.fixture
def page(qtbot, controller, wait_until, limits_file):
    return shown(qtbot, ThrottlesPage(controller), wait_until, rows=1)


def cells(page, row=0):
    return [page.model.index(row, c).data() for c in range(page.model.columnCount())]


def test_shows_slots_taken_live(page, controller, wait_until):
    assert cells(page) == ["api", "0", "2 concurrent", "0", "2", "0", "", "0", "0"]
    with connect(controller, wid="w1") as client:
        for _ in range(3):
            push(client, queue="api")
        client.call_json("FETCH api")
        client.call_json("FETCH api")
        wait_until(lambda: cells(page)[:6] == ["api", "1", "2 concurrent", "2", "0", "2"])
    assert page.summary.text() == "1 throttled queue · 1 with every slot taken"


def test_new_throttle_is_written_beside_the_others(page, controller, run, limits_file,
                                                   wait_until):
    dialog = page.new_throttle()
    dialog.queue.setText("bulk")
    dialog.kind.setCurrentIndex(1)
    dialog.limit.setValue(3)
    dialog.timeout.setValue(30)
    assert run(dialog.save())
    assert limits_file.read_text() == LIMITS + "bulk = {worker = 3, timeout = 30}\n"
    assert [r.described for r in api(controller, "throttle_rows")] == [
        "2 concurrent", "3 per worker"]
    wait_until(lambda: page.message.text() == ("Throttled bulk: 3 per worker, timeout 30 s; "
                                               "in force now."))
    assert page.model.rowCount() == 2


def test_a_bad_queue_name_is_named(page, run, limits_file):
    dialog = page.new_throttle()
    dialog.queue.setText("no spaces")
    assert not run(dialog.save())
    assert dialog.message.text() == "A queue name is letters, digits, '.', '_' and '-'."
    assert limits_file.read_text() == LIMITS


def test_change_and_remove(page, controller, run, limits_file, wait_until):
    page.select_source_rows([0])
    dialog = page.edit_selected()
    assert dialog.queue.isReadOnly() and dialog.limit.value() == 2
    dialog.limit.setValue(5)
    assert run(dialog.save())
    assert "api = {concurrency = 5, timeout = 60}  # partner" in limits_file.read_text()
    wait_until(lambda: cells(page)[2] == "5 concurrent")
    with answering(True):
        run(page.delete_selected())
    assert limits_file.read_text() == "# limits for partners\n[throttles]\n"
    assert api(controller, "throttle_rows") == []
