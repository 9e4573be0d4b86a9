"""The exceptions the engine layer raises; each message is one line a user can act on."""

from __future__ import annotations


class EngineError(Exception):
    """Something is wrong with the engine (redis-server / valkey-server) or its setup."""


class EngineNotFound(EngineError):
    """No usable redis-server or valkey-server binary was found."""


class EngineStartError(EngineError):
    """The engine was found but did not start, or did not become ready in time."""


class DataDirInUse(EngineStartError):
    """Another Faktory Desktop already runs an engine on this data dir."""
