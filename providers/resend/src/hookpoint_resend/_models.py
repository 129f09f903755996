"""Typed, tolerant models of Resend webhook bodies.

Every Resend event is ``{"type", "created_at" (ISO 8601), "data"}``; for ``email.*`` events
``data`` is the email (``email_id``, ``from``, ``to``, ``subject``, ``tags``), with ``bounce``
on ``email.bounced`` and ``click`` on ``email.clicked``
(https://resend.com/docs/dashboard/webhooks/event-types). Every field is optional; unknown
keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser, text

__all__ = [
    "ResendBounce",
    "ResendClick",
    "ResendEmail",
    "ResendEmailEvent",
    "ResendEvent",
    "parse_payload",
]


class ResendEvent(PayloadModel):
    """Any Resend event (``contact.*``, ``domain.*``: ``data`` stays a dict)."""

    type: str | None = None
    created_at: datetime | None = None
    data: dict[str, Any] | None = None


class ResendBounce(PayloadModel):
    """``data.bounce`` of ``email.bounced``: ``type`` ``Permanent``/``Transient``."""

    type: str | None = None
    sub_type: str | None = Field(default=None, alias="subType")
    message: str | None = None


class ResendClick(PayloadModel):
    """``data.click`` of ``email.clicked``."""

    link: str | None = None
    timestamp: datetime | None = None
    ip_address: str | None = Field(default=None, alias="ipAddress")
    user_agent: str | None = Field(default=None, alias="userAgent")


class ResendEmail(PayloadModel):
    """``data`` of ``email.*``."""

    email_id: str | None = None
    broadcast_id: str | None = None
    created_at: datetime | None = None
    from_: str | None = Field(default=None, alias="from")
    to: list[str] = Field(default_factory=list)
    subject: str | None = None
    tags: dict[str, str] | list[dict[str, str]] | None = None
    bounce: ResendBounce | None = None
    click: ResendClick | None = None


class ResendEmailEvent(ResendEvent):
    """``email.sent``, ``email.delivered``, ``email.bounced``, …: ``data`` is the email."""

    data: ResendEmail | None = None  # type: ignore[assignment]


parse_payload = payload_parser(
    ResendEvent,
    {"email": ResendEmailEvent},
    key_of=lambda body: (text(body.get("type")) or "").partition(".")[0],
)
"""Parse a decoded body: ``email.*`` → :class:`ResendEmailEvent`, else :class:`ResendEvent`."""
