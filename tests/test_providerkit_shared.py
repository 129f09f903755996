"""providerkit building blocks that several senders share: :class:`HeaderToken` (a static
secret in one header: Telegram, GitLab) and :meth:`StandardWebhooksScheme.events` (the event
description of every Standard Webhooks / Svix sender: Clerk, Resend, the generic provider)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hookpoint import WebhookRequest, signing
from hookpoint.providerkit import (
    REASON_TOKEN_MISMATCH,
    HeaderToken,
    ProviderSettings,
    StandardWebhooksScheme,
)

URL = "https://hooks.example.com/webhooks/x"
TOKEN = HeaderToken("X-Token")
NOW = 1_700_000_000


def request(*headers: tuple[str, str], body: bytes = b'{"type":"a.b"}') -> WebhookRequest:
    return WebhookRequest(url=URL, headers=list(headers), body=body)


def test_header_token_accepts_any_configured_secret() -> None:
    assert TOKEN.verify(request(("X-Token", "new")), ["old", "new"]).success
    assert TOKEN.verify(request(("x-token", "old")), ["old", "new"]).success  # any case


@pytest.mark.parametrize("value", ["olD", "ol", "old ", "x" * 300, "é"])
def test_header_token_refuses_other_values_without_echoing_the_secret(value: str) -> None:
    result = TOKEN.verify(request(("X-Token", value)), ["old"])
    assert not result.success and result.reason == REASON_TOKEN_MISMATCH


def test_header_token_reasons() -> None:
    assert TOKEN.verify(request(), ["old"]).reason == signing.REASON_MISSING
    assert TOKEN.verify(request(("X-Token", "")), ["old"]).reason == REASON_TOKEN_MISMATCH
    twice = request(("X-Token", "old"), ("X-Token", "old"))
    assert TOKEN.verify(twice, ["old"]).reason == signing.REASON_MALFORMED
    # empty configured secrets never match, even an empty header value
    assert not TOKEN.verify(request(("X-Token", "")), [""]).success
    no_secret = TOKEN.verify_request(request(("X-Token", "old")), ProviderSettings(), ["", ""], NOW)
    assert no_secret.reason == signing.REASON_NO_SECRET


def test_header_token_compares_every_secret_in_constant_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every configured secret goes through signing.constant_time_equals (hmac.compare_digest),
    with no early exit: how long a refusal takes does not say which secret came close."""
    compared: list[str] = []
    real = signing.constant_time_equals

    def spy(a: str | bytes, b: str | bytes) -> bool:
        compared.append(str(b))
        return real(a, b)

    monkeypatch.setattr(signing, "constant_time_equals", spy)
    assert TOKEN.verify(request(("X-Token", "first")), ["first", "second", "third"]).success
    assert compared == ["first", "second", "third"]


def test_header_token_sign_sets_the_token_once() -> None:
    signed = TOKEN.sign(request(("x-token", "stale")), "s3cret")
    assert signed.headers.getlist("X-Token") == ["s3cret"]
    assert TOKEN.verify_request(signed, ProviderSettings(), ["s3cret"], NOW).success
    assert (
        TOKEN.sign_request(request(), ProviderSettings(), "s3cret", NOW).headers["X-Token"]
        == "s3cret"
    )


def test_standard_webhooks_events_reads_the_verified_header_set() -> None:
    spec = StandardWebhooksScheme().events(fields={"data_id": "body:data.id"})
    req = request(
        ("svix-id", "msg_svix"),
        ("svix-timestamp", str(NOW)),
        ("webhook-id", "msg_unsigned"),
        ("webhook-timestamp", "0"),
        body=b'{"type":"user.created","data":{"id":"user_1"}}',
    )
    info = spec.describe(req)
    assert (info.type, info.id) == ("user.created", "msg_svix")
    assert info.time == datetime.fromtimestamp(NOW, tz=UTC)
    assert info.fields == {"data_id": "user_1"}
    only_webhook = StandardWebhooksScheme(header_prefixes=("webhook",)).events().describe(req)
    assert only_webhook.id == "msg_unsigned"


def test_standard_webhooks_events_takes_the_senders_own_time() -> None:
    body = b'{"type":"session.created","timestamp":1654014318265}'
    clerk = StandardWebhooksScheme().events(time=("body:timestamp",), time_unit="ms")
    info = clerk.describe(request(("svix-id", "msg_1"), ("svix-timestamp", str(NOW)), body=body))
    assert info.time == datetime(2022, 5, 31, 16, 25, 18, 265000, tzinfo=UTC)
    assert info.id == "msg_1"


def test_standard_webhooks_sample_carries_the_message_id_the_sign_hook_keeps() -> None:
    svix = StandardWebhooksScheme(sign_prefix="svix")
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    sample = svix.sample("a", "msg_1", {"type": "user.created", "data": {}}, secret=secret)
    assert (sample.event_type, sample.secret) == ("user.created", secret)
    assert sample.body == b'{"type":"user.created","data":{}}'
    assert sample.headers == {"Content-Type": "application/json", "svix-id": "msg_1"}
    unsigned = request(*sample.headers.items(), body=sample.body)
    assert svix.sign(unsigned, secret, NOW).headers["svix-id"] == "msg_1"
    raw = svix.sample("b", "msg_2", b"[1]", secret=secret, event_type="x", description="d")
    assert (raw.body, raw.event_type, raw.description) == (b"[1]", "x", "d")


def test_standard_webhooks_verification_names_the_senders_headers() -> None:
    svix = StandardWebhooksScheme(sign_prefix="svix", tolerance=120).verification
    assert svix.startswith("svix-signature: ") and '"{svix-id}.{svix-timestamp}.' in svix
    assert "tolerance 120 s" in svix
    assert StandardWebhooksScheme().verification.startswith("webhook-signature: ")
