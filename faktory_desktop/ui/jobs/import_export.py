"""Export a browser's jobs (or its filtered part) to JSON Lines, and import a file back.

The work itself is `core.transfer`, on the server thread (it reads and writes the file there
too); this module picks the file without blocking the event loop (`QFileDialog.open()`, never
`exec()`), shows progress with Cancel, and reports: a sentence in the message line, and for an
import with rejected lines, a report that lists each line number and why.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from faktory_desktop.core import transfer
from faktory_desktop.core.humanize import count
from faktory_desktop.core.records import Kind
from faktory_desktop.ui.jobs.actions import Browser, describe, place
from faktory_desktop.ui.jobs.feedback import call_api, failure_text
from faktory_desktop.ui.jobs.progress import ProgressRelay

NAME_FILTERS = ["JSON Lines (*.jsonl *.ndjson)", "All files (*)"]
REPORT_LINES = 200


def choose_file(parent: QWidget, title: str, save: bool, suggested: str = "") -> \
        asyncio.Future[Path | None]:
    """A file dialog shown with `open()`; the future holds the path, or None when cancelled."""
    future: asyncio.Future[Path | None] = asyncio.get_event_loop().create_future()
    dialog = QFileDialog(parent, title, suggested)
    dialog.setObjectName("jsonlFileDialog")
    dialog.setNameFilters(NAME_FILTERS)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("jsonl")
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)

    def finished(_result: int) -> None:
        files = dialog.selectedFiles() if dialog.result() else []
        if not future.done():
            future.set_result(Path(files[0]) if files else None)
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()
    return future


async def export_to(page: Browser, path: Path) -> int | None:
    """Export the page's jobs matching its filter; returns how many, None if it did not."""
    source, flt = page.source, page.filter
    known = page.matches_known()
    cancel = page.strip.start(f"Exporting to {path.name}…", known[0] if known else 0)
    relay = ProgressRelay(lambda _scanned, found: page.strip.advance(found))
    try:
        written = await call_api(page.controller, lambda api: transfer.export_jsonl(
            api, source, flt, path, relay, cancel))
    except Exception as exc:  # noqa: BLE001 - reported to the user
        page.message.show_error(_failed("Export", path, exc))
        return None
    finally:
        relay.close()
        page.strip.finish()
    if written < 0:
        page.message.show_info("Export cancelled; no file was written.")
        return None
    what = f" matching {describe(flt)}" if not flt.empty else ""
    page.message.show_success(f"Exported {count(written, 'job')}{what} from {place(source)} "
                              f"to {path}.")
    return written


async def import_from(page: Browser, path: Path) -> transfer.ImportReport | None:
    """Import a JSONL file into the page's queue or set; returns the report."""
    source = page.source
    cancel = page.strip.start(f"Importing {path.name}…", 0)
    relay = ProgressRelay(lambda _line, added: page.strip.label.setText(
        f"Importing {path.name}: {count(added, 'job')}…"))
    try:
        report = await call_api(page.controller, lambda api: transfer.import_jsonl(
            api, source, transfer.read_lines(path), relay, cancel))
    except Exception as exc:  # noqa: BLE001 - reported to the user
        page.message.show_error(_failed("Import", path, exc))
        return None
    finally:
        relay.close()
        page.strip.finish()
    text = import_summary(report, place(source))
    if report.rejected_total:
        page.message.show_error(text)
        show_rejects(page, text, report)  # type: ignore[arg-type]
    else:
        page.message.show_success(text)
    await page.after_change()
    return report


def import_summary(report: transfer.ImportReport, where: str) -> str:
    text = f"Imported {count(report.added, 'job')} into {where}."
    if not report.complete:
        text = "Cancelled. " + text
    if report.rejected_total:
        text += f" {count(report.rejected_total, 'line')} rejected."
    return text


def show_rejects(parent: QWidget, summary: str, report: transfer.ImportReport) -> QMessageBox:
    """The rejected lines, each with its number and reason, in a non-blocking box."""
    box = QMessageBox(parent)
    box.setObjectName("importReport")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Import report")
    box.setText(summary)
    lines = [f"line {r.line}: {r.reason}" for r in report.rejected[:REPORT_LINES]]
    more = report.rejected_total - len(lines)
    shown = "\n".join(lines) + (f"\n… and {count(more, 'more line')}" if more > 0 else "")
    box.setInformativeText(shown if len(lines) <= 8 else "\n".join(lines[:8]) + "\n…")
    box.setDetailedText(shown)
    box.open()
    box.finished.connect(box.deleteLater)
    return box


def _failed(what: str, path: Path, exc: Exception) -> str:
    if isinstance(exc, OSError) and getattr(exc, "filename", None):
        return f"{what} failed: {exc.strerror or exc} ({exc.filename})."
    return failure_text(exc) or f"{what} failed: {exc}"


def importable(kind: Kind) -> bool:
    return kind is not Kind.BUSY
