"""The set pages' shared facts: which sorted set each one shows, its words and its buttons."""

from __future__ import annotations

from dataclasses import dataclass

from faktory_desktop.core.api import Action
from faktory_desktop.core.records import DEAD, RETRIES, SCHEDULED, Source


@dataclass(frozen=True)
class SetPage:
    source: Source
    path: str  # the list page, e.g. /morgue
    title: str
    time_label: str  # the first column: when the entry is due, or when it died
    empty: str
    buttons: tuple[tuple[str, str], ...]  # (form action, label) for selected rows
    all_buttons: tuple[tuple[str, str], ...]  # the same for every entry (or every match)


SET_PAGES = {
    "retries": SetPage(RETRIES, "/retries", "Retries", "Next Retry", "No retries were found",
                       (("retry", "Retry Now"), ("delete", "Delete"), ("kill", "Kill")),
                       (("retry", "Retry All"), ("delete", "Delete All"), ("kill", "Kill All"))),
    "scheduled": SetPage(SCHEDULED, "/scheduled", "Scheduled", "When",
                         "No scheduled jobs were found",
                         (("add_to_queue", "Add to queue"), ("delete", "Delete")),
                         (("add_to_queue", "Add All to queue"), ("delete", "Delete All"))),
    "morgue": SetPage(DEAD, "/morgue", "Dead", "Last Retry", "No dead jobs were found",
                      (("retry", "Retry Now"), ("delete", "Delete")),
                      (("retry", "Retry All"), ("delete", "Delete All"))),
}

# The form's `action` values (spec 7.4) and what each does; "kill" with key=all kills (Faktory
# re-enqueued everything instead).
FORM_ACTIONS = {"delete": Action.DELETE, "retry": Action.RETRY_NOW,
                "add_to_queue": Action.RETRY_NOW, "kill": Action.KILL}
DONE_WORDS = {"delete": "deleted", "retry": "retried", "add_to_queue": "added to their queues",
              "kill": "killed", "clear": "cleared", "none": "nothing selected"}
