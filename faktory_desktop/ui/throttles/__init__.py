"""The Throttles screen: conf.d's queue throttles, live, and their editor."""

from faktory_desktop.ui.throttles.page import ThrottlesPage

__all__ = ["ThrottlesPage"]
