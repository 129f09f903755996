"""Endpoint presentation: ``icon``, ``title``, ``properties`` and ``examples`` validated at
definition time and shown by the API and ``hookpoint endpoints``; ``hookpoint test`` delivering
an example as a test delivery."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from hookpoint import ConfigError, Hookpoint
from hookpoint._presentation import examples_of
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


# -- examples ----------------------------------------------------------------------------------


def test_examples_are_validated_with_defaults() -> None:
    ep = define(
        examples=[
            {"id": "json", "name": "JSON", "body": {"a": [1, 2]}},
            {"id": "text.v2", "name": "Text", "method": "put", "body": "héllo"},
            {
                "id": "bytes_1",
                "name": "Bytes",
                "body": b"\x00\xff",
                "headers": {"X-Kind": "raw"},
                "query": "a=1",
            },
            {"id": "empty", "name": "Empty"},
        ]
    )
    json_ex, text, raw, empty = ep.examples
    assert json_ex.method == "POST" and json_ex.body_bytes == b'{"a":[1,2]}'
    assert json_ex.request_headers == {"Content-Type": "application/json"}
    assert text.method == "PUT" and text.body_bytes == "héllo".encode()
    assert text.request_headers == {}
    assert raw.body_bytes == b"\x00\xff" and raw.request_headers == {"X-Kind": "raw"}
    assert raw.query == "a=1"
    assert empty.body_bytes == b""
    own = define(
        examples=[{"id": "j", "name": "J", "body": {}, "headers": {"content-type": "text/x"}}]
    )
    assert own.examples[0].request_headers == {"content-type": "text/x"}  # kept as given
    assert examples_of(ep) == ep.examples


@pytest.mark.parametrize(
    ("examples", "message"),
    [
        ([{"id": "a", "name": "A"}, {"id": "a", "name": "B"}], "used twice"),
        ([{"id": "has space", "name": "A"}], "id"),
        ([{"id": "-start", "name": "A"}], "id"),
        ([{"id": "a/b", "name": "A"}], "id"),
        ([{"id": "x" * 65, "name": "A"}], "id"),
        ([{"id": "a", "name": ""}], "name"),
        ([{"name": "A"}], "id"),
        ([{"id": "a", "name": "A", "method": "GET POST"}], "method"),
        ([{"id": "a", "name": "A", "headers": {"Bad Name": "x"}}], "header"),
        ([{"id": "a", "name": "A", "headers": {"X": "a\r\nInjected: 1"}}], "header"),
        ([{"id": "a", "name": "A", "body": {1, 2}}], "body"),
        ([{"id": "a", "name": "A", "body": float("nan")}], "body"),
        ([{"id": "a", "name": "A", "body": b"x" * (1024 * 1024 + 1)}], "body"),
        ([{"id": "a", "name": "A", "unknown": 1}], "unknown"),
        ({"id": "a", "name": "A"}, "a list"),
    ],
)
def test_bad_examples_are_config_errors(examples: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        define(examples=examples)


def test_without_examples_a_provider_endpoint_offers_its_samples() -> None:
    hp = Hookpoint(id="p")
    wa = hp.define_http_endpoint(
        id="wa",
        source="whatsapp.com",
        provider="whatsapp",
        secrets=["s"],
        settings={"verify_token": "t"},
    )
    ids = [e.id for e in examples_of(wa)]
    samples = hp.plugins.providers["whatsapp"].samples
    assert ids == [s.name for s in samples if not s.challenge]  # no handshakes
    first = examples_of(wa)[0]
    assert first.body_bytes == samples[0].body and first.method == samples[0].method
    assert examples_of(hp.define_http_endpoint(id="n", source="x", verify="none")) == ()
    custom = hp.define_http_endpoint(
        id="c", source="cal.com", provider="caldotcom", secrets=["s"], examples=[]
    )
    assert examples_of(custom) == ()  # examples=[] means none, not the samples


def test_hookpoint_test_delivers_an_example_as_a_test(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(HERE)
    monkeypatch.setenv("COLUMNS", "200")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HOOKPOINT_DATABASE_URL", db)
    runner = CliRunner()
    listed = runner.invoke(cli, ["test", "presentation_app:hp", "caldotcom", "--list", "--json"])
    assert listed.exit_code == 0, listed.output
    ids = [e["id"] for e in json.loads(listed.output)]
    assert ids[:2] == ["booking_created", "booking_cancelled"]
    table = runner.invoke(cli, ["test", "presentation_app:hp", "markup", "--list"])
    assert "[blink]Ping[/]" in table.output  # an app string, printed as text

    unknown = runner.invoke(cli, ["test", "presentation_app:hp", "caldotcom", "nope"])
    assert unknown.exit_code == 2
    assert "no example 'nope'" in unknown.output and "booking_cancelled" in unknown.output
    missing = runner.invoke(cli, ["test", "presentation_app:hp", "nope"])
    assert missing.exit_code == 2 and "caldotcom" in missing.output

    sent = runner.invoke(
        cli, ["test", "presentation_app:hp", "caldotcom", "booking_cancelled", "--json"]
    )
    assert sent.exit_code == 0, sent.output
    data = json.loads(sent.output)
    assert data["test"] is True and len(data["run_ids"]) == 2  # both jobs match it
    plain = runner.invoke(cli, ["test", "presentation_app:hp", "caldotcom"])
    assert plain.exit_code == 0, plain.output
    assert "example booking_created" in plain.output  # the first by default
    assert plain.output.count("  run ") == 1  # only the unfiltered job matches it

    requests = json.loads(runner.invoke(cli, ["requests", "list", "--json"]).output)
    assert [r["test"] for r in requests] == [True, True]
    assert data["request_id"] in {r["id"] for r in requests}
    runs = json.loads(runner.invoke(cli, ["runs", "list", "--json"]).output)
    assert len(runs) == 3 and all(r["test"] is True for r in runs)
    table = runner.invoke(cli, ["runs", "list"]).output
    assert table.count("queued (test)") == 3
    shown = json.loads(runner.invoke(cli, ["requests", "show", data["request_id"]]).output)
    assert shown["test"] is True and shown["verification"] == "skipped"
    assert shown["event_type"] == "BOOKING_CANCELLED"
