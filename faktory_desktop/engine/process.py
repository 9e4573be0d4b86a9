"""Spawning the engine child process and ending it (politely, then by signal)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import psutil

from .pidfile import is_gone

log = logging.getLogger("faktory_desktop.engine")

PR_SET_PDEATHSIG = 1
_POLL = 0.05


def _pdeathsig_preexec() -> Callable[[], None]:
    """A preexec_fn asking Linux to SIGTERM the child when we die (even by kill -9)."""
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before fork: no dlopen in the child
    prctl = libc.prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # we died before prctl took effect
            os._exit(1)

    return preexec


async def spawn(
    binary: str, conf_path: Path, die_with_parent: bool = True
) -> asyncio.subprocess.Process:
    """Start `binary conf_path`, output to /dev/null (the engine logs to its logfile).

    The child gets its own session, so a Ctrl-C in our terminal reaches us, not the engine: we
    stop it ourselves with SHUTDOWN SAVE. On Linux it also dies with us (PR_SET_PDEATHSIG);
    elsewhere a child left behind is found through the pidfile at the next start.
    """
    preexec = _pdeathsig_preexec() if die_with_parent and sys.platform == "linux" else None
    kwargs: dict[str, object] = {}
    if sys.platform == "win32":
        kwargs["creationflags"] = 0x00000200  # CREATE_NEW_PROCESS_GROUP
    else:
        kwargs["start_new_session"] = True
    return await asyncio.create_subprocess_exec(
        binary,
        str(conf_path),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        preexec_fn=preexec,
        **kwargs,  # type: ignore[arg-type]
    )


async def wait_child(proc: asyncio.subprocess.Process, timeout: float) -> bool:
    """Wait up to `timeout` s for our child to exit; True if it did."""
    if proc.returncode is not None:
        return True
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.shield(proc.wait()), timeout)
    return proc.returncode is not None


async def end_child(proc: asyncio.subprocess.Process, term_timeout: float = 5.0) -> None:
    """SIGTERM our child, then SIGKILL it if it is still there after `term_timeout` s."""
    steps = (("SIGTERM", proc.terminate, term_timeout), ("SIGKILL", proc.kill, 5.0))
    for name, send, wait in steps:
        if proc.returncode is not None:
            return
        log.warning("sending %s to the engine (pid %d)", name, proc.pid)
        with contextlib.suppress(ProcessLookupError):
            send()
        if await wait_child(proc, wait):
            return
    log.error("the engine (pid %d) did not exit even after SIGKILL", proc.pid)


async def wait_gone(proc: psutil.Process, timeout: float) -> bool:
    """Wait up to `timeout` s for a process that is not our child to exit; True if it did."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not is_gone(proc):
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(_POLL)
    return True


async def end_process(proc: psutil.Process, term_timeout: float = 5.0) -> bool:
    """SIGTERM, then SIGKILL, a process that is not our child; True once it is gone."""
    steps = (("SIGTERM", proc.terminate, term_timeout), ("SIGKILL", proc.kill, 5.0))
    for name, send, wait in steps:
        if is_gone(proc):
            return True
        log.warning("sending %s to the old engine (pid %d)", name, proc.pid)
        with contextlib.suppress(psutil.Error):
            send()
        if await wait_gone(proc, wait):
            return True
    return is_gone(proc)
