"""The Dashboard page: totals, live graphs (pyqtgraph) and daily history.

`series` holds the ring buffers and has no Qt; `cards`, `graphs`, `queues` and `history` are the
page's parts; `page.DashboardPage` puts them together and listens to the Poller.
"""

from faktory_desktop.ui.dashboard.page import DashboardPage

__all__ = ["DashboardPage"]
