"""What an unauthenticated visitor can cost the host, and what a session is worth after logout.

* A flood of dashboard form POSTs from anyone (1 MiB ``a&a&...`` bodies, with and without
  ``Content-Length``) does not stall signed ingest: every body a Quart route parses before login
  is bounded to a few KiB and a few dozen fields (a real host on a loopback port).
* ``Expect: 100-continue`` gets no ``100 Continue`` for a body over the route's limit.
* Logout ends the session in the store: the old cookie (and its CSRF token) no longer works in
  this process, in another process on the same SQLite file, or on PostgreSQL.
* Redirects are relative; the session cookie's ``Secure`` follows proxy chains and ``Forwarded``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookpoint._dashboard import SESSION_COOKIE, forwarded_https
from hookpoint._server import QUART_BODY_LIMIT, HookpointServer
from hookpoint._settings import Settings
from hookpoint.store import RunQuery

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import hostile_app as app
    from test_dashboard import TOKEN, build_app, csrf_of, login, send_cal, wait_for_status
finally:
    sys.path.remove(str(HERE))


# -- a flood of unauthenticated dashboard POSTs against a real host ------------------------------

FORM = b"Content-Type: application/x-www-form-urlencoded\r\n"
FLOOD_BODY = b"a&" * (512 * 1024)  # 1 MiB, a million empty fields


def _flood_request(target: bytes, chunked: bool) -> bytes:
    head = b"POST " + target + b" HTTP/1.1\r\nHost: localhost\r\n" + FORM
    if chunked:
        return (
            head
            + b"Transfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(FLOOD_BODY), FLOOD_BODY)
        )
    return head + b"Content-Length: %d\r\n\r\n" % len(FLOOD_BODY) + FLOOD_BODY


async def _flood_once(port: int, data: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        with contextlib.suppress(ConnectionError):  # refused before the whole body was sent
            await writer.drain()
        line = await reader.readline()
        return int(line.split()[1]) if line.startswith(b"HTTP/1.") else 0
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def _flood(port: int, stop: asyncio.Event, statuses: list[int], lane: int) -> None:
    targets = (b"/dashboard/login", b"/dashboard/logout", b"/dashboard/runs/x/replay")
    n = 0
    while not stop.is_set():
        target = targets[(lane + n) % len(targets)]
        statuses.append(await _flood_once(port, _flood_request(target, chunked=n % 2 == 1)))
        n += 1


async def _signed_latencies(client: httpx.AsyncClient, tag: str, n: int) -> list[float]:
    out = []
    for i in range(n):
        body = app.cal_body(f"{tag}-{i}")
        started = time.perf_counter()
        response = await client.post(
            "/webhooks/caldotcom", content=body, headers=app.cal_headers(body)
        )
        out.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return out


@pytest.mark.slow
async def test_a_flood_of_unauthenticated_dashboard_posts_does_not_stall_ingest(
    tmp_path: Path,
) -> None:
    """Before: each 1 MiB ``a&a&...`` login POST cost ~0.85 s of the event loop in Quart's form
    parser, and 16 in parallel held a signed delivery for seconds."""
    with app.served(tmp_path) as host:
        async with httpx.AsyncClient(base_url=host.url, timeout=30) as client:
            await _signed_latencies(client, "warm", 20)
            unloaded = await _signed_latencies(client, "quiet", 40)
            stop = asyncio.Event()
            statuses: list[int] = []
            flooders = [
                asyncio.create_task(_flood(host.port, stop, statuses, lane)) for lane in range(16)
            ]
            try:
                await asyncio.sleep(0.3)
                loaded = await _signed_latencies(client, "flooded", 40)
            finally:
                stop.set()
                await asyncio.gather(*flooders)
        assert host.alive()
    assert len(statuses) >= 16
    assert set(statuses) <= {401, 413}, sorted(set(statuses))  # refused, never parsed
    quiet, busy = statistics.median(unloaded), statistics.median(loaded)
    # A small multiple of the unloaded latency (generous: this machine is shared and noisy);
    # the unbounded parser made it seconds.
    assert busy < 5 * quiet + 0.05, (quiet, busy)
    assert max(loaded) < 0.5 + 5 * max(unloaded), (max(unloaded), max(loaded))


# -- Expect: 100-continue -------------------------------------------------------------------------


def _first_status(port: int, head: bytes, body: bytes | None = None) -> list[int]:
    """Statuses the host sends after ``head`` (and, after a 100, ``body``)."""
    statuses: list[int] = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                chunk = sock.recv(65536)
                if not chunk:
                    return statuses
                buf += chunk
            line, _, buf = buf.partition(b"\r\n\r\n")
            status = int(line.split()[1])
            statuses.append(status)
            if status != 100:
                return statuses
            if body is None:
                return statuses
            sock.sendall(body)


def _expecting(method: bytes, target: bytes, length: int, extra: bytes = b"") -> bytes:
    return (
        method + b" " + target + b" HTTP/1.1\r\nHost: localhost\r\n"
        b"Expect: 100-continue\r\nContent-Length: %d\r\n" % length + extra + b"\r\n"
    )


@pytest.mark.slow
def test_no_100_continue_for_a_body_over_the_limit(tmp_path: Path) -> None:
    auth = f"Authorization: Bearer {app.ADMIN_TOKEN}\r\n".encode()
    with app.served(tmp_path, env={"HOOKPOINT_MAX_BODY_SIZE": "1048576"}) as host:
        huge = 99 * 1024 * 1024
        for target, extra in (
            (b"/webhooks/open", b""),
            (b"/webhooks/caldotcom", b""),
            (b"/dashboard/login", FORM),
            (b"/api/runs/x/replay", auth),
        ):
            assert _first_status(host.port, _expecting(b"POST", target, huge, extra)) == [413], (
                target
            )
        # within the limit: the 100 comes (when the body is read), then the answer
        body = b'{"ok":true}'
        assert _first_status(
            host.port, _expecting(b"POST", b"/webhooks/open", len(body)), body
        ) == [100, 200]
        form = b"token=x"
        assert _first_status(
            host.port, _expecting(b"POST", b"/dashboard/login", len(form), FORM), form
        ) == [100, 400]  # read, then refused: the form has no CSRF token
        assert host.alive()


# -- server-side sessions -------------------------------------------------------------------------


def _server(database_url: str, **settings: Any) -> HookpointServer:
    return HookpointServer(
        build_app(), Settings(database_url=database_url, admin_token=TOKEN, **settings)
    )


def _client(server: HookpointServer) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://localhost")


async def _logged_in(client: httpx.AsyncClient) -> tuple[str, str]:
    """Log in; the session cookie and the CSRF token of a page."""
    assert (await login(client)).status_code == 303
    cookie = client.cookies[SESSION_COOKIE]
    page = await client.get("/dashboard/runs")
    assert page.status_code == 200
    return cookie, csrf_of(page.text)


async def _logout_ends_the_session_everywhere(database_url: str) -> None:
    first, second = _server(database_url), _server(database_url)
    async with first.running(), second.running(), _client(first) as a, _client(second) as b:
        cookie, csrf = await _logged_in(a)
        # the same cookie is a session in the other process too (shared token, shared store)
        b.cookies.set(SESSION_COOKIE, cookie)
        assert (await b.get("/dashboard/runs")).status_code == 200
        response = await send_cal(a, uid="session-run")
        assert response.status_code == 200
        run = (await first.store.list_runs(RunQuery(limit=1))).items[0]
        await wait_for_status(first, run.id, "succeeded")

        logout = await a.post("/dashboard/logout", data={"csrf_token": csrf})
        assert logout.status_code == 303
        assert logout.headers["location"] == "/dashboard/login"

        for client in (a, b):  # a replayed old cookie: in this process and the other one
            client.cookies.clear()
            client.cookies.set(SESSION_COOKIE, cookie)
            page = await client.get("/dashboard/runs")
            assert page.status_code == 302, page.text
            assert page.headers["location"].startswith("/dashboard/login")
            replay = await client.post(
                f"/dashboard/runs/{run.id}/replay", data={"csrf_token": csrf}
            )
            assert replay.status_code == 401
        assert len((await first.store.list_runs(RunQuery(limit=10))).items) == 1

        # logging in again works, and is a new session (the old cookie stays dead)
        a.cookies.clear()
        fresh, _ = await _logged_in(a)
        assert fresh != cookie
        b.cookies.clear()
        b.cookies.set(SESSION_COOKIE, cookie)
        assert (await b.get("/dashboard/runs")).status_code == 302


async def test_logout_ends_the_session_in_every_process_sqlite(tmp_path: Path) -> None:
    await _logout_ends_the_session_everywhere(f"sqlite:///{tmp_path / 'sessions.db'}")


@pytest.mark.postgres
async def test_logout_ends_the_session_in_every_process_postgres(pg_url: str) -> None:
    await _logout_ends_the_session_everywhere(pg_url)


async def test_an_expired_session_is_not_resumed_from_the_store(tmp_path: Path) -> None:
    server = _server(f"sqlite:///{tmp_path / 'expiry.db'}")
    async with server.running(), _client(server) as client:
        await _logged_in(client)
        keys = await server.store._read(  # type: ignore[attr-defined]
            lambda conn: [row[0] for row in conn.execute("SELECT key FROM dashboard_sessions")],
            "list sessions",
        )
        assert len(keys) == 1
        assert await server.store.session_active(keys[0], time.time())
        assert not await server.store.session_active(keys[0], time.time() + 13 * 3600)
        # the table keeps a digest, not the id the cookie carries
        assert keys[0] not in client.cookies[SESSION_COOKIE]


# -- form bounds ---------------------------------------------------------------------------------


@pytest.fixture
async def dash(tmp_path: Path) -> AsyncIterator[tuple[HookpointServer, httpx.AsyncClient]]:
    server = _server(f"sqlite:///{tmp_path / 'forms.db'}")
    async with server.running(), _client(server) as client:
        yield server, client


async def test_dashboard_forms_are_bounded_before_and_after_login(dash: Any) -> None:
    _, client = dash
    page = await client.get("/dashboard/login")
    csrf = csrf_of(page.text)
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    async def chunks(data: bytes) -> AsyncIterator[bytes]:  # no Content-Length: read and cut
        for i in range(0, len(data), 1024):
            yield data[i : i + 1024]

    big = b"csrf_token=" + csrf.encode() + b"&token=" + b"x" * 5000
    for content in (big, chunks(big)):
        answer = await client.post("/dashboard/login", content=content, headers=form)
        assert answer.status_code == 413, answer.text
    fields = "&".join(["csrf_token=" + csrf, *("f=1" for _ in range(100))])
    assert (await client.post("/dashboard/login", content=fields, headers=form)).status_code == 400
    multipart = await client.post(
        "/dashboard/login", files={"token": ("t", b"x")}, data={"csrf_token": csrf}
    )
    assert multipart.status_code == 415
    past_quart = await client.post(
        "/dashboard/login", content=b"a" * (QUART_BODY_LIMIT + 1), headers=form
    )
    assert past_quart.status_code == 413
    assert past_quart.json()["error"] == "payload_too_large"
    # the real form still works, and a logged-in operator's forms may be larger
    assert (await login(client)).status_code == 303
    csrf = csrf_of((await client.get("/dashboard/runs")).text)
    padded = {"csrf_token": csrf, "pad": "p" * 8000}
    assert (await client.post("/dashboard/logout", data=padded)).status_code == 303


# -- redirects and the Secure flag ----------------------------------------------------------------


async def test_redirects_are_relative_whatever_the_host(dash: Any) -> None:
    _, client = dash
    evil = {"Host": "evil.example"}
    root = await client.get("http://evil.example/dashboard", headers=evil)
    assert root.status_code == 308
    assert root.headers["location"] == "/dashboard/"
    index = await client.get("http://evil.example/dashboard/", headers=evil)
    assert index.headers["location"].startswith("/dashboard/login")
    logged = await login(client)
    assert logged.headers["location"] == "/dashboard/runs"
    assert (await client.get("/dashboard/")).headers["location"] == "/dashboard/endpoints"


@pytest.mark.parametrize(
    ("headers", "secure"),
    [
        ({"X-Forwarded-Proto": "https"}, True),
        ({"X-Forwarded-Proto": "https, http"}, True),
        ({"X-Forwarded-Proto": "http, https"}, True),
        ({"X-Forwarded-Proto": "HTTPS"}, True),
        ({"Forwarded": "for=192.0.2.60;proto=https;by=203.0.113.43"}, True),
        ({"Forwarded": 'for="[2001:db8::1]";proto="https", for=10.0.0.1;proto=http'}, True),
        ({"X-Forwarded-Proto": "http"}, False),
        ({"Forwarded": "for=192.0.2.60;proto=http"}, False),
        ({"Forwarded": "for=192.0.2.60;host=https"}, False),
        ({}, False),
    ],
)
async def test_the_session_cookie_is_secure_when_a_trusted_proxy_says_https(
    tmp_path: Path, headers: dict[str, str], secure: bool
) -> None:
    server = _server(f"sqlite:///{tmp_path / 'proxy.db'}", trusted_proxies="10.0.0.2")
    async with server.running():
        for peer, expected in ((("10.0.0.2", 4000), secure), (("192.0.2.9", 4000), False)):
            transport = httpx.ASGITransport(app=server, client=peer)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://h") as client:
                page = await client.get("/dashboard/login", headers=headers)
                cookie = page.headers["set-cookie"]
                assert ("; Secure" in cookie) is expected, (peer, headers, cookie)


def test_forwarded_https_reads_every_header_line() -> None:
    from werkzeug.datastructures import Headers

    assert forwarded_https(Headers([("X-Forwarded-Proto", "http"), ("X-Forwarded-Proto", "https")]))
    assert not forwarded_https(Headers([("X-Forwarded-Proto", "http")]))
