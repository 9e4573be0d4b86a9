"""Actions on jobs from a browser: on the selection, or on everything the filter matches.

Destructive actions (kill, delete) ask first, and so does any action on all matches; the
question gives the count. A run on all matches goes through `FaktoryAPI.act_on_matches` in
batches, with a progress bar and Cancel. Every run ends with one sentence in the message line
saying what happened, including jobs that had moved in the meantime and were left alone.
Questions use `ui.confirm`, which never blocks the event loop.
"""

from __future__ import annotations

from collections.abc import Coroutine
from enum import Enum
from typing import Any, Protocol, cast

from PySide6.QtWidgets import QWidget

from faktory_desktop.core.api import Action, BulkResult
from faktory_desktop.core.humanize import count
from faktory_desktop.core.records import JobFilter, JobRecord, Kind, Source
from faktory_desktop.ui.confirm import confirm
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.feedback import MessageLine, call_api, failure_text
from faktory_desktop.ui.jobs.progress import ProgressRelay, TaskStrip

DESTRUCTIVE = (Action.KILL, Action.DELETE)
_SET_NAMES = {Kind.SCHEDULED: "Scheduled", Kind.RETRIES: "Retries", Kind.DEAD: "Dead",
              Kind.BUSY: "Busy"}


class Scope(Enum):
    SELECTED = "selected"
    MATCHES = "matches"


class Browser(Protocol):
    """What an action needs from the page it runs on."""

    controller: ServerController
    source: Source
    filter: JobFilter
    strip: TaskStrip
    message: MessageLine

    def matches_known(self) -> tuple[int, bool] | None: ...  # (count, exact); None: unknown

    def selected_records(self) -> Coroutine[Any, Any, list[JobRecord] | None]: ...

    def after_change(self) -> Coroutine[Any, Any, None]: ...


def label(action: Action, kind: Kind) -> str:
    """The button's text."""
    if action is Action.RETRY_NOW:
        return "Add to queue" if kind is Kind.SCHEDULED else "Retry now"
    return {Action.REQUEUE: "Requeue", Action.KILL: "Kill…", Action.DELETE: "Delete…"}[action]


def tooltip(action: Action, kind: Kind) -> str:
    return {
        Action.RETRY_NOW: "Put the jobs on their queues now, with a fresh enqueued time (r)",
        Action.REQUEUE: "Put the jobs back on their queues unchanged, as MUTATE requeue (u)",
        Action.KILL: "Move the jobs to Dead, where they stay 180 days (Shift+K)",
        Action.DELETE: "Delete the jobs for good (Shift+D)",
    }[action]


def place(source: Source) -> str:
    return f"queue “{source.queue}”" if source.kind is Kind.QUEUE else _SET_NAMES[source.kind]


def describe(flt: JobFilter) -> str:
    """The filter in words: 'job type “Mailer” and text “alice”'."""
    parts = [f"{name} “{value}”" for name, value in
             (("job type", flt.jobtype), ("jid", flt.jid), ("text", flt.text)) if value]
    return " and ".join(parts)


def result_text(action: Action, kind: Kind, asked: int, done: int, complete: bool) -> str:
    """One sentence on how an action went."""
    verb = {Action.RETRY_NOW: "Added" if kind is Kind.SCHEDULED else "Retried",
            Action.REQUEUE: "Requeued", Action.KILL: "Killed", Action.DELETE: "Deleted"}[action]
    where = {Action.RETRY_NOW: " onto their queues" if done != 1 else " onto its queue",
             Action.REQUEUE: " onto their queues, unchanged" if done != 1
             else " onto its queue, unchanged",
             Action.KILL: ": now in Dead", Action.DELETE: ""}[action]
    text = f"{verb} {count(done, 'job')}{where}."
    skipped = asked - done
    if skipped > 0:
        was = "was" if skipped == 1 else "were"
        text += f" {count(skipped, 'job')} had moved or changed meanwhile and {was} left alone."
    return text if complete else f"Cancelled. {text}"


def question(action: Action, source: Source, n: int, flt: JobFilter | None,
             exact: bool = True) -> tuple[str, str]:
    """(title, text) of the confirmation; `flt` None means the selection."""
    name = label(action, source.kind).rstrip("…")
    jobs = count(n, "job") if exact else f"at least {count(n, 'job')}"
    if flt is None:
        what = f"the {'selected job' if n == 1 else f'{n:,} selected jobs'} in {place(source)}"
    elif flt.empty:
        what = f"every job in {place(source)} ({jobs})"
    else:
        what = f"all {jobs} in {place(source)} matching {describe(flt)}"
    after = {Action.RETRY_NOW: "They go onto their queues now.",
             Action.REQUEUE: "They go back onto their queues, unchanged.",
             Action.KILL: "They move to Dead, where they stay 180 days.",
             Action.DELETE: "This cannot be undone."}[action]
    return f"{name} {jobs}?", f"{name} {what}? {after}"


def _widget(page: Browser) -> QWidget:
    return cast(QWidget, page)  # the page is a QWidget; the Protocol names what actions use


async def run(page: Browser, action: Action, scope: Scope) -> None:
    if scope is Scope.MATCHES:
        await _on_matches(page, action)
    else:
        await _on_selection(page, action)


async def _on_selection(page: Browser, action: Action) -> None:
    records = await page.selected_records()
    if records is None:
        return  # the page said why
    if not records:
        page.message.show_info("Select jobs first: click a row, or press x on it.")
        return
    if action in DESTRUCTIVE:
        title, text = question(action, page.source, len(records), None)
        accept = label(action, page.source.kind).rstrip("…")
        if not await confirm(_widget(page), title, text, destructive=True, accept_text=accept):
            return
    try:
        done = await call_api(page.controller, lambda api: api.act(action, records))
    except Exception as exc:  # noqa: BLE001 - reported to the user
        page.message.show_error(failure_text(exc) or f"{action.value} failed: {exc}")
        return
    page.message.show_success(result_text(action, page.source.kind, len(records), done, True))
    await page.after_change()


async def _on_matches(page: Browser, action: Action) -> None:
    known = page.matches_known()
    if known is None:
        page.message.show_info("The filter is still counting: wait for it, or cancel it.")
        return
    n, exact = known
    if n == 0:
        page.message.show_info("Nothing matches: there is nothing to act on.")
        return
    flt, source = page.filter, page.source
    title, text = question(action, source, n, flt, exact)
    accept = label(action, source.kind).rstrip("…")
    if not await confirm(_widget(page), title, text, destructive=action in DESTRUCTIVE,
                         accept_text=accept):
        return
    result = await _bulk(page, action, source, flt, n)
    if result is not None:
        page.message.show_success(
            result_text(action, source.kind, result.matched, result.done, result.complete))
        await page.after_change()


async def _bulk(page: Browser, action: Action, source: Source, flt: JobFilter,
                expected: int) -> BulkResult | None:
    name = label(action, source.kind).rstrip("…")
    cancel = page.strip.start(f"{name}: {count(expected, 'job')}…", expected)
    relay = ProgressRelay(lambda matched, _done: page.strip.advance(matched))
    try:
        return await call_api(page.controller, lambda api: api.act_on_matches(
            action, source, flt, relay, cancel))
    except Exception as exc:  # noqa: BLE001 - reported to the user
        page.message.show_error(failure_text(exc) or f"{action.value} failed: {exc}")
        return None
    finally:
        relay.close()
        page.strip.finish()
