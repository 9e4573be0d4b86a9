"""What conf.d configures in the core beyond `[faktory]`: cron entries and queue throttles.

Checked as a whole before anything is applied, so a bad file at start stops the server with one
line naming the file, entry and problem, and a bad file at reload leaves the running config as is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from faktory_desktop.core.cron.entries import CronEntry, EntryError, parse_entries
from faktory_desktop.core.throttles import Limit, ThrottleConfigError, parse_limits


class FeatureError(ValueError):
    """A cron entry or throttle that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Features:
    cron: tuple[CronEntry, ...] = ()
    throttles: Mapping[str, Limit] = field(default_factory=dict)


def parse_features(document: Mapping[str, Any], cron_files: Sequence[str]) -> Features:
    """`cron_files[i]`: the conf.d file that holds the document's i-th [[cron]] entry."""
    try:
        return Features(parse_entries(document.get("cron"), cron_files),
                        parse_limits(document.get("throttles")))
    except (EntryError, ThrottleConfigError) as exc:
        raise FeatureError(str(exc)) from None
