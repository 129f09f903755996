"""The one module that imports httpx: the app's long-lived shared client (``io.http``).

Keeping httpx behind this seam makes a switch (e.g. to httpx2) a one-file change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Literal

import httpx

__all__ = [
    "AsyncClient",
    "Exchange",
    "ExchangeFailed",
    "HTTPError",
    "exchange",
    "is_hop_by_hop",
    "new_client",
    "post_sync",
    "relay_client",
    "resendable_headers",
]

AsyncClient = httpx.AsyncClient
HTTPError = httpx.HTTPError
"""What a request through either client raises when it gets no answer (connection, timeout,
protocol)."""


HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"}
)
"""Headers of one connection, not of the message (RFC 9110 §7.6.1); ``Proxy-*`` too, by
prefix (:func:`is_hop_by_hop`)."""
_NEW_CONNECTION = frozenset({"host", "content-length", "expect"})
"""What the connection a stored request is sent again on sets for itself."""


def is_hop_by_hop(name: str) -> bool:
    """``name`` (lower case) is a header of the connection, never sent on to another."""
    return name in HOP_BY_HOP or name.startswith("proxy-")


def resendable_headers(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a stored request that a new request carrying it again keeps (a
    forwarding destination, ``hookpoint listen``): all of them, in order and with repeats,
    but the hop-by-hop ones, those ``Connection`` names, and ``Host``, ``Content-Length`` and
    ``Expect``, which belong to the new connection."""
    listed = {
        token.strip().lower()
        for name, value in headers
        if name.lower() == "connection"
        for token in value.split(",")
    }
    return [
        (name, value)
        for name, value in headers
        if not is_hop_by_hop(lower := name.lower())
        and lower not in _NEW_CONNECTION
        and lower not in listed
    ]


def _no_cookies() -> CookieJar:
    """A jar that keeps nothing: the client is shared by every job and endpoint of the app, so
    a cookie one call was given must not ride along on another job's call. A job that needs a
    session passes its cookies per request."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def new_client(
    *, transport: httpx.AsyncBaseTransport | None = None, timeout: float = 30.0
) -> httpx.AsyncClient:
    """One client per app, opened at start and closed at shutdown (connection pooling).
    Proxy settings come from the environment (``HTTPS_PROXY``, ``NO_PROXY``), as for any
    httpx client; cookies are never kept between calls. ``hookpoint listen`` polls its host
    with one too (``timeout``: longer than its long poll)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=10.0),
        follow_redirects=False,
        headers={"User-Agent": "hookpoint"},
        cookies=_no_cookies(),
        transport=transport,
    )


def relay_client(timeout: float) -> httpx.AsyncClient:
    """``hookpoint listen``'s client for the local app: it sends exactly the headers it is
    given (none of httpx's defaults: no ``Accept``, ``Accept-Encoding``, ``Connection`` or
    ``User-Agent`` of its own; ``Host`` and ``Content-Length`` are always the target's), takes
    no proxy from the environment (the target is the developer's machine), keeps no cookies
    and never follows a redirect."""
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=10.0),
        follow_redirects=False,
        trust_env=False,
        cookies=_no_cookies(),
    )
    for name in list(client.headers):
        del client.headers[name]
    return client


def post_sync(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout: float = 30.0
) -> tuple[int, bytes]:
    """One blocking request (``hookpoint send``); returns (status, body)."""
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        response = client.request(method, url, headers=headers, content=body)
        return response.status_code, response.content


@dataclass(frozen=True, slots=True)
class Exchange:
    """What a destination answered (``exchange``)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    """The first ``body_limit`` bytes of the body (decoded from its content encoding)."""
    truncated: bool
    """More body followed, or the rest did not arrive within the timeout."""
    latency: float
    """Seconds from sending to the response's headers."""


class ExchangeFailed(Exception):
    """No response: ``kind`` is ``timeout``, ``connect`` (refused, unreachable, DNS, TLS) or
    ``network`` (the connection broke, or the answer was not HTTP)."""

    def __init__(self, kind: Literal["timeout", "connect", "network"], message: str) -> None:
        self.kind = kind
        super().__init__(message)


async def exchange(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: Sequence[tuple[bytes, bytes]] | Sequence[tuple[str, str]],
    body: bytes,
    *,
    timeout: float,
    body_limit: int,
) -> Exchange:
    """Send one request on the shared ``client`` exactly as given (header bytes and body
    bytes untouched; redirects are never followed, cookies never kept) and read at most
    ``body_limit`` bytes of the answer. ``timeout`` bounds the whole exchange up to the
    response headers; the body prefix is read in what is left of it (a slow body is cut,
    not an error). :raises ExchangeFailed: no response."""
    started = time.monotonic()
    deadline = started + timeout
    request = client.build_request(method, url, headers=headers, content=body, timeout=timeout)
    try:
        async with asyncio.timeout(timeout):
            response = await client.send(request, stream=True, follow_redirects=False)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise ExchangeFailed("timeout", f"no response within {timeout:g}s") from exc
    except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.ProxyError) as exc:
        raise ExchangeFailed("connect", f"could not connect: {exc or type(exc).__name__}") from exc
    except httpx.HTTPError as exc:
        raise ExchangeFailed("network", f"{type(exc).__name__}: {exc}") from exc
    latency = time.monotonic() - started
    chunks: list[bytes] = []
    size = 0
    truncated = False
    try:
        async with asyncio.timeout(max(0.0, deadline - time.monotonic()) or 0.001):
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > body_limit:
                    truncated = True
                    break
    except (TimeoutError, httpx.HTTPError):
        truncated = True
    finally:
        await response.aclose()
    return Exchange(
        status=response.status_code,
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw],
        body=b"".join(chunks)[:body_limit],
        truncated=truncated,
        latency=latency,
    )
