"""X (Twitter) provider: known-answer CRC and POST vectors, event description and models."""

from __future__ import annotations

import base64
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

import hookpoint_twitter
from hookpoint import WebhookRequest
from hookpoint.testing import (
    PluginHost,
    challenge_request,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_twitter import AccountActivity, parse_payload
from hookpoint_twitter._samples import DIRECT_MESSAGE, TWEET_CREATE

# Known-answer vectors "x-crc" and "x-post".
CONSUMER_SECRET = "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"
CRC_TOKEN = "9b4507b3-9040-4669-9ca3-6b94edb50553"
CRC_RESPONSE = "sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="
POST_BODY = (
    b'{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"1700000000000000000",'
    b'"text":"hello"}]}'
)
POST_SIGNATURE = "sha256=jwMwzhDiAL1aUXWNlLChdfQ3AEcEAcLK21EiKNm3GZY="
URL = "https://hooks.example.com/webhooks/twitter"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_twitter.PLUGIN)


def request(body: bytes = POST_BODY, signature: str | None = POST_SIGNATURE) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["x-twitter-webhooks-signature"] = signature
    return WebhookRequest(method="POST", url=URL, headers=headers, body=body)


def verify(host: PluginHost, req: WebhookRequest, secrets: list[str] | None = None) -> Any:
    return verify_request(host, "twitter", req, [CONSUMER_SECRET] if secrets is None else secrets)


def crc(host: PluginHost, query: str, secrets: list[str], method: str = "GET") -> Any:
    req = WebhookRequest(method=method, url=f"{URL}?{query}")
    return challenge_request(host, "twitter", req, secrets)


def test_crc_vector(host: PluginHost) -> None:
    reply = crc(host, f"crc_token={CRC_TOKEN}", [CONSUMER_SECRET])
    assert reply.status == 200 and reply.content_type == "application/json"
    assert json.loads(reply.body) == {"response_token": CRC_RESPONSE}


def test_crc_uses_the_newest_secret(host: PluginHost) -> None:
    reply = crc(host, "crc_token=abc", ["new-secret", CONSUMER_SECRET])
    expected = base64.b64encode(hmac.digest(b"new-secret", b"abc", "sha256")).decode()
    assert json.loads(reply.body) == {"response_token": f"sha256={expected}"}


def test_not_a_crc(host: PluginHost) -> None:
    assert crc(host, "crc_token=abc", [CONSUMER_SECRET], method="POST") is None
    assert crc(host, "other=1", [CONSUMER_SECRET]) is None
    assert crc(host, "crc_token=abc", []) is None


def test_post_vector_verifies(host: PluginHost) -> None:
    assert verify(host, request()).success


def test_post_vector_rejected_with_one_byte_changed(host: PluginHost) -> None:
    assert not verify(host, request(POST_BODY.replace(b"hello", b"hellp"))).success


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    signed = sign_request(host, "twitter", request(signature=None), CONSUMER_SECRET)
    assert signed is not None
    assert signed.headers["x-twitter-webhooks-signature"] == POST_SIGNATURE


def test_rotation_and_wrong_secret(host: PluginHost) -> None:
    assert verify(host, request(), ["newer", CONSUMER_SECRET]).success
    assert verify(host, request(), ["newer"]).reason == "signature mismatch"


def describe(host: PluginHost, body: bytes) -> Any:
    return describe_request(host, "twitter", request(body))


def test_describe_tweet(host: PluginHost) -> None:
    info = describe(host, TWEET_CREATE)
    assert info.type == "tweet_create_events"
    assert info.id == "2244994945:tweet_create_events:1785968040123456789"
    assert info.time == datetime(2024, 5, 2, 9, 12, 45, tzinfo=UTC)
    assert info.fields["for_user_id"] == "2244994945"


def test_describe_direct_message(host: PluginHost) -> None:
    info = describe(host, DIRECT_MESSAGE)
    assert info.type == "direct_message_events"
    assert info.id.endswith(":direct_message_events:1785970000000000001")
    assert info.time == datetime.fromtimestamp(1714641165, UTC)


def test_the_same_tweet_for_two_subscribed_accounts_is_two_events(host: PluginHost) -> None:
    """A mentions B, both subscribed: X delivers the tweet once per account; the second is
    not a duplicate of the first."""
    data = json.loads(TWEET_CREATE)
    for_b = json.dumps({**data, "for_user_id": "222"}).encode()
    first, second = describe(host, TWEET_CREATE), describe(host, for_b)
    assert first.id != second.id
    assert second.id == "222:tweet_create_events:1785968040123456789"


def test_describe_without_ids(host: PluginHost) -> None:
    info = describe(host, b'{"for_user_id":"1","favorite_events":[{}]}')
    assert info.type == "favorite_events" and info.id.startswith("sha256:")


def test_model() -> None:
    event = parse_payload(json.loads(TWEET_CREATE))
    assert isinstance(event, AccountActivity)
    assert event.tweet_create_events[0].key == "1785968040123456789"
    assert event.tweet_create_events[0].text == "@XDevelopers café meetup tonight?"
    dm = parse_payload(json.loads(DIRECT_MESSAGE))
    assert dm.direct_message_events[0].message_create is not None
    assert "3001969357" in dm.users
    odd = parse_payload({"for_user_id": "1", "new_kind_events": [{"id": 1}]})
    assert odd.model_extra == {"new_kind_events": [{"id": 1}]}
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload(1)
