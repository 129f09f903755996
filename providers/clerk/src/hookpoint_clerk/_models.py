"""Typed, tolerant models of Clerk webhook bodies.

Every Clerk event is ``{"object": "event", "type", "timestamp" (ms), "instance_id",
"event_attributes", "data"}``; ``data`` is the resource the event is about: a user for
``user.*``, a session for ``session.*``, an organization for ``organization.*``
(https://clerk.com/docs/guides/development/webhooks/overview). Clerk's times are Unix
milliseconds, read as aware datetimes. Every field is optional; unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser, text

__all__ = [
    "ClerkEmailAddress",
    "ClerkEvent",
    "ClerkOrganization",
    "ClerkOrganizationEvent",
    "ClerkSession",
    "ClerkSessionEvent",
    "ClerkUser",
    "ClerkUserEvent",
    "parse_payload",
]


class ClerkEvent(PayloadModel):
    """Any Clerk event (``organizationMembership.*``, ``email.created``, …: ``data`` stays a
    dict); the subclasses type ``data`` for the main resources."""

    object: str | None = None
    type: str | None = None
    instance_id: str | None = None
    timestamp: datetime | None = None
    event_attributes: dict[str, Any] | None = None
    data: dict[str, Any] | None = None


class ClerkEmailAddress(PayloadModel):
    id: str | None = None
    email_address: str | None = None
    verification: dict[str, Any] | None = None


class ClerkUser(PayloadModel):
    """``data`` of ``user.*`` (``user.deleted`` carries only ``id``, ``object``, ``deleted``)."""

    id: str | None = None
    object: str | None = None
    deleted: bool | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    image_url: str | None = None
    external_id: str | None = None
    primary_email_address_id: str | None = None
    email_addresses: list[ClerkEmailAddress] = Field(default_factory=list)
    public_metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def primary_email(self) -> str | None:
        """The address whose id is ``primary_email_address_id``."""
        primary = self.primary_email_address_id
        return next((e.email_address for e in self.email_addresses if e.id == primary), None)


class ClerkSession(PayloadModel):
    """``data`` of ``session.*``."""

    id: str | None = None
    object: str | None = None
    user_id: str | None = None
    client_id: str | None = None
    status: str | None = None
    last_active_at: datetime | None = None
    expire_at: datetime | None = None
    abandon_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ClerkOrganization(PayloadModel):
    """``data`` of ``organization.*``."""

    id: str | None = None
    object: str | None = None
    name: str | None = None
    slug: str | None = None
    created_by: str | None = None
    image_url: str | None = None
    public_metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ClerkUserEvent(ClerkEvent):
    data: ClerkUser | None = None  # type: ignore[assignment]


class ClerkSessionEvent(ClerkEvent):
    data: ClerkSession | None = None  # type: ignore[assignment]


class ClerkOrganizationEvent(ClerkEvent):
    data: ClerkOrganization | None = None  # type: ignore[assignment]


parse_payload = payload_parser(
    ClerkEvent,
    {"user": ClerkUserEvent, "session": ClerkSessionEvent, "organization": ClerkOrganizationEvent},
    key_of=lambda body: (text(body.get("type")) or "").partition(".")[0],
)
"""Parse a decoded body by its ``type``'s resource: ``user.created`` → :class:`ClerkUserEvent`,
``session.*`` → :class:`ClerkSessionEvent`, ``organization.*`` →
:class:`ClerkOrganizationEvent`, anything else → :class:`ClerkEvent`."""
