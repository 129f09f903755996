"""Intercom provider: a known-answer vector, computed vectors, event description and models."""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

import hookpoint_intercom
from hookpoint import Hookpoint, WebhookRequest
from hookpoint.testing import (
    PluginHost,
    app_client,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_intercom import IntercomNotification, parse_payload
from hookpoint_intercom._samples import CONVERSATION_CREATED, PING

# Known-answer vector "intercom-sha1".
VECTOR_SECRET = "intercom_client_secret"
VECTOR_BODY = (
    b'{"type":"notification_event","id":"notif_1","topic":"conversation.user.created",'
    b'"data":{"item":{"type":"conversation","id":"1"}},"created_at":1700000000}'
)
VECTOR_SIGNATURE = "sha1=04d2668d4f4783597a6d33e99b6fa099ec7dbca9"
URL = "https://hooks.example.com/webhooks/intercom"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_intercom.PLUGIN)


def request(body: bytes = VECTOR_BODY, signature: str | None = VECTOR_SIGNATURE) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature"] = signature
    return WebhookRequest(method="POST", url=URL, headers=headers, body=body)


def verify(host: PluginHost, req: WebhookRequest, secrets: list[str] | None = None) -> Any:
    return verify_request(host, "intercom", req, [VECTOR_SECRET] if secrets is None else secrets)


def test_vector_verifies(host: PluginHost) -> None:
    assert verify(host, request()).success


def test_vector_rejected_with_one_byte_changed(host: PluginHost) -> None:
    assert not verify(host, request(VECTOR_BODY.replace(b"notif_1", b"notif_2"))).success


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    signed = sign_request(host, "intercom", request(signature=None), VECTOR_SECRET)
    assert signed is not None and signed.headers["X-Hub-Signature"] == VECTOR_SIGNATURE


def test_computed_vector_and_prefix(host: PluginHost) -> None:
    digest = hmac.digest(b"s2", PING, "sha1").hex()
    assert verify(host, request(PING, "sha1=" + digest), ["s2"]).success
    assert not verify(host, request(PING, "sha256=" + digest), ["s2"]).success
    sha256 = hmac.digest(b"s2", PING, "sha256").hex()
    assert not verify(host, request(PING, "sha1=" + sha256), ["s2"]).success


def test_rotation_and_missing(host: PluginHost) -> None:
    assert verify(host, request(), [VECTOR_SECRET, "old"]).success
    assert verify(host, request(signature=None)).reason == "missing signature header"


def describe(host: PluginHost, body: bytes) -> Any:
    return describe_request(host, "intercom", request(body))


def test_describe(host: PluginHost) -> None:
    info = describe(host, CONVERSATION_CREATED)
    assert info.type == "conversation.user.created"
    assert info.id == "notif_6f6c2a3e-9d5b-4a2e-8a5f-0c3b1d2e4f5a"
    assert info.time == datetime.fromtimestamp(1714641166, UTC)
    assert info.fields["item_type"] == "conversation" and info.fields["item_id"] == "147"
    ping = describe(host, PING)
    assert ping.type == "ping" and ping.id == "notif_ping_0b1c2d3e"


def test_model() -> None:
    event = parse_payload(json.loads(CONVERSATION_CREATED))
    assert isinstance(event, IntercomNotification)
    assert event.item is not None and event.item.type == "conversation"
    assert event.item.model_extra is not None and event.item.model_extra["state"] == "open"
    assert event.created_at == datetime.fromtimestamp(1714641166, UTC)


def test_model_tolerates_unknown_fields() -> None:
    data = json.loads(VECTOR_BODY)
    data["new_top"] = [1]
    event = parse_payload(data)
    assert event.model_extra == {"new_top": [1]}
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload(None)


async def test_the_url_check_head_through_a_host(hookpoint_database_url: str) -> None:
    """Saving the URL in Intercom's Developer Hub sends an unsigned HEAD: 200, kept as a
    handshake, no run; any other unsigned request is still refused."""
    hp = Hookpoint(id="intercom-head")
    endpoint = hp.define_http_endpoint(
        id="intercom", source="intercom.com", provider="intercom", secrets=["s3cret"]
    )
    hp.define_job(id="all", name="all", version="1", trigger=endpoint.on_request(), run=print)
    async with app_client(hp, database_url=hookpoint_database_url) as client:
        head = await client.head("/webhooks/intercom")
        assert head.status_code == 200
        unsigned = await client.post("/webhooks/intercom", content=b"{}")
        assert unsigned.status_code == 401
        handshakes = await client.get("/api/requests", params={"status": "handshake"})
        assert [r["method"] for r in handshakes.json()["items"]] == ["HEAD"]
        runs = await client.get("/api/runs")
        assert runs.json()["items"] == []
