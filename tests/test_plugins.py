"""Plugin discovery through real entry points: isolation, env controls, conflicts, listing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from hookpoint import PluginConflictError, PluginError, ProviderConfigError
from hookpoint._plugins import PluginHost

GOOD = """
from hookpoint import ProviderInfo, hookimpl

@hookimpl
def hookpoint_register_providers():
    return [ProviderInfo(name="{provider}", title="{provider} title")]
"""


def make_dist(
    root: Path,
    dist: str,
    ep_name: str,
    module: str,
    source: str,
    version: str = "1.2.3",
    attr: str | None = None,
) -> None:
    """Write an installed distribution (dist-info + module) that importlib.metadata finds; its
    entry point names ``module:attr`` when ``attr`` is given, else the module."""
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    value = f"{module}:{attr}" if attr else module
    (info / "entry_points.txt").write_text(f"[hookpoint]\n{ep_name} = {value}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in list(sys.modules):
        if name.startswith("hp_fake_"):
            del sys.modules[name]


def _records(host: PluginHost) -> dict[str, dict[str, object]]:
    return {r["distribution"]: r for r in host.listing()}  # type: ignore[misc]


def test_entry_point_plugins_are_loaded_with_versions(site: Path) -> None:
    make_dist(site, "hookpoint-fakeone", "fakeone", "hp_fake_one", GOOD.format(provider="fakeone"))
    host = PluginHost.load(env={})
    rec = _records(host)["hookpoint-fakeone"]
    assert rec["version"] == "1.2.3"
    assert rec["providers"] == ["fakeone"]
    assert rec["entry_point"] == "fakeone = hp_fake_one"
    assert rec["hooks"] == ["hookpoint_register_providers"]
    assert rec["error"] is None
    assert host.provider_record("fakeone").distribution == "hookpoint-fakeone"


def test_a_plugin_that_fails_to_import_is_recorded_and_skipped(site: Path) -> None:
    make_dist(
        site,
        "hookpoint-fakebroken",
        "fakebroken",
        "hp_fake_broken",
        "raise RuntimeError('kaboom at import')\n",
    )
    make_dist(site, "hookpoint-fakeok", "fakeok", "hp_fake_ok", GOOD.format(provider="fakeok"))
    host = PluginHost.load(env={})
    recs = _records(host)
    assert "kaboom at import" in str(recs["hookpoint-fakebroken"]["error"])
    assert "fakeok" in host.providers


def test_strict_mode_makes_a_broken_plugin_fatal(site: Path) -> None:
    make_dist(
        site,
        "hookpoint-fakebroken",
        "fakebroken",
        "hp_fake_broken2",
        "raise RuntimeError('kaboom')\n",
    )
    with pytest.raises(PluginError, match="hookpoint-fakebroken"):
        PluginHost.load(env={"HOOKPOINT_STRICT_PLUGINS": "1"})


def test_a_misspelled_hook_is_rejected_naming_plugin_and_hook(site: Path) -> None:
    make_dist(
        site,
        "hookpoint-faketypo",
        "faketypo",
        "hp_fake_typo",
        GOOD.format(provider="typo")
        + "\n@hookimpl\ndef hookpoint_verfy_request(request):\n    return None\n",
    )
    host = PluginHost.load(env={})
    error = str(_records(host)["hookpoint-faketypo"]["error"])
    assert "hookpoint_verfy_request" in error and "faketypo" in error
    assert "typo" not in host.providers
    with pytest.raises(PluginError, match="hookpoint_verfy_request"):
        PluginHost.load(env={"HOOKPOINT_STRICT_PLUGINS": "1"})


def test_two_plugins_claiming_one_provider_name_both_distributions(site: Path) -> None:
    make_dist(site, "hookpoint-fakea", "fakea", "hp_fake_a", GOOD.format(provider="clash"))
    make_dist(site, "hookpoint-fakeb", "fakeb", "hp_fake_b", GOOD.format(provider="clash"))
    with pytest.raises(PluginConflictError) as info:
        PluginHost.load(env={})
    assert "hookpoint-fakea" in str(info.value) and "hookpoint-fakeb" in str(info.value)
    listed = PluginHost.load(env={}, record_conflicts=True)  # `hookpoint plugins` still works
    assert "hookpoint-fakea" in str(_records(listed)["hookpoint-fakeb"]["error"])


def test_load_and_disable_controls(site: Path) -> None:
    make_dist(site, "hookpoint-fakex", "fakex", "hp_fake_x", GOOD.format(provider="fakex"))
    make_dist(site, "hookpoint-fakey", "fakey", "hp_fake_y", GOOD.format(provider="fakey"))
    only_x = PluginHost.load(env={"HOOKPOINT_LOAD_PLUGINS": "hookpoint-fakex"})
    assert "fakex" in only_x.providers and "fakey" not in only_x.providers
    none = PluginHost.load(env={"HOOKPOINT_LOAD_PLUGINS": ""})
    assert none.listing() == []
    assert "hmac" in none.providers  # built-ins are always there
    no_y = PluginHost.load(env={"HOOKPOINT_DISABLE_PLUGINS": "fakey"})
    assert "fakex" in no_y.providers and "fakey" not in no_y.providers
    # asking for a skipped provider says it is skipped, not "install it"
    with pytest.raises(ProviderConfigError, match="installed but skipped") as info:
        no_y.provider("fakey")
    assert "hookpoint-fakey" in str(info.value) and "pip install" not in str(info.value)
    with pytest.raises(ProviderConfigError, match="pip install hookpoint-nosuch"):
        no_y.provider("nosuch")


def test_builtins_are_plugins_listed_with_all() -> None:
    host = PluginHost.load(load_entrypoints=False)
    assert host.listing() == []
    names = {r["name"] for r in host.listing(include_builtin=True)}
    assert {"operators", "generic"} <= names


def test_importing_hookpoint_loads_no_plugin(tmp_path: Path) -> None:
    make_dist(
        tmp_path,
        "hookpoint-fakeimport",
        "fakeimport",
        "hp_fake_import",
        "raise SystemExit('loaded at import time!')\n",
    )
    code = "import hookpoint, hookpoint.cli, hookpoint.testing; print('ok')"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "ok", out.stderr


def _cli(args: list[str], extra_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(extra_path), **env}
    full_env.pop(
        "HOOKPOINT_STRICT_PLUGINS", None
    ) if "HOOKPOINT_STRICT_PLUGINS" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "hookpoint.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_plugins_lists_a_broken_plugin_and_still_works(tmp_path: Path) -> None:
    make_dist(
        tmp_path,
        "hookpoint-fakecli",
        "fakecli",
        "hp_fake_cli",
        "raise ImportError('missing dependency xyz')\n",
    )
    out = _cli(["plugins", "--json"], tmp_path)
    assert out.returncode == 0, out.stderr
    rows = {r["distribution"]: r for r in json.loads(out.stdout)}
    assert "missing dependency xyz" in rows["hookpoint-fakecli"]["error"]
    strict = _cli(["plugins", "--json"], tmp_path, HOOKPOINT_STRICT_PLUGINS="1")
    assert strict.returncode != 0
    assert "hookpoint-fakecli" in strict.stderr


def test_cli_plugins_says_why_nothing_loaded_when_the_allow_list_is_empty(
    tmp_path: Path,
) -> None:
    out = _cli(["plugins"], tmp_path, HOOKPOINT_LOAD_PLUGINS="")
    assert out.returncode == 0, out.stderr
    assert "installed, none loaded" in out.stdout and "HOOKPOINT_LOAD_PLUGINS" in out.stdout
    assert "No plugins installed" not in out.stdout


def test_installed_seed_providers_are_listed() -> None:
    host = PluginHost.load(env={})
    for dist, provider in (
        ("hookpoint-caldotcom", "caldotcom"),
        ("hookpoint-whatsapp", "whatsapp"),
    ):
        assert host.provider_record(provider).distribution == dist


OBJECT_PLUGIN = """
from hookpoint import ProviderInfo
from hookpoint.providerkit import HeaderSignature, ProviderPlugin

PLUGIN = ProviderPlugin(
    ProviderInfo(name="{provider}", title="{provider} title"),
    scheme=HeaderSignature("X-Fake-Signature"),
)
"""


def test_an_entry_point_naming_an_object_is_loaded_and_recorded(site: Path) -> None:
    make_dist(
        site,
        "hookpoint-fakeobj",
        "fakeobj",
        "hp_fake_obj",
        OBJECT_PLUGIN.format(provider="fakeobj"),
        attr="PLUGIN",
    )
    host = PluginHost.load(env={})
    rec = _records(host)["hookpoint-fakeobj"]
    assert rec["error"] is None
    assert rec["entry_point"] == "fakeobj = hp_fake_obj:PLUGIN"
    assert rec["module"] == "hp_fake_obj"
    assert rec["providers"] == ["fakeobj"]
    # a header HMAC verifies and signs; it has no handshake and describes nothing
    assert rec["hooks"] == [
        "hookpoint_register_providers",
        "hookpoint_sign_request",
        "hookpoint_verify_request",
    ]
    assert host.provider_plugin("fakeobj") is sys.modules["hp_fake_obj"].PLUGIN


def _owned_impls(host: PluginHost, plugin: object, hook: str) -> list[object]:
    return [i for i in getattr(host.pm.hook, hook).get_hookimpls() if i.plugin is plugin]


def test_a_provider_plugin_registers_only_the_hooks_it_has() -> None:
    from hookpoint import ChallengeResponse, ProviderInfo, WebhookRequest
    from hookpoint.providerkit import EventSpec, HeaderSignature, ProviderPlugin

    bare = ProviderPlugin(
        ProviderInfo(name="bare", title="Bare"), verify=lambda r, s, secrets, now: None
    )
    full = ProviderPlugin(
        ProviderInfo(name="full", title="Full"),
        scheme=HeaderSignature("X-Full-Signature"),
        events=EventSpec(type=("body:type",)),
        challenge=lambda r, s, secrets: ChallengeResponse(status=200, body=b"hi"),
    )
    assert bare.hooks == ("hookpoint_register_providers", "hookpoint_verify_request")
    assert full.hooks == (
        "hookpoint_register_providers",
        "hookpoint_challenge_response",
        "hookpoint_verify_request",
        "hookpoint_describe_event",
        "hookpoint_sign_request",
    )
    host = PluginHost.load(plugins=[bare, full], load_entrypoints=False)
    records = {r["name"]: r for r in host.listing()}
    assert records["bare"]["hooks"] == sorted(bare.hooks)
    assert records["full"]["hooks"] == sorted(full.hooks)
    assert records["bare"]["module"] == __name__  # the module that built the object
    for hook in ("hookpoint_challenge_response", "hookpoint_describe_event"):
        assert _owned_impls(host, bare, hook) == []  # absent: not registered, never called
        assert len(_owned_impls(host, full, hook)) == 1
    request = WebhookRequest(url="http://h/webhooks/x", body=b'{"type":"t"}')
    settings = host.settings_for("bare", {})
    assert host.challenge("bare", request, settings, ["s"]) is None
    assert host.describe("bare", request, settings) is None
    assert host.sign("bare", request, settings, "s", 0.0) is None
    full_settings = host.settings_for("full", {})
    reply = host.challenge("full", request, full_settings, ["s"])
    assert reply is not None and reply.body == b"hi"
    info = host.describe("full", request, full_settings)
    assert info is not None and info.type == "t"
    signed = host.sign("full", request, full_settings, "s", 0.0)
    assert signed is not None and host.verify("full", signed, full_settings, ["s"], 0.0)


def test_the_builtin_generic_provider_is_one_provider_plugin_object() -> None:
    from hookpoint.default_plugins import generic
    from hookpoint.providerkit import ProviderPlugin

    host = PluginHost.load(load_entrypoints=False)
    assert isinstance(generic.PLUGIN, ProviderPlugin)
    assert host.provider_plugin("hmac") is generic.PLUGIN
    record = host.provider_record("hmac")
    assert record.builtin and record.name == "generic"
    assert record.module == "hookpoint.default_plugins.generic"
    assert record.hooks == [
        "hookpoint_register_providers",
        "hookpoint_sign_request",
        "hookpoint_verify_request",
    ]
