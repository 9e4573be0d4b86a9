"""INFO's `used_memory_mb` when no file can be opened: unknown (null), never an error."""

from __future__ import annotations

import errno
import os
import resource

import psutil

from faktory_desktop.core.info import memory_mb


def test_memory_is_unknown_while_every_file_descriptor_is_in_use():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (psutil.Process().num_fds() + 16, hard))
    held: list[int] = []
    try:
        while True:
            try:
                held.append(os.open(os.devnull, os.O_RDONLY))
            except OSError as exc:
                assert exc.errno == errno.EMFILE
                break
        assert memory_mb() is None  # psutil cannot open /proc/PID/statm now
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert (memory_mb() or 0) > 0
