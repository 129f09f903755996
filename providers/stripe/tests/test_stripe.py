"""Stripe provider: known-answer vectors, stripe-python cross-checks both ways, tolerance in both
directions, event description and models."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import stripe

import hookpoint_stripe
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
from hookpoint_stripe import (
    CheckoutSession,
    Invoice,
    PaymentIntent,
    StripeObject,
    Subscription,
    ThinEvent,
    parse_payload,
)

# Known-answer vectors ("stripe-v1", "stripe-rotation").
SECRET = "whsec_test_secret"
TS = 1700000000
BODY = (
    b'{\n  "id": "evt_test_webhook",\n  "object": "event",\n'
    b'  "data": { "object": { "id": "rdr_123", "object": "terminal.reader" } }\n}'
)
V1 = "t=1700000000,v1=3bfab77baf5f7b6991a46c9b53b6547d7afc56148b10468fcad9f35c1992ffbd"
ROTATION = (
    "t=1700000000,v1=6b8526f4a44bb7a817ad2cb8b27706b926c9b563164e8c1e15dab9acd8d51d57,"
    "v1=3bfab77baf5f7b6991a46c9b53b6547d7afc56148b10468fcad9f35c1992ffbd"
)
URL = "https://hooks.example.com/webhooks/stripe"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_stripe.PLUGIN)


def delivery(signature: str | None, body: bytes = BODY) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return WebhookRequest(url=URL, headers=headers, body=body)


def verify(
    host: PluginHost,
    req: WebhookRequest,
    now: float = TS,
    secrets: tuple[str, ...] = (SECRET,),
    **settings: Any,
) -> Any:
    return verify_request(host, "stripe", req, secrets, now=now, settings=settings)


@pytest.mark.parametrize("header", [V1, ROTATION], ids=["stripe-v1", "stripe-rotation"])
def test_vectors_verify_and_fail_with_one_byte_changed(host: PluginHost, header: str) -> None:
    assert verify(host, delivery(header)).success
    assert not verify(host, delivery(header, BODY.replace(b"rdr_123", b"rdr_124"))).success
    assert not verify(host, delivery(header[:-1] + "0")).success


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    signed = sign_request(host, "stripe", delivery(None), SECRET, now=TS)
    assert signed is not None and signed.headers["Stripe-Signature"] == V1
    assert signed.body == BODY


@pytest.mark.parametrize(
    ("offset", "ok"),
    [
        (-301, False),
        (-300, True),
        (-299, True),
        (0, True),
        (299, True),
        (300, True),
        (301, False),
        (86400, False),
    ],
)
def test_tolerance_applies_both_ways(host: PluginHost, offset: int, ok: bool) -> None:
    # the delivery is stamped TS; the host's clock reads TS - offset
    result = verify(host, delivery(V1), now=TS - offset)
    assert result.success is ok
    if not ok:
        assert result.reason in {"timestamp too old", "timestamp in the future"}


def test_tolerance_is_a_setting(host: PluginHost) -> None:
    assert not verify(host, delivery(V1), now=TS + 61, tolerance=60).success
    assert verify(host, delivery(V1), now=TS + 599, tolerance=600).success
    assert hookpoint_stripe.StripeSettings().tolerance == 300


def test_v0_and_unknown_schemes_are_ignored(host: PluginHost) -> None:
    v1 = V1.split(",")[1].removeprefix("v1=")
    only_v0 = verify(host, delivery(f"t={TS},v0={v1}"))
    assert not only_v0.success and only_v0.reason == "malformed signature"  # the header is there
    assert verify(host, delivery(f"t={TS},v0=abc,x=1,v1={v1}")).success
    assert verify(host, delivery(V1), secrets=("whsec_rolled", SECRET)).success
    # the whsec_ prefix is part of the key: the bare secret does not verify
    assert not verify(host, delivery(V1), secrets=("test_secret",)).success


@pytest.mark.parametrize(
    "header",
    [
        "",
        "t=1700000000",
        f"v1={'0' * 64}",
        "garbage",
        "t=abc,v1=" + "0" * 64,
        "t=-1,v1=" + "0" * 64,
    ],
)
def test_malformed_headers_fail(host: PluginHost, header: str) -> None:
    result = verify(host, delivery(header))
    assert not result.success and result.reason


# -- stripe-python cross-checks ---------------------------------------------------------------


def test_sdk_signature_verifies_with_the_provider(host: PluginHost) -> None:
    now = int(time.time())
    header = stripe.WebhookSignature.generate_signature_header(BODY.decode(), SECRET, now)
    assert verify(host, delivery(header), now=now).success
    assert not verify(host, delivery(header), now=now, secrets=("whsec_other",)).success


def test_provider_signature_verifies_with_the_sdk(host: PluginHost) -> None:
    sample = get_sample(host, "stripe", "invoice.paid")
    now = time.time()
    signed = sign_sample(host, "stripe", sample, now=now)
    header = signed.headers["Stripe-Signature"]
    assert stripe.WebhookSignature.verify_header(signed.body.decode(), header, SECRET, 300)
    event = stripe.Webhook.construct_event(signed.body, header, SECRET)
    assert event.type == "invoice.paid" and event.data.object.id == "in_1PBuAILkdIwHu7ixJm8Vx2Lq"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(signed.body + b" ", header, SECRET)


# -- events and models -------------------------------------------------------------------------


def test_describe(host: PluginHost) -> None:
    signed = sign_sample(host, "stripe", "payment_intent.succeeded")
    info = describe_request(host, "stripe", signed)
    assert info is not None
    assert (info.type, info.id) == ("payment_intent.succeeded", "evt_3PBu9xLkdIwHu7ix0Fs4hE2P")
    assert info.time is not None and info.time.timestamp() == 1714658591
    assert info.fields["object"] == "payment_intent"
    assert info.fields["object_id"] == "pi_3PBu9xLkdIwHu7ix0yMk8Zb1"
    assert info.fields["livemode"] is False


def test_describe_thin_event(host: PluginHost) -> None:
    body = json.dumps(
        {
            "id": "evt_test_65R9",
            "object": "v2.core.event",
            "type": "v1.billing.meter.error_report_triggered",
            "created": "2024-09-17T06:20:52.246Z",
            "related_object": {"id": "mtr_test_61R9", "type": "billing.meter"},
        }
    )
    info = describe_request(host, "stripe", delivery(None, body.encode()))
    assert info is not None and info.id == "evt_test_65R9"
    assert info.time is not None and info.time.year == 2024
    assert info.fields["related_object_id"] == "mtr_test_61R9"
    parsed = parse_payload(json.loads(body))
    assert isinstance(parsed, ThinEvent) and parsed.related_object is not None


@pytest.mark.parametrize(
    ("name", "resource"),
    [
        ("payment_intent.succeeded", PaymentIntent),
        ("checkout.session.completed", CheckoutSession),
        ("invoice.paid", Invoice),
        ("customer.subscription.updated", Subscription),
    ],
)
def test_samples_parse_into_typed_resources(host: PluginHost, name: str, resource: type) -> None:
    data = json.loads(get_sample(host, "stripe", name).body)
    data["brand_new"] = 1
    data["data"]["object"]["brand_new_field"] = [1]
    event = parse_payload(data)
    assert event.data is not None and type(event.data.object) is resource
    assert event.model_extra == {"brand_new": 1}
    assert event.data.object.model_extra == {"brand_new_field": [1]}


def test_model_fields_and_unknown_types(host: PluginHost) -> None:
    sub = parse_payload(
        json.loads(get_sample(host, "stripe", "customer.subscription.updated").body)
    )
    assert sub.data is not None and isinstance(sub.data.object, Subscription)
    assert sub.data.object.cancel_at_period_end is True
    assert sub.data.previous_attributes == {"cancel_at_period_end": False}
    other = parse_payload(
        {"type": "payout.paid", "data": {"object": {"id": "po_1", "object": "payout"}}}
    )
    assert other.data is not None and type(other.data.object) is StripeObject
    assert other.data.object.id == "po_1"


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("stripe")
    assert (record.distribution, record.module) == ("hookpoint-stripe", "hookpoint_stripe")
