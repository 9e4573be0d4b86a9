"""Faktory Desktop: a Faktory-compatible background-job server, headless or as a desktop app."""

from faktory_desktop.compiled import prefer_source_if_asked

__version__ = "0.1.0"
FAKTORY_COMPAT_VERSION = "1.10.0"

prefer_source_if_asked()  # before any compiled module loads: FAKTORY_DESKTOP_PURE_PYTHON=1
