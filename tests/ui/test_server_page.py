"""The Server panel against a real server: status and URL, engine facts, logs, protocol trace."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from faktory_desktop.server.trace import TraceEntry
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.log_buffer import (
    FileTail,
    LogBuffer,
    engine_line_level,
    install_log_buffer,
    server_line_level,
    uninstall_log_buffer,
)
from faktory_desktop.ui.server import ServerPage
from faktory_desktop.ui.server.page import ENGINE_LOG_TAB, SERVER_LOG_TAB, TRACE_TAB
from faktory_desktop.ui.server.trace_model import REPLY, VERB, TraceModel
from tests.fwp import RawClient, job


@pytest.fixture
def logs():
    buffer = install_log_buffer()
    yield buffer
    uninstall_log_buffer(buffer)


@pytest.fixture
def page(controller, logs, qtbot):
    widget = ServerPage(controller, logs)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    return widget


def trace_rows(model: TraceModel) -> list[TraceEntry]:
    return [model.entry(row) for row in range(model.rowCount())]


# -- status and engine ----------------------------------------------------------------------------

def test_page_shows_the_real_port_data_dir_and_engine_version(page, controller, wait_until):
    engine = controller.server_thread.runtime.engine
    status = page.status_section
    assert controller.port != 0
    assert f"port {controller.port}" in status.listening.text()
    assert status.url.text() == f"tcp://127.0.0.1:{controller.port}"
    assert status.data_dir.text() == str(engine.data_dir)
    assert "Running" in status.state.text()
    name, version = engine.version
    assert page.engine_section.version.text() == f"{name} {version}"
    assert page.engine_section.binary.full_text() == engine.binary
    assert page.engine_section.cli.copy_value == f"redis-cli -s {engine.address.unix_path}"
    wait_until(lambda: "used_memory_human" in page.engine_section.last_info,
               message="INFO never arrived")
    assert page.engine_section.memory.text() == page.engine_section.last_info["used_memory_human"]
    assert page.engine_section.aof.text().startswith(("On", "Off"))


def test_copy_url_puts_the_usable_url_on_the_clipboard(page, controller, qtbot):
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(page.status_section.url.button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == f"tcp://127.0.0.1:{controller.port}"


def test_password_is_shown_masked_but_copied_for_real(settings, logs, qtbot):
    ctl = ServerController(replace(settings, port=7499, password="s3cret:@x"))
    page = ServerPage(ctl, logs)
    qtbot.addWidget(page)
    assert page.status_section.url.text() == "tcp://:********@127.0.0.1:7499"
    page.status_section.url.copy()
    assert QGuiApplication.clipboard().text() == "tcp://:s3cret%3A%40x@127.0.0.1:7499"
    assert page.status_section.password.text().startswith("Set")


def test_url_for_tls_and_wildcard_binds(settings, tmp_path):
    tls = replace(settings, host="0.0.0.0", tls_cert=tmp_path / "cert.pem")
    assert tls.client_url(7419) == "tcp+tls://127.0.0.1:7419"
    assert replace(settings, host="::").client_url(7419) == "tcp://[::1]:7419"


def test_page_follows_the_server_stopping(page, controller, run):
    run(controller.stop(), 60)
    assert "Stopped" in page.status_section.state.text()
    assert page.engine_section.version.text() == "—"


# -- protocol trace -------------------------------------------------------------------------------

def test_trace_shows_a_push_and_is_off_when_paused_or_hidden(page, controller, qtbot, wait_until):
    trace = controller.server_thread.runtime.server.trace
    assert not trace.enabled  # off by default, even with the panel open
    page.show_tab(TRACE_TAB)
    assert not trace.enabled
    qtbot.mouseClick(page.trace.start_button, Qt.MouseButton.LeftButton)
    assert trace.enabled and page.trace.start_button.text() == "Pause"
    with RawClient("127.0.0.1", controller.port) as client:
        assert client.hello() == b"+OK\r\n"
        assert client.push(job("tracejob0001")) == b"+OK\r\n"
    wait_until(lambda: any(e.verb == "PUSH" for e in trace_rows(page.trace.model)),
               message="the PUSH never appeared in the trace")
    model = page.trace.model
    row = next(i for i, e in enumerate(trace_rows(model)) if e.verb == "PUSH")
    assert model.data(model.index(row, VERB)) == "PUSH"
    assert model.data(model.index(row, REPLY)) == "+OK"
    assert "tracejob0001" in model.entry(row).args

    page.show_tab(SERVER_LOG_TAB)  # the trace view is hidden: tracing stops
    assert not trace.enabled
    page.show_tab(TRACE_TAB)  # and resumes when it is shown again
    assert trace.enabled
    page.hide()
    assert not trace.enabled
    page.show()
    assert trace.enabled
    qtbot.mouseClick(page.trace.start_button, Qt.MouseButton.LeftButton)  # Pause
    assert not trace.enabled and page.trace.start_button.text() == "Start"
    qtbot.mouseClick(page.trace.clear_button, Qt.MouseButton.LeftButton)
    assert model.rowCount() == 0


def test_trace_model_drops_the_oldest_rows_past_its_cap():
    model = TraceModel(capacity=3)
    entries = [TraceEntry(i, 0.0, 1, "PUSH", "{}", "+OK", 0.1) for i in range(1, 6)]
    model.append(entries[:2])
    model.append(entries[2:])
    assert [e.seq for e in trace_rows(model)] == [3, 4, 5]


# -- logs -----------------------------------------------------------------------------------------

def test_server_log_lines_appear_and_the_level_filter_hides_info(page, controller, caplog,
                                                                 wait_until):
    caplog.set_level(logging.INFO, logger="faktory_desktop")
    page.show_tab(SERVER_LOG_TAB)
    with RawClient("127.0.0.1", controller.port) as client:
        assert client.hello() == b"+OK\r\n"
        assert client.call("FLUSH") == b"+OK\r\n"  # the server logs this at info
    logging.getLogger("faktory_desktop.core.scheduler").warning("a warning for the test")
    view = page.server_log
    wait_until(lambda: "database flushed" in view.shown_text()
               and "a warning for the test" in view.shown_text(),
               message=f"log lines never shown: {view.shown_text()!r}")
    assert "I " in view.shown_text() and "W " in view.shown_text()
    view.set_min_level(logging.WARNING)
    assert "database flushed" not in view.shown_text()
    assert "a warning for the test" in view.shown_text()
    view.set_min_level(logging.DEBUG)
    assert "database flushed" in view.shown_text()


def test_engine_log_tail_is_shown(page, wait_until):
    page.show_tab(ENGINE_LOG_TAB)
    wait_until(lambda: "Ready to accept connections" in page.engine_log.shown_text(),
               message=f"engine log not shown: {page.engine_log.shown_text()!r}")


def test_log_buffer_keeps_the_newest_records_from_any_thread():
    buffer = LogBuffer(capacity=10)
    logger = logging.getLogger("faktory_desktop.test_log_buffer")
    logger.addHandler(buffer)
    logger.setLevel(logging.DEBUG)
    try:
        threads = [threading.Thread(target=lambda n=n: [logger.info("t%d %d", n, i)
                                                        for i in range(50)]) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        logger.removeHandler(buffer)
        logger.setLevel(logging.NOTSET)
    lines = buffer.since(0)
    assert len(lines) == 10 and buffer.last_seq == 200
    assert [line.seq for line in lines] == list(range(191, 201))
    assert buffer.since(195)[0].seq == 196 and buffer.since(200) == []
    assert server_line_level(lines[0].text) == logging.INFO


def test_file_tail_reads_the_last_lines_then_only_what_is_new(tmp_path):
    path = tmp_path / "redis.log"
    path.write_text("".join(f"line {i}\n" for i in range(500)) + "partial")
    tail = FileTail(path, lines=200)
    first = tail.read_new()
    assert first.reset and len(first.lines) == 200 and first.lines[-1] == "line 499"
    with path.open("a") as handle:
        handle.write(" end\nline 501\n")
    second = tail.read_new()
    assert not second.reset and second.lines == ["partial end", "line 501"]  # whole lines only
    path.write_text("fresh\n")  # truncated (rotated): start over
    third = tail.read_new()
    assert third.reset and third.lines == ["fresh"]


def test_engine_line_levels():
    assert engine_line_level("12:M 01 Jul 2026 10:00:00.000 * Ready to accept") == logging.INFO
    assert engine_line_level("12:M 01 Jul 2026 10:00:00.000 # Warning: x") == logging.WARNING
    assert engine_line_level("12:C 01 Jul 2026 10:00:00.000 . debug") == logging.DEBUG
    assert engine_line_level("    _._   ") is None


def test_a_running_trace_follows_the_server_across_a_restart(page, controller, run):
    page.show_tab(TRACE_TAB)
    page.trace.start()
    old = controller.server_thread.runtime.server.trace
    assert old.enabled
    assert run(controller.restart(), 60)
    new = controller.server_thread.runtime.server.trace
    assert new is not old and new.enabled
    assert f"port {controller.port}" in page.status_section.listening.text()
