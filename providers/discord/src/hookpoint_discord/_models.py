"""Typed, tolerant models of Discord interaction and webhook-event bodies.

Two kinds of endpoint share this provider (both signed the same way):

* the **Interactions Endpoint URL** receives :class:`Interaction` objects
  (https://discord.com/developers/docs/interactions/receiving-and-responding);
* the **Webhook Events URL** receives :class:`WebhookEventBody` envelopes
  (https://discord.com/developers/docs/events/webhook-events).

Every model keeps unknown keys (``extra="allow"``) and every field is optional.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any, TypeAlias, cast

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "DiscordPayload",
    "DiscordUser",
    "Interaction",
    "InteractionData",
    "InteractionType",
    "Member",
    "WebhookEvent",
    "WebhookEventBody",
    "parse_payload",
]


class InteractionType(IntEnum):
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    APPLICATION_COMMAND_AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class DiscordModel(PayloadModel):
    """Base of the Discord models: unknown keys kept."""


class DiscordUser(DiscordModel):
    id: str | None = None
    username: str | None = None
    global_name: str | None = None
    discriminator: str | None = None
    avatar: str | None = None
    bot: bool | None = None


class Member(DiscordModel):
    user: DiscordUser | None = None
    nick: str | None = None
    roles: list[str] = Field(default_factory=list)
    permissions: str | None = None
    joined_at: datetime | str | None = Field(default=None, union_mode="left_to_right")


class InteractionData(DiscordModel):
    """``data`` of a command (``name``, ``options``), component (``custom_id``) or modal."""

    id: str | None = None
    name: str | None = None
    type: int | None = None
    options: list[dict[str, Any]] = Field(default_factory=list)
    resolved: dict[str, Any] | None = None
    custom_id: str | None = None
    component_type: int | None = None
    values: list[str] = Field(default_factory=list)
    components: list[dict[str, Any]] = Field(default_factory=list)


class Interaction(DiscordModel):
    id: str | None = None
    application_id: str | None = None
    type: int | None = None
    data: InteractionData | None = None
    guild_id: str | None = None
    channel_id: str | None = None
    channel: dict[str, Any] | None = None
    member: Member | None = None
    user: DiscordUser | None = None
    token: str | None = None
    """The interaction token: answer or follow up through
    ``/webhooks/{application_id}/{token}`` (valid for 15 minutes)."""
    version: int | None = None
    message: dict[str, Any] | None = None
    app_permissions: str | None = None
    locale: str | None = None
    guild_locale: str | None = None
    entitlements: list[dict[str, Any]] = Field(default_factory=list)
    context: int | None = None

    @property
    def invoker(self) -> DiscordUser | None:
        """Who triggered it: ``member.user`` in a guild, ``user`` in a DM."""
        if self.member is not None and self.member.user is not None:
            return self.member.user
        return self.user


class WebhookEvent(DiscordModel):
    type: str | None = None
    timestamp: datetime | str | None = Field(default=None, union_mode="left_to_right")
    data: dict[str, Any] | None = None


class WebhookEventBody(DiscordModel):
    """``{"version": 1, "application_id": …, "type": 0 (PING) | 1 (event), "event": {…}}``."""

    version: int | None = None
    application_id: str | None = None
    type: int | None = None
    event: WebhookEvent | None = None


DiscordPayload: TypeAlias = Interaction | WebhookEventBody


def _kind(data: dict[str, Any]) -> str:
    return "events" if isinstance(data.get("event"), dict) or data.get("type") == 0 else ""


_parse = payload_parser(Interaction, {"events": WebhookEventBody}, key_of=_kind)


def parse_payload(data: Any) -> DiscordPayload:
    """Parse a decoded Discord body: a :class:`WebhookEventBody` when it has an ``event`` object (or
    is the events PING, ``type`` 0), else an :class:`Interaction`; ``ValueError`` when it is not a
    JSON object."""
    return cast("DiscordPayload", _parse(data))
