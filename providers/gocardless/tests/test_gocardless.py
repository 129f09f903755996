"""GoCardless provider: the official client's test vector, gocardless-pro both ways, the batch
description, the models, and the status a bad signature gets from a running host."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from gocardless_pro import webhooks as gc_webhooks
from gocardless_pro.errors import InvalidSignatureError

import hookpoint_gocardless
from hookpoint import EventFilter, Hookpoint, WebhookRequest
from hookpoint.providerkit import with_headers
from hookpoint.testing import (
    PluginHost,
    app_client,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_hmac_hex,
    sign_sample,
    verify_request,
)
from hookpoint_gocardless import (
    GoCardlessEvent,
    GoCardlessWebhook,
    parse_payload,
)
from hookpoint_gocardless._samples import SDK_BODY, SDK_SECRET, SDK_SIGNATURE

URL = "https://hooks.example.com/webhooks/gocardless"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_gocardless.PLUGIN)


def delivery(
    body: bytes = SDK_BODY, signature: str | None = SDK_SIGNATURE, **headers: str
) -> WebhookRequest:
    sent = {"Content-Type": "application/json", **headers}
    if signature is not None:
        sent["Webhook-Signature"] = signature
    return WebhookRequest(url=URL, headers=sent, body=body)


def verify(host: PluginHost, request: WebhookRequest, *secrets: str) -> Any:
    return verify_request(host, "gocardless", request, secrets or (SDK_SECRET,))


# -- the client's published vector -----------------------------------------------------------


def test_the_clients_vector_verifies(host: PluginHost) -> None:
    assert verify(host, delivery()).success
    assert verify(host, delivery(), "rotated-secret", SDK_SECRET).success
    assert sign_hmac_hex(SDK_SECRET, SDK_BODY) == SDK_SIGNATURE


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        (None, "missing signature header"),
        ("", "missing signature header"),
        ("sha256=" + SDK_SIGNATURE, "malformed signature"),
        (SDK_SIGNATURE[:-2], "malformed signature"),
        ("0" * 64, "signature mismatch"),
    ],
)
def test_bad_signatures_fail_with_a_reason(
    host: PluginHost, signature: str | None, reason: str
) -> None:
    result = verify(host, delivery(signature=signature))
    assert (result.success, result.reason) == (False, reason)


def test_wrong_secret_and_changed_body_fail(host: PluginHost) -> None:
    assert verify(host, delivery(), "anotherkey").reason == "signature mismatch"
    changed = SDK_BODY.replace(b"EV00BD05S5VM2T", b"EV00BD05S5VM2U")
    assert not verify(host, delivery(changed)).success
    assert verify_request(host, "gocardless", delivery(), []).reason == "no secret configured"


# -- gocardless-pro both ways -----------------------------------------------------------------


def test_the_client_accepts_its_vector_and_rejects_a_change() -> None:
    """The vector is what the client itself accepts: what the provider verifies above."""
    events = gc_webhooks.parse(SDK_BODY, SDK_SECRET, SDK_SIGNATURE)
    assert [e.id for e in events] == ["EV00BD05S5VM2T", "EV00BD05TB8K63"]
    with pytest.raises(InvalidSignatureError):
        gc_webhooks.parse(SDK_BODY + b" ", SDK_SECRET, SDK_SIGNATURE)


@pytest.mark.parametrize("name", ["subscription_and_mandate_created", "payment_failed"])
def test_provider_signature_parses_with_the_client(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, "gocardless", name, secret="endpoint-secret")
    signature = signed.headers["Webhook-Signature"]
    events = gc_webhooks.parse(signed.body, "endpoint-secret", signature)
    parsed = parse_payload(json.loads(signed.body))
    assert [(e.id, e.resource_type, e.action) for e in events] == [
        (e.id, e.resource_type, e.action) for e in parsed.events
    ]
    assert [e.details.cause for e in events] == [
        e.details.cause if e.details else None for e in parsed.events
    ]
    with pytest.raises(InvalidSignatureError):
        gc_webhooks.parse(signed.body, "another-secret", signature)


def test_client_meta_and_provider_agree_on_the_webhook_id(host: PluginHost) -> None:
    signed = sign_sample(host, "gocardless", "mandate_cancelled", secret="s")
    result = gc_webhooks.parse_with_meta(signed.body, "s", signed.headers["Webhook-Signature"])
    info = describe_request(host, "gocardless", signed)
    assert info is not None and info.fields["webhook_id"] == result.webhook_id == "WB0001B2C3D4E5"


# -- description -------------------------------------------------------------------------------


def test_describe_a_mixed_batch(host: PluginHost) -> None:
    info = describe_request(host, "gocardless", sign_sample(host, "gocardless", "payment_failed"))
    assert info is not None
    assert info.type == "payments.failed"
    assert info.id == "EV0002EFGH6789,EV0002JKLM0123"
    assert info.time == datetime(2024, 9, 10, 8, 31, 5, 480000, tzinfo=UTC)
    assert info.fields == {
        "count": 2,
        "types": ["payments.failed", "payouts.paid"],
        "resource_types": ["payments", "payouts"],
        "actions": ["failed", "paid"],
        "causes": ["insufficient_funds", "payout_paid"],
        "origins": ["bank", "gocardless"],
        "resource_ids": ["PM0001QRS23456", "PO0001TUV78901"],
        "webhook_id": "WB0001F6G7H8J9",
        "environment": "live",
    }


def test_a_retry_is_the_same_event_whatever_the_order(host: PluginHost) -> None:
    data = json.loads(get_sample(host, "gocardless", "payment_failed").body)
    data["events"].reverse()
    data["meta"]["webhook_id"] = "WB0009RETRIED"
    again = describe_request(host, "gocardless", delivery(json.dumps(data).encode()))
    first = describe_request(host, "gocardless", sign_sample(host, "gocardless", "payment_failed"))
    assert again is not None and first is not None and again.id == first.id
    assert again.type == "payouts.paid", "the type is the first event's"


def test_single_event_id_environment_and_no_events(host: PluginHost) -> None:
    signed = sign_sample(host, "gocardless", "mandate_cancelled")
    info = describe_request(host, "gocardless", signed)
    assert info is not None and (info.id, info.type) == ("EV0001ABCD2345", "mandates.cancelled")
    sandbox = with_headers(signed, {"Origin": "https://api-sandbox.gocardless.com"})
    described = describe_request(host, "gocardless", sandbox)
    assert described is not None and described.fields["environment"] == "sandbox"
    empty = describe_request(host, "gocardless", delivery(b'{"events":[]}'))
    assert empty is not None and (empty.type, empty.fields["count"]) == (None, 0)
    assert empty.id is not None and empty.id.startswith("sha256:")
    assert empty.fields["environment"] is None


# -- models ------------------------------------------------------------------------------------


def test_models() -> None:
    hook = parse_payload(json.loads(SDK_BODY))
    assert isinstance(hook, GoCardlessWebhook) and len(hook.events) == 2
    first = hook.events[0]
    assert (first.type, first.resource_id) == ("subscriptions.created", "SB0003JJQ2MR06")
    assert first.created_at == datetime(2018, 7, 5, 9, 13, 51, 404000, tzinfo=UTC)
    assert [e.id for e in hook.of_type("mandates.created")] == ["EV00BD05TB8K63"]
    event = GoCardlessEvent.model_validate(
        {
            "resource_type": "outbound_payments",
            "action": "executed",
            "links": {"outbound_payment": "OUT1"},
            "details": {"property": "amount", "brand_new": 1},
        }
    )
    assert (event.type, event.resource_id) == ("outbound_payments.executed", "OUT1")
    assert event.details is not None and event.details.property_ == "amount"
    assert event.details.model_extra == {"brand_new": 1}
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload([])


# -- through a running host --------------------------------------------------------------------


@pytest.fixture
async def http(hookpoint_database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    hp = Hookpoint(id="gocardless-test")
    hp.define_http_endpoint(
        id="gocardless", source="gocardless.com", provider="gocardless", secrets=[SDK_SECRET]
    )
    async with app_client(hp, database_url=hookpoint_database_url, lease_seconds=5) as client:
        yield client


async def test_a_running_host_accepts_once_and_refuses_a_bad_signature_with_498(
    http: httpx.AsyncClient,
) -> None:
    headers = {"Content-Type": "application/json", "Webhook-Signature": SDK_SIGNATURE}
    first = await http.post("/webhooks/gocardless", content=SDK_BODY, headers=headers)
    assert first.status_code == 200 and first.json()["duplicate"] is False
    again = await http.post("/webhooks/gocardless", content=SDK_BODY, headers=headers)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    forged = {**headers, "Webhook-Signature": "0" * 64}
    refused = await http.post("/webhooks/gocardless", content=SDK_BODY, headers=forged)
    # GoCardless's API reference: an invalid signature "must return a 498 Token Invalid error".
    assert refused.status_code == 498 == hookpoint_gocardless.REFUSAL_STATUS
    assert refused.json() == {"error": "unauthorized", "message": "signature mismatch"}
    unsigned = {"Content-Type": "application/json"}
    missing = await http.post("/webhooks/gocardless", content=SDK_BODY, headers=unsigned)
    assert missing.status_code == 498 and missing.json()["message"] == "missing signature header"


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("gocardless")
    assert (record.distribution, record.module) == ("hookpoint-gocardless", "hookpoint_gocardless")
    assert record.entry_point == "gocardless = hookpoint_gocardless:PLUGIN"


def test_the_readme_filter_matches_a_mixed_batch(host: PluginHost) -> None:
    wanted = EventFilter({"types": [{"$includes": "payments.failed"}]})
    mixed = describe_request(host, "gocardless", sign_sample(host, "gocardless", "payment_failed"))
    other = describe_request(
        host, "gocardless", sign_sample(host, "gocardless", "mandate_cancelled")
    )
    assert mixed is not None and other is not None
    assert wanted.matches(mixed.filter_view()) and not wanted.matches(other.filter_view())
