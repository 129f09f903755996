"""Typed, tolerant models of Intercom webhook notifications.

Shape after Intercom's webhook model (https://developers.intercom.com/docs/references/webhooks/webhook-models):
a ``notification_event`` envelope whose ``data.item`` is the object the topic is about (a
conversation, contact, company, ticket…). Every model keeps unknown keys (``extra="allow"``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = ["IntercomNotification", "NotificationData", "NotificationItem", "parse_payload"]


class IntercomModel(PayloadModel):
    """Base of the Intercom models: unknown keys kept."""


class NotificationItem(IntercomModel):
    """The object a notification is about; its own fields are kept as extra fields."""

    type: str | None = None
    id: str | int | None = None
    created_at: datetime | int | None = Field(default=None, union_mode="left_to_right")
    updated_at: datetime | int | None = Field(default=None, union_mode="left_to_right")


class NotificationData(IntercomModel):
    type: str | None = None
    item: NotificationItem | None = None


class IntercomNotification(IntercomModel):
    """``{"type": "notification_event", "id": "notif_…", "topic": "…", "data": {"item": …}}``."""

    type: str | None = None
    id: str | None = None
    topic: str | None = None
    app_id: str | None = None
    data: NotificationData | None = None
    delivery_status: str | None = None
    delivery_attempts: int | None = None
    delivered_at: int | None = None
    first_sent_at: datetime | int | None = Field(default=None, union_mode="left_to_right")
    created_at: datetime | int | None = Field(default=None, union_mode="left_to_right")

    @property
    def item(self) -> NotificationItem | None:
        """``data.item``: the conversation, contact, ticket… the topic is about."""
        return self.data.item if self.data is not None else None


_parse = payload_parser(IntercomNotification)


def parse_payload(data: Any) -> IntercomNotification:
    """Parse a decoded Intercom JSON body; ``ValueError`` when it is not a JSON object."""
    return cast("IntercomNotification", _parse(data))
