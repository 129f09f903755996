"""Typed, tolerant models of Zendesk event webhook bodies
(https://developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types/).

``{"type": "zen:event-type:user.created", "id", "time", "account_id", "subject",
"zendesk_event_version", "detail": {...}, "event": {...}}``: ``detail`` is the user,
organization or ticket as it is now, ``event`` what changed (``previous``/``current``).
:func:`parse_payload` types ``detail`` by the type's domain. Trigger and automation webhooks
carry the admin's own JSON: :class:`ZendeskEvent` still parses any JSON object (every field is
optional, unknown keys are kept), with nothing typed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Detail",
    "Organization",
    "OrganizationEvent",
    "Ticket",
    "TicketEvent",
    "User",
    "UserEvent",
    "ZendeskEvent",
    "parse_payload",
]


class Detail(PayloadModel):
    id: str | int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    external_id: str | None = None


class User(Detail):
    email: str | None = None
    name: str | None = None
    role: str | None = None
    organization_id: str | int | None = None
    default_group_id: str | int | None = None


class Organization(Detail):
    name: str | None = None
    group_id: str | int | None = None


class Ticket(Detail):
    subject: str | None = None
    description: str | None = None
    status: str | None = None
    priority: str | None = None
    type: str | None = None
    requester_id: str | int | None = None
    assignee_id: str | int | None = None
    group_id: str | int | None = None
    organization_id: str | int | None = None
    brand_id: str | int | None = None
    via: dict[str, Any] | None = None
    tags: list[str] = Field(default_factory=list)


DetailT = TypeVar("DetailT", bound=Detail)


class ZendeskEvent(PayloadModel, Generic[DetailT]):
    """Any Zendesk webhook body; the event webhook fields typed when present."""

    type: str | None = None
    id: str | None = None
    time: datetime | None = None
    account_id: int | None = None
    subject: str | None = None
    zendesk_event_version: str | None = None
    detail: DetailT | None = None
    event: dict[str, Any] | None = None


UserEvent = ZendeskEvent[User]
OrganizationEvent = ZendeskEvent[Organization]
TicketEvent = ZendeskEvent[Ticket]


def _domain(body: dict[str, Any]) -> str | None:
    kind = body.get("type")
    if not isinstance(kind, str) or not kind.startswith("zen:event-type:"):
        return None
    return kind.removeprefix("zen:event-type:").partition(".")[0]


parse_payload = payload_parser(
    ZendeskEvent[Detail],
    {"user": UserEvent, "organization": OrganizationEvent, "ticket": TicketEvent},
    key_of=_domain,
)
"""Parse a decoded Zendesk body (``detail`` typed for user, organization and ticket events)."""
