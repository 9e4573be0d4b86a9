"""The cold-path client (redis-py): bounded in connections and in how long it waits.

INFO, MUTATE, QUEUE and the app's reads run here. Its pool is bounded, so a burst of INFO from
500 clients cannot open 500 engine connections (and 500 file descriptors, see
`server.fdlimit.ENGINE_FDS`): a command waits for a free connection instead. Every wait on the
engine, for a connection, to connect, or for a reply, gives up after `deadline` seconds.
"""

from __future__ import annotations

import redis.asyncio as aioredis
import redis.exceptions as redis_errors
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from faktory_desktop.engine.address import EngineAddress
from faktory_desktop.storage.multiplexer import EngineTimeout

POOL_SIZE = 16

# What a storage call raises when the engine let it wait past the deadline, on either path.
ENGINE_TIMEOUTS: tuple[type[Exception], ...] = (
    EngineTimeout, redis_errors.TimeoutError, TimeoutError,
)


def cold_client(address: EngineAddress, deadline: float) -> aioredis.Redis:
    """A client whose every wait on the engine ends within `deadline` s. A pooled connection that
    broke (the engine restarted) is retried once at once; a timeout is not retried."""
    pool = aioredis.BlockingConnectionPool.from_url(
        address.redis_url, max_connections=POOL_SIZE, timeout=deadline,
        socket_timeout=deadline, socket_connect_timeout=deadline,
        retry=Retry(NoBackoff(), 1, supported_errors=(redis_errors.ConnectionError,)),
    )
    return aioredis.Redis.from_pool(pool)
