"""SendGrid provider: the SDK's official ECDSA vector, key forms, tolerance, description and
models."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import hookpoint_sendgrid
from hookpoint import WebhookRequest
from hookpoint.testing import (
    TEST_NOW,
    PluginHost,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_sendgrid import EventBatch, parse_payload
from hookpoint_sendgrid._samples import BOUNCE, DELIVERY_BATCH, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY

# Known-answer vector "sendgrid-ecdsa" (sendgrid-python's test).
PUBLIC_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+"
    "2fNNRaINXvVpiglSI8eNEc6wEA3F+g=="
)
BODY = (
    b'[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":'
    b'"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":'
    b'"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":'
    b'"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n'
)
TIMESTAMP = "1600112502"
SIGNATURE = (
    "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEA"
    "yBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM="
)
VECTOR_NOW = 1600112502.0
TS_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
SIG_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
URL = "https://hooks.example.com/webhooks/sendgrid"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_sendgrid.PLUGIN)


def request(
    body: bytes = BODY, timestamp: str = TIMESTAMP, signature: str | None = SIGNATURE
) -> WebhookRequest:
    headers = {"Content-Type": "application/json", TS_HEADER: timestamp}
    if signature is not None:
        headers[SIG_HEADER] = signature
    return WebhookRequest(url=URL, headers=headers, body=body)


def verify(
    host: PluginHost,
    req: WebhookRequest,
    keys: list[str] | None = None,
    now: float = VECTOR_NOW,
    **values: Any,
) -> Any:
    return verify_request(
        host, "sendgrid", req, [PUBLIC_KEY] if keys is None else keys, now=now, settings=values
    )


def sign(
    host: PluginHost, body: bytes, secret: str = TEST_PRIVATE_KEY, now: float = TEST_NOW
) -> WebhookRequest:
    signed = sign_request(host, "sendgrid", WebhookRequest(url=URL, body=body), secret, now=now)
    assert signed is not None
    return signed


def test_official_vector_verifies(host: PluginHost) -> None:
    assert verify(host, request()).success


def test_official_vector_rejected_with_one_byte_changed(host: PluginHost) -> None:
    assert verify(host, request(BODY.replace(b"dropped", b"droppee"))).reason == (
        "signature mismatch"
    )
    assert not verify(host, request(timestamp="1600112503"), now=1600112503).success


def test_trailing_crlf_is_part_of_the_signed_body(host: PluginHost) -> None:
    assert not verify(host, request(BODY.rstrip(b"\r\n"))).success


def test_official_vector_verifies_today_by_default(host: PluginHost) -> None:
    """SendGrid's SDK checks no time, and neither does the default endpoint."""
    assert verify(host, request(), now=TEST_NOW).success


@pytest.mark.parametrize(("offset", "ok"), [(-301, False), (-299, True), (299, True), (301, False)])
def test_tolerance_both_directions(host: PluginHost, offset: int, ok: bool) -> None:
    assert verify(host, request(), now=VECTOR_NOW + offset, tolerance=300).success is ok


def test_tolerance_reasons(host: PluginHost) -> None:
    assert verify(host, request(), now=VECTOR_NOW + 301, tolerance=300).reason == (
        "timestamp too old"
    )
    assert verify(host, request(), now=VECTOR_NOW - 301, tolerance=300).reason == (
        "timestamp in the future"
    )
    assert not verify(host, request(timestamp="later")).success


def test_key_forms_and_rotation(host: PluginHost) -> None:
    der = base64.b64decode(PUBLIC_KEY)
    key = serialization.load_der_public_key(der)
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    assert verify(host, request(), [pem]).success
    assert verify(host, request(), [TEST_PUBLIC_KEY, PUBLIC_KEY]).success
    assert verify(host, request(), [TEST_PUBLIC_KEY]).reason == "signature mismatch"
    assert verify(host, request(), ["junk"]).reason == "no valid public key configured"


def test_other_curves_are_not_keys(host: PluginHost) -> None:
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    der = p384.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert verify(host, request(), [base64.b64encode(der).decode()]).reason == (
        "no valid public key configured"
    )


def test_malformed_and_missing_signature(host: PluginHost) -> None:
    assert verify(host, request(signature=None)).reason == "missing signature header"
    assert not verify(host, request(signature="!!!")).success
    assert not verify(host, request(signature=base64.b64encode(b"\x30\x00").decode())).success


def test_computed_vector_with_a_fresh_key(host: PluginHost) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    public = base64.b64encode(
        private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).decode()
    signature = private.sign(b"1700000000" + BOUNCE, ec.ECDSA(hashes.SHA256()))
    req = request(BOUNCE, "1700000000", base64.b64encode(signature).decode())
    assert verify(host, req, [public], now=TEST_NOW).success
    assert not verify(host, req, [PUBLIC_KEY], now=TEST_NOW).success


def test_sign_hook_round_trip(host: PluginHost) -> None:
    signed = sign(host, DELIVERY_BATCH)
    assert signed.headers[TS_HEADER] == "1700000000"
    raw = base64.b64decode(signed.headers[SIG_HEADER])
    public = serialization.load_der_public_key(base64.b64decode(TEST_PUBLIC_KEY))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(raw, b"1700000000" + DELIVERY_BATCH, ec.ECDSA(hashes.SHA256()))
    assert verify(host, signed, [TEST_PUBLIC_KEY], now=TEST_NOW).success
    with pytest.raises(ValueError, match="private key"):
        sign(host, DELIVERY_BATCH, secret=TEST_PUBLIC_KEY)


def describe(host: PluginHost, body: bytes) -> Any:
    return describe_request(host, "sendgrid", request(body))


def test_describe_single_event(host: PluginHost) -> None:
    info = describe(host, BODY)
    assert info.type == "dropped"
    assert info.id == "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA"
    assert info.time == datetime.fromtimestamp(1600112492, UTC)


def test_describe_mixed_batch(host: PluginHost) -> None:
    info = describe(host, DELIVERY_BATCH)
    assert info.type is None
    assert info.fields["event_types"] == ["processed", "delivered"]
    assert info.fields["count"] == 2
    assert info.id.startswith("batch:") and describe(host, DELIVERY_BATCH).id == info.id


def test_describe_pins_the_batch_description(host: PluginHost) -> None:
    """The description filters and dedupe rely on, exactly as SendGrid's own describe function
    gave it before it used providerkit.BatchSpec: ids hashed in order (repeats kept), the first
    event's time, every event counted however long the batch."""
    events = [
        {"event": "open", "sg_event_id": "b", "sg_message_id": "m1", "timestamp": 1700000300},
        {"event": "open", "sg_event_id": "a", "sg_message_id": "m1"},
        {"event": "open", "sg_event_id": "b", "timestamp": 1700000000},
    ] + [{"event": "open"}] * 1200
    info = describe(host, json.dumps(events).encode())
    assert info.type == "open"
    assert info.id == "batch:" + hashlib.sha256(b"b,a,b").hexdigest()
    assert info.time == datetime.fromtimestamp(1700000300, UTC)
    assert info.fields == {
        "event_types": ["open"],
        "count": 1203,
        "sg_event_ids": ["b", "a", "b"],
        "sg_message_ids": ["m1"],
    }


def test_describe_odd_bodies(host: PluginHost) -> None:
    assert describe(host, b"{}").type is None
    assert describe(host, b"[]").id.startswith("sha256:")


def test_models() -> None:
    batch = parse_payload(json.loads(DELIVERY_BATCH))
    assert isinstance(batch, EventBatch) and len(batch) == 2
    first = batch[0]
    assert first.event == "processed" and first.smtp_id == "<14c5d75ce93.dfd.64b469@ismtpd-555>"
    assert first.model_extra == {"user_id": "usr_4711"}  # custom args are kept
    assert [e.event for e in batch] == ["processed", "delivered"]
    bounce = parse_payload(json.loads(BOUNCE))[0]
    assert bounce.bounce_classification == "Invalid Address"
    with pytest.raises(ValueError, match="JSON array"):
        parse_payload({"event": "open"})
