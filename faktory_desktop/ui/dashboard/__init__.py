"""The Dashboard page: totals, live graphs (pyqtgraph) and daily history.

`series` holds the ring buffers and has no Qt; `cards`, `graphs`, `queues` and `history` are the
page's parts; `page.DashboardPage` puts them together and listens to the Poller. `placeholder`
has no pyqtgraph: the app shows it at launch while `page` (pyqtgraph and numpy, about 0.4 s to
import) loads after the window's first paint, so `DashboardPage` is imported on first use here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faktory_desktop.ui.dashboard.page import DashboardPage

__all__ = ["DashboardPage"]


def __getattr__(name: str) -> object:
    if name == "DashboardPage":
        from faktory_desktop.ui.dashboard.page import DashboardPage

        return DashboardPage
    raise AttributeError(name)
