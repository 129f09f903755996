"""The one module that imports httpx: the app's long-lived shared client (``io.http``).

Keeping httpx behind this seam makes a switch (e.g. to httpx2) a one-file change.
"""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

__all__ = ["AsyncClient", "HTTPError", "new_client", "post_sync", "relay_client", "send_quietly"]

AsyncClient = httpx.AsyncClient
HTTPError = httpx.HTTPError
"""What a request through either client raises when it gets no answer (connection, timeout,
protocol)."""


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


async def send_quietly(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: tuple[tuple[str, str], ...],
    body: bytes,
    timeout: float,
) -> int | str:
    """One request on the shared client, bounded by ``timeout`` seconds in every phase (pool
    wait included), that never raises an HTTP error: the status code (the answer's body is not
    read), or the error's type name (never its message, which holds the URL) when there is no
    response. The caller bounds the whole exchange too (a receiver may drip its headers)."""
    try:
        async with client.stream(
            method, url, headers=list(headers), content=body, timeout=httpx.Timeout(timeout)
        ) as response:  # the answer's body is not read
            return response.status_code
    except httpx.HTTPError as exc:
        return type(exc).__name__
