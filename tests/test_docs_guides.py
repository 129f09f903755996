"""The operator guides and the provider tutorial cannot drift from the code.

* ``docs/writing-a-provider.md`` shows the files ``hookpoint new-provider acme`` writes: they
  must equal the scaffold's output (``tests/test_scaffold.py`` installs that output and runs it).
* The tutorial's "timestamped" variant is executed: layered over the scaffolded module it must
  pass the whole provider conformance suite (``TestTutorialTimestampedVariant`` below).
* Every Python block of the guides compiles, every ``hookpoint`` command they mention exists,
  every relative link resolves, and the dashboard page embeds the screenshots that
  ``tests/test_dashboard_browser.py`` writes.
"""

from __future__ import annotations

import re
import sys
import time
import types
from pathlib import Path

import pytest

from hookpoint._scaffold import render_provider
from hookpoint.testing import TEST_NOW, ProviderConformance, load_plugins, request_from_sample

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDES = [
    "getting-started.md",
    "writing-a-provider.md",
    "deployment.md",
    "troubleshooting.md",
    "dashboard.md",
    "python-api.md",
    "management-api.md",
    "alerts.md",
    "local-development.md",
    "forwarding.md",
]
TUTORIAL = (DOCS / "writing-a-provider.md").read_text()
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(text: str, lang: str) -> list[str]:
    return [body for kind, body in BLOCK.findall(text) if kind == lang]


def marked_block(text: str, marker: str) -> str:
    found = re.search(rf"<!-- {re.escape(marker)} -->\n```\w+\n(.*?)^```", text, re.S | re.M)
    assert found, f"no block marked {marker!r}"
    return found.group(1)


# -- the tutorial ----------------------------------------------------------------------------------


def test_the_tutorial_shows_exactly_what_the_scaffold_writes() -> None:
    files = render_provider("acme")
    shown = re.findall(r"<!-- scaffold: (\S+) -->", TUTORIAL)
    assert set(shown) == {
        "pyproject.toml",
        "src/hookpoint_acme/__init__.py",
        "tests/test_acme_conformance.py",
    }
    for path in shown:
        assert marked_block(TUTORIAL, f"scaffold: {path}") == files[path], (
            f"docs/writing-a-provider.md shows an outdated {path}: regenerate it from "
            "hookpoint._scaffold.render_provider('acme')"
        )


def _variant_module() -> types.ModuleType:
    """The scaffolded acme module with the tutorial's timestamped variant applied on top."""
    module = types.ModuleType("docs_tutorial_acme_timestamped")
    sys.modules[module.__name__] = module  # pydantic resolves annotations through sys.modules
    exec(
        compile(
            render_provider("acme")["src/hookpoint_acme/__init__.py"],
            "hookpoint_acme/__init__.py",
            "exec",
        ),
        module.__dict__,
    )
    exec(
        compile(
            marked_block(TUTORIAL, "tested: timestamped"), "docs/writing-a-provider.md", "exec"
        ),
        module.__dict__,
    )
    return module


VARIANT = _variant_module()


class TestTutorialTimestampedVariant(ProviderConformance):
    """The tutorial's timestamped scheme passes the full conformance suite."""

    provider = "acme"
    plugin = VARIANT.PLUGIN
    check_entry_point = False


def test_the_timestamped_variant_rejects_old_and_future_signatures() -> None:
    host = load_plugins(VARIANT.PLUGIN, entrypoints=False)
    settings = host.settings_for("acme", {})
    sample = host.provider("acme").samples[0]
    signed = host.sign(
        "acme", request_from_sample(sample, provider="acme"), settings, "k1", TEST_NOW
    )
    assert signed is not None
    header = signed.headers["X-Acme-Signature"]
    assert re.fullmatch(rf"t={int(TEST_NOW)},v1=[0-9a-f]{{64}}", header)
    for now, ok in (
        (TEST_NOW, True),
        (TEST_NOW + 299, True),
        (TEST_NOW + 301, False),
        (TEST_NOW - 301, False),
    ):
        assert bool(host.verify("acme", signed, settings, ("old", "k1"), now)) is ok, now
    stale = host.verify("acme", signed, settings, ("k1",), time.time())
    assert not stale and stale.reason == "timestamp too old"


# -- the guides ------------------------------------------------------------------------------------


@pytest.mark.parametrize("guide", GUIDES)
def test_python_blocks_compile(guide: str) -> None:
    text = (DOCS / guide).read_text()
    for number, body in enumerate(blocks(text, "python"), 1):
        compile(body, f"{guide} block {number}", "exec")


@pytest.mark.parametrize("guide", GUIDES)
def test_relative_links_resolve(guide: str) -> None:
    text = (DOCS / guide).read_text()
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (DOCS / target).exists(), f"{guide} links to missing {target}"


@pytest.mark.parametrize("guide", GUIDES)
def test_the_commands_the_guides_use_exist(guide: str) -> None:
    from hookpoint.cli import cli

    text = (DOCS / guide).read_text()
    code = "\n".join(body for kind, body in BLOCK.findall(text) if kind in ("console", "bash"))
    used = set(re.findall(r"(?:^\$ (?:[A-Z_]+=\S+ )*|bin/)hookpoint ([a-z][a-z-]+)", code, re.M))
    assert used, f"{guide} shows no hookpoint command"
    missing = used - set(cli.commands)
    assert not missing, f"{guide} uses commands the CLI does not have: {sorted(missing)}"


def test_the_dashboard_guide_embeds_the_browser_test_screenshots() -> None:
    text = (DOCS / "dashboard.md").read_text()
    for name in (
        "dashboard-endpoints.png",
        "dashboard-endpoint.png",
        "dashboard-requests.png",
        "dashboard-run.png",
    ):
        assert f"](screenshots/{name})" in text
        assert (DOCS / "screenshots" / name).stat().st_size > 10_000


# -- the Python API reference's example ---------------------------------------------------------


async def test_the_python_api_example_runs_as_documented(tmp_path: Path) -> None:
    """docs/python-api.md's example, executed as an app module and served: the handshake, the
    shared-secret verify, the methods, both jobs and what they store behave as the page says."""
    import asyncio
    import hashlib
    import hmac
    import json

    import httpx

    from hookpoint._server import HookpointServer
    from hookpoint._settings import Settings

    module = types.ModuleType("python_api_example")
    exec(
        compile(
            marked_block((DOCS / "python-api.md").read_text(), "python-api: example"),
            "python-api.md",
            "exec",
        ),
        module.__dict__,
    )
    hp = module.hp
    assert set(hp.endpoints) == {"caldotcom", "internal"}
    assert set(hp.jobs) == {"booking-cancelled", "record"}

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}", lease_seconds=5)
    server = HookpointServer(hp, settings)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            ok = {"x-shared-secret": "s3cret"}
            ping = await client.post("/webhooks/internal?ping=7", headers=ok)
            assert (ping.status_code, ping.text, ping.headers["x-echo"]) == (200, "7", "1")
            refused = await client.post("/webhooks/internal?ping=7")
            assert refused.status_code == 401 and refused.json() == {"error": "unauthorized"}
            wrong = await client.post(
                "/webhooks/internal", content=b"x", headers={"x-shared-secret": "no"}
            )
            assert wrong.status_code == 401 and wrong.json()["message"] == "wrong shared secret"
            assert (await client.get("/webhooks/internal", headers=ok)).status_code == 405
            delivery = {**ok, "X-Billing-Delivery": "d-1"}
            put = await client.put("/webhooks/internal", content=b"hello", headers=delivery)
            again = await client.put("/webhooks/internal", content=b"hello", headers=delivery)
            empty_put = await client.put("/webhooks/internal", headers=ok)
            assert put.status_code == again.status_code == empty_put.status_code == 200
            assert again.json()["duplicate"] is True and again.json()["runs"] == 0
            body = json.dumps(
                {
                    "triggerEvent": "BOOKING_CANCELLED",
                    "createdAt": "2026-11-27T10:00:00Z",
                    "payload": {"uid": "b-1"},
                }
            ).encode()
            sig = hmac.new(b"cal-secret-1", body, hashlib.sha256).hexdigest()
            cal = await client.post(
                "/webhooks/caldotcom",
                content=body,
                headers={"content-type": "application/json", "x-cal-signature-256": sig},
            )
            assert cal.status_code == 200 and cal.json()["runs"] == 1

            async def finished() -> list[dict[str, object]]:
                for _ in range(100):
                    runs = (await client.get("/api/runs")).json()["items"]
                    if len(runs) == 3 and all(r["status"] in ("succeeded", "failed") for r in runs):
                        return list(runs)
                    await asyncio.sleep(0.05)
                raise AssertionError(f"runs did not finish: {runs}")

            by_outcome = {}
            for run in await finished():
                detail = (await client.get(f"/api/runs/{run['id']}")).json()
                by_outcome[(run["job"], run["status"])] = detail
            cancelled = by_outcome[("booking-cancelled", "succeeded")]
            assert cancelled["output"] == {"refunded": "b-1"}
            assert any(line["message"] == "cancelled" for line in cancelled["logs"])
            assert by_outcome[("record", "succeeded")]["output"] == {"method": "PUT", "bytes": 5}
            failed = by_outcome[("record", "failed")]  # DoNotRetry: one attempt, no retry
            assert len(failed["attempts"]) == 1


# -- the README's example -------------------------------------------------------------------------


async def test_the_readme_example_runs_as_documented(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README.md's app: the WhatsApp handshake ported from Trigger.dev (token compared in
    constant time), forged deliveries refused without runs, Idempotency-Key dedupe, and the
    endpoint's icon and properties as the dashboard shows them."""
    import hashlib
    import hmac

    import httpx

    from hookpoint._server import HookpointServer
    from hookpoint._settings import Settings

    secrets = {
        "CALDOTCOM_SECRET": "cal-readme",
        "ACME_SECRET": "acme-readme",
        "WHATSAPP_WEBHOOK_SECRET": "verify-readme",
        "WHATSAPP_APP_SECRET": "app-readme",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    module = types.ModuleType("readme_example")
    exec(
        compile(blocks((ROOT / "README.md").read_text(), "python")[0], "README.md", "exec"),
        module.__dict__,
    )
    hp = module.hp
    assert set(hp.endpoints) == {"caldotcom", "acme", "whatsapp"}
    assert [p.label for p in hp.endpoints["whatsapp"].properties] == ["Phone number"]

    def signed(body: bytes, secret: str, header: str) -> dict[str, str]:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return {header: f"sha256={digest}", "content-type": "application/json"}

    server = HookpointServer(hp, Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}"))
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            query = "hub.mode=subscribe&hub.challenge=42&hub.verify_token="
            ok = await client.get(f"/webhooks/whatsapp?{query}verify-readme")
            assert (ok.status_code, ok.text) == (200, "42")
            assert (await client.get(f"/webhooks/whatsapp?{query}nope")).status_code == 401
            body = b'{"entry": []}'
            forged = await client.post(
                "/webhooks/whatsapp", content=body, headers=signed(body, "x", "x-hub-signature-256")
            )
            assert forged.status_code == 401
            good = await client.post(
                "/webhooks/whatsapp",
                content=body,
                headers=signed(body, "app-readme", "x-hub-signature-256"),
            )
            assert good.status_code == 200 and good.json()["duplicate"] is False
            headers = {**signed(body, "acme-readme", "X-Acme-Signature"), "Idempotency-Key": "k1"}
            first = await client.post("/webhooks/acme", content=body, headers=headers)
            again = await client.post("/webhooks/acme", content=body, headers=headers)
            assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
