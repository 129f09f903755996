"""Typed, tolerant models of SendGrid Event Webhook bodies.

A delivery is a JSON **array** of events (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event).
Every model keeps unknown keys (``extra="allow"``): custom arguments (``unique_args``) arrive as
extra top-level keys of each event.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hookpoint.providerkit import PayloadBatch

__all__ = ["EventBatch", "SendGridEvent", "parse_payload"]


class SendGridEvent(BaseModel):
    """One event: ``processed``, ``delivered``, ``open``, ``click``, ``bounce``…"""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    email: str | None = None
    timestamp: int | None = None
    event: str | None = None
    sg_event_id: str | None = None
    sg_message_id: str | None = None
    smtp_id: str | None = Field(default=None, alias="smtp-id")
    category: list[str] | str | None = None
    reason: str | None = None
    status: str | None = None
    response: str | None = None
    attempt: str | None = None
    type: str | None = None
    url: str | None = None
    useragent: str | None = None
    ip: str | None = None
    asm_group_id: int | None = None
    bounce_classification: str | None = None
    marketing_campaign_id: int | str | None = None


class EventBatch(PayloadBatch[SendGridEvent]):
    """The whole body: a list of :class:`SendGridEvent` (iterate it, or ``batch.root``)."""


parse_payload = EventBatch.parse
"""Parse a decoded SendGrid body (a JSON array of event objects); ``ValueError`` otherwise."""
