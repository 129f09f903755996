"""Who may use the management API and the dashboard: one rule for both.

With ``HOOKPOINT_ADMIN_TOKEN`` set, the API wants ``Authorization: Bearer <token>`` and the
dashboard a login with the token; both compare in constant time. Without one, only loopback
clients are let in, and not when the request came through a reverse proxy on the same machine
(it would make every visitor look local), nor when a browser sent it on behalf of another site:
the ``Host`` must name this machine (a DNS-rebinding page reaches 127.0.0.1 under its own
name) and an ``Origin`` or ``Sec-Fetch-Site`` must not be another site's (a cross-site form
POST to ``http://127.0.0.1:8000/api/...`` needs no CORS preflight).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Protocol
from urllib.parse import urlsplit

__all__ = [
    "LOOPBACK",
    "PROXY_HEADERS",
    "forwarded_client",
    "is_local_client",
    "is_loopback_name",
    "token_matches",
]

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


class _Headers(Protocol):
    def __contains__(self, name: str, /) -> bool: ...

    def get(self, name: str, /) -> str | None: ...


def is_loopback_name(host: str) -> bool:
    """``localhost`` (and ``*.localhost``), ``127.0.0.0/8`` or ``::1``, with or without a
    port and IPv6 brackets."""
    name = host.strip().lower()
    if name.startswith("["):
        name, _, rest = name[1:].partition("]")
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return False  # "[::1]evil.example"
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _same_machine_origin(origin: str) -> bool:
    try:
        host = urlsplit(origin).hostname
    except ValueError:
        return False
    return host is not None and is_loopback_name(host)


def is_local_client(remote_addr: str | None, headers: _Headers) -> bool:
    """A loopback peer that did not come through a proxy, addressed by a loopback name, and not
    sent by a browser for another site (``headers`` case-insensitive)."""
    if (remote_addr or "") not in LOOPBACK:
        return False
    if any(name in headers for name in PROXY_HEADERS):
        return False
    host = headers.get("host")
    if host is not None and not is_loopback_name(host):
        return False
    origin = headers.get("origin")
    if origin is not None and not _same_machine_origin(origin):
        return False
    site = (headers.get("sec-fetch-site") or "").strip().lower()
    return site not in ("cross-site", "same-site")


def token_matches(given: str, token: str) -> bool:
    """``given == token`` in constant time (both as UTF-8; surrounding spaces ignored)."""
    return hmac.compare_digest(given.strip().encode(), token.encode())


def forwarded_client(forwarded_for: str, trusted: frozenset[str]) -> str | None:
    """The client an ``X-Forwarded-For`` chain names: the right-most address that is not one of
    our proxies. (The left-most is whatever the client wrote, when a proxy appends.)"""
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return hops[0] if hops else None
