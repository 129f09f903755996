"""Twitch provider: Twitch's documented algorithm, twitchAPI's own webhook server verifying what
the provider signs, tolerance both ways, the signed callback verification, revocations, event
description, models, and a whole app answering Twitch.

twitchAPI (the Python EventSub library) verifies but never signs: its check is
``EventSubWebhook._verify_signature``, an async method reading an aiohttp request. The tests run
that library's real webhook server on loopback and post the provider's signed messages to it;
the other way round (a signature the provider must accept) is computed from Twitch's documented
algorithm with ``hmac`` directly.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from twitchAPI.eventsub.webhook import EventSubWebhook
from twitchAPI.object.eventsub import ChannelFollowEvent
from twitchAPI.twitch import Twitch

import hookpoint_twitch
from hookpoint import Hookpoint, WebhookRequest
from hookpoint.testing import (
    TEST_NOW,
    PluginHost,
    app_client,
    challenge_request,
    describe_request,
    get_sample,
    plugin_host,
    request_from_sample,
    sign_request,
    sign_sample,
    verify_request,
)
from hookpoint_twitch import (
    CallbackVerification,
    ChannelFollowNotification,
    Notification,
    Revocation,
    StreamOnlineNotification,
    parse_payload,
)

SECRET = hookpoint_twitch.SUBSCRIPTION_SECRET
SIG = "Twitch-Eventsub-Message-Signature"
TS = "Twitch-Eventsub-Message-Timestamp"
MSG_ID = "Twitch-Eventsub-Message-Id"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_twitch.PLUGIN)


def rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


def documented_signature(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """Twitch's algorithm as its docs write it: HMAC-SHA256 over id + timestamp + body."""
    message = message_id.encode() + timestamp.encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_by_hand(name: str, at: float = TEST_NOW, secret: str = SECRET) -> WebhookRequest:
    sample = get_sample(plugin_host(hookpoint_twitch.PLUGIN), "twitch", name)
    stamp = rfc3339(at)
    message_id = sample.headers[MSG_ID]
    signature = documented_signature(secret, message_id, stamp, sample.body)
    return request_from_sample(sample, "twitch").with_context(
        headers={**sample.headers, TS: stamp, SIG: signature}
    )


def verify(
    host: PluginHost, request: WebhookRequest, now: float = TEST_NOW, **settings: Any
) -> Any:
    return verify_request(host, "twitch", request, [SECRET], now=now, settings=settings)


# -- the documented algorithm ------------------------------------------------------------------


def test_a_signature_made_by_the_documented_algorithm_verifies(host: PluginHost) -> None:
    request = signed_by_hand("channel.follow")
    assert verify(host, request).success
    other_id = request.with_context(headers={**request.headers.to_dict(), MSG_ID: "another-id"})
    assert verify(host, other_id).reason == "signature mismatch"
    wrong_secret = signed_by_hand("channel.follow", secret="not-the-secret")
    assert verify(host, wrong_secret).reason == "signature mismatch"


def test_the_sign_hook_follows_the_documented_algorithm(host: PluginHost) -> None:
    signed = sign_sample(host, "twitch", "channel.follow")
    stamp = signed.headers[TS]
    assert stamp == "2023-11-14T22:13:20.000000Z"  # TEST_NOW, RFC 3339 like Twitch's
    assert signed.headers[SIG] == documented_signature(
        SECRET, signed.headers[MSG_ID], stamp, signed.body
    )
    assert signed.headers[MSG_ID] == "befa7b53-d79d-478f-86b9-120f112b044e"  # the sample's own


@pytest.mark.parametrize(
    ("offset", "ok"), [(-601, False), (-600, True), (0, True), (600, True), (601, False)]
)
def test_tolerance_is_ten_minutes_both_ways(host: PluginHost, offset: int, ok: bool) -> None:
    request = signed_by_hand("channel.follow", at=TEST_NOW)
    # nanosecond digits past the microsecond are dropped: the stamp is TEST_NOW + 0.000000123
    assert verify(host, request, now=TEST_NOW - offset).success is ok


def test_tolerance_setting_and_rotation(host: PluginHost) -> None:
    request = signed_by_hand("channel.follow")
    assert not verify(host, request, now=TEST_NOW + 61, tolerance=60).success
    assert verify_request(host, "twitch", request, ["rotated-in", SECRET]).success
    assert not verify_request(host, "twitch", request, ["rotated-in"]).success


@pytest.mark.parametrize(
    ("drop", "stamp", "reason"),
    [
        (MSG_ID, None, "missing Twitch-Eventsub-Message-Id header"),
        (TS, None, "missing timestamp"),
        (None, "1700000000", "malformed timestamp"),
        (None, "2023-11-14 22:13:20Z", "malformed timestamp"),
        (SIG, None, "missing signature header"),
    ],
)
def test_malformed_messages_are_refused_with_a_reason(
    host: PluginHost, drop: str | None, stamp: str | None, reason: str
) -> None:
    signed = sign_sample(host, "twitch", "channel.follow")
    headers = {k: v for k, v in signed.headers.items() if k != drop}
    if stamp is not None:
        headers[TS] = stamp
    assert verify(host, signed.with_context(headers=headers)).reason == reason


# -- twitchAPI's webhook server verifies what the provider signs -------------------------------


@pytest.fixture
async def twitch_webhook() -> AsyncIterator[tuple[EventSubWebhook, str, list[Any]]]:
    """twitchAPI's EventSub webhook server on a loopback port, with the samples' subscription
    registered (its callback collects the events the library parsed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    twitch = await Twitch("hookpoint-test-app", authenticate_app=False)
    webhook = EventSubWebhook("https://hooks.example.com", port, twitch, host_binding="127.0.0.1")
    webhook.secret = SECRET
    webhook.unsubscribe_on_stop = False
    received: list[Any] = []

    async def on_event(event: Any) -> None:
        received.append(event)

    sample = get_sample(plugin_host(hookpoint_twitch.PLUGIN), "twitch", "channel.follow")
    subscription_id = json.loads(sample.body)
    webhook._add_callback(subscription_id["subscription"]["id"], on_event, ChannelFollowEvent)
    webhook.start()
    try:
        yield webhook, f"http://127.0.0.1:{port}/callback", received
    finally:
        thread = webhook._EventSubWebhook__hook_thread  # type: ignore[attr-defined]
        loop = webhook._EventSubWebhook__hook_loop  # type: ignore[attr-defined]
        await webhook.stop()
        await twitch.close()
        # twitchAPI leaves its server thread's event loop open; closed here, its finalizer does
        # not warn later in the middle of another test's import (CPython 3.11.7 then fails with
        # "AST constructor recursion depth mismatch", gh-106905).
        await asyncio.to_thread(thread.join, 10)
        loop.close()


async def post(url: str, request: WebhookRequest) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(url, content=request.body, headers=request.headers.to_dict())


async def test_twitchapi_accepts_the_provider_signed_notification(
    host: PluginHost, twitch_webhook: tuple[EventSubWebhook, str, list[Any]]
) -> None:
    _, url, received = twitch_webhook
    signed = sign_sample(host, "twitch", "channel.follow")
    assert (await post(url, signed)).status_code == 200
    for _ in range(50):
        if received:
            break
        await asyncio.sleep(0.05)
    assert len(received) == 1
    assert received[0].event.user_login == "cool_user"  # parsed by twitchAPI's own model
    forged = sign_sample(host, "twitch", "channel.follow", secret="not-the-secret")
    assert (await post(url, forged)).status_code == 403


async def test_twitchapi_answers_the_provider_signed_callback_verification(
    host: PluginHost, twitch_webhook: tuple[EventSubWebhook, str, list[Any]]
) -> None:
    webhook, url, _ = twitch_webhook
    sample = get_sample(host, "twitch", "webhook_callback_verification.unsigned")
    unsigned = request_from_sample(sample, "twitch")
    signed = sign_request(host, "twitch", unsigned, SECRET)
    reply = await post(url, signed)
    assert (reply.status_code, reply.text) == (200, "pogchamp-kappa-360noscope-vohiyo")
    subscription = json.loads(sample.body)["subscription"]["id"]
    assert webhook._callbacks[subscription]["active"]  # twitchAPI confirmed the subscription
    assert (await post(url, sign_request(host, "twitch", unsigned, "wrong"))).status_code == 403


# -- the handshake -----------------------------------------------------------------------------


def verification_request(secret: str | None, received: float = TEST_NOW) -> WebhookRequest:
    host = plugin_host(hookpoint_twitch.PLUGIN)
    sample = get_sample(host, "twitch", "webhook_callback_verification.unsigned")
    request = request_from_sample(sample, "twitch")
    if secret is not None:
        request = sign_request(host, "twitch", request, secret, now=TEST_NOW)
    at = datetime.fromtimestamp(received, UTC)
    return WebhookRequest(
        method="POST", url=request.url, headers=request.headers, body=request.body, received_at=at
    )


def test_a_signed_callback_verification_is_answered_with_the_challenge(host: PluginHost) -> None:
    reply = challenge_request(host, "twitch", verification_request(SECRET), [SECRET])
    assert reply is not None and reply.status == 200
    assert reply.body == b"pogchamp-kappa-360noscope-vohiyo"
    assert reply.content_type.startswith("text/plain")
    assert reply.skip_triggering_runs


@pytest.mark.parametrize(
    ("secret", "received", "reason"),
    [
        (None, TEST_NOW, "missing signature header"),
        ("not-the-secret", TEST_NOW, "signature mismatch"),
        (SECRET, TEST_NOW + 601, "timestamp too old"),
    ],
)
def test_a_forged_or_stale_callback_verification_is_refused(
    host: PluginHost, secret: str | None, received: float, reason: str
) -> None:
    reply = challenge_request(host, "twitch", verification_request(secret, received), [SECRET])
    assert reply is not None and reply.status == 401
    assert json.loads(reply.body) == {"error": "unauthorized", "message": reason}


def test_only_callback_verifications_are_handshakes(host: PluginHost) -> None:
    for name in ("channel.follow", "revocation"):
        assert (
            challenge_request(host, "twitch", sign_sample(host, "twitch", name), [SECRET]) is None
        )
    verification = verification_request(SECRET)
    as_notification = verification.with_context(
        headers={**verification.headers.to_dict(), "Twitch-Eventsub-Message-Type": "notification"}
    )
    assert challenge_request(host, "twitch", as_notification, [SECRET]) is None


# -- events and models -------------------------------------------------------------------------


def test_describe_a_notification(host: PluginHost) -> None:
    info = describe_request(host, "twitch", sign_sample(host, "twitch", "channel.follow"))
    assert info is not None
    assert (info.type, info.id) == ("channel.follow", "befa7b53-d79d-478f-86b9-120f112b044e")
    assert info.time == datetime.fromtimestamp(TEST_NOW, UTC)
    assert info.fields["message_type"] == "notification"
    assert info.fields["broadcaster_user_id"] == "1337"
    assert (info.fields["subscription_version"], info.fields["retry"]) == ("2", "0")


def test_describe_a_revocation(host: PluginHost) -> None:
    info = describe_request(host, "twitch", sign_sample(host, "twitch", "revocation"))
    assert info is not None
    assert info.type == "revocation"
    assert info.fields["subscription_type"] == "channel.follow"
    assert info.fields["status"] == "authorization_revoked"


def test_models(host: PluginHost) -> None:
    def body(name: str) -> Any:
        return json.loads(get_sample(host, "twitch", name).body)

    follow = parse_payload(body("channel.follow"))
    assert isinstance(follow, ChannelFollowNotification) and follow.event is not None
    assert follow.event.user_name == "Cool_User"
    assert follow.event.followed_at is not None and follow.event.followed_at.year == 2020
    online = parse_payload(body("stream.online"))
    assert isinstance(online, StreamOnlineNotification) and online.event is not None
    assert online.event.type == "live"
    revoked = parse_payload(body("revocation"))
    assert isinstance(revoked, Revocation) and revoked.subscription is not None
    assert revoked.subscription.status == "authorization_revoked"
    handshake = parse_payload(body("webhook_callback_verification.unsigned"))
    assert isinstance(handshake, CallbackVerification)
    other = body("channel.follow")
    other["subscription"]["type"] = "channel.poll.begin"
    other["event"]["brand_new"] = 1
    generic = parse_payload(other)
    assert type(generic) is Notification and generic.event is not None
    assert generic.event["brand_new"] == 1


# -- a whole app -------------------------------------------------------------------------------


async def test_an_app_answers_twitch(hookpoint_database_url: str) -> None:
    hp = Hookpoint(id="twitch-app")
    endpoint = hp.define_http_endpoint(
        id="twitch", source="twitch.tv", provider="twitch", secrets=[SECRET]
    )

    @hp.job(
        id="follows",
        name="Follows",
        version="1.0.0",
        trigger=endpoint.on_request(filter={"event": {"type": ["channel.follow"]}}),
    )
    async def follows(request: Any, io: Any, ctx: Any) -> None:
        return None

    host = plugin_host(hookpoint_twitch.PLUGIN)
    now = datetime.now(UTC).timestamp()
    async with app_client(hp, database_url=hookpoint_database_url) as http:

        async def send(request: WebhookRequest) -> httpx.Response:
            return await http.post(
                "/webhooks/twitch", content=request.body, headers=request.headers.to_dict()
            )

        verification = request_from_sample(
            get_sample(host, "twitch", "webhook_callback_verification.unsigned"), "twitch"
        )
        reply = await send(sign_request(host, "twitch", verification, SECRET, now=now))
        assert (reply.status_code, reply.text) == (200, "pogchamp-kappa-360noscope-vohiyo")
        assert (await send(verification)).status_code == 401

        follow = sign_sample(host, "twitch", "channel.follow", now=now)
        first = await send(follow)
        assert first.status_code == 200 and first.json()["runs"] == 1
        again = await send(sign_sample(host, "twitch", "channel.follow", now=now + 5))
        assert again.status_code == 200 and again.json()["duplicate"] is True
        revoked = await send(sign_sample(host, "twitch", "revocation", now=now))
        assert revoked.status_code == 200 and revoked.json()["runs"] == 0
        stale = sign_sample(host, "twitch", "stream.online", now=now - 3600)
        assert (await send(stale)).status_code == 401
