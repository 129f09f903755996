"""Square provider: known-answer vectors (URL + body), the notification_url setting, event
description and models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

import hookpoint_square
from hookpoint import WebhookRequest
from hookpoint.testing import (
    PluginHost,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_request,
    sign_sample,
    verify_request,
)
from hookpoint_square import PaymentEvent, SquareEvent, parse_payload

# Known-answer vectors ("square-hmac", "square-angle-brackets").
VECTORS = [
    (
        "Ibxx_5AKakO-3qeNVR61Dw",
        "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9",
        b'{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b'
        b'-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"ty'
        b'pe":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}',
        "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=",
    ),
    (
        "signature-key",
        "https://webhook.site/webhooks",
        b'{"data":{"type":"webhooks","id":">id<"}}',
        "Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=",
    ),
]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_square.PLUGIN)


def verify(
    host: PluginHost, url: str, body: bytes, signature: str, secret: str, **settings: Any
) -> bool:
    req = WebhookRequest(url=url, body=body, headers={"x-square-hmacsha256-signature": signature})
    return verify_request(host, "square", req, (secret,), settings=settings).success


@pytest.mark.parametrize(("key", "url", "body", "signature"), VECTORS)
def test_vectors_verify_and_fail_with_one_byte_changed(
    host: PluginHost, key: str, url: str, body: bytes, signature: str
) -> None:
    assert verify(host, url, body, signature, key)
    assert not verify(host, url, body.replace(b"webhooks", b"webhookz", 1), signature, key)
    assert not verify(host, url + "/", body, signature, key)
    assert not verify(host, url, body, signature, key + "x")


@pytest.mark.parametrize(("key", "url", "body", "signature"), VECTORS)
def test_notification_url_setting_wins_over_the_request_url(
    host: PluginHost, key: str, url: str, body: bytes, signature: str
) -> None:
    behind_proxy = "http://10.0.0.5:8000/webhooks/square"
    assert not verify(host, behind_proxy, body, signature, key)
    assert verify(host, behind_proxy, body, signature, key, notification_url=url)


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    key, url, body, signature = VECTORS[0]
    req = WebhookRequest(url="https://elsewhere.example/webhooks/square", body=body)
    signed = sign_request(host, "square", req, key, settings={"notification_url": url})
    assert signed is not None and signed.headers["x-square-hmacsha256-signature"] == signature


def test_describe(host: PluginHost) -> None:
    info = describe_request(host, "square", sign_sample(host, "square", "payment.updated"))
    assert info is not None
    assert (info.type, info.id) == ("payment.updated", "6a8f5f28-54a1-4eb0-a98a-3111513fd4fc")
    assert info.time == datetime(2024, 5, 2, 14, 10, 21, 291000, tzinfo=UTC)
    assert (info.fields["merchant_id"], info.fields["data_type"]) == ("6SSW7HV8K2ST5", "payment")


def test_models(host: PluginHost) -> None:
    data = json.loads(get_sample(host, "square", "payment.updated").body)
    data["data"]["object"]["payment"]["brand_new"] = 1
    event = parse_payload(data)
    assert isinstance(event, PaymentEvent) and event.data is not None
    assert event.data.object is not None and event.data.object.payment is not None
    payment = event.data.object.payment
    assert payment.status == "COMPLETED" and payment.amount_money is not None
    assert payment.amount_money.amount == 1000 and payment.model_extra == {"brand_new": 1}
    order = parse_payload(json.loads(get_sample(host, "square", "order.created").body))
    assert type(order) is SquareEvent and order.data is not None
    assert order.data.object == {
        "order_created": {
            "created_at": "2024-05-02T14:10:20.000Z",
            "location_id": "S8GWD5R9QB376",
            "order_id": "eA3vssLHKJrv9H0IdJCM3gNqfdcZY",
            "state": "OPEN",
            "version": 1,
        }
    }


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("square")
    assert (record.distribution, record.module) == ("hookpoint-square", "hookpoint_square")
