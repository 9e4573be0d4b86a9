"""TLS for the command port: on when a certificate and key are configured (spec P-98)."""

from __future__ import annotations

import ssl

from faktory_desktop.config import ConfigError, Settings


def server_context(settings: Settings) -> ssl.SSLContext | None:
    """A TLS 1.2+ server context, or None when no certificate is configured."""
    if not (settings.tls_cert and settings.tls_key):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(settings.tls_cert, settings.tls_key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load the TLS certificate {settings.tls_cert}: {exc}") from None
    return context
