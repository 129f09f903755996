"""The public, pinned surface a provider plugin and its tests are written against.

``hookpoint``, ``hookpoint.providerkit`` and ``hookpoint.testing`` are the three modules a provider
package may import (with the hookspecs, docs/plugin-hooks.md "What is stable"). Their ``__all__``
is pinned here name by name: adding or removing a name is a decision (and a CHANGELOG line), never
an accident. The provider packages of this repository are held to the same rule: no private
``hookpoint._…`` import, no hooks copied into a module, an entry point that names an object.
"""

from __future__ import annotations
import __future__

import ast
import importlib
import importlib.metadata
import inspect
import re
import subprocess
import sys
import tomllib
import types
import typing
from pathlib import Path

import pytest

from hookpoint.providerkit import ProviderPlugin

ROOT = Path(__file__).resolve().parents[1]
PROVIDERS = ROOT / "providers"

EXPECTED: dict[str, list[str]] = {
    "hookpoint": [
        "IO",
        "Alert",
        "ChallengeResponse",
        "ConfigError",
        "Destination",
        "DoNotRetry",
        "EmptySettings",
        "Endpoint",
        "EndpointExample",
        "EndpointProperty",
        "EventFilter",
        "EventInfo",
        "FilterError",
        "FilterOperator",
        "FormData",
        "Headers",
        "Hookpoint",
        "HookpointError",
        "Job",
        "Notification",
        "PluginConflictError",
        "PluginError",
        "ProviderConfigError",
        "ProviderInfo",
        "QueryParams",
        "RequestFilter",
        "RespondWith",
        "Response",
        "RetryAfter",
        "RetryPolicy",
        "RunContext",
        "Sample",
        "StoreError",
        "StoreUnavailable",
        "Trigger",
        "Verification",
        "WebhookRequest",
        "__version__",
        "hookimpl",
        "read_icon",
        "verify_request_signature",
    ],
    "hookpoint.providerkit": [
        "HANDSHAKE_MAX_BODY",
        "HOOK_NAMES",
        "MAX_BATCH_ID",
        "META_HANDSHAKE_SAMPLES",
        "META_SIGNATURE",
        "REASON_BAD_KEY",
        "REASON_BODY_HASH_MISMATCH",
        "REASON_CLAIM_MISMATCH",
        "REASON_NO_PUBLIC_KEY",
        "REASON_TOKEN_EXPIRED",
        "REASON_TOKEN_MISMATCH",
        "ArrayBatchSpec",
        "BatchSpec",
        "EventSpec",
        "HeaderSignature",
        "HeaderToken",
        "HmacScheme",
        "JwsBodyHashSignature",
        "MetaSettings",
        "PairHeaderSignature",
        "PayloadBatch",
        "PayloadModel",
        "ProviderPlugin",
        "ProviderSettings",
        "PublicKeyAlgorithm",
        "RequestScheme",
        "SignedTemplate",
        "SplitHeaderSignature",
        "StandardWebhooksScheme",
        "TimestampedKeySignature",
        "TimestampedScheme",
        "batch_id",
        "body_digest",
        "compact_json",
        "echo_challenge",
        "ed25519_public_key",
        "ed25519_sign",
        "ed25519_verify",
        "form_params",
        "handshake_json",
        "header",
        "json_challenge",
        "json_object",
        "jws_hs256_sign",
        "jws_hs256_verify",
        "load_private_key",
        "load_public_key",
        "lookup",
        "matches_any_secret",
        "meta_challenge",
        "optional_tolerance_field",
        "payload_parser",
        "public_key_text",
        "query_params",
        "refuse_handshake",
        "settings_tolerance",
        "sign_with_private_key",
        "signed_handshake",
        "text",
        "to_datetime",
        "tolerance_field",
        "unix_seconds",
        "v0_signature",
        "verify_with_public_keys",
        "with_body",
        "with_headers",
    ],
    "hookpoint.testing": [
        "GARBAGE_BODIES",
        "TEST_BASE_URL",
        "TEST_NOW",
        "WRONG_SECRET",
        "PluginHost",
        "ProviderConformance",
        "app_client",
        "asgi_client",
        "challenge_request",
        "describe_request",
        "get_sample",
        "hookpoint_database_url",
        "hookpoint_plugins",
        "load_plugins",
        "plugin_host",
        "register_plugin",
        "request_from_sample",
        "serve_app",
        "sign_hmac_base64",
        "sign_hmac_hex",
        "sign_request",
        "sign_sample",
        "signed_request",
        "verify_request",
    ],
}


def _public_names(module: types.ModuleType) -> set[str]:
    """The names a user of ``module`` can reach that Hookpoint defines: no ``_`` names, no
    modules, no ``from __future__`` features, no names merely imported from typing, the standard
    library or a third-party package."""
    names: set[str] = set()
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, types.ModuleType | __future__._Feature):
            continue
        if getattr(typing, name, None) is value and value is not None:
            continue
        if inspect.isclass(value) or callable(value):
            origin = getattr(value, "__module__", None) or ""
            if not origin.startswith("hookpoint"):
                continue
        names.add(name)
    return names


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_exported_members(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == EXPECTED[name], "a change to the public surface: update EXPECTED"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it does not have: {missing}"
    unlisted = sorted(_public_names(module) - set(module.__all__))
    assert not unlisted, f"{name} has public names outside __all__: {unlisted}"


def test_the_public_names_check_can_fail() -> None:
    """The "no other public name" rule sees a name that is defined but not exported."""
    module = types.ModuleType("hookpoint.fake")
    module.__all__ = ["kept"]  # type: ignore[attr-defined]
    exec("def kept(): pass\ndef leaked(): pass\nimport json\nfrom typing import Any", vars(module))
    assert _public_names(module) == {"kept", "leaked"}


# -- the provider packages of this repository ---------------------------------------------------

_PRIVATE = re.compile(r"^hookpoint\._")


def _private_imports(path: Path) -> list[str]:
    """``"<line>: <what>"`` for every private core import and ``globals().update`` call."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _PRIVATE.match(node.module):
                found.append(f"{node.lineno}: from {node.module}")
            elif node.module == "hookpoint":
                found += [
                    f"{node.lineno}: from hookpoint import {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and alias.name != "__version__"
                ]
        elif isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {a.name}" for a in node.names if _PRIVATE.match(a.name)
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and isinstance(node.func.value, ast.Call)
            and isinstance(node.func.value.func, ast.Name)
            and node.func.value.func.id == "globals"
        ):
            found.append(f"{node.lineno}: globals().update(...)")
    return found


def test_providers_use_only_the_public_surface() -> None:
    files = sorted(PROVIDERS.glob("*/**/*.py"))
    assert len(files) > 100, "the provider sources were not found"
    offending = [
        f"{path.relative_to(ROOT)}:{line}" for path in files for line in _private_imports(path)
    ]
    assert not offending, "private core imports or copied hooks:\n" + "\n".join(offending)


def test_the_provider_source_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import hookpoint._app\nfrom hookpoint._request import WebhookRequest\n"
        "from hookpoint import _plugins, WebhookRequest as W\nfrom hookpoint.testing import x\n"
        "globals().update(PLUGIN.hookimpls())\n"
    )
    assert _private_imports(bad) == [
        "1: import hookpoint._app",
        "2: from hookpoint._request",
        "3: from hookpoint import _plugins",
        "5: globals().update(...)",
    ]


def _first_party_distributions() -> dict[str, str]:
    """``{distribution name: provider directory}`` of every package under providers/."""
    found: dict[str, str] = {}
    for pyproject in sorted(PROVIDERS.glob("*/pyproject.toml")):
        data = tomllib.loads(pyproject.read_text("utf-8"))
        found[data["project"]["name"]] = pyproject.parent.name
    return found


def test_every_first_party_entry_point_names_a_provider_plugin_object() -> None:
    expected = _first_party_distributions()
    assert len(expected) >= 22
    seen: dict[str, object] = {}
    for ep in importlib.metadata.entry_points(group="hookpoint"):
        dist = ep.dist.metadata["Name"] if ep.dist is not None else None
        if dist not in expected:
            continue
        assert ep.attr, f"{dist}: entry point {ep.value!r} names a module, not an object"
        plugin = ep.load()
        assert not isinstance(plugin, types.ModuleType), f"{dist}: {ep.value!r} is a module"
        assert isinstance(plugin, ProviderPlugin), f"{dist}: {ep.value!r} is {plugin!r}"
        assert plugin.info.name == ep.name, f"{dist}: entry point {ep.name!r} serves another name"
        seen[dist] = plugin
    assert sorted(seen) == sorted(expected), "first-party providers not installed (scripts/test)"


@pytest.mark.parametrize(
    "module",
    [
        "hookpoint.providerkit._plugin",
        "hookpoint.providerkit._events",
        "hookpoint.providerkit._hmac",
        "hookpoint.providerkit._keys",
        "hookpoint.providerkit._handshake",
        "hookpoint.providerkit._batch",
        "hookpoint.providerkit",
        "hookpoint.testing",
    ],
)
def test_each_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """No import cycle: every part of the provider kit can be the first thing imported."""
    out = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
