"""Typed, tolerant models of Standard Webhooks bodies.

The spec recommends ``{"type": "...", "timestamp": "<ISO-8601>", "data": {...}}``
(:class:`StandardWebhookEvent`); Clerk adds ``object``/``instance_id``/``event_attributes`` and a
millisecond ``timestamp`` (:class:`ClerkEvent`), Resend sends ``created_at`` and an email in
``data`` (:class:`ResendEvent`). Every field is optional; unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser, text

__all__ = [
    "ClerkEmailAddress",
    "ClerkEvent",
    "ClerkUser",
    "ClerkUserEvent",
    "ResendEmail",
    "ResendEvent",
    "StandardWebhookEvent",
    "parse_payload",
]


class StandardWebhookEvent(PayloadModel):
    """The payload structure the Standard Webhooks spec recommends."""

    type: str | None = None
    timestamp: datetime | None = None
    data: dict[str, Any] | None = None


class ClerkEmailAddress(PayloadModel):
    id: str | None = None
    email_address: str | None = None
    verification: dict[str, Any] | None = None


class ClerkUser(PayloadModel):
    """``data`` of Clerk's ``user.*`` events (``user.deleted`` has only ``id``/``deleted``)."""

    id: str | None = None
    object: str | None = None
    deleted: bool | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    image_url: str | None = None
    primary_email_address_id: str | None = None
    email_addresses: list[ClerkEmailAddress] = Field(default_factory=list)
    external_id: str | None = None
    public_metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def primary_email(self) -> str | None:
        return next(
            (
                e.email_address
                for e in self.email_addresses
                if e.id == self.primary_email_address_id
            ),
            None,
        )


class ClerkEvent(PayloadModel):
    """A Clerk webhook (``session.*``, ``organization.*``, …: ``data`` stays a dict)."""

    type: str | None = None
    object: str | None = None
    instance_id: str | None = None
    timestamp: datetime | None = None
    event_attributes: dict[str, Any] | None = None
    data: dict[str, Any] | None = None


class ClerkUserEvent(ClerkEvent):
    """Clerk's ``user.created|updated|deleted``: ``data`` is a :class:`ClerkUser`."""

    data: ClerkUser | None = None  # type: ignore[assignment]


class ResendEmail(PayloadModel):
    email_id: str | None = None
    created_at: datetime | None = None
    from_: str | None = Field(default=None, alias="from")
    to: list[str] = Field(default_factory=list)
    subject: str | None = None
    tags: dict[str, str] | list[dict[str, str]] | None = None
    bounce: dict[str, Any] | None = None
    click: dict[str, Any] | None = None


class ResendEvent(PayloadModel):
    """A Resend ``email.*`` webhook (``contact.*``/``domain.*`` parse as the spec's shape)."""

    type: str | None = None
    created_at: datetime | None = None
    data: ResendEmail | None = None


def _sender(data: dict[str, Any]) -> str | None:
    kind = text(data.get("type")) or ""
    if data.get("object") == "event" and "instance_id" in data:
        return "clerk_user" if kind.startswith("user.") else "clerk"
    if kind.startswith("email.") and "created_at" in data:
        return "resend"
    return None


parse_payload = payload_parser(
    StandardWebhookEvent,
    {"clerk": ClerkEvent, "clerk_user": ClerkUserEvent, "resend": ResendEvent},
    key_of=_sender,
)
"""Parse a decoded body: :class:`ClerkEvent`, :class:`ResendEvent` or the spec's shape."""
