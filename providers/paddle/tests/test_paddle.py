"""Paddle provider: known-answer vectors (two h1 values, special characters), tolerance both
ways, rotation, event description and models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

import hookpoint_paddle
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
from hookpoint_paddle import Customer, Subscription, Transaction, parse_payload

# Known-answer vectors ("paddle-simple", "paddle-special-chars").
SIMPLE = (
    "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_WvRO0eL4Bj9rgYYIBZY6wZhG4EHy9jzh",
    b"hello-world",
    "ts=1696195954;h1=dummy;h1=d96299976a6eb066f484d7fde011ac56fc32b38fc9940bc419d6e537fdc6ef02",
)
SPECIAL = (
    "pdl_ntfset_01hs0t3tw21j988db1pam5xg8m_GrOWLNef+vmtjJYq4mSnHNzvc8uWoJ1I",
    hookpoint_paddle._samples.CUSTOMER_CREATED,
    "ts=1710498288;h1=38219b3ba1578184e625c29d201a27cd25bd69e2ec9c3ab87dcb90d87ff73a41",
)


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_paddle.PLUGIN)


def verify(
    host: PluginHost, secret: str, body: bytes, header: str, now: float, **settings: Any
) -> Any:
    req = WebhookRequest(
        url="https://hooks.example.com/webhooks/paddle",
        body=body,
        headers={"Paddle-Signature": header},
    )
    return verify_request(host, "paddle", req, (secret,), now=now, settings=settings)


def stamp(header: str) -> int:
    return int(header.split(";")[0].removeprefix("ts="))


@pytest.mark.parametrize(
    ("secret", "body", "header"), [SIMPLE, SPECIAL], ids=["paddle-simple", "paddle-special-chars"]
)
def test_vectors_verify_and_fail_with_one_byte_changed(
    host: PluginHost, secret: str, body: bytes, header: str
) -> None:
    now = stamp(header)
    assert verify(host, secret, body, header, now).success
    changed = bytearray(body)
    changed[len(body) // 2] ^= 1
    assert not verify(host, secret, bytes(changed), header, now).success
    assert not verify(host, secret + "x", body, header, now).success


def test_reserialised_body_fails(host: PluginHost) -> None:
    secret, body, header = SPECIAL
    decoded = json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":"))
    assert not verify(host, secret, decoded.encode(), header, stamp(header)).success


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    secret, body, header = SPECIAL
    req = WebhookRequest(url="https://hooks.example.com/webhooks/paddle", body=body)
    signed = sign_request(host, "paddle", req, secret, now=stamp(header))
    assert signed is not None and signed.headers["Paddle-Signature"] == header


@pytest.mark.parametrize(
    ("offset", "ok"), [(-6, False), (-5, True), (0, True), (5, True), (6, False)]
)
def test_five_second_tolerance_both_ways(host: PluginHost, offset: int, ok: bool) -> None:
    secret, body, header = SPECIAL
    assert verify(host, secret, body, header, stamp(header) + offset).success is ok


def test_tolerance_setting_and_unknown_keys(host: PluginHost) -> None:
    secret, body, header = SPECIAL
    assert verify(host, secret, body, header, stamp(header) + 60, tolerance=60).success
    assert verify(host, secret, body, header + ";h2=future;x=1", stamp(header)).success
    assert not verify(host, secret, body, header.replace("h1=", "h2="), stamp(header)).success


def test_describe(host: PluginHost) -> None:
    signed = sign_sample(host, "paddle", "customer.created")
    info = describe_request(host, "paddle", signed)
    assert info is not None
    assert (info.type, info.id) == ("customer.created", "evt_01hs0t94tjvtv62azjmkbeysz7")
    assert info.time == datetime(2024, 3, 15, 10, 24, 48, 466759, tzinfo=UTC)
    assert info.fields["notification_id"] == "ntf_01hs0t94ws0ay8keh5t4rq70ht"


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("customer.created", Customer),
        ("transaction.completed", Transaction),
        ("subscription.created", Subscription),
    ],
)
def test_samples_parse_into_their_models(host: PluginHost, name: str, model: type) -> None:
    data = json.loads(get_sample(host, "paddle", name).body)
    data["data"]["brand_new"] = [1]
    event = parse_payload(data)
    assert type(event.data) is model and event.data.model_extra == {"brand_new": [1]}


def test_model_fields(host: PluginHost) -> None:
    customer = parse_payload(json.loads(get_sample(host, "paddle", "customer.created").body))
    assert isinstance(customer.data, Customer) and customer.data.name == "ÜÄÅåÖÜÄÅåÖ"
    txn = parse_payload(json.loads(get_sample(host, "paddle", "transaction.completed").body))
    assert isinstance(txn.data, Transaction) and txn.data.invoice_number == "325-10566"


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("paddle")
    assert (record.distribution, record.module) == ("hookpoint-paddle", "hookpoint_paddle")
