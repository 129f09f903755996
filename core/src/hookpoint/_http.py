"""The one module that imports httpx: the app's long-lived shared client (``io.http``).

Keeping httpx behind this seam makes a switch (e.g. to httpx2) a one-file change.
"""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

__all__ = ["AsyncClient", "new_client", "post_sync", "send_quietly"]

AsyncClient = httpx.AsyncClient


def _no_cookies() -> CookieJar:
    """A jar that keeps nothing: the client is shared by every job and endpoint of the app, so
    a cookie one call was given must not ride along on another job's call. A job that needs a
    session passes its cookies per request."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def new_client(*, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """One client per app, opened at start and closed at shutdown (connection pooling).
    Proxy settings come from the environment (``HTTPS_PROXY``, ``NO_PROXY``), as for any
    httpx client; cookies are never kept between calls."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(30.0, connect=10.0),
        follow_redirects=False,
        headers={"User-Agent": "hookpoint"},
        cookies=_no_cookies(),
        transport=transport,
    )


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
