"""Faktory Desktop: a Faktory-compatible background-job server, headless or as a desktop app."""

__version__ = "0.1.0"
FAKTORY_COMPAT_VERSION = "1.10.0"
