"""Cron's state in the engine, so it survives a restart: the last minute each entry fired, the
last 100 firings of each entry, and which entries are paused. Entries are named by their id."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import cast

from faktory_desktop.storage.store import Store

FIRED = "cron:fired"  # HASH entry id -> the last minute fired, epoch seconds
PAUSED = "cron:paused"  # SET of paused entry ids
HISTORY_PREFIX = "cron:history:"  # LIST per entry, newest first, of firing records (JSON)
HISTORY_KEPT = 100


def history_key(entry_id: str) -> str:
    return HISTORY_PREFIX + entry_id


class CronStore:
    def __init__(self, store: Store) -> None:
        self.cold = store.cold
        source = resources.files("faktory_desktop.storage").joinpath("lua", "cron_claim.lua")
        self._claim = self.cold.register_script(source.read_text())

    async def claim(self, entry_id: str, minute: int) -> bool:
        """Record `minute` as fired for this entry; False if it (or a later one) already was."""
        return bool(await self._claim(keys=[FIRED], args=[entry_id, minute]))

    async def record(self, entry_id: str, firing: bytes) -> None:
        """Add a firing to the entry's history, keeping the last HISTORY_KEPT."""
        async with self.cold.pipeline(transaction=True) as pipe:
            pipe.lpush(history_key(entry_id), firing)
            pipe.ltrim(history_key(entry_id), 0, HISTORY_KEPT - 1)
            await pipe.execute()

    async def history(self, entry_id: str, limit: int = HISTORY_KEPT) -> list[bytes]:
        return cast(list[bytes], await self.cold.lrange(history_key(entry_id), 0, limit - 1))

    async def latest(self, entry_ids: Iterable[str]) -> list[bytes | None]:
        """Each entry's last firing, or None."""
        async with self.cold.pipeline(transaction=False) as pipe:
            for entry_id in entry_ids:
                pipe.lindex(history_key(entry_id), 0)
            return cast(list[bytes | None], await pipe.execute())

    async def paused(self) -> set[str]:
        return {m.decode() for m in cast(set[bytes], await self.cold.smembers(PAUSED))}

    async def set_paused(self, entry_id: str, paused: bool) -> None:
        if paused:
            await self.cold.sadd(PAUSED, entry_id)
        else:
            await self.cold.srem(PAUSED, entry_id)
