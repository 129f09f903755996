"""The dashboard in-process (Quart through httpx): auth, login, CSRF, security headers, pages
with masked secrets, replay through POST forms."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookpoint._app import Hookpoint
from hookpoint._dashboard import (
    CSP,
    SESSION_COOKIE,
    DashboardSession,
    SessionSigner,
    body_view,
    register_dashboard,
    session_key,
    session_store_key,
)
from hookpoint._request import WebhookRequest
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings
from hookpoint.store import RequestQuery, RunQuery

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import cal_samples
finally:
    sys.path.pop(0)

CAL_SECRET = "cal-dashboard-secret-1234"
TOKEN = "dashboard-admin-token-0123456789"


def cal_body(trigger: str, uid: str) -> bytes:
    return cal_samples.cal_body(uid, trigger, title="Meeting <b>&</b>")  # must be escaped


def cal_headers(body: bytes, secret: str = CAL_SECRET) -> dict[str, str]:
    return cal_samples.cal_headers(body, secret, **{"X-Api-Key": "leaky-api-key-value"})


def build_app() -> Hookpoint:
    hp = Hookpoint(id="dash")
    cal = hp.define_http_endpoint(
        id="caldotcom", source="cal.com", provider="caldotcom", secrets=[CAL_SECRET]
    )

    @hp.job(
        id="bookings",
        name="Bookings",
        version="1.0.0",
        trigger=cal.on_request(),
        retry={"max_attempts": 2, "initial_delay": 0.05},
    )
    async def bookings(request: WebhookRequest, io: Any, ctx: Any) -> dict[str, Any]:
        body = await request.json()
        await io.logger.info("Booking", {"uid": body["payload"]["uid"], "html": "<script>"})
        return {"uid": body["payload"]["uid"]}

    hp.define_http_endpoint(id="open", source="x", verify="none")
    return hp


def make_server(tmp_path: Path, **settings: Any) -> HookpointServer:
    server = HookpointServer(
        build_app(), Settings(database_url=f"sqlite:///{tmp_path / 'dash.db'}", **settings)
    )
    if "dashboard" not in server.quart.blueprints:  # until HookpointServer registers it
        register_dashboard(server)
    return server


@pytest.fixture
async def dash(tmp_path: Path) -> AsyncIterator[tuple[HookpointServer, httpx.AsyncClient]]:
    server = make_server(tmp_path, admin_token=TOKEN)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            yield server, c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


async def login(client: httpx.AsyncClient, token: str = TOKEN) -> httpx.Response:
    page = await client.get("/dashboard/login")
    assert page.status_code == 200
    return await client.post(
        "/dashboard/login",
        data={"csrf_token": csrf_of(page.text), "token": token, "next": "/dashboard/runs"},
    )


async def send_cal(
    client: httpx.AsyncClient,
    trigger: str = "BOOKING_CREATED",
    uid: str = "uid-1",
    secret: str = CAL_SECRET,
) -> httpx.Response:
    body = cal_body(trigger, uid)
    return await client.post("/webhooks/caldotcom", content=body, headers=cal_headers(body, secret))


async def wait_for_status(server: HookpointServer, run_id: str, status: str) -> None:
    for _ in range(200):
        run = await server.store.get_run(run_id)
        if run is not None and run.status == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run_id} did not reach {status}")


# -- auth ------------------------------------------------------------------------------------------


async def test_pages_need_login_when_a_token_is_set(dash: Any) -> None:
    _, client = dash
    for path in (
        "/dashboard/",
        "/dashboard/endpoints",
        "/dashboard/requests",
        "/dashboard/runs",
        "/dashboard/runs/nope",
        "/dashboard/requests/nope",
    ):
        response = await client.get(path)
        assert response.status_code == 302, path
        assert response.headers["location"].startswith("/dashboard/login?next=")
    replay = await client.post("/dashboard/runs/x/replay", data={"csrf_token": "x"})
    assert replay.status_code == 401
    # a bearer token is the API's way in, not the dashboard's
    api_style = await client.get("/dashboard/runs", headers={"Authorization": f"Bearer {TOKEN}"})
    assert api_style.status_code == 302


async def test_login_with_the_right_token_and_not_a_wrong_one(dash: Any) -> None:
    _, client = dash
    wrong = await login(client, token="not-the-token")
    assert wrong.status_code == 401
    assert "not the admin token" in wrong.text
    assert (await client.get("/dashboard/runs")).status_code == 302

    page = await client.get("/dashboard/login")
    before = client.cookies[SESSION_COOKIE]
    right = await client.post(
        "/dashboard/login",
        data={"csrf_token": csrf_of(page.text), "token": TOKEN, "next": "/dashboard/runs"},
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/dashboard/runs"
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/dashboard" in cookie
    assert TOKEN not in cookie
    assert client.cookies[SESSION_COOKIE] != before  # new session (and CSRF token) on login
    runs = await client.get("/dashboard/runs")
    assert runs.status_code == 200 and "<h1>Runs</h1>" in runs.text

    # logging out ends the session
    out = await client.post("/dashboard/logout", data={"csrf_token": csrf_of(runs.text)})
    assert out.status_code == 303
    assert (await client.get("/dashboard/runs")).status_code == 302


async def test_login_never_redirects_off_site(dash: Any) -> None:
    _, client = dash
    page = await client.get("/dashboard/login")
    response = await client.post(
        "/dashboard/login",
        data={"csrf_token": csrf_of(page.text), "token": TOKEN, "next": "//evil.example/x"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/"


async def test_login_is_rate_limited(dash: Any) -> None:
    _, client = dash
    statuses = [(await login(client, token=f"guess-{i}")).status_code for i in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    assert (await login(client)).status_code == 429  # even the right token, for a minute


async def test_a_forged_or_tampered_cookie_is_not_a_session(dash: Any) -> None:
    server, client = dash
    sid = "s" * 43
    other = SessionSigner(session_key("another-token")).dump(DashboardSession(auth=True, sid=sid))
    client.cookies.set(SESSION_COOKIE, other)
    assert (await client.get("/dashboard/runs")).status_code == 302
    good = SessionSigner(session_key(TOKEN)).dump(DashboardSession(auth=True, sid=sid))
    payload, _, mac = good.partition(".")
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, payload[:-2] + "xx." + mac)
    assert (await client.get("/dashboard/runs")).status_code == 302
    client.cookies.clear()
    # signed with the token's key, but no login recorded it: not a session either
    client.cookies.set(SESSION_COOKIE, good)
    assert (await client.get("/dashboard/runs")).status_code == 302
    await server.store.create_session(session_store_key(sid), expires_at=time.time() + 60)
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, good)  # signed with the token's key and recorded
    assert (await client.get("/dashboard/runs")).status_code == 200


def test_session_signer_round_trip_and_expiry() -> None:
    signer = SessionSigner(b"k" * 32, max_age=100)
    session = DashboardSession(auth=True, issued=1000.0, sid="i" * 43)
    # a logged-in session without an id (cookies from before server-side sessions) is none
    no_id = DashboardSession(auth=True, issued=1000.0)
    assert signer.load(signer.dump(no_id), now=1050.0) is None
    loaded = signer.load(signer.dump(session), now=1050.0)
    assert loaded == session
    assert signer.load(signer.dump(session), now=1101.0) is None
    for junk in ("", "x", "a.b", "...", "é.é", "a" * 5000):
        assert signer.load(junk, now=1050.0) is None
    assert session_key(None) != session_key(None)  # random without a token
    assert session_key("t") == session_key("t") != session_key("u")


async def test_without_a_token_loopback_only(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    async with server.running():
        local = httpx.ASGITransport(app=server, client=("127.0.0.1", 5000))  # type: ignore[arg-type]
        remote = httpx.ASGITransport(app=server, client=("203.0.113.9", 5000))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=local, base_url="http://localhost") as c:
            assert (await c.get("/dashboard/endpoints")).status_code == 200
            assert (await c.get("/dashboard/login")).status_code == 302
            # a local reverse proxy must not turn every visitor into "loopback"
            proxied = await c.get(
                "/dashboard/endpoints", headers={"X-Forwarded-For": "203.0.113.9"}
            )
            assert proxied.status_code == 403
        async with httpx.AsyncClient(transport=remote, base_url="http://localhost") as c:
            response = await c.get("/dashboard/endpoints")
            assert response.status_code == 403
            assert "HOOKPOINT_ADMIN_TOKEN" in response.text


# -- CSRF and headers ------------------------------------------------------------------------------


async def test_posts_without_or_with_a_wrong_csrf_token_are_rejected(dash: Any) -> None:
    server, client = dash
    await login(client)
    assert (await send_cal(client)).status_code == 200
    run_id = (await server.store.list_runs(RunQuery())).items[0].id
    before = len((await server.store.list_runs(RunQuery())).items)
    missing = await client.post(f"/dashboard/runs/{run_id}/replay")
    assert missing.status_code == 400
    wrong = await client.post(f"/dashboard/runs/{run_id}/replay", data={"csrf_token": "x" * 43})
    assert wrong.status_code == 403
    # a token from another session is just as wrong
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=server),
        base_url="http://localhost",
    ) as other:
        await login(other)
        theirs = csrf_of((await other.get("/dashboard/runs")).text)
    stolen = await client.post(f"/dashboard/runs/{run_id}/replay", data={"csrf_token": theirs})
    assert stolen.status_code == 403
    login_without = await client.post("/dashboard/login", data={"token": TOKEN})
    assert login_without.status_code == 400
    after = len((await server.store.list_runs(RunQuery())).items)
    assert after == before, "a rejected POST queued a run"


async def test_security_headers_on_every_dashboard_response(dash: Any) -> None:
    _, client = dash
    responses = [
        await client.get("/dashboard/login"),
        await client.get("/dashboard/runs"),
        await client.get("/dashboard/static/dashboard.css"),
        await client.post("/dashboard/runs/x/replay"),
    ]
    await login(client)
    responses += [
        await client.get("/dashboard/no-such-page"),
        await client.get("/dashboard/runs/x/replay"),  # 405
        await client.get("/dashboard"),
    ]
    responses += [
        await client.get("/dashboard/endpoints"),
        await client.get("/dashboard/runs/missing"),
        await client.post("/dashboard/runs/x/replay"),
    ]
    for r in responses:
        assert r.headers["content-security-policy"] == CSP, r.url
        assert "unsafe-inline" not in CSP and "default-src 'self'" in CSP
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    css = responses[2]
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = await client.get("/dashboard/static/dashboard.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]


async def test_pages_have_no_inline_script_or_style(dash: Any) -> None:
    server, client = dash
    await login(client)
    await send_cal(client)
    run = (await server.store.list_runs(RunQuery())).items[0]
    for path in (
        "/dashboard/endpoints",
        "/dashboard/endpoints/caldotcom",
        "/dashboard/requests",
        "/dashboard/runs",
        f"/dashboard/runs/{run.id}",
        f"/dashboard/requests/{run.request_id}",
        "/dashboard/login",
    ):
        html = (await client.get(path)).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "<style" not in html and " style=" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


# -- pages -----------------------------------------------------------------------------------------


async def test_endpoints_page_masks_secrets(dash: Any) -> None:
    _, client = dash
    await login(client)
    html = (await client.get("/dashboard/endpoints")).text
    assert CAL_SECRET not in html
    assert "********34" in html  # the masked secret: its last two characters at most
    assert "http://127.0.0.1:8000/webhooks/caldotcom" in html
    assert "provider:caldotcom" in html
    assert 'data-copy-target="url-1"' in html
    assert "accepts unverified requests" in html  # verify="none" is flagged


async def test_requests_runs_and_details_render_with_secrets_masked(dash: Any) -> None:
    server, client = dash
    await login(client)
    assert (await send_cal(client, uid="uid-ok")).status_code == 200
    assert (await send_cal(client, uid="uid-bad", secret="wrong")).status_code == 401
    run = (await server.store.list_runs(RunQuery())).items[0]
    await wait_for_status(server, run.id, "succeeded")

    listing = (await client.get("/dashboard/requests")).text
    assert "rejected" in listing and "signature mismatch" in listing
    assert "BOOKING_CREATED" in listing
    rejected = (await client.get("/dashboard/requests", params={"status": "rejected"})).text
    assert "signature mismatch" in rejected and "accepted</span>" not in rejected

    detail = (await client.get(f"/dashboard/requests/{run.request_id}")).text
    assert "X-Cal-Signature-256" in detail or "x-cal-signature-256" in detail
    signature = cal_headers(cal_body("BOOKING_CREATED", "uid-ok"))["X-Cal-Signature-256"]
    assert signature not in detail and "leaky-api-key-value" not in detail
    assert "********" in detail
    # body pretty-printed and escaped
    assert (
        "&#34;triggerEvent&#34;: &#34;BOOKING_CREATED&#34;" in detail
        or "&quot;triggerEvent&quot;: &quot;BOOKING_CREATED&quot;" in detail
    )
    assert "<b>&</b>" not in detail and "&lt;b&gt;&amp;&lt;/b&gt;" in detail
    assert 'id="replay-request"' in detail

    rejected_items = (await server.store.list_requests(RequestQuery(status="rejected"))).items
    bad = (await client.get(f"/dashboard/requests/{rejected_items[0].id}")).text
    assert "signature mismatch" in bad and "not kept" in bad
    assert 'id="replay-request"' not in bad

    runs = (await client.get("/dashboard/runs")).text
    assert "succeeded" in runs and "bookings" in runs
    run_page = (await client.get(f"/dashboard/runs/{run.id}")).text
    assert "Booking" in run_page and "uid-ok" in run_page
    assert "&lt;script&gt;" in run_page and "<script>" not in run_page
    assert 'id="replay-run"' in run_page

    missing = await client.get("/dashboard/runs/01NOPE")
    assert missing.status_code == 404 and "No such run" in missing.text


async def test_runs_filters_and_keyset_pagination(
    dash: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client = dash
    await login(client)
    for i in range(5):
        trigger = "BOOKING_CANCELLED" if i % 2 else "BOOKING_CREATED"
        assert (await send_cal(client, trigger=trigger, uid=f"u{i}")).status_code == 200
    monkeypatch.setattr("hookpoint._dashboard._PAGE_SIZE", 2)
    seen: list[str] = []
    url: str | None = "/dashboard/runs"
    pages = 0
    while url:
        html = (await client.get(url)).text
        seen += re.findall(r'href="/dashboard/runs/([0-9a-z]{26})"', html)
        older = re.search(r'rel="next" href="([^"]+)"', html)
        url = "/dashboard/runs" + older.group(1).replace("&amp;", "&") if older else None
        pages += 1
    assert pages == 3 and len(seen) == 5 and len(set(seen)) == 5
    assert seen == sorted(seen, reverse=True)  # newest first, no gaps or repeats

    cancelled = (
        await client.get("/dashboard/runs", params={"event_type": "BOOKING_CANCELLED"})
    ).text
    assert len(set(re.findall(r'href="/dashboard/runs/([0-9a-z]{26})"', cancelled))) == 2
    # the filter survives into the "older" link
    first = await client.get("/dashboard/runs", params={"event_type": "BOOKING_CREATED"})
    assert "event_type=BOOKING_CREATED&amp;before=" in first.text
    by_endpoint = (await client.get("/dashboard/runs", params={"endpoint": "open"})).text
    assert "No runs match these filters" in by_endpoint
    bogus = await client.get(
        "/dashboard/runs", params={"status": "<script>x", "event_type": '"><b>j'}
    )
    assert bogus.status_code == 200
    assert "<script>x" not in bogus.text and "<b>j" not in bogus.text
    assert "&#34;&gt;&lt;b&gt;j" in bogus.text  # the search box keeps it, escaped


async def test_runs_page_counts_active_runs_only(
    tmp_path: Path, sqlite_statements: list[str]
) -> None:
    """The runs page shows how many runs are queued and running; it must not count the final
    ones as well (``/metrics`` does): that read every finished run on each view (28 ms with
    PostgreSQL, 19 ms with SQLite at 290,000 runs, growing with the table)."""
    seen = sqlite_statements
    server = make_server(tmp_path, admin_token=TOKEN)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            await login(client)
            assert (await send_cal(client, uid="uid-counted")).status_code == 200
            run = (await server.store.list_runs(RunQuery())).items[0]
            await wait_for_status(server, run.id, "succeeded")
            seen.clear()
            page = await client.get("/dashboard/runs")
    assert page.status_code == 200
    assert "0 queued" in page.text and "0 running" in page.text
    assert run.id in page.text
    reads = [sql for sql in seen if sql.lstrip().upper().startswith("SELECT")]
    assert any("runs_due" in sql for sql in reads), reads  # the counts were read
    assert not any("runs_final" in sql or "'succeeded'" in sql for sql in reads), reads


async def test_replay_run_and_request_through_post_forms(dash: Any) -> None:
    server, client = dash
    await login(client)
    await send_cal(client, uid="uid-replay")
    first = (await server.store.list_runs(RunQuery())).items[0]
    await wait_for_status(server, first.id, "succeeded")
    page = (await client.get(f"/dashboard/runs/{first.id}")).text
    response = await client.post(
        f"/dashboard/runs/{first.id}/replay", data={"csrf_token": csrf_of(page)}
    )
    assert response.status_code == 303
    new_id = response.headers["location"].split("/dashboard/runs/")[1].split("?")[0]
    assert new_id != first.id
    replayed = await server.store.get_run(new_id)
    assert replayed is not None and replayed.replay_of == first.id
    await wait_for_status(server, new_id, "succeeded")
    shown = (await client.get(response.headers["location"])).text
    assert "Replay queued" in shown and first.id in shown

    request_page = (await client.get(f"/dashboard/requests/{first.request_id}")).text
    again = await client.post(
        f"/dashboard/requests/{first.request_id}/replay", data={"csrf_token": csrf_of(request_page)}
    )
    assert again.status_code == 303
    shown = (await client.get(again.headers["location"])).text
    assert "Replay queued: 1 new run" in shown
    runs = (await server.store.list_runs(RunQuery(request_id=first.request_id))).items
    assert len(runs) == 3

    missing = await client.post("/dashboard/runs/01NOPE/replay", data={"csrf_token": csrf_of(page)})
    assert missing.status_code == 404


def test_body_view() -> None:
    assert body_view(b"").kind == "empty"
    view = body_view(b'{"a":[1,2]}')
    assert view.kind == "json" and view.text == '{\n  "a": [\n    1,\n    2\n  ]\n}'
    assert body_view(b"a=1&b=2").kind == "text"
    assert body_view(b"\xff\xfe").kind == "binary"
    deep = body_view(b"[" * 100_000 + b"]" * 100_000, limit=10**6)
    assert deep.kind == "text"
    big = body_view(b'{"a":"' + b"x" * 100 + b'"}', limit=10)
    assert big.truncated and big.kind == "text" and len(big.text) == 10


async def test_filter_forms_keep_the_chosen_filters(dash: Any) -> None:
    server, client = dash
    await login(client)
    job = next(iter(server.hp.jobs))
    endpoint = next(iter(server.hp.endpoints))
    runs = (await client.get(f"/dashboard/runs?status=failed&job={job}&endpoint={endpoint}")).text
    assert '<option value="failed" selected>failed</option>' in runs
    assert f'<option value="{job}" selected>{job}</option>' in runs
    assert f'<option value="{endpoint}" selected>{endpoint}</option>' in runs
    assert '<option value="queued">queued</option>' in runs
    requests = (await client.get("/dashboard/requests?status=rejected")).text
    assert '<option value="rejected" selected>rejected</option>' in requests
    assert '<option value="accepted">accepted</option>' in requests
    assert '<select name="endpoint">' in requests and '<option value="">all</option>' in requests


async def test_behind_a_trusted_proxy_login_limits_are_per_visitor(tmp_path: Path) -> None:
    """Behind our proxy every visitor has the proxy's address: one attacker's wrong tokens must
    not lock every operator out. The limiter counts the right-most untrusted X-Forwarded-For."""
    server = make_server(tmp_path, admin_token=TOKEN, trusted_proxies="10.0.0.2")
    async with server.running():
        transport = httpx.ASGITransport(app=server, client=("10.0.0.2", 4000))  # type: ignore[arg-type]

        def visitor(address: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                transport=transport,
                base_url="https://hooks.example.com",
                headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https"},
            )

        async with visitor("203.0.113.66") as attacker, visitor("198.51.100.7") as operator:
            for i in range(12):
                await login(attacker, token=f"guess-{i}")
            assert (await login(attacker)).status_code == 429
            assert (await login(operator)).status_code == 303
