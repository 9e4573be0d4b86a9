"""Which modules are compiled with mypyc (setup.py builds them), and the switch back to source.

The compiled modules are the ones every job passes through: FWP framing and parsing, the
session's command runner, the job lifecycle, and the Redis multiplexer. Each is plain, typed
Python that also runs as it is: a platform without a C compiler gets the same package, slower.

Setting FAKTORY_DESKTOP_PURE_PYTHON=1 makes this package import the .py sources even where the
compiled modules exist (for a debugger or a traceback with line numbers, and for the test suite's
pure-Python run). mypyc compiles exception classes, and a NamedTuple subclass, as ordinary Python
classes (`@mypyc_attr(native_class=False)`): it cannot compile those natively, and a native
exception class would be matched by exact type, missing subclasses defined elsewhere.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from types import ModuleType

PURE_PYTHON_ENV = "FAKTORY_DESKTOP_PURE_PYTHON"
GROUP = "faktory_desktop._hot"  # the shared library: faktory_desktop/_hot__mypyc.*
HOT_MODULES = (
    "faktory_desktop.protocol.framing",
    "faktory_desktop.protocol.connection",
    "faktory_desktop.protocol.commands",
    "faktory_desktop.protocol.state",
    "faktory_desktop.protocol.replies",
    "faktory_desktop.server.session",
    "faktory_desktop.server.commands",
    "faktory_desktop.core.manager",
    "faktory_desktop.core.job",
    "faktory_desktop.core.batches",  # subclasses core.job's JobError, so they compile together
    "faktory_desktop.core.tracking",  # likewise
    "faktory_desktop.core.reservations",
    "faktory_desktop.core.waiters",
    "faktory_desktop.core.timefmt",
    "faktory_desktop.core.enterprise",
    "faktory_desktop.core.workers",
    "faktory_desktop.core.throttles",
    "faktory_desktop.core.late_fetch",
    "faktory_desktop.core.service",
    "faktory_desktop.server.listener",
    "faktory_desktop.server.trace",  # asked on every command whether it records
    "faktory_desktop.core.info",  # its counters are counted on every command
    "faktory_desktop.core.events",
    "faktory_desktop.core.event_fold",  # every job's metrics, when statsd or Prometheus is on
    "faktory_desktop.storage.multiplexer",
    "faktory_desktop.storage.resp",
    "faktory_desktop.storage.store",
    "faktory_desktop.storage.keys",
)


def hot_path_kind() -> str:
    """'compiled' or 'pure Python': how the job path runs here (`--version`, the log's banner).
    Found without importing it."""
    spec = importlib.util.find_spec("faktory_desktop.server.session")
    origin = spec.origin if spec is not None else None
    compiled = origin is not None and origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    return "compiled" if compiled else "pure Python"


def compiled_is_stale(built_at: float | None = None) -> bool:
    """A source of the compiled hot path changed after it was built (`built_at`, epoch seconds;
    by default the shared library's time): the running code is not what the sources say until
    `make compile` (the log's banner warns). False where nothing was compiled."""
    spec = importlib.util.find_spec(GROUP + "__mypyc")
    if spec is None or not spec.origin or not os.path.exists(spec.origin):
        return False
    built = os.path.getmtime(spec.origin) if built_at is None else built_at
    package = os.path.dirname(spec.origin)
    for name in HOT_MODULES:
        source = os.path.join(package, *name.split(".")[1:]) + ".py"
        if os.path.exists(source) and os.path.getmtime(source) > built:
            return True
    return False


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Finds this package's modules as .py files, ahead of any compiled module."""

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if not name.startswith("faktory_desktop.") or not path:
            return None
        leaf = name.rpartition(".")[2]
        for folder in path:
            source = os.path.join(folder, leaf + ".py")
            if os.path.isfile(source):
                return importlib.util.spec_from_file_location(name, source)
        return None


def prefer_source_if_asked() -> None:
    if os.environ.get(PURE_PYTHON_ENV) and not any(
            isinstance(finder, _SourceFirst) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SourceFirst())
