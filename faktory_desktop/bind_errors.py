"""One readable line for a listener of ours that could not bind (metrics, the Redis gateway)."""

from __future__ import annotations

import errno


def bind_problem(host: str, port: int, exc: OSError) -> str:
    """`127.0.0.1:9100 is already in use`, or `cannot listen on 10.9.9.9:9100: <why>`."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return f"{where} is already in use"
    return f"cannot listen on {where}: {exc.strerror or exc}"
