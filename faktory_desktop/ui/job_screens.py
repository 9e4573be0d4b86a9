"""The job screens, wired together: the pages in the sidebar and the dialogs they open.

Queues lists the queues and opens one in the queue browser; each browser opens a job's detail,
the editor, or a side-by-side diff. Batches lists the batches; a job's detail links to its batch,
and a batch's jobs open their detail. Every dialog is parented to the window, so Qt (not Python's
garbage collector, which may run on the server thread) decides when it goes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from faktory_desktop.core.records import BUSY, DEAD, RETRIES, SCHEDULED, JobRecord, Source
from faktory_desktop.ui.batches.page import BatchesPage
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.browser import JobBrowserPage
from faktory_desktop.ui.jobs.detail import JobDetailDialog
from faktory_desktop.ui.jobs.diff import JobDiffDialog
from faktory_desktop.ui.jobs.editor import JobEditorDialog
from faktory_desktop.ui.jobs.feedback import MessageLine
from faktory_desktop.ui.jobs.gone_notice import GoneNotice
from faktory_desktop.ui.jobs.new_job import NewJobDialog
from faktory_desktop.ui.jobs.queues_page import QueuesPage
from faktory_desktop.ui.jobs.workers_page import WorkersPage
from faktory_desktop.ui.main_window import MainWindow
from faktory_desktop.ui.poller import Poller


class JobScreens:
    def __init__(self, controller: ServerController, poller: Poller, window: MainWindow) -> None:
        self.controller = controller
        self.window = window
        self.queues = QueuesPage(controller, poller)
        self.queue = JobBrowserPage(controller, Source.of_queue("default"))
        self.browsers = [self.queue] + [JobBrowserPage(controller, s)
                                        for s in (BUSY, SCHEDULED, RETRIES, DEAD)]
        self.workers = WorkersPage(controller)
        self.batches = BatchesPage(controller)
        window.add_page("Queues", self.queues)
        self._queue_index = window.pages.count()
        window.add_page(self._queue_title("default"), self.queue)
        for browser, title in zip(self.browsers[1:], ("Busy", "Scheduled", "Retries", "Dead"),
                                  strict=True):
            window.add_page(title, browser)
        window.add_page("Workers", self.workers)
        self.gone_notices = [self._gone_notice(page, page.message)
                             for page in (self.browsers[1], self.workers)]
        window.add_page("Batches", self.batches)
        self._connect()

    def _gone_notice(self, page: QWidget, message: MessageLine) -> GoneNotice:
        """Jobs whose worker has gone, under the page's heading, with Requeue now."""
        notice = GoneNotice(self.controller, page, message)
        layout = page.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, notice)
        notice.requeued.connect(lambda _n: self.refresh_all())
        return notice

    def _connect(self) -> None:
        self.queues.queueOpened.connect(self.open_queue)
        self.queues.newJobRequested.connect(self.new_job)
        for browser in self.browsers:
            browser.openRequested.connect(self.open_job)
            browser.editRequested.connect(self.edit_job)
            browser.compareRequested.connect(self.compare_jobs)
        self.batches.jobOpened.connect(self.open_job)

    @staticmethod
    def _queue_title(name: str) -> str:
        return f"Queue · {name}"

    def open_queue(self, name: str) -> None:
        self.queue.set_source(Source.of_queue(name))
        self.window.sidebar.item(self._queue_index).setText(self._queue_title(name))
        self.window.show_page(self._queue_index)

    def open_batch(self, bid: str) -> None:
        self.batches.show_batch(bid)
        self.window.show_page(self.window.pages.indexOf(self.batches))

    def refresh_all(self) -> None:
        for browser in self.browsers:
            browser.refresh_now()

    def _show(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def open_job(self, record: JobRecord) -> None:
        detail = JobDetailDialog(self.controller, record, self.window)
        detail.editRequested.connect(lambda rec: self.edit_job(rec, detail))
        detail.jobsChanged.connect(self.refresh_all)
        detail.batchRequested.connect(self.open_batch)
        self._show(detail)

    def edit_job(self, record: JobRecord, detail: JobDetailDialog | None = None) -> None:
        editor = JobEditorDialog(self.controller, record, self.window)
        editor.saved.connect(lambda _rec: self.refresh_all())
        editor.pushed.connect(lambda _jid: self.refresh_all())
        if detail is not None:
            editor.saved.connect(detail.set_record)
        self._show(editor)

    def compare_jobs(self, left: JobRecord, right: JobRecord) -> None:
        self._show(JobDiffDialog(left, right, self.window))

    def new_job(self) -> None:
        dialog = NewJobDialog(self.controller, self.window)
        dialog.pushed.connect(lambda _jid: self.refresh_all())
        self._show(dialog)
