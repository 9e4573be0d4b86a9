"""Helpers for the job-screen tests: real jobs through a real client, reads through the API,
a byte-exact picture of everything stored, and answers for confirmations."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from faktory_desktop.core.records import DEAD, RETRIES, SCHEDULED, JobRecord, Source
from faktory_desktop.ui import confirm
from faktory_desktop.ui.controller import ServerController
from tests.conftest import new_jid
from tests.fwp import RawClient, job


def api(controller: ServerController, method: str, *args: Any) -> Any:
    """Call an API coroutine on the server thread and wait for its result (blocking, so it
    also works inside a `wait_until` condition)."""
    assert controller.server_thread is not None and controller.api is not None
    return controller.server_thread.submit(getattr(controller.api, method)(*args)).result(30)


def connect(controller: ServerController, **hello: Any) -> RawClient:
    client = RawClient("127.0.0.1", controller.port)
    assert client.hello(**hello) == b"+OK\r\n"
    return client


def push(client: RawClient, jobtype: str = "SomeJob", **fields: Any) -> str:
    jid = new_jid()
    assert client.push(job(jid, jobtype, **fields)) == b"+OK\r\n"
    return jid


def fail_into_retries(client: RawClient, jobtype: str = "Mailer", args: list | None = None,
                      queue: str = "work", **fields: Any) -> str:
    """Push a job, fetch it and FAIL it: it lands in the retries set with its failure."""
    jid = push(client, jobtype, args=args or [], queue=queue, **fields)
    fetched = json.loads(client.call(f"FETCH {queue}").split(b"\r\n")[1])
    assert fetched["jid"] == jid
    report = {"jid": jid, "errtype": "KeyError", "message": "no such user",
              "backtrace": ["app/mailer.rb:12:in `deliver'", "lib/worker.rb:40:in `run'"]}
    assert client.call("FAIL " + json.dumps(report)) == b"+OK\r\n"
    return jid


def records(controller: ServerController, source: Source) -> list[JobRecord]:
    return api(controller, "page", source, 0, 1000).records


def record(controller: ServerController, source: Source, jid: str) -> JobRecord:
    return next(r for r in records(controller, source) if r.jid == jid)


def stored(controller: ServerController) -> dict[str, list[tuple[bytes, Any]]]:
    """Every stored entry, by place: (exact bytes, score) in stored order."""
    places = [SCHEDULED, RETRIES, DEAD]
    places += [Source.of_queue(q.name) for q in api(controller, "queues")]
    return {p.label: [(r.payload, r.score) for r in records(controller, p)] for p in places}


@contextmanager
def answering(answer: bool) -> Iterator[list[tuple[str, str]]]:
    """Answer every confirmation with `answer`; yields the (title, text) of each question."""
    asked: list[tuple[str, str]] = []

    def answerer(title: str, text: str) -> bool:
        asked.append((title, text))
        return answer

    confirm.set_answerer(answerer)
    try:
        yield asked
    finally:
        confirm.set_answerer(None)


def top_level_widgets(qapp: QApplication) -> set[int]:
    """The C++ addresses of the top-level widgets that exist now."""
    return {shiboken6.getCppPointer(w)[0] for w in qapp.topLevelWidgets()}


def release_widgets(qapp: QApplication, existing: set[int]) -> None:
    """Close and delete the top-level widgets created since `existing` was taken, then
    collect, all on this (the GUI) thread.

    A Python-owned widget that a reference cycle keeps alive is otherwise deleted by whichever
    thread runs the next collection, e.g. the server thread; its timers then fire on a freed
    object (a crash in QTimerInfoList::activateTimers). Widgets other tests left are not ours
    to delete.
    """
    for widget in qapp.topLevelWidgets():
        if shiboken6.getCppPointer(widget)[0] not in existing:
            widget.close()
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
