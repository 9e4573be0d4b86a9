"""The Redis gateway the settings ask for (`--redis-gateway`, `[redis_gateway]` in conf.d), and
the lines that tell the user about it.

```toml
[redis_gateway]
binding = "127.0.0.1:7421"   # or --redis-gateway HOST:PORT; off when neither is given
password = "..."             # or "/path/to/file"; default: generated once, in the data dir
tls = true                   # TLS only, with the server's certificate (--tls-cert/--tls-key)
```
"""

from __future__ import annotations

import logging

from faktory_desktop.config import Settings
from faktory_desktop.engine.gateway import PASSWORD_FILE, Gateway, GatewayRequest

log = logging.getLogger(__name__)

WITH_REDIS_URL = ("the Redis gateway is off: with --redis-url the server keeps its data in a "
                  "Redis that is already reachable at its own address")


def gateway_request(settings: Settings) -> GatewayRequest | None:
    if settings.redis_gateway is None or settings.redis_url:
        return None
    table = settings.toml.get("redis_gateway", {})
    host, port = settings.redis_gateway
    password = table.get("password")
    return GatewayRequest(host, port, str(password) if password else None,
                          tls=table.get("tls") is True, tls_cert=settings.tls_cert,
                          tls_key=settings.tls_key)


def announce_gateway(settings: Settings, gateway: Gateway | None) -> None:
    """Log where the gateway listens, loudly when not on this computer only; or why it is off."""
    if settings.redis_gateway is not None and settings.redis_url:
        log.warning(WITH_REDIS_URL)
    if gateway is None:
        return
    tls = " with TLS" if gateway.tls else ""
    log.info("Redis gateway listening at %s:%d%s; connect with: %s", gateway.host,
             gateway.port, tls, gateway.cli_command())
    if not settings.toml.get("redis_gateway", {}).get("password"):
        log.info("the Redis gateway's password is in %s", settings.data_dir / PASSWORD_FILE)
    if not gateway.local_only:
        log.warning("THE REDIS GATEWAY LISTENS ON %s:%d, NOT ONLY ON THIS COMPUTER: anyone who "
                    "reaches it and has the password can read and change every job",
                    gateway.host, gateway.port)
