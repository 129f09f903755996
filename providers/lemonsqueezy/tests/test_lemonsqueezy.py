"""Lemon Squeezy provider, checked against Lemon Squeezy's documented algorithm
(https://docs.lemonsqueezy.com/help/webhooks/signing-requests: ``X-Signature`` = hex
HMAC-SHA256 of the raw body with the signing secret; there is no official Python SDK), then
the description, dedupe id and typed models of every published example."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

import hookpoint_lemonsqueezy as lemon
from hookpoint.providerkit import with_body, with_headers
from hookpoint.testing import (
    PluginHost,
    describe_request,
    load_plugins,
    plugin_host,
    sign_request,
    sign_sample,
    verify_request,
)

NAME = "lemonsqueezy"
SECRET = lemon.SIGNING_SECRET
NAMES = [sample.name for sample in lemon.SAMPLES]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(lemon.PLUGIN)


def documented_signature(secret: str, body: bytes) -> str:
    """The docs' recipe: ``crypto.createHmac('sha256', secret).update(rawBody).digest('hex')``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("name", NAMES)
def test_signature_is_the_documented_hmac_both_ways(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, NAME, name)
    assert signed.headers["X-Signature"] == documented_signature(SECRET, signed.body)
    theirs = with_headers(
        sign_sample(host, NAME, name),
        {"X-Signature": documented_signature("rotated-secret", signed.body)},
    )
    assert verify_request(host, NAME, theirs, [SECRET, "rotated-secret"]).success
    assert not verify_request(host, NAME, theirs, [SECRET]).success
    assert not verify_request(host, NAME, with_body(theirs, signed.body + b" "), ["rotated-secret"])


def test_describe_order_created(host: PluginHost) -> None:
    info = describe_request(host, NAME, sign_sample(host, NAME, "order_created"))
    assert info is not None
    assert info.type == "order_created"
    assert info.id == "orders:1:order_created:2021-08-17T09:45:53.000000Z"
    assert info.time == datetime(2021, 8, 17, 9, 45, 53, tzinfo=UTC)
    assert info.fields == {
        "resource_type": "orders",
        "resource_id": "1",
        "store_id": 1,
        "status": "paid",
        "test_mode": None,
        "webhook_id": None,
        "custom_data": {"customer_id": 25},
    }


def test_dedupe_id_separates_events_and_changes_but_not_retries(host: PluginHost) -> None:
    ids = {
        name: describe_request(host, NAME, sign_sample(host, NAME, name)).id  # type: ignore[union-attr]
        for name in NAMES
    }
    assert len(set(ids.values())) == len(NAMES)  # same order, created then refunded: two ids
    retry = sign_sample(host, NAME, "order_created")
    assert describe_request(host, NAME, retry).id == ids["order_created"]  # type: ignore[union-attr]
    # a resend with more meta (e.g. a webhook_id) is still the same event
    body = json.loads(retry.body)
    body["meta"]["webhook_id"] = "8a1c7d5e-0000-4000-8000-000000000001"
    resent = with_body(retry, json.dumps(body).encode())
    assert describe_request(host, NAME, resent).id == ids["order_created"]  # type: ignore[union-attr]


def test_type_falls_back_to_the_header_and_odd_bodies_get_a_hash(host: PluginHost) -> None:
    request = with_body(sign_sample(host, NAME, "order_created"), b'{"meta": {}}')
    info = describe_request(host, NAME, sign_request(host, NAME, request, SECRET))
    assert info is not None and info.type == "order_created"  # from X-Event-Name
    assert info.id is not None and not info.id.startswith("orders:")


@pytest.mark.parametrize("name", NAMES)
def test_every_example_describes_and_parses(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, NAME, name)
    body = json.loads(signed.body)
    info = describe_request(host, NAME, signed)
    assert info is not None and info.type == name == signed.headers["X-Event-Name"]
    assert info.type in lemon.EVENT_TYPES and info.time is not None
    event = lemon.parse_payload(body)
    assert event.meta.event_name == name and event.data is not None
    if name.startswith("order_"):
        assert isinstance(event, lemon.LemonSqueezyOrderEvent) and event.data is not None
        assert event.data.attributes.total == 1199
        assert event.meta.custom_data == {"customer_id": 25}
        assert event.data.attributes.refunded is (name == "order_refunded")
    else:
        assert isinstance(event, lemon.LemonSqueezySubscriptionEvent) and event.data is not None
        assert event.data.attributes.status == "on_trial"
        assert event.data.attributes.trial_ends_at == datetime(2023, 1, 24, 12, 43, 48, tzinfo=UTC)


def test_models_are_tolerant() -> None:
    event = lemon.parse_payload(
        {
            "meta": {"event_name": "license_key_created", "extra": 1},
            "data": {"type": "license-keys", "id": "9", "attributes": {"key": "ABC"}},
        }
    )
    assert type(event) is lemon.LemonSqueezyEvent and event.data is not None
    assert event.data.attributes == {"key": "ABC"} and event.meta.model_extra == {"extra": 1}
    with pytest.raises(ValueError):
        lemon.parse_payload({"data": {"type": "orders", "attributes": {"total": "lots"}}})


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record(NAME)
    assert (record.distribution, record.module) == (
        "hookpoint-lemonsqueezy",
        "hookpoint_lemonsqueezy",
    )
