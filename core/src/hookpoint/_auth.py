"""Who may use the management API and the dashboard: one rule for both.

With ``HOOKPOINT_ADMIN_TOKEN`` set, the API wants ``Authorization: Bearer <token>`` and the
dashboard a login with the token; both compare in constant time. Without one, only loopback
clients are let in, and not when the request came through a reverse proxy on the same machine
(it would make every visitor look local).
"""

from __future__ import annotations

import hmac
from typing import Protocol

__all__ = ["LOOPBACK", "PROXY_HEADERS", "is_local_client", "token_matches"]

LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1", "localhost"})
"""Peer addresses that are this machine (hypercorn reports IPv4-mapped IPv6 as such)."""

PROXY_HEADERS = (
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "forwarded",
    "x-real-ip",
)
"""Headers a reverse proxy adds: their presence means the loopback peer is only the proxy."""


class _HeaderNames(Protocol):
    def __contains__(self, name: str, /) -> bool: ...


def is_local_client(remote_addr: str | None, headers: _HeaderNames) -> bool:
    """A loopback peer that did not come through a proxy (``headers`` case-insensitive)."""
    if (remote_addr or "") not in LOOPBACK:
        return False
    return not any(name in headers for name in PROXY_HEADERS)


def token_matches(given: str, token: str) -> bool:
    """``given == token`` in constant time (both as UTF-8; surrounding spaces ignored)."""
    return hmac.compare_digest(given.strip().encode(), token.encode())
