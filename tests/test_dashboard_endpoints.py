"""The dashboard's endpoint pages and icons in-process (Quart through httpx): icon, title and
properties shown, icons served as sanitised SVG files with their own strict headers."""

from __future__ import annotations

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
    async def bookings(request: Any, io: Any, ctx: Any) -> None:
        return None

    hp.define_http_endpoint(
        id="gh", source="github.com", title="Code pushes", icon="github", verify="none"
    )
    hp.define_http_endpoint(id="plain", source="acme.dev", title="Acme payments", verify="none")
    return hp


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    server = HookpointServer(
        build_app(),
        Settings(database_url=f"sqlite:///{tmp_path / 'pages.db'}", admin_token=TOKEN),
    )
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            page = await c.get("/dashboard/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            done = await c.post(
                "/dashboard/login", data={"csrf_token": token.group(1), "token": TOKEN}
            )
            assert done.status_code == 303
            yield c


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
    assert "<svg" not in html  # icons are <img> sources, never inlined
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
