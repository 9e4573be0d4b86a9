"""An exclusive lock on a data dir, so that only one supervisor ever runs an engine on it.

Without it a second supervisor would stop the first one's engine as "left behind", the first
would restart it, and so on. The lock is an OS file lock on `<data_dir>/engine.lock`: the OS
drops it when our process dies, however it dies, and the engine child does not inherit it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import DataDirInUse

LOCK_NAME = "engine.lock"


def _try_lock(fd: int) -> bool:
    """Take an exclusive non-blocking lock on `fd`; False if someone else holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_holder(fd: int) -> str:
    """The pid the holder wrote into the lock file, or "?"."""
    try:
        return os.read(fd, 32).decode(errors="replace").strip() or "?"
    except OSError:
        return "?"


class DataDirLock:
    """Held while an `Engine` owns a data dir; `acquire` raises if another process holds it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, recording our pid in the file; blocking only for a moment."""
        if self._fd is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            holder = _read_holder(fd)
            os.close(fd)
            raise DataDirInUse(
                f"data dir {self.path.parent} is in use by another Faktory Desktop (pid {holder})"
            )
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (closing the file releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
