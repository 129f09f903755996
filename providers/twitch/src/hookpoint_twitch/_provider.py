"""Twitch EventSub webhooks: the signature, the callback verification handshake, description.

Sender behaviour (https://dev.twitch.tv/docs/eventsub/handling-webhook-events):

* ``Twitch-Eventsub-Message-Signature: sha256=<hex HMAC-SHA256>`` of the message id
  (``Twitch-Eventsub-Message-Id``), the timestamp (``Twitch-Eventsub-Message-Timestamp``, RFC 3339
  with nanoseconds) and the raw body, concatenated, keyed with the subscription's ``secret``.
  Twitch says to refuse a message whose timestamp is more than 10 minutes old (replays); the
  ``tolerance`` setting (600 s by default) applies either way.
* ``Twitch-Eventsub-Message-Type``: ``webhook_callback_verification`` (the first message of a new
  subscription: answer ``200`` with the body's ``challenge`` as ``text/plain``, once the
  signature verifies), ``notification`` (an event), ``revocation`` (Twitch ended the
  subscription; any ``2xx`` acknowledges it).
* Twitch delivers at least once; a resent message keeps its message id, the dedupe key here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hookpoint import ChallengeResponse, EventInfo
from hookpoint.providerkit import (
    EventSpec,
    HmacScheme,
    ProviderSettings,
    SignedTemplate,
    SplitHeaderSignature,
    echo_challenge,
    handshake_json,
    header,
    signed_handshake,
    tolerance_field,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "MESSAGE_ID",
    "MESSAGE_TYPE",
    "REVOCATION",
    "SIGNATURE",
    "TwitchSettings",
    "challenge",
    "describe",
]

DEFAULT_TOLERANCE = 600
"""Twitch: "make sure the message isn't older than 10 minutes"."""

MESSAGE_ID = "Twitch-Eventsub-Message-Id"
MESSAGE_TYPE = "Twitch-Eventsub-Message-Type"
REVOCATION = "revocation"
"""The event type of a revocation (``subscription.type`` is kept in the ``subscription_type``
field), so jobs filtering on an event type never run for one by accident."""

SIGNATURE = SplitHeaderSignature(
    "Twitch-Eventsub-Message-Signature",
    "Twitch-Eventsub-Message-Timestamp",
    SignedTemplate("{id}{timestamp}{body}", HmacScheme(prefix="sha256="), unit="rfc3339"),
    tolerance=DEFAULT_TOLERANCE,
    part_headers={"id": MESSAGE_ID},
)

# EventSub subscription types (https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types),
# and "revocation". Unknown future types are passed through.
EVENT_TYPES: tuple[str, ...] = (
    "automod.message.hold",
    "automod.message.update",
    "automod.settings.update",
    "automod.terms.update",
    "channel.ad_break.begin",
    "channel.ban",
    "channel.channel_points_automatic_reward_redemption.add",
    "channel.channel_points_custom_reward.add",
    "channel.channel_points_custom_reward.remove",
    "channel.channel_points_custom_reward.update",
    "channel.channel_points_custom_reward_redemption.add",
    "channel.channel_points_custom_reward_redemption.update",
    "channel.charity_campaign.donate",
    "channel.charity_campaign.progress",
    "channel.charity_campaign.start",
    "channel.charity_campaign.stop",
    "channel.chat.clear",
    "channel.chat.clear_user_messages",
    "channel.chat.message",
    "channel.chat.message_delete",
    "channel.chat.notification",
    "channel.chat_settings.update",
    "channel.cheer",
    "channel.follow",
    "channel.goal.begin",
    "channel.goal.end",
    "channel.goal.progress",
    "channel.hype_train.begin",
    "channel.hype_train.end",
    "channel.hype_train.progress",
    "channel.moderate",
    "channel.moderator.add",
    "channel.moderator.remove",
    "channel.poll.begin",
    "channel.poll.end",
    "channel.poll.progress",
    "channel.prediction.begin",
    "channel.prediction.end",
    "channel.prediction.lock",
    "channel.prediction.progress",
    "channel.raid",
    "channel.shield_mode.begin",
    "channel.shield_mode.end",
    "channel.shoutout.create",
    "channel.shoutout.receive",
    "channel.subscribe",
    "channel.subscription.end",
    "channel.subscription.gift",
    "channel.subscription.message",
    "channel.unban",
    "channel.update",
    "channel.vip.add",
    "channel.vip.remove",
    "conduit.shard.disabled",
    "drop.entitlement.grant",
    "extension.bits_transaction.create",
    "stream.offline",
    "stream.online",
    "user.authorization.grant",
    "user.authorization.revoke",
    "user.update",
    "user.whisper.message",
    REVOCATION,
)

EVENT = EventSpec(
    type=("body:subscription.type",),
    id=(f"header:{MESSAGE_ID}",),
    time=("header:Twitch-Eventsub-Message-Timestamp",),
    fields={
        "message_type": f"header:{MESSAGE_TYPE}",
        "subscription_type": "body:subscription.type",
        "subscription_version": "body:subscription.version",
        "subscription_id": "body:subscription.id",
        "status": "body:subscription.status",
        "broadcaster_user_id": "body:subscription.condition.broadcaster_user_id",
        "retry": "header:Twitch-Eventsub-Message-Retry",
    },
)


class TwitchSettings(ProviderSettings):
    """Settings of a Twitch endpoint (each subscription's ``transport.secret`` goes in
    ``secrets=``; use one secret for all subscriptions sent to the endpoint)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE, what="Twitch-Eventsub-Message-Timestamp")


def challenge(
    request: WebhookRequest, settings: TwitchSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """``webhook_callback_verification``: answered with the challenge as ``text/plain`` once
    the signature verifies (against the request's arrival time), else ``401``. Anything else
    goes on to verification."""
    if header(request, MESSAGE_TYPE) != "webhook_callback_verification":
        return None
    data = handshake_json(request)
    value = data.get("challenge") if data is not None else None
    if not isinstance(value, str) or not value:
        return None
    return signed_handshake(
        SIGNATURE, request, settings, secrets, lambda secret: echo_challenge(value)
    )


def describe(request: WebhookRequest, settings: TwitchSettings) -> EventInfo:
    """``type`` = ``subscription.type`` (``revocation`` for a revocation), ``id`` = the message
    id, ``time`` = the message timestamp; fields: the message type, the subscription's type,
    version, id, status and broadcaster, the retry count."""
    if header(request, MESSAGE_TYPE) == REVOCATION:
        return EVENT.describe(request, type=REVOCATION)
    return EVENT.describe(request)
