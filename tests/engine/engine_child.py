"""Run an Engine in its own Python process: start it, SET left=behind, print its pid, wait.

Used by the tests that kill -9 the supervising process (PDEATHSIG, engine left behind).
Arguments: DATA_DIR BINARY DIE_WITH_PARENT(1|0).
"""

from __future__ import annotations

import asyncio
import sys

import redis.asyncio as aioredis

from faktory_desktop.engine import Engine


async def main(data_dir: str, binary: str, die_with_parent: bool) -> None:
    engine = Engine(data_dir, binary=binary, die_with_parent=die_with_parent)
    address = await engine.start()
    client = aioredis.Redis.from_url(address.redis_url)
    await client.set("left", "behind")
    await client.aclose()
    print(engine.pid, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] == "1"))
