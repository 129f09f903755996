"""Clerk provider, proven against Svix's official library (``svix.webhooks.Webhook``, what
Clerk's docs verify with): Svix signs and the provider verifies, the provider signs and Svix
verifies; then Clerk's own facts: tolerance, event description and the typed models."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import svix.webhooks

import hookpoint_clerk as clerk
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

URL = "https://hooks.example.com/webhooks/clerk"
SECRET = clerk.SIGNING_SECRET


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(clerk.PLUGIN)


def svix_delivery(name: str, *, now: int, secret: str = SECRET) -> WebhookRequest:
    """A sample's body signed by the Svix library itself, with the headers Svix sends."""
    sample = get_sample(plugin_host(clerk.PLUGIN), "clerk", name)
    msg_id = sample.headers["svix-id"]
    when = datetime.fromtimestamp(now, tz=UTC)
    signature = svix.webhooks.Webhook(secret).sign(msg_id, when, sample.body.decode())
    headers = {"svix-id": msg_id, "svix-timestamp": str(now), "svix-signature": signature}
    return WebhookRequest(url=URL, headers=headers, body=sample.body)


def verify(host: PluginHost, req: WebhookRequest, now: float, **settings: Any) -> Any:
    return verify_request(host, "clerk", req, [SECRET], now=now, settings=settings)


@pytest.mark.parametrize("name", ["user.created", "session.created", "organization.created"])
def test_svix_signatures_verify_with_the_provider(host: PluginHost, name: str) -> None:
    now = int(time.time())
    req = svix_delivery(name, now=now)
    assert verify(host, req, now).success
    assert not verify(
        host, WebhookRequest(url=URL, headers=list(req.headers.items()), body=req.body + b" "), now
    ).success
    other = svix_delivery(name, now=now, secret="whsec_" + "QUJD" * 8)
    assert verify(host, other, now).reason == "signature mismatch"


@pytest.mark.parametrize("name", ["user.created", "session.created", "organization.created"])
def test_provider_signatures_verify_with_svix(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, "clerk", name, now=time.time())
    headers = dict(signed.headers.items())
    assert {"svix-id", "svix-timestamp", "svix-signature"} <= set(headers)
    svix.webhooks.Webhook(SECRET).verify(signed.body, headers)  # raises when it does not verify
    assert json.loads(signed.body)["type"] == name
    with pytest.raises(svix.webhooks.WebhookVerificationError):
        svix.webhooks.Webhook(SECRET).verify(signed.body + b" ", headers)
    with pytest.raises(svix.webhooks.WebhookVerificationError):
        svix.webhooks.Webhook("whsec_" + "QUJD" * 8).verify(signed.body, headers)


@pytest.mark.parametrize(
    ("offset", "ok"), [(-301, False), (-300, True), (0, True), (300, True), (301, False)]
)
def test_svix_five_minute_tolerance_both_ways(host: PluginHost, offset: int, ok: bool) -> None:
    sent = 1_700_000_000
    assert verify(host, svix_delivery("user.created", now=sent), sent + offset).success is ok


def test_tolerance_setting(host: PluginHost) -> None:
    sent = 1_700_000_000
    req = svix_delivery("user.created", now=sent)
    assert not verify(host, req, sent + 61, tolerance=60).success
    assert verify(host, req, sent + 59, tolerance=60).success


def test_rotation_accepts_the_old_secret_during_svix_overlap(host: PluginHost) -> None:
    """During a secret rotation Svix signs with both; an endpoint configured with either works."""
    now = int(time.time())
    req = svix_delivery("user.created", now=now)
    new = "whsec_" + "bmV3LXNlY3JldC1rZXktMzItYnl0ZXMhISEhISE="
    assert verify_request(host, "clerk", req, [new, SECRET], now=now).success


def test_describe_uses_svix_id_and_the_event_timestamp(host: PluginHost) -> None:
    req = svix_delivery("session.created", now=1_700_000_000)
    info = describe_request(host, "clerk", req)
    assert info is not None
    assert (info.type, info.id) == ("session.created", "msg_2ZvA7Ugz3v0eWmT8yB5cQeN1pLs")
    # body "timestamp" is Unix ms: the event's time, not the delivery attempt's svix-timestamp
    assert info.time == datetime(2022, 5, 31, 16, 25, 18, 503000, tzinfo=UTC)
    assert info.fields == {
        "instance_id": "ins_123",
        "data_id": "sess_29wBYxnMCQU2KIs6V3ZPOJCPUXx",
        "data_object": "session",
        "user_id": "user_29wBMCtzATuFJut8jO2VNTVekS4",
    }


def test_retries_keep_the_dedupe_id(host: PluginHost) -> None:
    first = svix_delivery("user.created", now=1_700_000_000)
    retry = svix_delivery("user.created", now=1_700_000_600)
    ids = {describe_request(host, "clerk", req).id for req in (first, retry)}  # type: ignore[union-attr]
    assert ids == {"msg_2Zv9D6y0bFq6ZbJq0XQp1Kx3wYh"}


def body(host: PluginHost, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(get_sample(host, "clerk", name).body)
    return data


def test_models(host: PluginHost) -> None:
    user_body = body(host, "user.created")
    user_body["data"]["brand_new"] = True
    user = clerk.parse_payload(user_body)
    assert isinstance(user, clerk.ClerkUserEvent) and user.data is not None
    assert user.data.primary_email == "example@example.org"
    assert user.data.created_at == datetime(2022, 5, 31, 15, 56, 31, 514000, tzinfo=UTC)
    assert user.data.model_extra is not None and user.data.model_extra["brand_new"] is True
    session = clerk.parse_payload(body(host, "session.created"))
    assert isinstance(session, clerk.ClerkSessionEvent) and session.data is not None
    assert (session.data.status, session.data.user_id) == (
        "active",
        "user_29wBMCtzATuFJut8jO2VNTVekS4",
    )
    org = clerk.parse_payload(body(host, "organization.created"))
    assert isinstance(org, clerk.ClerkOrganizationEvent) and org.data is not None
    assert (org.data.slug, org.instance_id) == ("acme-inc", "ins_123")
    membership = clerk.parse_payload(
        {"object": "event", "type": "organizationMembership.created", "data": {"id": "orgmem_1"}}
    )
    assert type(membership) is clerk.ClerkEvent and membership.data == {"id": "orgmem_1"}
    with pytest.raises(ValueError):
        clerk.parse_payload(["not", "an", "event"])


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("clerk")
    assert (record.distribution, record.module) == ("hookpoint-clerk", "hookpoint_clerk")
