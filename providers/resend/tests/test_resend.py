"""Resend provider, proven against Svix's official library (``svix.webhooks.Webhook``, what
Resend's docs verify with): Svix signs and the provider verifies, the provider signs and Svix
verifies; then Resend's own facts: event description and the typed models."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import svix.webhooks

import hookpoint_resend as resend
from hookpoint import WebhookRequest
from hookpoint.providerkit import with_headers
from hookpoint.testing import (
    PluginHost,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_sample,
    verify_request,
)

URL = "https://hooks.example.com/webhooks/resend"
SECRET = resend.SIGNING_SECRET
NAMES = ["email.sent", "email.delivered", "email.bounced", "email.clicked"]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(resend.PLUGIN)


def svix_signed(host: PluginHost, name: str, *, now: int, secret: str = SECRET) -> WebhookRequest:
    """A sample as the provider signs it, its svix-signature replaced by the one Svix's library
    computes with ``secret`` for the same svix-id, svix-timestamp and body."""
    signed = sign_sample(host, "resend", name, now=now)
    when = datetime.fromtimestamp(now, tz=UTC)
    webhook = svix.webhooks.Webhook(secret)
    signature = webhook.sign(signed.headers["svix-id"], when, signed.body.decode())
    return with_headers(signed, {"svix-signature": signature})


@pytest.mark.parametrize("name", NAMES)
def test_the_provider_signs_exactly_as_svix(host: PluginHost, name: str) -> None:
    """HMAC is deterministic: for the same id, timestamp, body and secret the provider's
    svix-signature is byte for byte the one Svix's library computes."""
    now = int(time.time())
    signed = sign_sample(host, "resend", name, now=now)
    assert signed.headers["svix-timestamp"] == str(now)
    expected = svix_signed(host, name, now=now).headers["svix-signature"]
    assert signed.headers["svix-signature"] == expected


@pytest.mark.parametrize("name", NAMES)
def test_svix_signatures_verify_with_the_provider(host: PluginHost, name: str) -> None:
    now = int(time.time())
    req = svix_signed(host, name, now=now)
    assert verify_request(host, "resend", req, [SECRET], now=now).success
    tampered = WebhookRequest(
        url=URL, headers=list(req.headers.items()), body=req.body.replace(b"Acme", b"Acmf")
    )
    assert not verify_request(host, "resend", tampered, [SECRET], now=now).success
    late = verify_request(host, "resend", req, [SECRET], now=now + 301)
    assert late.reason == "timestamp too old"


@pytest.mark.parametrize("name", NAMES)
def test_provider_signatures_verify_with_svix(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, "resend", name, now=time.time())
    headers = dict(signed.headers.items())
    svix.webhooks.Webhook(SECRET).verify(signed.body, headers)  # raises when it does not verify
    assert json.loads(signed.body)["type"] == name
    with pytest.raises(svix.webhooks.WebhookVerificationError):
        svix.webhooks.Webhook(SECRET).verify(signed.body[:-1], headers)
    with pytest.raises(svix.webhooks.WebhookVerificationError):
        svix.webhooks.Webhook("whsec_" + "QUJD" * 8).verify(signed.body, headers)


def test_describe(host: PluginHost) -> None:
    info = describe_request(host, "resend", svix_signed(host, "email.bounced", now=1_700_000_000))
    assert info is not None
    assert (info.type, info.id) == ("email.bounced", "msg_2ZwA0dRHc3fFhFj8Yc5QY9zxX1c")
    assert info.time == datetime(2024, 11, 22, 23, 41, 12, 126000, tzinfo=UTC)
    assert info.fields == {
        "email_id": "56761188-7520-42d8-8898-ff6fc54ce618",
        "from": "Acme <onboarding@resend.dev>",
        "to": ["delivered@resend.dev"],
        "bounce_type": "Permanent",
    }
    # a retry (new svix-timestamp, same svix-id) keeps its dedupe id
    retry = svix_signed(host, "email.bounced", now=1_700_003_600)
    assert describe_request(host, "resend", retry).id == info.id  # type: ignore[union-attr]


def body(host: PluginHost, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(get_sample(host, "resend", name).body)
    return data


def test_models(host: PluginHost) -> None:
    bounced = resend.parse_payload(body(host, "email.bounced"))
    assert isinstance(bounced, resend.ResendEmailEvent) and bounced.data is not None
    assert bounced.data.from_ == "Acme <onboarding@resend.dev>"
    assert bounced.data.bounce is not None
    assert (bounced.data.bounce.type, bounced.data.bounce.sub_type) == ("Permanent", "Suppressed")
    clicked = resend.parse_payload(body(host, "email.clicked"))
    assert isinstance(clicked, resend.ResendEmailEvent) and clicked.data is not None
    assert clicked.data.click is not None and clicked.data.click.link == "https://resend.com"
    assert clicked.data.click.ip_address == "122.115.53.11"
    sent = body(host, "email.sent")
    sent["data"]["brand_new"] = 1
    parsed = resend.parse_payload(sent)
    assert isinstance(parsed, resend.ResendEmailEvent) and parsed.data is not None
    assert parsed.data.model_extra == {"brand_new": 1}
    contact = resend.parse_payload(
        {"type": "contact.created", "created_at": "2024-11-22T23:41:12Z", "data": {"id": "c1"}}
    )
    assert type(contact) is resend.ResendEvent and contact.data == {"id": "c1"}


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("resend")
    assert (record.distribution, record.module) == ("hookpoint-resend", "hookpoint_resend")
