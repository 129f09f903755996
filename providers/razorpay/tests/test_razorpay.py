"""Razorpay provider: razorpay-python's verify_webhook_signature accepts what the provider signs
(razorpay-python signs no webhooks, so it is the verifying side), the provider accepts the
digest razorpay-python computes, event description and models."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import razorpay
from razorpay.errors import SignatureVerificationError

import hookpoint_razorpay
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
from hookpoint_razorpay import (
    WEBHOOK_SECRET,
    Order,
    Payment,
    RazorpayEvent,
    Refund,
    Subscription,
    parse_payload,
)

HEADER = "X-Razorpay-Signature"
URL = "https://hooks.example.com/webhooks/razorpay"
SAMPLE_NAMES = [s.name for s in hookpoint_razorpay.SAMPLES]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_razorpay.PLUGIN)


def utility() -> razorpay.Utility:
    return razorpay.Client(auth=("rzp_test_key", "api-key-secret")).utility


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_sdk_verifies_what_the_provider_signs(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, "razorpay", name)
    signature = signed.headers[HEADER]
    body = signed.body.decode()
    assert utility().verify_webhook_signature(body, signature, WEBHOOK_SECRET) is True
    with pytest.raises(SignatureVerificationError):
        utility().verify_webhook_signature(body + " ", signature, WEBHOOK_SECRET)
    with pytest.raises(SignatureVerificationError):
        utility().verify_webhook_signature(body, signature, "api-key-secret")


def test_the_provider_verifies_the_digest_the_sdk_accepts(host: PluginHost) -> None:
    # razorpay-python has no signer; it accepts exactly the hex HMAC-SHA256 of the body under
    # the webhook secret, so a signature it accepts must verify with the provider and vice versa
    body = get_sample(host, "razorpay", "order.paid").body
    digest = hmac.new(b"whsec-rotated", body, hashlib.sha256).hexdigest()
    assert utility().verify_webhook_signature(body.decode(), digest, "whsec-rotated")
    request = WebhookRequest(url=URL, headers={HEADER: digest}, body=body)
    assert verify_request(host, "razorpay", request, ["old", "whsec-rotated"]).success
    wrong = verify_request(host, "razorpay", request, [WEBHOOK_SECRET])
    assert not wrong.success and wrong.reason == "signature mismatch"
    unsigned = verify_request(
        host, "razorpay", WebhookRequest(url=URL, body=body), ["whsec-rotated"]
    )
    assert not unsigned.success and unsigned.reason == "missing signature header"


def test_describe_reads_event_header_id_time_and_entities(host: PluginHost) -> None:
    info = describe_request(host, "razorpay", sign_sample(host, "razorpay", "order.paid"))
    assert info is not None
    assert (info.type, info.id) == ("order.paid", "KxP1v8Wd3mTcR5")
    assert info.time is not None and info.time.timestamp() == 1567674606
    assert info.fields["account_id"] == "acc_BFQ7uQEaa7j2z7"
    assert info.fields["contains"] == ["payment", "order"]
    assert info.fields["payment_id"] == "pay_DESlfW9H8K9uqM"
    assert info.fields["order_id"] == "order_DESlLckIVRkHWj"
    assert info.fields["payment_status"] == "captured"
    refund = describe_request(host, "razorpay", sign_sample(host, "razorpay", "refund.processed"))
    assert refund is not None and refund.fields["refund_id"] == "rfnd_FP8DDKxqJif6ca"


def test_without_the_event_id_header_the_dedupe_id_is_the_body_hash(host: PluginHost) -> None:
    body = get_sample(host, "razorpay", "payment.captured").body
    info = describe_request(host, "razorpay", WebhookRequest(url=URL, body=body))
    assert info is not None and info.id == "sha256:" + hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize(
    ("name", "entities"),
    [
        ("payment.captured", {"payment": Payment}),
        ("order.paid", {"payment": Payment, "order": Order}),
        ("refund.processed", {"refund": Refund, "payment": Payment}),
        ("subscription.charged", {"subscription": Subscription, "payment": Payment}),
    ],
)
def test_samples_parse_into_typed_entities(
    host: PluginHost, name: str, entities: dict[str, type]
) -> None:
    data = json.loads(get_sample(host, "razorpay", name).body)
    data["brand_new"] = True
    event = parse_payload(data)
    assert isinstance(event, RazorpayEvent) and event.event == name
    assert event.model_extra == {"brand_new": True}
    assert event.payload is not None and event.contains == list(entities)
    for key, model in entities.items():
        wrapped = getattr(event.payload, key)
        assert type(wrapped.entity) is model


def test_model_fields(host: PluginHost) -> None:
    event = parse_payload(json.loads(get_sample(host, "razorpay", "subscription.charged").body))
    assert isinstance(event, RazorpayEvent) and event.payload is not None
    sub = event.payload.subscription
    assert sub is not None and sub.entity is not None
    assert (sub.entity.paid_count, sub.entity.remaining_count) == (1, 11)
    assert sub.entity.current_end is not None and sub.entity.current_end.year == 2019
    payment = event.payload.payment
    assert payment is not None and payment.entity is not None
    assert payment.entity.amount == 49900 and payment.entity.notes == []
    with pytest.raises(ValueError):
        parse_payload([{"event": "payment.captured"}])


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("razorpay")
    assert (record.distribution, record.module) == ("hookpoint-razorpay", "hookpoint_razorpay")
