"""The HTTP status of a refused verification: 401, unless the refusal names its own 4xx
(``Verification.refused(reason, status=...)``) or its provider declares one
(``ProviderInfo.refusal_status``: GoCardless's 498 Token Invalid). Checked on the models, on
the plugin host, and through a real host (``hookpoint serve`` on a loopback port)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from hookpoint import ProviderInfo, Verification, WebhookRequest
from hookpoint.providerkit import HeaderSignature, HmacScheme, ProviderPlugin
from hookpoint.testing import plugin_host

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import cal_samples
    import hostile_app
    import refusal_app as app
finally:
    sys.path.pop(0)


# -- the models ----------------------------------------------------------------------------------


def test_a_refusal_has_no_status_unless_it_names_one() -> None:
    assert Verification.refused("signature mismatch").status is None
    assert Verification.refused("signature mismatch", status=498).status == 498
    assert Verification(success=False, reason="x", status=400).status == 400
    assert Verification.verified().status is None


@pytest.mark.parametrize("status", [399, 200, 302, 500, 503, 0, -401, True, "498", 498.0])
def test_a_refusal_status_must_be_a_4xx_int(status: Any) -> None:
    with pytest.raises(ValidationError, match="4xx"):
        Verification.refused("bad", status=status)
    with pytest.raises(ValidationError, match="4xx"):
        ProviderInfo(name="acme", title="Acme", refusal_status=status)


def test_only_a_refusal_has_a_status() -> None:
    with pytest.raises(ValidationError, match="only a refused verification"):
        Verification(success=True, status=401)


def test_provider_info_refusal_status_defaults_to_401() -> None:
    assert ProviderInfo(name="acme", title="Acme").refusal_status == 401
    assert ProviderInfo(name="acme", title="Acme", refusal_status=498).refusal_status == 498
    with pytest.raises(ValidationError, match="4xx"):
        ProviderInfo(name="acme", title="Acme", refusal_status=None)


# -- the plugin host -----------------------------------------------------------------------------

SIGNATURE = HeaderSignature("X-Acme-Signature", HmacScheme())


def _plugin(refusal_status: int = 401, verify: Any = None) -> ProviderPlugin[Any]:
    info = ProviderInfo(name="acme", title="Acme", refusal_status=refusal_status)
    return ProviderPlugin(info, scheme=SIGNATURE, verify=verify)


def _verify(plugin: ProviderPlugin[Any], headers: dict[str, str] | None = None) -> Verification:
    host = plugin_host(plugin)
    request = WebhookRequest(url="https://hooks.example/acme", headers=headers or {}, body=b"{}")
    settings: BaseModel = host.settings_for("acme", {})
    return host.verify("acme", request, settings, ("secret",), 0.0)


def test_the_host_gives_a_refusal_its_providers_status() -> None:
    refused = _verify(_plugin(498), {"X-Acme-Signature": "0" * 64})
    assert (refused.success, refused.status, refused.reason) == (False, 498, "signature mismatch")
    missing = _verify(_plugin(498))
    assert (missing.success, missing.status) == (False, 498), "no signature is refused alike"
    assert _verify(_plugin()).status is None, "a provider that declares nothing: 401 at ingest"
    signed = {"X-Acme-Signature": HmacScheme().sign("secret", b"{}")}
    assert _verify(_plugin(498), signed).status is None, "a verified request has no status"


def test_a_status_the_provider_returns_wins_over_its_declared_one() -> None:
    def verify(request: WebhookRequest, settings: Any, secrets: Any, now: float) -> Verification:
        return Verification.refused("banned sender", status=403)

    assert _verify(_plugin(498, verify=verify)).status == 403


# -- through a real host -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    tmp = tmp_path_factory.mktemp("refusals")
    with (
        hostile_app.served(tmp, app="refusal_app:hp") as host,
        httpx.Client(base_url=host.url, timeout=20) as client,
    ):
        yield client


def _post(client: httpx.Client, endpoint: str, body: bytes, **headers: str) -> httpx.Response:
    return client.post(
        f"/webhooks/{endpoint}",
        content=body,
        headers={"Content-Type": "application/json", **headers},
    )


BODY = b'{"events":[{"id":"EV1","resource_type":"payments","action":"failed"}]}'


def test_gocardless_answers_a_bad_signature_with_498(served: httpx.Client) -> None:
    good = app.hex_hmac(app.GOCARDLESS_SECRET, BODY)
    accepted = _post(served, "gocardless", BODY, **{"Webhook-Signature": good})
    assert accepted.status_code == 200, accepted.text
    forged = _post(served, "gocardless", BODY, **{"Webhook-Signature": "0" * 64})
    assert forged.status_code == 498
    assert forged.json() == {"error": "unauthorized", "message": "signature mismatch"}
    assert _post(served, "gocardless", BODY).status_code == 498, "no signature at all"
    wrong_key = app.hex_hmac("another-secret", BODY)
    assert _post(served, "gocardless", BODY, **{"Webhook-Signature": wrong_key}).status_code == 498
    tampered = _post(served, "gocardless", BODY + b" ", **{"Webhook-Signature": good})
    assert tampered.status_code == 498


def test_every_other_refusal_is_401_unless_it_names_its_status(served: httpx.Client) -> None:
    body = cal_samples.cal_body(trigger="BOOKING_CREATED")
    cal = _post(served, "caldotcom", body + b" ", **cal_samples.cal_headers(body, app.CAL_SECRET))
    assert cal.status_code == 401 and cal.json()["error"] == "unauthorized"
    generic = _post(served, "generic", BODY, **{"X-Acme-Signature": "0" * 64})
    assert generic.status_code == 401
    assert _post(served, "plain", BODY).status_code == 401
    forbidden = _post(served, "forbidden", BODY)
    assert forbidden.status_code == 403
    assert forbidden.json() == {"error": "unauthorized", "message": "not on the list"}
    assert _post(served, "forbidden", BODY, **{"X-Let-In": "yes"}).status_code == 200


def test_refusals_are_recorded_as_rejected_whatever_their_status(served: httpx.Client) -> None:
    _post(served, "gocardless", BODY, **{"Webhook-Signature": "1" * 64})
    listed = served.get(
        "/api/requests",
        params={"status": "rejected", "endpoint": "gocardless"},
        headers={"Authorization": f"Bearer {hostile_app.ADMIN_TOKEN}"},
    )
    assert listed.status_code == 200, listed.text
    reasons = {item["reason"] for item in listed.json()["items"]}
    assert "signature mismatch" in reasons
