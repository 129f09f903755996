"""Typed, tolerant models of Mailgun webhook bodies.

The current webhooks POST JSON ``{"signature": {...}, "event-data": {...}}``
(https://documentation.mailgun.com/docs/mailgun/user-manual/events/webhooks). Attribute names are
snake_case; Mailgun's dashed keys (``event-data``, ``delivery-status``…) are aliases. Unknown
keys are kept (``extra="allow"``). Legacy form-encoded webhooks and inbound routes are not JSON
and have no model: read them with ``request.form()``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "DeliveryStatus",
    "EventData",
    "MailgunSignature",
    "MailgunWebhook",
    "Message",
    "parse_payload",
]


class MailgunSignature(PayloadModel):
    timestamp: str | None = None
    token: str | None = None
    signature: str | None = None
    parent_signature: str | None = Field(default=None, alias="parent-signature")
    """Only on a subaccount's events: the same HMAC made with the parent account's key."""


class Message(PayloadModel):
    headers: dict[str, Any] = Field(default_factory=dict)
    """``message-id``, ``from``, ``to``, ``subject``."""
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    size: int | None = None

    @property
    def message_id(self) -> str | None:
        value = self.headers.get("message-id")
        return value if isinstance(value, str) else None


class DeliveryStatus(PayloadModel):
    code: int | None = None
    message: str | None = None
    description: str | None = None
    attempt_no: int | None = Field(default=None, alias="attempt-no")
    retry_seconds: int | None = Field(default=None, alias="retry-seconds")
    session_seconds: float | None = Field(default=None, alias="session-seconds")
    mx_host: str | None = Field(default=None, alias="mx-host")
    tls: bool | None = None


class EventData(PayloadModel):
    """One event: ``accepted``, ``delivered``, ``failed``, ``opened``, ``clicked``…"""

    id: str | None = None
    timestamp: datetime | float | None = Field(default=None, union_mode="left_to_right")
    event: str | None = None
    severity: str | None = None
    """``failed`` events: ``temporary`` (will be retried) or ``permanent``."""
    reason: str | None = None
    log_level: str | None = Field(default=None, alias="log-level")
    recipient: str | None = None
    recipient_domain: str | None = Field(default=None, alias="recipient-domain")
    message: Message | None = None
    delivery_status: DeliveryStatus | None = Field(default=None, alias="delivery-status")
    envelope: dict[str, Any] = Field(default_factory=dict)
    flags: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    user_variables: dict[str, Any] = Field(default_factory=dict, alias="user-variables")
    url: str | None = None
    """The clicked link (``clicked`` events)."""
    ip: str | None = None
    geolocation: dict[str, Any] | None = None
    client_info: dict[str, Any] | None = Field(default=None, alias="client-info")


class MailgunWebhook(PayloadModel):
    signature: MailgunSignature | None = None
    event_data: EventData | None = Field(default=None, alias="event-data")


_parse = payload_parser(MailgunWebhook)


def parse_payload(data: Any) -> MailgunWebhook:
    """Parse a decoded Mailgun JSON body; ``ValueError`` when it is not a JSON object."""
    return cast("MailgunWebhook", _parse(data))
