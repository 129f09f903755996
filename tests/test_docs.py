"""Docs that cannot drift: every setting and serve/worker flag is on docs/configuration.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from hookpoint._settings import Settings
from hookpoint.cli import serve, worker

PAGE_DIR = Path(__file__).resolve().parent.parent / "docs"
PAGE = (PAGE_DIR / "configuration.md").read_text()


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert f"`HOOKPOINT_{field.upper()}`" in PAGE


@pytest.mark.parametrize("command", [serve, worker], ids=["serve", "worker"])
def test_every_flag_is_documented(command: object) -> None:
    for param in command.params:  # type: ignore[attr-defined]
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                assert f"`{opt}`" in PAGE, f"{opt} of {command.name} is not documented"  # type: ignore[attr-defined]


def test_every_listen_flag_is_on_the_local_development_page() -> None:
    from hookpoint.cli import listen

    page = (PAGE_DIR / "local-development.md").read_text()
    flags = [opt for param in listen.params for opt in getattr(param, "opts", [])]
    assert "--since" in flags
    for flag in flags:
        if flag.startswith("--"):
            assert f"| `{flag}` |" in page, f"{flag} of listen is not documented"


def test_documented_settings_exist() -> None:
    import re

    documented = set(re.findall(r"`HOOKPOINT_([A-Z_]+)`", PAGE))
    plugin_controls = {"LOAD_PLUGINS", "DISABLE_PLUGINS", "STRICT_PLUGINS"}
    known = {f.upper() for f in Settings.model_fields} | plugin_controls
    assert documented <= known, documented - known


def test_providers_catalogue_is_generated_from_the_installed_plugins() -> None:
    from hookpoint._plugins import PluginHost
    from hookpoint.cli import providers_markdown

    page = (Path(__file__).resolve().parent.parent / "docs" / "providers.md").read_text()
    host = PluginHost.load(env={})
    assert page == providers_markdown(host), (
        "docs/providers.md is stale: regenerate it with "
        "`hookpoint providers --markdown > docs/providers.md`"
    )
    for name in ("caldotcom", "whatsapp", "stripe", "github", "hmac"):
        assert f"| `{name}` (" in page


def test_the_sdks_providers_are_tested_against_are_installed_and_named() -> None:
    """``ProviderInfo.tested_with`` names the sender's official SDKs a package's tests check it
    against: each must be installed here (requirements-dev.txt), so the catalogue's "tested
    against" column is true. The senders whose SDK the issue named declare theirs."""
    import importlib.metadata

    from hookpoint._plugins import PluginHost

    host = PluginHost.load(env={})
    declared = {name: info.tested_with for name, info in host.providers.items()}
    for name, sdks in declared.items():
        for sdk in sdks:
            assert importlib.metadata.version(sdk), (name, sdk)
    requirements = (Path(__file__).resolve().parent.parent / "requirements-dev.txt").read_text()
    listed = {line.split("#")[0].strip().lower() for line in requirements.splitlines()}
    for name, sdks in declared.items():
        for sdk in sdks:
            assert sdk.lower() in listed, f"{name}: {sdk} is not in requirements-dev.txt"
    for name in (
        "hubspot",
        "razorpay",
        "workos",
        "gocardless",
        "line",
        "box",
        "adyen",
        "braintree",
        "twitch",
        "clerk",
        "resend",
        "telegram",
        "stripe",
        "slack",
        "twilio",
        "standardwebhooks",
    ):
        assert declared.get(name), f"{name} names no SDK it is tested against"


def test_every_api_route_and_metric_is_on_the_management_api_page(tmp_path: Path) -> None:
    """docs/management-api.md lists every route the host serves under /api/ and outside the
    dashboard, with its method, and every metric the host exports."""
    import re

    from hookpoint import Hookpoint
    from hookpoint._server import HookpointServer

    page = (Path(__file__).resolve().parent.parent / "docs" / "management-api.md").read_text()
    server = HookpointServer(
        Hookpoint(id="docs"), Settings(database_url=f"sqlite:///{tmp_path / 'd.db'}")
    )
    routes = set()
    for rule in server.quart.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", "<id>", rule.rule)
        if path.startswith(("/dashboard", "/static")) or path == "/":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.add(f"`{method} {path}`")
    assert routes, "no routes found"
    missing = sorted(r for r in routes if r not in page)
    assert not missing, f"undocumented: {missing}"
    from prometheus_client import generate_latest

    exported = generate_latest(server.metrics.registry).decode()
    names = [n for n in re.findall(r"^# TYPE (\w+)", exported, re.M) if not n.endswith("_created")]
    assert names, "no metrics found"
    for name in names:
        assert f"`{name}" in page, f"metric {name} is not documented"
