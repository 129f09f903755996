"""Box provider: box-sdk-gen's published vectors, the SDK both ways, both keys in any order, the
10-minute window both ways, the description and the models."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from box_sdk_gen.internal.utils import compute_webhook_signature, escape_unicode
from box_sdk_gen.managers.webhooks import WebhooksManager
from box_sdk_gen.schemas.webhook_invocation import (
    WebhookInvocation,
    WebhookInvocationTriggerField,
)

import hookpoint_box
from hookpoint import WebhookRequest
from hookpoint.testing import (
    PluginHost,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_sample,
    verify_request,
)
from hookpoint_box import BoxItem, BoxWebhookEvent, parse_payload

# box-sdk-gen's test vectors (test/webhooks.py, testWebhookValidation): the SDK's bodies are
# decoded strings; Box sends them with non-ASCII characters escaped, which escape_unicode
# reproduces, and signs those bytes.
PRIMARY = "SamplePrimaryKey"
SECONDARY = "SampleSecondaryKey"
VECTOR_TIME = "2020-01-01T00:00:00-07:00"
VECTOR_NOW = datetime(2020, 1, 1, 7, tzinfo=UTC).timestamp()
VECTOR_HEADERS = {
    "box-delivery-id": "f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f",
    "box-delivery-timestamp": VECTOR_TIME,
    "box-signature-algorithm": "HmacSHA256",
    "box-signature-primary": "6TfeAW3A1PASkgboxxA5yqHNKOwFyMWuEXny/FPD5hI=",
    "box-signature-secondary": "v+1CD1Jdo3muIcbpv5lxxgPglOqMfsNHPV899xWYydo=",
    "box-signature-version": "1",
}
_FILE = '{"webhook":{"id":"1234567890"},"trigger":"FILE.UPLOADED","source":{"id":"1234567890",'
VECTORS = {
    "ascii": (
        '{"type":"webhook_event",' + _FILE[1:] + '"type":"file","name":"Test.txt"}}',
        "6TfeAW3A1PASkgboxxA5yqHNKOwFyMWuEXny/FPD5hI=",
    ),
    "japanese": (
        _FILE + '"type":"file","name":"スクリーンショット 2020-08-05.txt"}}',
        "LV2uCu+5NJtIHrCXDYgZ0v/PP5THGRuegw3RtdnEyuE=",
    ),
    "emoji": (
        _FILE + '"type":"file","name":"😀 2020-08-05.txt"}}',
        "xF/SDZosX4le+v4A0Qn59sZhuD1RqY5KRUKzVMSbh0E=",
    ),
    "carriage-return": (
        _FILE + '"type":"file","name":"test \r"}}',
        "SVkbKgy3dEEf2PbbzpNu2lDZS7zZ/aboU7HOZgBGrJk=",
    ),
    "forward-slash": (
        _FILE + '"type":"file","name":"\\/"}}',
        "t41PWT5ZB6OcysnD6SDy9Ud+p9hdXxIdXqcdweyZv/Q=",
    ),
    "back-slash": (
        _FILE + '"type":"file","name":"\\"}}',
        "ERpMZwUQsGDTfj82ehdX6VvDZfvOhK5ULNfVmwVAGe0=",
    ),
}
URL = "https://hooks.example.com/webhooks/box"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_box.PLUGIN)


def delivery(body: bytes, headers: dict[str, str]) -> WebhookRequest:
    return WebhookRequest(url=URL, headers=headers, body=body)


def verify(
    host: PluginHost,
    request: WebhookRequest,
    secrets: tuple[str, ...] = (PRIMARY,),
    now: float = VECTOR_NOW,
    **settings: Any,
) -> Any:
    return verify_request(host, "box", request, secrets, now=now, settings=settings)


# -- box-sdk-gen's vectors ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(VECTORS))
def test_sdk_vectors_verify_over_the_bytes_box_sends(host: PluginHost, name: str) -> None:
    text, primary = VECTORS[name]
    wire = escape_unicode(text).encode("utf-8")
    headers = {**VECTOR_HEADERS, "box-signature-primary": primary}
    assert verify(host, delivery(wire, headers)).success
    assert compute_webhook_signature(text, headers, PRIMARY, escape_body=True) == primary
    assert not verify(host, delivery(wire, headers), ("IncorrectKey",)).success


def test_the_secondary_key_verifies_the_secondary_header(host: PluginHost) -> None:
    wire = VECTORS["ascii"][0].encode()
    assert verify(host, delivery(wire, VECTOR_HEADERS), (SECONDARY,)).success
    only_secondary = {k: v for k, v in VECTOR_HEADERS.items() if k != "box-signature-primary"}
    assert verify(host, delivery(wire, only_secondary), (SECONDARY,)).success
    assert verify(host, delivery(wire, only_secondary), (PRIMARY, SECONDARY)).success
    assert not verify(host, delivery(wire, only_secondary), (PRIMARY,)).success


@pytest.mark.parametrize("secrets", [(PRIMARY, SECONDARY), (SECONDARY, PRIMARY), ("x", SECONDARY)])
def test_keys_in_any_order(host: PluginHost, secrets: tuple[str, ...]) -> None:
    wire = VECTORS["ascii"][0].encode()
    assert verify(host, delivery(wire, VECTOR_HEADERS), secrets).success


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"box-signature-version": "2"}, "unsupported signature version"),
        ({"box-signature-algorithm": "HmacSHA1"}, "unsupported signature algorithm"),
        ({"box-delivery-timestamp": "1577887200"}, "malformed timestamp"),
        ({"box-delivery-timestamp": "2020-01-01T00:00:00"}, "malformed timestamp"),
        (
            {"box-signature-primary": "AAAA", "box-signature-secondary": "AAAA"},
            "malformed signature",
        ),
    ],
)
def test_refusals(host: PluginHost, change: dict[str, str], reason: str) -> None:
    wire = VECTORS["ascii"][0].encode()
    result = verify(host, delivery(wire, {**VECTOR_HEADERS, **change}))
    assert (result.success, result.reason) == (False, reason)


def test_missing_headers(host: PluginHost) -> None:
    wire = VECTORS["ascii"][0].encode()
    unsigned = {k: v for k, v in VECTOR_HEADERS.items() if not k.startswith("box-signature-")} | {
        "box-signature-version": "1",
        "box-signature-algorithm": "HmacSHA256",
    }
    assert verify(host, delivery(wire, unsigned)).reason == "missing signature header"
    no_time = {k: v for k, v in VECTOR_HEADERS.items() if k != "box-delivery-timestamp"}
    assert verify(host, delivery(wire, no_time)).reason == "missing timestamp"
    assert verify(host, delivery(wire, VECTOR_HEADERS), ()).reason == "no secret configured"


def test_the_timestamp_is_signed(host: PluginHost) -> None:
    wire = VECTORS["ascii"][0].encode()
    moved = {**VECTOR_HEADERS, "box-delivery-timestamp": "2020-01-01T00:00:01-07:00"}
    assert verify(host, delivery(wire, moved)).reason == "signature mismatch"


@pytest.mark.parametrize(
    ("offset", "ok", "reason"),
    [
        (-601, False, "timestamp in the future"),
        (-600, True, ""),
        (0, True, ""),
        (600, True, ""),
        (601, False, "timestamp too old"),
    ],
)
def test_ten_minutes_both_ways(host: PluginHost, offset: float, ok: bool, reason: str) -> None:
    wire = VECTORS["ascii"][0].encode()
    result = verify(host, delivery(wire, VECTOR_HEADERS), now=VECTOR_NOW + offset)
    assert (result.success, result.reason) == (ok, reason)
    widened = verify(host, delivery(wire, VECTOR_HEADERS), now=VECTOR_NOW + 900, tolerance=1200)
    assert widened.success
    assert hookpoint_box.BoxSettings().tolerance == 600


# -- box-sdk-gen both ways, now ----------------------------------------------------------------


def test_sdk_signature_verifies_with_the_provider(host: PluginHost) -> None:
    body = get_sample(host, "box", "folder_created").body
    now = time.time()
    stamp = datetime.fromtimestamp(int(now), tz=UTC).isoformat()
    headers = {
        "box-delivery-timestamp": stamp,
        "box-signature-version": "1",
        "box-signature-algorithm": "HmacSHA256",
    }
    headers["box-signature-primary"] = compute_webhook_signature(body.decode(), headers, "k1") or ""
    headers["box-signature-secondary"] = (
        compute_webhook_signature(body.decode(), headers, "k2") or ""
    )
    assert WebhooksManager.validate_message(body.decode(), headers, "k1", secondary_key="k2")
    for secrets in (("k1",), ("k2",), ("k2", "k1")):
        assert verify(host, delivery(body, headers), secrets, now=now).success
    assert not verify(host, delivery(body, headers), ("k3",), now=now).success


@pytest.mark.parametrize("name", ["file_uploaded", "file_uploaded_japanese_name"])
def test_provider_signature_validates_with_the_sdk(host: PluginHost, name: str) -> None:
    now = time.time()
    signed = sign_sample(host, "box", name, secret="app-primary-key", now=now)
    headers = {k.lower(): v for k, v in signed.headers.items()}
    body = signed.body.decode()
    assert WebhooksManager.validate_message(body, headers, "app-primary-key")
    assert not WebhooksManager.validate_message(body, headers, "another-key")
    assert not WebhooksManager.validate_message(body + " ", headers, "app-primary-key")
    stale = sign_sample(host, "box", name, secret="app-primary-key", now=now - 1200)
    stale_headers = {k.lower(): v for k, v in stale.headers.items()}
    assert not WebhooksManager.validate_message(body, stale_headers, "app-primary-key")
    assert not verify(host, stale, ("app-primary-key",), now=now).success


def test_sdk_parses_the_samples_and_knows_the_same_triggers(host: PluginHost) -> None:
    for sample in hookpoint_box.PROVIDER.samples:
        invocation = WebhookInvocation.from_dict(json.loads(sample.body))
        ours = parse_payload(json.loads(sample.body))
        trigger = getattr(invocation.trigger, "value", invocation.trigger)
        assert trigger == ours.trigger == sample.event_type
        assert invocation.id == ours.id and invocation.source.name == ours.source.name
    assert set(hookpoint_box.EVENT_TYPES) == {t.value for t in WebhookInvocationTriggerField}


# -- description and models --------------------------------------------------------------------


def test_describe(host: PluginHost) -> None:
    info = describe_request(host, "box", sign_sample(host, "box", "file_uploaded"))
    assert info is not None
    assert (info.type, info.id) == ("FILE.UPLOADED", "1a8d4d0f-9b6e-4a44-8a3e-2b5d8f3c6e01")
    assert info.time == datetime(2024, 3, 12, 18, 53, 43, tzinfo=UTC)
    assert info.fields == {
        "delivery_id": "673a081b-bb4b-4d45-b4f1-4131a29c1d07",
        "webhook_id": "4161827",
        "source_type": "file",
        "source_id": "12345",
        "source_name": "Contract.pdf",
        "parent_id": "12346",
        "user_id": "11446498",
        "user_login": "ceo@example.com",
    }


def test_a_retry_has_a_new_delivery_id_and_the_same_dedupe_id(host: PluginHost) -> None:
    sample = get_sample(host, "box", "file_uploaded")
    first = describe_request(host, "box", delivery(sample.body, dict(sample.headers)))
    retry = describe_request(
        host, "box", delivery(sample.body, {**sample.headers, "box-delivery-id": "new-attempt"})
    )
    assert first is not None and retry is not None and first.id == retry.id
    assert retry.fields["delivery_id"] == "new-attempt"
    no_body_id = describe_request(host, "box", delivery(b'{"trigger":"FILE.UPLOADED"}', {}))
    assert no_body_id is not None and no_body_id.id is not None
    assert no_body_id.id.startswith("sha256:")


def test_models(host: PluginHost) -> None:
    event = parse_payload(json.loads(get_sample(host, "box", "file_uploaded").body))
    assert isinstance(event, BoxWebhookEvent) and isinstance(event.source, BoxItem)
    assert event.source.parent is not None and event.source.parent.name == "Contracts"
    assert event.source.size == 629644 and event.created_by is not None
    assert event.webhook is not None and event.webhook.id == "4161827"
    japanese = parse_payload(
        json.loads(get_sample(host, "box", "file_uploaded_japanese_name").body)
    )
    assert (
        japanese.source is not None and japanese.source.name == "スクリーンショット 2020-08-05.txt"
    )
    moved = parse_payload({"trigger": "FILE.MOVED", "additional_info": {"after": {"id": "1"}}})
    assert moved.additional_info == {"after": {"id": "1"}}
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload(None)


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("box")
    assert (record.distribution, record.module) == ("hookpoint-box", "hookpoint_box")
