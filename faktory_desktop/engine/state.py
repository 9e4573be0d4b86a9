"""The engine's lifecycle states and the transitions allowed between them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum

log = logging.getLogger("faktory_desktop.engine")


class EngineState(Enum):
    """Where an engine is in its lifecycle; reported through `on_state_change`."""

    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    UNRESPONSIVE = "not responding"  # running, but has answered no health check for a while
    RESTARTING = "restarting"
    FAILED = "failed"


_ALLOWED: dict[EngineState, frozenset[EngineState]] = {
    EngineState.STOPPED: frozenset({EngineState.STARTING}),
    EngineState.STARTING: frozenset({EngineState.RUNNING, EngineState.FAILED, EngineState.STOPPED}),
    EngineState.RUNNING: frozenset(
        {EngineState.RESTARTING, EngineState.STOPPED, EngineState.UNRESPONSIVE}
    ),
    EngineState.UNRESPONSIVE: frozenset(
        {EngineState.RUNNING, EngineState.RESTARTING, EngineState.STOPPED}
    ),
    EngineState.RESTARTING: frozenset(
        {EngineState.RUNNING, EngineState.FAILED, EngineState.STOPPED}
    ),
    EngineState.FAILED: frozenset({EngineState.STARTING, EngineState.STOPPED}),
}


def can_transition(old: EngineState, new: EngineState) -> bool:
    """Whether the lifecycle may move from `old` to `new`."""
    return new in _ALLOWED[old]


def check_transition(old: EngineState, new: EngineState) -> None:
    """Raise RuntimeError (a bug in the supervisor) when `old -> new` is not allowed."""
    if not can_transition(old, new):
        raise RuntimeError(f"invalid engine state transition {old.name} -> {new.name}")


def notify(callback: Callable[[EngineState], None] | None, state: EngineState) -> None:
    """Call an `on_state_change` callback; its exceptions are logged, never raised."""
    if callback is None:
        return
    try:
        callback(state)
    except Exception:
        log.exception("on_state_change callback failed")
