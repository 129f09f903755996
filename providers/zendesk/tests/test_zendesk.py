"""Zendesk provider: the documented base64(HMAC-SHA256(timestamp + body)) with the published
test secret, the timestamp window both ways, event and trigger webhooks described, models."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import hookpoint_zendesk
from hookpoint import Sample, WebhookRequest
from hookpoint.testing import (
    PluginHost,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_zendesk import (
    SAMPLES,
    TEST_SIGNING_SECRET,
    Organization,
    Ticket,
    User,
    ZendeskEvent,
    parse_payload,
)

URL = "https://hooks.example.com/webhooks/zendesk"
STAMP = "2022-03-21T13:37:23Z"
NOW = datetime(2022, 3, 21, 13, 37, 23, tzinfo=UTC).timestamp()
BODY = SAMPLES[0].body
# Zendesk's published example event (tests/examples/README.md says where from).
PUBLISHED = (Path(__file__).parent / "examples" / "user.active_changed.json").read_bytes()


def documented(secret: str, timestamp: str, body: bytes) -> str:
    """https://developer.zendesk.com/documentation/webhooks/verifying/, by hand: the secret is
    the key as text, the message is the timestamp followed directly by the body."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_zendesk.PLUGIN)


def verify(
    host: PluginHost,
    signature: str | None = None,
    *,
    body: bytes = BODY,
    stamp: str = STAMP,
    now: float = NOW,
    secrets: tuple[str, ...] = (TEST_SIGNING_SECRET,),
    **settings: Any,
) -> Any:
    headers = {"X-Zendesk-Webhook-Signature-Timestamp": stamp}
    headers["X-Zendesk-Webhook-Signature"] = (
        documented(TEST_SIGNING_SECRET, stamp, body) if signature is None else signature
    )
    req = WebhookRequest(method="POST", url=URL, headers=headers, body=body)
    return verify_request(host, "zendesk", req, secrets, now=now, settings=settings)


def test_documented_signature_with_the_test_secret(host: PluginHost) -> None:
    assert verify(host).success
    assert verify(host, secrets=("webhook-secret", TEST_SIGNING_SECRET)).success
    assert not verify(host, secrets=("webhook-secret",)).success
    sig = documented(TEST_SIGNING_SECRET, STAMP, BODY)
    assert not verify(host, sig, body=BODY.replace(b"jane", b"jano")).success
    # the secret is the HMAC key as written, not its base64-decoded bytes
    decoded = base64.b64decode(TEST_SIGNING_SECRET)
    wrong = base64.b64encode(
        hmac.new(decoded, STAMP.encode() + BODY, hashlib.sha256).digest()
    ).decode()
    assert not verify(host, wrong).success
    # the timestamp is signed: another timestamp with the same signature fails
    assert not verify(host, sig, stamp="2022-03-21T13:37:24Z").success


def test_empty_body_signs_the_timestamp_alone(host: PluginHost) -> None:
    assert verify(host, body=b"").success


@pytest.mark.parametrize(
    ("offset", "ok"), [(-601, False), (-600, True), (0, True), (600, True), (601, False)]
)
def test_ten_minute_window_both_ways(host: PluginHost, offset: float, ok: bool) -> None:
    assert bool(verify(host, now=NOW + offset).success) is ok


def test_tolerance_setting_and_bad_timestamps(host: PluginHost) -> None:
    assert verify(host, now=NOW + 3000, tolerance=3600).success
    assert not verify(host, now=NOW + 120, tolerance=60).success
    result = verify(host, stamp="1647869843")
    assert not result.success and "timestamp" in result.reason


def test_sign_hook_matches_the_documented_algorithm(host: PluginHost) -> None:
    req = WebhookRequest(method="POST", url=URL, headers={}, body=BODY)
    signed = sign_request(host, "zendesk", req, TEST_SIGNING_SECRET, now=NOW)
    assert signed is not None
    stamp = signed.headers["X-Zendesk-Webhook-Signature-Timestamp"]
    assert datetime.fromisoformat(stamp).timestamp() == NOW
    expected = documented(TEST_SIGNING_SECRET, stamp, BODY)
    assert signed.headers["X-Zendesk-Webhook-Signature"] == expected


@pytest.mark.parametrize("sample", SAMPLES[:3], ids=lambda s: s.name)
def test_event_webhooks_are_described_and_parsed(host: PluginHost, sample: Sample) -> None:
    req = WebhookRequest(method="POST", url=URL, headers=sample.headers, body=sample.body)
    info = describe_request(host, "zendesk", req)
    body = json.loads(sample.body)
    assert info.type == sample.event_type == body["type"]
    assert info.id == body["id"]
    assert info.time == datetime(2022, 3, 21, 13, 37, 23, tzinfo=UTC)
    assert info.fields["subject"] == body["subject"]
    assert info.fields["detail_id"] == body["detail"]["id"]
    assert info.fields["webhook_id"] == "01GZX3C8N6WQ5X7K4E6Y7N9Q2B"
    model = parse_payload(body)
    assert model.id == body["id"] and model.detail is not None


def test_published_example_verifies_describes_and_parses(host: PluginHost) -> None:
    signature = documented(TEST_SIGNING_SECRET, STAMP, PUBLISHED)
    assert verify(host, signature, body=PUBLISHED).success
    assert not verify(host, signature, body=PUBLISHED.replace(b"false", b"true ", 1)).success
    headers = {"X-Zendesk-Webhook-Id": "01GZX3C8N6WQ5X7K4E6Y7N9Q2B"}
    req = WebhookRequest(method="POST", url=URL, headers=headers, body=PUBLISHED)
    info = describe_request(host, "zendesk", req)
    assert info.type == "zen:event-type:user.active_changed"
    assert info.id == "2b24ef10-19d4-4740-93cf-8f98ec4776c0"
    assert info.time == datetime(2099, 7, 4, 5, 33, 18, tzinfo=UTC)
    assert info.fields["subject"] == "zen:user:6596848315901"
    assert info.fields["account_id"] == 12514403
    assert info.fields["detail_id"] == "6596848315901"
    assert info.fields["event_version"] == "2022-06-20"
    model = parse_payload(json.loads(PUBLISHED))
    assert isinstance(model.detail, User)
    assert (model.detail.role, model.detail.default_group_id) == ("end-user", "0")
    assert model.detail.created_at == datetime(2099, 7, 4, 5, 27, 58, tzinfo=UTC)
    assert model.event == {"current": False, "previous": True}


def test_detail_is_typed_by_the_event_domain() -> None:
    user, org, ticket = (parse_payload(json.loads(s.body)) for s in SAMPLES[:3])
    assert isinstance(user.detail, User) and user.detail.role == "end-user"
    assert isinstance(org.detail, Organization) and org.detail.name == "Example Corp"
    assert isinstance(ticket.detail, Ticket) and ticket.detail.tags == ["printer", "fire"]
    assert ticket.event == {"previous": "NEW", "current": "OPEN"}


def test_trigger_webhook_dedupes_on_the_invocation_id(host: PluginHost) -> None:
    sample = SAMPLES[3]
    req = WebhookRequest(method="POST", url=URL, headers=sample.headers, body=sample.body)
    info = describe_request(host, "zendesk", req)
    assert info.type is None and info.time is None
    assert info.id == "7285731054210"
    model = parse_payload(json.loads(sample.body))
    assert isinstance(model, ZendeskEvent) and model.type is None
    assert model.model_extra == {
        "ticket_id": "35436",
        "status": "Open",
        "title": "Help, my printer is on fire!",
    }
    without = WebhookRequest(method="POST", url=URL, headers={}, body=sample.body)
    assert describe_request(host, "zendesk", without).id.startswith("sha256:")
