"""The engine layer: find, configure, start, watch, restart and stop redis-server/valkey-server.

`Engine` supervises our own child process; `ExternalEngine` connects to a server someone else
runs. Both have `start() -> EngineAddress` and `stop()`; `EngineAddress` is what the storage
layer connects to.
"""

from .address import EngineAddress
from .binary import engine_version, engine_version_async, find_engine_binary
from .errors import DataDirInUse, EngineError, EngineNotFound, EngineStartError
from .external import ExternalEngine, parse_engine_url
from .state import EngineState
from .supervisor import Engine

__all__ = [
    "DataDirInUse",
    "Engine",
    "EngineAddress",
    "EngineError",
    "EngineNotFound",
    "EngineStartError",
    "EngineState",
    "ExternalEngine",
    "engine_version",
    "engine_version_async",
    "find_engine_binary",
    "parse_engine_url",
]
