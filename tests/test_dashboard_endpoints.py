"""The dashboard's endpoint pages and icons in-process (Quart through httpx): icon, title and
properties shown, icons served as sanitised SVG files with their own strict headers, and the
**Test** action: an example delivered as a test (marked everywhere, login and CSRF required)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookpoint._app import Hookpoint
from hookpoint._dashboard import CSP, SVG_CSP
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings

TOKEN = "endpoint-pages-admin-token-0123456789"
CAL_SECRET = "cal-endpoint-page-secret-99"
API = {"Authorization": f"Bearer {TOKEN}"}


def build_app() -> Hookpoint:
    hp = Hookpoint(id="pages")
    cal = hp.define_http_endpoint(
        id="caldotcom",
        source="cal.com",
        provider="caldotcom",
        secrets=[CAL_SECRET],
        properties=[
            {"label": "Team", "text": "Bookings <team>"},
            {"label": "Docs", "text": "cal.com webhooks", "url": "https://cal.com/docs/webhooks"},
        ],
    )

    @hp.job(id="bookings", trigger=cal.on_request())
    async def bookings(request: Any, io: Any, ctx: Any) -> dict[str, Any]:
        return {"test": ctx.test, "event": request.event.type if request.event else None}

    @hp.job(
        id="cancellations",
        trigger=cal.on_request(filter={"body": {"triggerEvent": ["BOOKING_CANCELLED"]}}),
    )
    async def cancellations(request: Any, io: Any, ctx: Any) -> None:
        return None

    gh = hp.define_http_endpoint(
        id="gh",
        source="github.com",
        title="Code pushes",
        icon="github",
        verify="none",
        examples=[
            {"id": "push", "name": "A push", "body": {"ref": "refs/heads/main"}},
            {"id": "raw", "name": "Raw text", "method": "put", "body": "plain words"},
        ],
    )

    @hp.job(id="pushes", trigger=gh.on_request(filter={"body": {"ref": ["refs/heads/main"]}}))
    async def pushes(request: Any, io: Any, ctx: Any) -> dict[str, Any]:
        return {"test": ctx.test, "body": await request.json()}

    hp.define_http_endpoint(id="plain", source="acme.dev", title="Acme payments", verify="none")
    return hp


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
async def dash(tmp_path: Path) -> AsyncIterator[tuple[HookpointServer, httpx.AsyncClient]]:
    server = HookpointServer(
        build_app(),
        Settings(database_url=f"sqlite:///{tmp_path / 'pages.db'}", admin_token=TOKEN),
    )
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            page = await c.get("/dashboard/login")
            done = await c.post(
                "/dashboard/login", data={"csrf_token": csrf_of(page.text), "token": TOKEN}
            )
            assert done.status_code == 303
            yield server, c


@pytest.fixture
def client(dash: tuple[HookpointServer, httpx.AsyncClient]) -> httpx.AsyncClient:
    return dash[1]


async def test_the_endpoint_list_shows_icons_titles_and_links(client: httpx.AsyncClient) -> None:
    html = (await client.get("/dashboard/endpoints")).text
    assert '<img class="icon" src="/dashboard/icons/caldotcom.svg"' in html  # the provider's
    assert 'src="/dashboard/icons/github.svg"' in html  # icon="github" names a provider
    assert 'src="/dashboard/icons/endpoints/plain.svg"' in html  # no icon: a monogram
    assert "Code pushes" in html and "Acme payments" in html
    assert 'href="/dashboard/endpoints/caldotcom"' in html


async def test_the_endpoint_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/dashboard/endpoints/caldotcom")
    assert page.status_code == 200
    html = page.text
    assert 'src="/dashboard/icons/caldotcom.svg"' in html
    assert "http://127.0.0.1:8000/webhooks/caldotcom" in html
    assert "provider:caldotcom" in html and "Cal.com" in html
    assert CAL_SECRET not in html and "********99" in html
    assert 'href="/dashboard/runs?job=bookings"' in html
    assert "Bookings &lt;team&gt;" in html  # escaped
    assert (
        '<a href="https://cal.com/docs/webhooks" rel="noopener noreferrer" target="_blank">'
        "cal.com webhooks</a>" in html
    )
    assert 'href="/dashboard/requests?endpoint=caldotcom"' in html  # recent requests
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html
    # icons are <img> sources, never inlined: the only inline SVGs are the two charts
    assert (
        html.count("<svg")
        == html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')
        == 2
    )
    missing = await client.get("/dashboard/endpoints/nope")
    assert missing.status_code == 404


async def test_icons_are_svg_files_with_their_own_strict_headers(
    client: httpx.AsyncClient,
) -> None:
    for path in (
        "/dashboard/icons/caldotcom.svg",
        "/dashboard/icons/msgraph.svg",
        "/dashboard/icons/endpoints/plain.svg",
        "/dashboard/icons/endpoints/caldotcom.svg",
    ):
        icon = await client.get(path)
        assert icon.status_code == 200, path
        assert icon.headers["content-type"] == "image/svg+xml; charset=utf-8"
        assert icon.headers["content-security-policy"] == SVG_CSP
        assert icon.headers["x-content-type-options"] == "nosniff"
        assert icon.text.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
        assert "<script" not in icon.text
    monogram = (await client.get("/dashboard/icons/endpoints/plain.svg")).text
    assert ">AP</text>" in monogram
    for path in ("/dashboard/icons/nope.svg", "/dashboard/icons/endpoints/nope.svg"):
        missing = await client.get(path)
        assert missing.status_code == 404
        assert missing.headers["content-security-policy"] == CSP  # an HTML page: the page's


async def test_icons_need_the_login_like_every_page(tmp_path: Path) -> None:
    server = HookpointServer(
        build_app(), Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", admin_token=TOKEN)
    )
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            icon = await c.get("/dashboard/icons/caldotcom.svg")
            assert icon.status_code == 302 and "/dashboard/login" in icon.headers["location"]
            page = await c.get("/dashboard/endpoints/caldotcom")
            assert page.status_code == 302


# -- the Test action ---------------------------------------------------------------------------


async def wait_for_output(server: HookpointServer, run_id: str) -> Any:
    for _ in range(200):
        run = await server.store.get_run(run_id)
        if run is not None and run.status == "succeeded":
            return run.output
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run_id} did not succeed")


async def test_the_endpoint_page_lists_its_examples_with_a_test_form(
    client: httpx.AsyncClient,
) -> None:
    cal = (await client.get("/dashboard/endpoints/caldotcom")).text  # the provider's samples
    for sample in ("booking_created", "booking_cancelled", "form_submitted"):
        action = f'action="/dashboard/endpoints/caldotcom/examples/{sample}/test"'
        assert action in cal
    assert cal.count('name="csrf_token"') >= 6  # every Test form carries the token
    gh = (await client.get("/dashboard/endpoints/gh")).text  # its own examples
    assert "A push" in gh and "Raw text" in gh and "booking_created" not in gh
    assert "&#34;ref&#34;: &#34;refs/heads/main&#34;" in gh or '"ref": "refs/heads/main"' in gh
    plain = (await client.get("/dashboard/endpoints/plain")).text  # no provider, no examples
    assert "No examples" in plain and "/test" not in plain


async def test_test_delivers_a_sample_to_the_matching_jobs_marked_as_a_test(
    dash: tuple[HookpointServer, httpx.AsyncClient],
) -> None:
    server, client = dash
    page = await client.get("/dashboard/endpoints/caldotcom")
    tested = await client.post(
        "/dashboard/endpoints/caldotcom/examples/booking_cancelled/test",
        data={"csrf_token": csrf_of(page.text)},
    )
    assert tested.status_code == 303
    location = tested.headers["location"]
    request_id = re.search(r"/dashboard/requests/([0-9a-z]{26})\?tested=2$", location)
    assert request_id, location
    stored = await server.store.get_request(request_id.group(1))
    assert stored is not None and stored.test and stored.verification == "skipped"
    assert stored.event_type == "BOOKING_CANCELLED"  # described by the provider
    assert stored.url == "http://127.0.0.1:8000/webhooks/caldotcom"
    runs = (await client.get(f"/api/runs?request={stored.id}", headers=API)).json()["items"]
    assert sorted(r["job"] for r in runs) == ["bookings", "cancellations"]  # the filter path
    assert all(r["test"] is True for r in runs)
    bookings = next(r for r in runs if r["job"] == "bookings")
    assert await wait_for_output(server, bookings["id"]) == {
        "test": True,
        "event": "BOOKING_CANCELLED",
    }
    shown = (await client.get(location)).text
    assert "Test delivered: 2 run(s)" in shown and 'class="badge s-test"' in shown
    listed = (await client.get("/dashboard/requests")).text
    assert 'class="badge s-test"' in listed
    assert 'class="badge s-test"' in (await client.get("/dashboard/runs")).text
    run_page = (await client.get(f"/dashboard/runs/{bookings['id']}")).text
    assert 'class="badge s-test"' in run_page
    api = (await client.get(f"/api/requests/{stored.id}", headers=API)).json()
    assert api["test"] is True
    # created a second time: a test is never a duplicate of the first
    again = await client.post(
        "/dashboard/endpoints/caldotcom/examples/booking_cancelled/test",
        data={"csrf_token": csrf_of(page.text)},
    )
    assert again.status_code == 303 and again.headers["location"].endswith("?tested=2")
    metrics = (await client.get("/metrics")).text
    assert 'hookpoint_requests_total{endpoint="caldotcom",outcome="test"} 2.0' in metrics
    assert 'outcome="accepted"' not in metrics  # not counted as the sender's traffic


async def test_a_non_matching_example_makes_a_test_request_without_runs(
    dash: tuple[HookpointServer, httpx.AsyncClient],
) -> None:
    server, client = dash
    page = await client.get("/dashboard/endpoints/gh")
    raw = await client.post(
        "/dashboard/endpoints/gh/examples/raw/test", data={"csrf_token": csrf_of(page.text)}
    )
    assert raw.status_code == 303 and raw.headers["location"].endswith("?tested=0")
    push = await client.post(
        "/dashboard/endpoints/gh/examples/push/test", data={"csrf_token": csrf_of(page.text)}
    )
    request_id = push.headers["location"].split("/")[-1].split("?")[0]
    stored = await server.store.get_request(request_id)
    assert stored is not None and stored.test
    assert stored.body == b'{"ref":"refs/heads/main"}'
    assert ("Content-Type", "application/json") in stored.headers
    runs = (await client.get(f"/api/runs?request={request_id}", headers=API)).json()["items"]
    output = await wait_for_output(server, runs[0]["id"])
    assert output == {"test": True, "body": {"ref": "refs/heads/main"}}


async def test_a_senders_delivery_is_not_a_test(
    dash: tuple[HookpointServer, httpx.AsyncClient],
) -> None:
    server, client = dash
    body = b'{"triggerEvent":"BOOKING_CREATED","payload":{"uid":"u1"}}'
    signature = hmac.new(CAL_SECRET.encode(), body, hashlib.sha256).hexdigest()
    sent = await client.post(
        "/webhooks/caldotcom",
        content=body,
        headers={"Content-Type": "application/json", "X-Cal-Signature-256": signature},
    )
    assert sent.status_code == 200, sent.text
    stored = await server.store.get_request(sent.json()["id"])
    assert stored is not None and stored.test is False and stored.verification == "verified"
    runs = (await client.get(f"/api/runs?request={stored.id}", headers=API)).json()["items"]
    assert [r["test"] for r in runs] == [False]
    assert await wait_for_output(server, runs[0]["id"]) == {
        "test": False,
        "event": "BOOKING_CREATED",
    }
    assert 's-test"' not in (await client.get("/dashboard/requests")).text


async def test_unknown_endpoints_and_examples(client: httpx.AsyncClient) -> None:
    token = csrf_of((await client.get("/dashboard/endpoints")).text)
    missing = await client.post(
        "/dashboard/endpoints/nope/examples/x/test", data={"csrf_token": token}
    )
    assert missing.status_code == 404
    unknown = await client.post(
        "/dashboard/endpoints/caldotcom/examples/nope/test", data={"csrf_token": token}
    )
    assert unknown.status_code == 409
    assert "booking_created" in unknown.text  # the message lists the ids there are
    none = await client.post(
        "/dashboard/endpoints/plain/examples/x/test", data={"csrf_token": token}
    )
    assert none.status_code == 409 and "no examples" in none.text


async def test_the_test_action_needs_login_and_the_csrf_token(
    dash: tuple[HookpointServer, httpx.AsyncClient],
) -> None:
    server, client = dash
    path = "/dashboard/endpoints/caldotcom/examples/booking_created/test"
    no_token = await client.post(path, data={})
    assert no_token.status_code == 400
    wrong = await client.post(path, data={"csrf_token": "x" * 43})
    assert wrong.status_code == 403
    # a cross-site form post: another Origin, and the attacker cannot know the token
    cross = await client.post(
        path,
        data={"csrf_token": "guessed"},
        headers={"Origin": "https://evil.example", "Referer": "https://evil.example/x"},
    )
    assert cross.status_code in (400, 403)
    transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as anonymous:
        page = await anonymous.get("/dashboard/login")  # a session, but not logged in
        refused = await anonymous.post(path, data={"csrf_token": csrf_of(page.text)})
        assert refused.status_code == 401
    from hookpoint.store import RequestQuery

    assert (await server.store.list_requests(RequestQuery())).items == ()
