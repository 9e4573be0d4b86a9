"""The Cron screen: conf.d's periodic jobs, their next runs and history, and their editor."""

from faktory_desktop.ui.cron.page import CronPage

__all__ = ["CronPage"]
