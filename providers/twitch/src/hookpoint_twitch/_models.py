"""Typed, tolerant models of Twitch EventSub webhook bodies
(https://dev.twitch.tv/docs/eventsub/eventsub-reference).

Every body has a ``subscription``; a notification adds ``event`` (or ``events`` for batched
subscriptions), the callback verification adds ``challenge``, a revocation has only the
subscription (its ``status`` says why). :func:`parse_payload` (``request.event_model()``) picks
:class:`CallbackVerification`, :class:`Revocation` or the notification model of the
subscription type (a typed ``event`` for ``stream.online``, ``stream.offline``,
``channel.follow``, ``channel.subscribe``, ``channel.cheer``, ``channel.raid`` and
``channel.channel_points_custom_reward_redemption.add``; :class:`Notification` with a dict
``event`` for the others). Every field is optional; unknown keys are kept (``model_extra``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "CallbackVerification",
    "ChannelCheerEvent",
    "ChannelCheerNotification",
    "ChannelFollowEvent",
    "ChannelFollowNotification",
    "ChannelRaidEvent",
    "ChannelRaidNotification",
    "ChannelSubscribeEvent",
    "ChannelSubscribeNotification",
    "Notification",
    "RedemptionAddEvent",
    "RedemptionAddNotification",
    "Revocation",
    "StreamOfflineEvent",
    "StreamOfflineNotification",
    "StreamOnlineEvent",
    "StreamOnlineNotification",
    "Subscription",
    "Transport",
    "TwitchMessage",
    "parse_payload",
]


class Transport(PayloadModel):
    method: str | None = None
    callback: str | None = None


class Subscription(PayloadModel):
    """The EventSub subscription a message belongs to."""

    id: str | None = None
    status: str | None = None
    """``enabled``; for a revocation the reason (``authorization_revoked``, ``user_removed``,
    ``notification_failures_exceeded``, ``version_removed``)."""
    type: str | None = None
    version: str | None = None
    cost: int | None = None
    condition: dict[str, Any] = Field(default_factory=dict)
    transport: Transport | None = None
    created_at: datetime | None = None


class TwitchMessage(PayloadModel):
    """Any EventSub webhook body."""

    subscription: Subscription | None = None


class CallbackVerification(TwitchMessage):
    """``webhook_callback_verification``: answered with ``challenge`` (the handshake)."""

    challenge: str | None = None


class Revocation(TwitchMessage):
    """``revocation``: Twitch ended the subscription; ``subscription.status`` says why."""


class Notification(TwitchMessage):
    """``notification``: an event (``events`` for a batched subscription)."""

    event: dict[str, Any] | None = None
    events: list[dict[str, Any]] | None = None


class _Broadcaster(PayloadModel):
    broadcaster_user_id: str | None = None
    broadcaster_user_login: str | None = None
    broadcaster_user_name: str | None = None


class StreamOnlineEvent(_Broadcaster):
    id: str | None = None
    type: str | None = None
    started_at: datetime | None = None


class StreamOfflineEvent(_Broadcaster):
    pass


class ChannelFollowEvent(_Broadcaster):
    user_id: str | None = None
    user_login: str | None = None
    user_name: str | None = None
    followed_at: datetime | None = None


class ChannelSubscribeEvent(_Broadcaster):
    user_id: str | None = None
    user_login: str | None = None
    user_name: str | None = None
    tier: str | None = None
    is_gift: bool | None = None


class ChannelCheerEvent(_Broadcaster):
    is_anonymous: bool | None = None
    user_id: str | None = None
    user_login: str | None = None
    user_name: str | None = None
    message: str | None = None
    bits: int | None = None


class ChannelRaidEvent(PayloadModel):
    from_broadcaster_user_id: str | None = None
    from_broadcaster_user_login: str | None = None
    from_broadcaster_user_name: str | None = None
    to_broadcaster_user_id: str | None = None
    to_broadcaster_user_login: str | None = None
    to_broadcaster_user_name: str | None = None
    viewers: int | None = None


class RedemptionAddEvent(_Broadcaster):
    id: str | None = None
    user_id: str | None = None
    user_login: str | None = None
    user_name: str | None = None
    user_input: str | None = None
    status: str | None = None
    reward: dict[str, Any] | None = None
    redeemed_at: datetime | None = None


class StreamOnlineNotification(Notification):
    event: StreamOnlineEvent | None = None  # type: ignore[assignment]


class StreamOfflineNotification(Notification):
    event: StreamOfflineEvent | None = None  # type: ignore[assignment]


class ChannelFollowNotification(Notification):
    event: ChannelFollowEvent | None = None  # type: ignore[assignment]


class ChannelSubscribeNotification(Notification):
    event: ChannelSubscribeEvent | None = None  # type: ignore[assignment]


class ChannelCheerNotification(Notification):
    event: ChannelCheerEvent | None = None  # type: ignore[assignment]


class ChannelRaidNotification(Notification):
    event: ChannelRaidEvent | None = None  # type: ignore[assignment]


class RedemptionAddNotification(Notification):
    event: RedemptionAddEvent | None = None  # type: ignore[assignment]


_NOTIFICATIONS: dict[str, type[Notification]] = {
    "stream.online": StreamOnlineNotification,
    "stream.offline": StreamOfflineNotification,
    "channel.follow": ChannelFollowNotification,
    "channel.subscribe": ChannelSubscribeNotification,
    "channel.cheer": ChannelCheerNotification,
    "channel.raid": ChannelRaidNotification,
    "channel.channel_points_custom_reward_redemption.add": RedemptionAddNotification,
}


def _kind(data: dict[str, Any]) -> str | None:
    if "challenge" in data:
        return "challenge"
    if "event" not in data and "events" not in data:
        return "revocation"
    subscription = data.get("subscription")
    kind = subscription.get("type") if isinstance(subscription, dict) else None
    return kind if isinstance(kind, str) and kind in _NOTIFICATIONS else "notification"


parse_payload = payload_parser(
    Notification,
    {"challenge": CallbackVerification, "revocation": Revocation, **_NOTIFICATIONS},
    key_of=_kind,
)
"""Parse a decoded EventSub body into its model (see the module documentation)."""
