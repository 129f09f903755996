"""Shopify provider: a known-answer vector, rotation, event description from the headers, models."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

import hookpoint_shopify
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
from hookpoint_shopify import Customer, Order, Product, ShopifyResource, parse_payload

# Known-answer vector ("shopify-hmac").
SECRET = "hush"
BODY = b'{"id":820982911946154508,"email":"jon@example.com","topic":"orders/create"}'
SIGNATURE = "caywFtONLHCQ/kdAoRCOAC9s972OdEFX6QvGUQVBTbQ="


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_shopify.PLUGIN)


def ok(host: PluginHost, body: bytes, signature: str | None, *secrets: str) -> bool:
    headers = {} if signature is None else {"X-Shopify-Hmac-Sha256": signature}
    req = WebhookRequest(
        url="https://hooks.example.com/webhooks/shopify", headers=headers, body=body
    )
    return verify_request(host, "shopify", req, secrets or (SECRET,)).success


def test_vector_verifies_and_fails_with_one_byte_changed(host: PluginHost) -> None:
    assert ok(host, BODY, SIGNATURE)
    assert not ok(host, BODY.replace(b"jon@", b"jan@"), SIGNATURE)
    assert not ok(host, BODY, SIGNATURE.replace("c", "d", 1))
    assert not ok(host, BODY, None)


def test_vector_matches_the_documented_algorithm() -> None:
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()
    assert base64.b64encode(digest).decode() == SIGNATURE


def test_hex_is_not_accepted_for_base64(host: PluginHost) -> None:
    hex_sig = base64.b64decode(SIGNATURE).hex()
    assert not ok(host, BODY, hex_sig)


def test_rotation_window(host: PluginHost) -> None:
    """Shopify may sign with the old secret for up to an hour after a rotation."""
    assert ok(host, BODY, SIGNATURE, "new-client-secret", SECRET)
    assert not ok(host, BODY, SIGNATURE, "new-client-secret")


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    req = WebhookRequest(url="https://h.example/webhooks/shopify", body=BODY)
    signed = sign_request(host, "shopify", req, SECRET)
    assert signed is not None and signed.headers["X-Shopify-Hmac-Sha256"] == SIGNATURE


def test_describe_reads_the_shopify_headers(host: PluginHost) -> None:
    info = describe_request(host, "shopify", sign_sample(host, "shopify", "orders.create"))
    assert info is not None
    assert (info.type, info.id) == ("orders/create", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
    assert info.time == datetime(2024, 5, 2, 14, 14, 2, 412093, tzinfo=UTC)
    assert info.fields["shop_domain"] == "example.myshopify.com"
    assert info.fields["event_id"] == "98880550-7158-44d4-b7cd-2c97c8a091b5"
    assert info.fields["resource_id"] == 820982911946154508


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("orders.create", Order),
        ("products.update", Product),
        ("customers.create", Customer),
        ("app.uninstalled", ShopifyResource),
    ],
)
def test_samples_parse_into_their_models(host: PluginHost, name: str, model: type) -> None:
    data = json.loads(get_sample(host, "shopify", name).body)
    data["brand_new_field"] = "x"
    parsed = parse_payload(data)
    assert type(parsed) is model and parsed.model_extra is not None
    assert parsed.model_extra["brand_new_field"] == "x"


def test_order_fields(host: PluginHost) -> None:
    order = parse_payload(json.loads(get_sample(host, "shopify", "orders.create").body))
    assert isinstance(order, Order) and order.customer is not None
    assert order.total_price == "403.00" and order.line_items[0].sku == "IPOD2008PINK"
    assert order.customer.email == "bob@biller.com"


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("shopify")
    assert (record.distribution, record.module) == ("hookpoint-shopify", "hookpoint_shopify")
