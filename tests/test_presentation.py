"""Endpoint presentation: ``icon``, ``title`` and ``properties`` validated at definition time and
shown by the API and ``hookpoint endpoints``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from hookpoint import ConfigError, Hookpoint
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings
from hookpoint.cli import cli

HERE = Path(__file__).resolve().parent


def define(**kwargs: Any) -> Any:
    hp = Hookpoint(id="p")
    return hp.define_http_endpoint(id="e", source="s", verify="none", **kwargs)


def test_properties_are_validated_and_kept() -> None:
    ep = define(
        properties=[
            {"label": " Team ", "text": "Payments"},
            {"label": "Docs", "text": "Guide", "url": "https://example.com/docs?x=1"},
            {"label": "Status", "text": "Up", "url": "HTTP://status.example.com"},
        ]
    )
    assert [(p.label, p.text, p.url) for p in ep.properties] == [
        ("Team", "Payments", None),
        ("Docs", "Guide", "https://example.com/docs?x=1"),
        ("Status", "Up", "HTTP://status.example.com"),
    ]
    assert define().properties == ()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>",
        "file:///etc/passwd",
        "vbscript:x",
        "ftp://example.com",
        "//evil.example/x",
        "/relative",
        "https://",
        'https://example.com/"onmouseover="x',
        "https://exa mple.com",
        "https://example.com/\nx",
    ],
)
def test_property_urls_must_be_http_or_https(url: str) -> None:
    with pytest.raises(ConfigError, match=r"endpoint 'e': properties\[0\] is invalid: url"):
        define(properties=[{"label": "Docs", "text": "x", "url": url}])


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ([{"label": "", "text": "x"}], "label"),
        ([{"label": "   ", "text": "x"}], "label"),
        ([{"label": "x", "text": ""}], "text"),
        ([{"label": "x" * 101, "text": "x"}], "label"),
        ([{"label": "x", "text": "x" * 501}], "text"),
        ([{"label": 1, "text": "x"}], "label"),
        ([{"label": "x", "text": "y", "extra": 1}], "extra"),
        ([{"text": "y"}], "label"),
        ({"label": "x", "text": "y"}, "a list"),
        ("label", "a list"),
        ([{"label": "x", "text": "y"}] * 51, "at most 50"),
    ],
)
def test_bad_properties_are_config_errors(properties: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        define(properties=properties)


@pytest.mark.parametrize("field", ["icon", "title"])
def test_icon_and_title_must_be_non_empty_strings(field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        define(**{field: ""})
    with pytest.raises(ConfigError, match=field):
        define(**{field: 3})
    with pytest.raises(ConfigError, match=field):
        define(**{field: "x" * 201})


def _presentation_app() -> Hookpoint:
    sys.path.insert(0, str(HERE))
    try:
        import presentation_app
    finally:
        sys.path.remove(str(HERE))
    app: Hookpoint = presentation_app.hp
    return app


async def test_the_api_lists_icon_title_and_properties(tmp_path: Path) -> None:
    server = HookpointServer(
        _presentation_app(), Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}")
    )
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            items = (await c.get("/api/endpoints")).json()["items"]
    by_id = {e["id"]: e for e in items}
    assert by_id["caldotcom"]["icon"] == "caldotcom"  # no icon=: the provider's
    assert by_id["caldotcom"]["title"] == "cal.com"
    assert by_id["caldotcom"]["properties"] == [
        {"label": "Docs", "text": "Webhooks", "url": "https://cal.com/docs/webhooks"}
    ]
    assert by_id["markup"]["icon"] == "github"
    assert by_id["markup"]["properties"] == []


def test_hookpoint_endpoints_shows_icon_and_title(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    table = runner.invoke(cli, ["endpoints", "presentation_app:hp"])
    assert table.exit_code == 0, table.output
    assert "title" in table.output and "icon" in table.output
    assert "caldotcom" in table.output and "cal.com" in table.output
    # a title is printed as text: Rich markup in it is shown, not interpreted
    assert "[bold red]Acme[/] payments" in table.output
    assert "github" in table.output
    listed = runner.invoke(cli, ["endpoints", "presentation_app:hp", "--json"])
    data = {e["id"]: e for e in json.loads(listed.output)}
    assert data["markup"]["title"] == "[bold red]Acme[/] payments"
    assert data["markup"]["icon"] == "github"
    assert data["caldotcom"]["properties"][0]["url"] == "https://cal.com/docs/webhooks"
