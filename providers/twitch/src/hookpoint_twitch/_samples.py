"""Sample EventSub webhook messages, after the examples in Twitch's "Handling webhook events"
(https://dev.twitch.tv/docs/eventsub/handling-webhook-events) and the subscription type
reference (https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types). The sign hook adds
the timestamp and signature headers; the message id is the sample's own.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SUBSCRIPTION_SECRET"]

SUBSCRIPTION_SECRET = "s3cre7-for-the-subscription"  # noqa: S105 - a sample value


def _subscription(kind: str, version: str, status: str, condition: dict[str, str]) -> Any:
    return {
        "id": "f1c2a387-161a-49f9-a165-0f21d7a4e1c4",
        "status": status,
        "type": kind,
        "version": version,
        "cost": 0,
        "condition": condition,
        "transport": {"method": "webhook", "callback": "https://example.com/webhooks/callback"},
        "created_at": "2019-11-16T10:11:12.634234626Z",
    }


def _sample(
    name: str,
    message: tuple[str, str],
    subscription: tuple[str, str, str, dict[str, str]],
    fields: dict[str, Any],
    **options: Any,
) -> Sample:
    """A message: ``message`` is (id, message type), ``subscription`` (type, version, status,
    condition); ``fields`` are the body's other keys."""
    message_id, message_type = message
    kind, version = subscription[:2]
    return Sample(
        name=name,
        headers={
            "Content-Type": "application/json",
            "Twitch-Eventsub-Message-Id": message_id,
            "Twitch-Eventsub-Message-Retry": "0",
            "Twitch-Eventsub-Message-Type": message_type,
            "Twitch-Eventsub-Subscription-Type": kind,
            "Twitch-Eventsub-Subscription-Version": version,
        },
        body=compact_json({**fields, "subscription": _subscription(*subscription)}),
        secret=SUBSCRIPTION_SECRET,
        **options,
    )


_FOLLOW_CONDITION = {"broadcaster_user_id": "1337", "moderator_user_id": "1337"}
_FOLLOW = ("channel.follow", "2", "enabled", _FOLLOW_CONDITION)

SAMPLES: tuple[Sample, ...] = (
    _sample(
        "channel.follow",
        ("befa7b53-d79d-478f-86b9-120f112b044e", "notification"),
        _FOLLOW,
        {
            "event": {
                "user_id": "1234",
                "user_login": "cool_user",
                "user_name": "Cool_User",
                "broadcaster_user_id": "1337",
                "broadcaster_user_login": "cooler_user",
                "broadcaster_user_name": "Cooler_User",
                "followed_at": "2020-07-15T18:16:11.17106713Z",
            }
        },
        description="A notification: a user followed the channel",
        event_type="channel.follow",
    ),
    _sample(
        "stream.online",
        ("4c5a9b0e-7e1f-4d4a-9c47-0a7b1d2c3e4f", "notification"),
        ("stream.online", "1", "enabled", {"broadcaster_user_id": "1337"}),
        {
            "event": {
                "id": "9001",
                "broadcaster_user_id": "1337",
                "broadcaster_user_login": "cool_user",
                "broadcaster_user_name": "Cool_User",
                "type": "live",
                "started_at": "2020-10-11T10:11:12.123Z",
            }
        },
        description="A notification: the broadcaster went live",
        event_type="stream.online",
    ),
    _sample(
        "revocation",
        ("84c1e79a-2a4b-4c13-ba0b-4312293e9308", "revocation"),
        ("channel.follow", "2", "authorization_revoked", _FOLLOW_CONDITION),
        {},
        description="Twitch revoked the subscription (the user removed the app's authorization)",
        event_type="revocation",
    ),
    _sample(
        "webhook_callback_verification.unsigned",
        ("e76c6bd4-55c9-4987-8304-da1588d8988b", "webhook_callback_verification"),
        ("channel.follow", "2", "webhook_callback_verification_pending", _FOLLOW_CONDITION),
        {"challenge": "pogchamp-kappa-360noscope-vohiyo"},
        challenge=True,
        expect_status=401,
        description="The callback verification without Twitch's signature: refused (a signed "
        "one is answered with the challenge as text/plain)",
    ),
)
