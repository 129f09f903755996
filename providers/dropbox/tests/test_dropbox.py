"""Dropbox provider: known-answer vectors, the challenge, event description and models."""

from __future__ import annotations

import hmac
import json
from typing import Any

import pytest

import hookpoint_dropbox
from hookpoint import WebhookRequest
from hookpoint.testing import (
    PluginHost,
    challenge_request,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_dropbox import DropboxNotification, parse_payload
from hookpoint_dropbox._samples import NOTIFICATION

# Known-answer vectors "dropbox-post" and "dropbox-challenge".
VECTOR_SECRET = "the_secret"
VECTOR_BODY = b'{"delta": {"users": [12345]}}'
VECTOR_SIGNATURE = "0a8c16b085420b960dc78664279fe09e936a2a01b1f91064869d9e77dfd64529"
URL = "https://hooks.example.com/webhooks/dropbox"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_dropbox.PLUGIN)


def request(body: bytes = VECTOR_BODY, signature: str | None = VECTOR_SIGNATURE) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Dropbox-Signature"] = signature
    return WebhookRequest(method="POST", url=URL, headers=headers, body=body)


def verify(host: PluginHost, req: WebhookRequest, secrets: list[str] | None = None) -> Any:
    return verify_request(host, "dropbox", req, [VECTOR_SECRET] if secrets is None else secrets)


def challenge(host: PluginHost, method: str, query: str) -> Any:
    req = WebhookRequest(method=method, url=f"{URL}?{query}" if query else URL)
    return challenge_request(host, "dropbox", req, [VECTOR_SECRET])


def test_vector_verifies(host: PluginHost) -> None:
    assert verify(host, request()).success


def test_vector_rejected_with_one_byte_changed(host: PluginHost) -> None:
    assert not verify(host, request(VECTOR_BODY.replace(b"12345", b"12346"))).success


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    signed = sign_request(host, "dropbox", request(signature=None), VECTOR_SECRET)
    assert signed is not None and signed.headers["X-Dropbox-Signature"] == VECTOR_SIGNATURE


def test_computed_vector(host: PluginHost) -> None:
    signature = hmac.digest(b"app-secret", NOTIFICATION, "sha256").hex()
    assert verify(host, request(NOTIFICATION, signature), ["app-secret"]).success
    assert verify(host, request(NOTIFICATION, signature.upper()), ["app-secret"]).success
    assert not verify(host, request(NOTIFICATION, signature[:-2]), ["app-secret"]).success


def test_challenge_echo_exact(host: PluginHost) -> None:
    reply = challenge(host, "GET", "challenge=the_challenge")
    assert reply.status == 200 and reply.body == b"the_challenge"
    assert reply.content_type == "text/plain"
    assert reply.headers == {"X-Content-Type-Options": "nosniff"}


def test_challenge_is_url_decoded(host: PluginHost) -> None:
    assert challenge(host, "GET", "challenge=a%20b%2Bc").body == b"a b+c"


def test_other_requests_are_not_challenges(host: PluginHost) -> None:
    assert challenge(host, "POST", "challenge=x") is None
    assert challenge(host, "GET", "") is None
    assert challenge(host, "GET", "hub.challenge=x") is None


def describe(host: PluginHost, body: bytes) -> Any:
    return describe_request(host, "dropbox", request(body))


def test_describe(host: PluginHost) -> None:
    info = describe(host, NOTIFICATION)
    assert info.type == "list_folder" and info.id is None and info.time is None
    assert info.fields["accounts"] == [
        "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
        "dbid:AAB1nYHd0VbLm2s7-0XLEqvdOOzqaLRxO4g",
    ]
    assert describe(host, VECTOR_BODY).type == "delta"
    assert describe(host, b"{}").type is None


def test_model() -> None:
    event = parse_payload(json.loads(NOTIFICATION))
    assert isinstance(event, DropboxNotification)
    assert event.accounts[0].startswith("dbid:")
    assert event.delta is not None and event.delta.users == [12345678, 23456789]
    extra = parse_payload({"list_folder": {"accounts": [], "teams": ["t"]}, "new": 1})
    assert extra.model_extra == {"new": 1}
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload([])
