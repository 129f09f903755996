"""Typed, tolerant models of LINE Messaging API webhook bodies.

``{"destination": "U...", "events": [{"type", "mode", "timestamp", "source",
"webhookEventId", "deliveryContext": {"isRedelivery"}, "replyToken"?, "message"?,
"postback"?, ...}]}`` (https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects).
camelCase JSON keys, snake_case attributes; every field is optional and unknown keys are kept.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "DeliveryContext",
    "LineEvent",
    "LineMessage",
    "LineModel",
    "LineWebhook",
    "Postback",
    "Source",
    "parse_payload",
]


class LineModel(PayloadModel):
    model_config = ConfigDict(alias_generator=to_camel)


class Source(LineModel):
    """Who the event came from: ``type`` is ``user``, ``group`` or ``room``."""

    type: str | None = None
    user_id: str | None = None
    group_id: str | None = None
    room_id: str | None = None


class DeliveryContext(LineModel):
    is_redelivery: bool | None = None


class LineMessage(LineModel):
    """A message event's ``message``: ``type`` is ``text``, ``image``, ``video``, ``audio``,
    ``file``, ``location``, ``sticker``…; fetch media content by ``id``."""

    id: str | None = None
    type: str | None = None
    text: str | None = None
    quote_token: str | None = None
    quoted_message_id: str | None = None
    emojis: list[dict[str, Any]] = Field(default_factory=list)
    mention: dict[str, Any] | None = None
    content_provider: dict[str, Any] | None = None
    duration: int | None = None
    file_name: str | None = None
    file_size: int | None = None
    title: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    package_id: str | None = None
    sticker_id: str | None = None
    sticker_resource_type: str | None = None
    keywords: list[str] = Field(default_factory=list)


class Postback(LineModel):
    data: str | None = None
    params: dict[str, Any] | None = None


class LineEvent(LineModel):
    type: str | None = None
    mode: str | None = None
    """``active``, or ``standby`` when another channel handles the chat (do not reply)."""
    timestamp: int | None = None
    """Milliseconds since the epoch."""
    source: Source | None = None
    webhook_event_id: str | None = None
    delivery_context: DeliveryContext | None = None
    reply_token: str | None = None
    message: LineMessage | None = None
    postback: Postback | None = None
    unsend: dict[str, Any] | None = None
    follow: dict[str, Any] | None = None
    joined: dict[str, Any] | None = None
    left: dict[str, Any] | None = None
    beacon: dict[str, Any] | None = None
    link: dict[str, Any] | None = None
    things: dict[str, Any] | None = None
    video_play_complete: dict[str, Any] | None = None

    @property
    def is_redelivery(self) -> bool:
        return bool(self.delivery_context and self.delivery_context.is_redelivery)


class LineWebhook(LineModel):
    """A whole delivery. ``events`` is empty for LINE's URL check."""

    destination: str | None = None
    """The bot's user id."""
    events: list[LineEvent] = Field(default_factory=list)

    def messages(self, *types: str) -> list[LineEvent]:
        """The ``message`` events, only those of the given message ``types`` when any."""
        return [
            event
            for event in self.events
            if event.type == "message"
            and event.message is not None
            and (not types or event.message.type in types)
        ]


parse_payload = payload_parser(LineWebhook)
"""Parse a decoded LINE body into a :class:`LineWebhook`."""
