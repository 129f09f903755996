"""Abuse controls, in-process: rate limits (429 + Retry-After), the cap on stored rejected
requests under an unauthenticated flood, the admin token's constant-time check, and secrets and
signature values kept out of every log line and API answer."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hookpoint._server import HookpointServer
from hookpoint._settings import Settings
from hookpoint.store import Store, open_store

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import hostile_app as app
    from pg_schema import PG_DSN
finally:
    sys.path.remove(str(HERE))

AUTH = {"Authorization": f"Bearer {app.ADMIN_TOKEN}"}


@contextlib.asynccontextmanager
async def serving(
    settings: Settings,
    *,
    store: Store | None = None,
    run_worker: bool = False,
    client: tuple[str, int] = ("127.0.0.1", 40000),
) -> AsyncIterator[tuple[HookpointServer, httpx.AsyncClient]]:
    server = HookpointServer(app.hp, settings, store=store, run_worker=run_worker)
    async with server.running():
        transport = httpx.ASGITransport(app=server, client=client)  # type: ignore[arg-type]
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost", timeout=30
        ) as http:
            yield server, http


async def post_cal(client: httpx.AsyncClient, uid: str) -> httpx.Response:
    body = app.cal_body(uid)
    return await client.post("/webhooks/caldotcom", content=body, headers=app.cal_headers(body))


async def post_generic(client: httpx.AsyncClient, uid: str) -> httpx.Response:
    body = json.dumps({"id": uid}).encode()
    return await client.post("/webhooks/generic", content=body, headers=app.generic_headers(body))


def retry_after(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["error"] == "rate_limited"
    value = int(response.headers["retry-after"])
    assert 1 <= value <= 10
    return value


# -- rate limits ----------------------------------------------------------------------------------


async def test_per_endpoint_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    # 0.5 requests/s: a burst of one, then one token every 2 s (two in-process requests take a
    # few milliseconds, so the second is always over the limit, however busy the machine).
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'rl.db'}", rate_limit=0.5)
    async with serving(settings) as (_, client):
        assert (await post_cal(client, "rl-1")).status_code == 200
        limited = await post_cal(client, "rl-2")
        wait = retry_after(limited)
        # the limit is per endpoint: another endpoint still has its own budget
        assert (await post_generic(client, "other-endpoint")).status_code == 200
        # a limited request is not stored and starts nothing
        listed = (await client.get("/api/requests", params={"endpoint": "caldotcom"})).json()
        assert len(listed["items"]) == 1
        await asyncio.sleep(wait + 0.1)
        assert (await post_cal(client, "rl-3")).status_code == 200


async def test_global_rate_limit_spans_endpoints(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'grl.db'}", global_rate_limit=0.5)
    async with serving(settings) as (_, client):
        assert (await post_cal(client, "g-1")).status_code == 200
        wait = retry_after(await post_generic(client, "g-2"))
        retry_after(await post_cal(client, "g-3"))
        await asyncio.sleep(wait + 0.1)
        assert (await post_generic(client, "g-4")).status_code == 200


def test_rate_limiter_first_request_and_shared_budget() -> None:
    """The first request of an endpoint is never refused (its bucket starts full), and a request
    refused by its endpoint's limit does not use up the global budget."""
    from hookpoint._ratelimit import RateLimiter

    for _ in range(100):
        assert RateLimiter(rate=0.5).check("fresh") == 0.0
    limiter = RateLimiter(rate=0.5, global_rate=2.0)
    assert limiter.check("a") == 0.0
    for _ in range(50):
        assert limiter.check("a") > 0  # refused by "a"'s own bucket
    assert limiter.check("b") == 0.0  # the global bucket still had its second token
    assert limiter.check("c") > 0  # and now it is empty


async def test_rate_limit_comes_before_reading_or_verifying(tmp_path: Path) -> None:
    """A flood of junk to a known URL is answered 429 before its body is read or verified, and
    is not recorded as a rejected request (the limit protects the store too)."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'o.db'}", rate_limit=0.5)
    async with serving(settings) as (_, client):
        first = await client.post("/webhooks/caldotcom", content=b"junk")
        assert first.status_code == 401
        statuses = [
            (await client.post("/webhooks/caldotcom", content=b"x" * 100_000)).status_code
            for _ in range(20)
        ]
        assert statuses == [429] * 20
        rejected = (await client.get("/api/requests", params={"status": "rejected"})).json()
        assert len(rejected["items"]) == 1
        # unknown endpoints are 404 before any limit (no bucket per made-up id)
        assert (await client.post("/webhooks/made-up")).status_code == 404


# -- the rejected-requests cap --------------------------------------------------------------------

CAP = 40
TRIM_EVERY = 10


async def flood_rejected(client: httpx.AsyncClient, n: int, tag: str) -> None:
    sem = asyncio.Semaphore(16)

    async def one(i: int) -> None:
        async with sem:
            body = json.dumps({"flood": tag, "i": i, "pad": "x" * 2000}).encode()
            bad = {"X-Cal-Signature-256": "00" * 32, "Content-Type": "application/json"}
            r = await client.post(f"/webhooks/caldotcom?i={i}", content=body, headers=bad)
            assert r.status_code == 401

    await asyncio.gather(*(one(i) for i in range(n)))


async def _rejected_table_is_capped(url: str, count: Callable[[], Any]) -> None:
    store = open_store(
        url, rejected_max_rows=CAP, rejected_trim_every=TRIM_EVERY, rejected_max_age=2.0
    )
    settings = Settings(database_url=url)
    async with serving(settings, store=store) as (_, client):
        await flood_rejected(client, 10 * CAP, "first")
        rows = await count()
        assert 0 < rows <= CAP + TRIM_EVERY, rows
        # rejected requests keep metadata only: no body, ever
        listed = (await client.get("/api/requests", params={"status": "rejected"})).json()
        detail = (await client.get(f"/api/requests/{listed['items'][0]['id']}")).json()
        assert detail["body"] == "" and detail["body_size"] > 2000
        # and they age out: after max_age, the next trim leaves only the newest
        await asyncio.sleep(2.5)
        await flood_rejected(client, TRIM_EVERY, "second")
        assert await count() <= TRIM_EVERY
        # the flood never touched the accepted requests
        assert (await post_cal(client, "after-flood")).status_code == 200


async def test_rejected_requests_are_capped_under_a_flood_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "cap.db"

    async def count() -> int:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            return int(conn.execute("SELECT count(*) FROM rejected_requests").fetchone()[0])

    await _rejected_table_is_capped(f"sqlite:///{path}", count)
    assert path.stat().st_size < 5 * 1024 * 1024


@pytest.mark.postgres
async def test_rejected_requests_are_capped_under_a_flood_postgres(pg_url: str) -> None:
    import asyncpg

    async def count() -> int:
        schema = pg_url.rsplit("search_path=", 1)[1]
        conn = await asyncpg.connect(PG_DSN, timeout=5)
        try:
            return int(await conn.fetchval(f'SELECT count(*) FROM "{schema}".rejected_requests'))
        finally:
            await conn.close()

    await _rejected_table_is_capped(pg_url, count)


async def whatsapp_handshake(
    client: httpx.AsyncClient, token: str, challenge: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": challenge}
    return await client.get("/webhooks/whatsapp", params=params, headers=headers)


async def test_refused_handshakes_are_capped_like_rejected_requests(tmp_path: Path) -> None:
    """A flood of wrong verify tokens is stored as rejected requests (capped), not as
    handshakes in the requests table."""
    url = f"sqlite:///{tmp_path / 'hs.db'}"
    store = open_store(url, rejected_max_rows=CAP, rejected_trim_every=TRIM_EVERY)
    async with serving(Settings(database_url=url), store=store) as (_, client):
        for i in range(3 * CAP):
            r = await whatsapp_handshake(client, f"guess-{i}", "1")
            assert r.status_code == 403
        handshakes = (await client.get("/api/requests", params={"status": "handshake"})).json()
        assert handshakes["items"] == []
        rejected = await client.get("/api/requests", params={"status": "rejected", "limit": 500})
        assert len(rejected.json()["items"]) <= CAP + TRIM_EVERY


async def _handshakes_are_capped(url: str) -> None:
    """Anyone who can reach an endpoint can make it record handshakes: they are capped like
    rejected requests (count and age), and their stored headers are cut to size."""
    store = open_store(url, rejected_max_rows=CAP, rejected_trim_every=TRIM_EVERY)
    async with serving(Settings(database_url=url), store=store) as (_, client):
        padding = {"X-Padding": "p" * 60_000, **{f"X-Many-{n}": "v" * 100 for n in range(200)}}
        for i in range(3 * CAP):
            r = await whatsapp_handshake(client, app.WA_TOKEN, str(i), padding)
            assert r.status_code == 200 and r.text == str(i)
        page = await client.get("/api/requests", params={"status": "handshake", "limit": 500})
        items = page.json()["items"]
        assert CAP <= len(items) <= CAP + TRIM_EVERY
        detail = (await client.get(f"/api/requests/{items[0]['id']}")).json()
        kept = detail["headers"]
        pairs = kept.items() if isinstance(kept, dict) else kept
        assert sum(len(str(k)) + len(str(v)) for k, v in pairs) < 10 * 1024
        assert "more headers not kept" in json.dumps(kept)


async def test_handshakes_are_capped_and_cut_to_size_sqlite(tmp_path: Path) -> None:
    await _handshakes_are_capped(f"sqlite:///{tmp_path / 'hs-cap.db'}")


@pytest.mark.postgres
async def test_handshakes_are_capped_and_cut_to_size_postgres(pg_url: str) -> None:
    await _handshakes_are_capped(pg_url)


# -- the admin token ------------------------------------------------------------------------------


async def test_admin_token_is_compared_in_constant_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hookpoint._auth as auth

    assert auth.hmac is hmac  # type: ignore[attr-defined]
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # what hookpoint._auth calls
    token = app.ADMIN_TOKEN
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'tok.db'}", admin_token=SecretStr(token)
    )
    # a non-loopback client: only the token can let it in
    async with serving(settings, client=("203.0.113.9", 5555)) as (_, client):
        assert (await client.get("/api/endpoints")).status_code == 401
        same_length = "Bearer " + "x" * len(token)
        r = await client.get("/api/endpoints", headers={"Authorization": same_length})
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        one_off = "Bearer " + token[:-1] + ("a" if token[-1] != "a" else "b")
        assert (
            await client.get("/api/runs", headers={"Authorization": one_off})
        ).status_code == 401
        prefix = "Bearer " + token[:-1]
        assert (await client.get("/api/runs", headers={"Authorization": prefix})).status_code == 401
        assert (await client.get("/api/runs", headers={"Authorization": token})).status_code == 401
        query = await client.get("/api/runs", params={"token": token})
        assert query.status_code == 401
        assert (await client.get("/api/runs", headers=AUTH)).status_code == 200
        assert (
            await client.get("/api/runs", headers={"Authorization": f"bearer {token}"})
        ).status_code == 200
    assert calls, "the token check never called hmac.compare_digest"
    assert all(isinstance(a, bytes) and b == token.encode() for a, b in calls)
    assert (("x" * len(token)).encode(), token.encode()) in calls


async def test_without_a_token_only_loopback_clients_reach_the_api(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'lo.db'}")
    async with serving(settings, client=("198.51.100.7", 5555)) as (_, client):
        assert (await client.get("/api/endpoints")).status_code == 401
        assert (await client.get("/api/endpoints", headers=AUTH)).status_code == 401
        # webhooks and health are public
        assert (await client.get("/healthz")).status_code == 200
        assert (await post_cal(client, "public")).status_code == 200
    async with serving(settings) as (_, client):
        assert (await client.get("/api/endpoints")).status_code == 200
        # a reverse proxy on the same machine makes everyone look like loopback
        for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host"):
            r = await client.get("/api/endpoints", headers={header: "203.0.113.1"})
            assert r.status_code == 401, header
        # loopback names are fine, with or without a port
        for host in ("localhost:8000", "127.0.0.1", "127.0.0.2:1", "[::1]:8000", "app.localhost"):
            r = await client.get("/api/endpoints", headers={"Host": host})
            assert r.status_code == 200, host
        # DNS rebinding: a page of another site reaching 127.0.0.1 under its own name
        for host in ("evil.example:8000", "[::1]evil.example", "127.0.0.1.nip.io"):
            rebound = await client.get("/api/requests", headers={"Host": host})
            assert rebound.status_code == 401, host
        # a cross-site form post needs no CORS preflight: its Origin gives it away
        replay = "/api/requests/nope/replay"
        cross = {"Origin": "https://evil.example", "Content-Type": "text/plain"}
        assert (await client.post(replay, headers=cross)).status_code == 401
        fetched = {"Sec-Fetch-Site": "Cross-Site"}
        assert (await client.post(replay, headers=fetched)).status_code == 401
        same = {"Origin": "http://localhost:8000", "Sec-Fetch-Site": "same-origin"}
        assert (await client.post(replay, headers=same)).status_code == 404  # let in: no such id


# -- secrets and signatures never leak ------------------------------------------------------------


async def test_secrets_and_signatures_appear_in_no_log_line_and_no_api_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets_ = {
        "cal.com secret": app.CAL_SECRET,
        "WhatsApp app secret": app.WA_SECRET,
        "WhatsApp verify token": app.WA_TOKEN,
        "hmac secret": app.HMAC_SECRET,
        "callable secret": app.CALLABLE_SECRET,
        "admin token": app.ADMIN_TOKEN,
    }
    sent: dict[str, str] = {}  # signature header values sent

    def remember(headers: dict[str, str]) -> dict[str, str]:
        for name, value in headers.items():
            if "signature" in name.lower():
                sent[f"{name} #{len(sent)}"] = value
        return headers

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'mask.db'}",
        admin_token=SecretStr(app.ADMIN_TOKEN),
        log_level="DEBUG",
    )
    async with serving(settings, run_worker=True) as (_, client):
        ids: list[str] = []
        for i in range(3):
            body = app.cal_body(f"mask-{i}", "BOOKING_CANCELLED")
            r = await client.post(
                "/webhooks/caldotcom", content=body, headers=remember(app.cal_headers(body))
            )
            assert r.status_code == 200
            ids.append(r.json()["id"])
        body = b'{"object":"whatsapp_business_account","entry":[]}'
        r = await client.post(
            "/webhooks/whatsapp", content=body, headers=remember(app.wa_headers(body))
        )
        assert r.status_code == 200
        for endpoint, make in (
            ("generic", app.generic_headers),
            ("callable", app.callable_headers),
        ):
            body = json.dumps({"endpoint": endpoint}).encode()
            headers = remember(make(body))
            # the signature and the admin token also travel in the query and other headers
            sig = next(v for k, v in headers.items() if "signature" in k.lower())
            r = await client.post(
                f"/webhooks/{endpoint}",
                params={"signature": sig, "token": app.ADMIN_TOKEN},
                content=body,
                headers={**headers, "Authorization": f"Bearer {app.ADMIN_TOKEN}"},
            )
            assert r.status_code == 200, r.text
        # forged and tampered requests: their signature values are recorded as rejected
        body = app.cal_body("forged")
        forged = remember({"X-Cal-Signature-256": app.hex_hmac(app.CAL_SECRET, body + b"x")})
        assert (
            await client.post("/webhooks/caldotcom", content=body, headers=forged)
        ).status_code == 401
        wrong_key = remember({"X-Hub-Signature-256": "sha256=" + app.hex_hmac("guess", body)})
        assert (
            await client.post("/webhooks/whatsapp", content=body, headers=wrong_key)
        ).status_code == 401
        # handshakes with the right and a wrong verify token
        for token in (app.WA_TOKEN, app.WA_TOKEN[:-1] + "?"):
            r = await client.get(
                "/webhooks/whatsapp",
                params={"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "77"},
            )
            assert r.status_code in (200, 403)
        # API calls with the token (and a wrong one)
        assert (
            await client.get("/api/runs", headers={"Authorization": "Bearer nope"})
        ).status_code == 401

        async def settled() -> bool:
            runs = (await client.get("/api/runs", headers=AUTH, params={"limit": 500})).json()
            return bool(runs["items"]) and all(
                r["status"] in ("succeeded", "failed") for r in runs["items"]
            )

        for _ in range(200):
            if await settled():
                break
            await asyncio.sleep(0.05)
        assert await settled()

        answers: dict[str, str] = {}

        async def fetch(path: str, **params: Any) -> Any:
            r = await client.get(path, headers=AUTH, params=params)
            assert r.status_code == 200, (path, r.text)
            answers[f"{path}?{params}"] = r.text
            return r.json() if "json" in r.headers.get("content-type", "") else None

        await fetch("/api/endpoints")
        await fetch("/metrics")
        requests_ = []
        for status in (None, "accepted", "rejected", "handshake", "duplicate"):
            params = {"limit": 500} | ({"status": status} if status else {})
            requests_ += (await fetch("/api/requests", **params))["items"]
        assert {r["status"] for r in requests_} >= {"accepted", "rejected", "handshake"}
        for item in requests_:
            await fetch(f"/api/requests/{item['id']}")
        runs = (await fetch("/api/runs", limit=500))["items"]
        assert runs
        for run in runs:
            await fetch(f"/api/runs/{run['id']}")

    # every log line of the host (the test's own httpx client logs the URLs it requests)
    host_records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert host_records, "nothing was logged: is the capture working?"
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    logs = [
        (f"a log line of {r.name}", formatter.format(r) + (f" {r.args!r}" if r.args else ""))
        for r in host_records
    ]
    leaks = [
        f"{what} in {where}"
        for what, value in {**secrets_, **sent}.items()
        for where, text in [*answers.items(), *logs]
        if value and value in text
    ]
    assert not leaks, "\n".join(leaks[:20])
    assert len(sent) >= 8 and len(answers) > 20


# -- bodies built to be expensive before verification ------------------------------------------


@pytest.mark.parametrize(
    ("provider", "handshake"),
    [
        ("zoom", {"event": "endpoint.url_validation", "payload": {"plainToken": "x"}}),
        ("slack", {"type": "url_verification", "challenge": "x"}),
        ("discord", {"type": 1}),
    ],
)
def test_challenge_hooks_do_not_parse_large_unverified_bodies(
    provider: str, handshake: dict[str, Any]
) -> None:
    """A challenge hook runs before verification, on whatever anyone posts: a body past
    HANDSHAKE_MAX_BODY is left to verification (which is cheap) instead of being parsed."""
    from hookpoint import Hookpoint, WebhookRequest
    from hookpoint.providerkit import HANDSHAKE_MAX_BODY

    plugins = Hookpoint(id="big").plugins
    settings = plugins.settings_for(provider, {})
    small = json.dumps(handshake).encode()
    padded = json.dumps({**handshake, "pad": " " * HANDSHAKE_MAX_BODY}).encode()
    for body, answered in ((small, True), (padded, False)):
        request = WebhookRequest(
            url=f"http://h/webhooks/{provider}",
            headers={"content-type": "application/json"},
            body=body,
        )
        reply = plugins.challenge(provider, request, settings, ("secret",))
        assert (reply is not None) is answered, (provider, len(body), reply)


@pytest.mark.parametrize("provider", ["slack", "twilio", "mailgun", "msgraph", "zoom", "discord"])
async def test_a_parse_bomb_is_refused_without_being_parsed(provider: str) -> None:
    """10 MiB of ``[],[],…`` or ``a&a&…`` took seconds of event-loop time per request when a
    plugin parsed it before verification; now the parsers refuse it from a byte count."""
    from hookpoint import Hookpoint, WebhookRequest

    plugins = Hookpoint(id="bomb").plugins
    settings = plugins.settings_for(provider, {})
    bombs = {
        "application/json": b'{"value":[' + b"[]," * 3_000_000 + b"[]]}",
        "application/x-www-form-urlencoded": b"&".join([b"a"] * 4_000_000),
    }
    for content_type, body in bombs.items():
        request = WebhookRequest(
            url=f"http://h/webhooks/{provider}", headers={"content-type": content_type}, body=body
        )
        plugins.challenge(provider, request, settings, ("secret",))
        assert not plugins.verify(provider, request, settings, ("secret",), 0.0)
        with pytest.raises(ValueError):
            request.json() if content_type == "application/json" else request.form()


def test_secret_names_masked_in_stored_metadata() -> None:
    """Names that carry keys on their own (Azure Functions' ?code=, ?sig=, ?key=, subscription
    keys, Trello's and Plaid's signature headers), and a ';'-separated query."""
    from hookpoint._secrets import MASK, is_secret_name, mask_url

    for name in (
        "code",
        "sig",
        "key",
        "auth",
        "pwd",
        "Ocp-Apim-Subscription-Key",
        "X-Trello-Webhook",
        "Plaid-Verification",
    ):
        assert is_secret_name(name), name
    for name in ("content-type", "x-github-event", "keyboard", "barcode", "hotkey"):
        assert not is_secret_name(name), name
    masked = mask_url("https://h/api/hook?code=abc123&x=1;sig=zzz")
    assert "abc123" not in masked and "zzz" not in masked and MASK in masked


async def test_a_secret_the_sender_puts_in_the_body_is_masked_when_shown(tmp_path: Path) -> None:
    """Microsoft Graph sends the subscription's clientState (the endpoint's secret) inside every
    notification: the API and the dashboard show the body with it masked."""
    from hookpoint import Hookpoint

    secret = "graph-client-state-secret-XYZ"
    hp = Hookpoint(id="graph-mask")
    hp.define_http_endpoint(id="graph", source="graph", provider="msgraph", secrets=[secret])
    body = json.dumps(
        {
            "value": [
                {
                    "subscriptionId": "s",
                    "clientState": secret,
                    "changeType": "updated",
                    "resource": "me/messages/1",
                    "tenantId": "t",
                }
            ]
        }
    ).encode()
    server = HookpointServer(hp, Settings(database_url=f"sqlite:///{tmp_path / 'g.db'}"))
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            r = await client.post(
                "/webhooks/graph", content=body, headers={"content-type": "application/json"}
            )
            assert r.status_code == 200
            request_id = r.json()["id"]
            api = (await client.get(f"/api/requests/{request_id}")).text
            page = (await client.get(f"/dashboard/requests/{request_id}")).text
    for shown in (api, page):
        assert secret not in shown and "clientState" in shown


async def test_nul_in_an_id_or_filter_is_a_400_not_a_store_error(tmp_path: Path) -> None:
    """PostgreSQL cannot compare a NUL and answered 503 store_unavailable: refused up front."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'nul.db'}")
    async with serving(settings) as (_, client):
        for target in (
            "/api/requests/%00",
            "/api/requests?endpoint=%00",
            "/api/runs?before=a%00b",
            "/dashboard/requests/%00",
        ):
            r = await client.get(target)
            assert r.status_code == 400, target
            assert "NUL" in r.json()["message"]


def test_a_failed_attempts_error_masks_query_tokens_of_urls() -> None:
    """httpx puts the whole URL in HTTPStatusError's message; the attempt's error (stored,
    shown in the API and dashboard, logged) and its traceback keep the token masked."""
    from hookpoint._engine import _error_text
    from hookpoint._secrets import mask_urls_in

    request = httpx.Request("GET", "https://api.example.com/v1/items?access_token=SECRET123&x=1")
    response = httpx.Response(500, request=request)
    try:
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        text = _error_text(exc)
    assert "SECRET123" not in text and "api.example.com/v1/items" in text and "x=1" in text
    assert mask_urls_in("no url here") == "no url here"


async def test_the_shared_http_client_keeps_no_cookies_between_calls() -> None:
    """io.http is one client for every job and endpoint: a session cookie one call was given
    must not ride along on another job's call to the same host."""
    from hookpoint._http import new_client

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/login":
            return httpx.Response(200, headers={"Set-Cookie": "session=JOB_A; Path=/"})
        return httpx.Response(200, text=request.headers.get("cookie", "none"))

    client = new_client(transport=httpx.MockTransport(handler))
    try:
        await client.get("https://api.example.com/login")
        assert (await client.get("https://api.example.com/other")).text == "none"
    finally:
        await client.aclose()


def test_the_recorded_client_is_the_right_most_untrusted_forwarded_address() -> None:
    """A proxy appends the address it saw to whatever X-Forwarded-For the client sent: the
    left-most entry is the client's own claim, the right-most untrusted one is the truth."""
    from hookpoint._auth import forwarded_client as _forwarded_client

    trusted = frozenset({"10.0.0.2", "10.0.0.3"})
    assert _forwarded_client("6.6.6.6, 198.51.100.7", trusted) == "198.51.100.7"
    assert _forwarded_client("198.51.100.7, 10.0.0.3", trusted) == "198.51.100.7"
    assert _forwarded_client("10.0.0.3", trusted) == "10.0.0.3"
    assert _forwarded_client(" , ", trusted) is None


async def test_metrics_floods_compute_the_run_counts_once_per_ttl() -> None:
    """/metrics needs no token, and its run counts cost time in proportion to the runs table:
    concurrent and repeated scrapes share one computation per STATS_TTL."""
    from hookpoint._metrics import Metrics
    from hookpoint.store import QueueStats

    calls = 0

    class CountingStore:
        async def queue_stats(self) -> QueueStats:
            nonlocal calls
            calls += 1
            await asyncio.sleep(0.01)
            return QueueStats(queued=3, running=1, oldest_queued_age=2.0, by_status={"queued": 3})

    metrics = Metrics()
    pages = await asyncio.gather(*(metrics.render(CountingStore()) for _ in range(20)))  # type: ignore[arg-type]
    assert calls == 1 and all(b"hookpoint_queue_depth 3.0" in page for page in pages)
    await metrics.render(CountingStore())  # type: ignore[arg-type]
    assert calls == 1
