"""Typed, tolerant models of PagerDuty V3 webhook bodies
(https://developer.pagerduty.com/docs/webhooks-overview#webhook-payload).

``{"event": {"id", "event_type", "resource_type", "occurred_at", "agent", "client", "data"}}``;
``data`` is an ``incident``, ``incident_note``, ``incident_responder``,
``incident_status_update`` or ``service`` object, named by ``data.type``, and
:func:`parse_payload` types it by that name. Every field is optional; unknown keys are
kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Incident",
    "IncidentNote",
    "IncidentResponder",
    "IncidentStatusUpdate",
    "IncidentWebhook",
    "PagerDutyEvent",
    "PagerDutyWebhook",
    "Reference",
    "Resource",
    "Service",
    "ServiceWebhook",
    "parse_payload",
]


class Reference(PayloadModel):
    """A ``*_reference`` object (``agent``, ``service``, ``assignees[]``, ``priority``...)."""

    id: str | None = None
    type: str | None = None
    summary: str | None = None
    self: str | None = None
    html_url: str | None = None


class Resource(PayloadModel):
    id: str | None = None
    type: str | None = None
    self: str | None = None
    html_url: str | None = None


class Incident(Resource):
    number: int | None = None
    status: str | None = None
    incident_key: str | None = None
    created_at: datetime | None = None
    title: str | None = None
    urgency: str | None = None
    service: Reference | None = None
    assignees: list[Reference] = Field(default_factory=list)
    escalation_policy: Reference | None = None
    teams: list[Reference] = Field(default_factory=list)
    priority: Reference | None = None
    conference_bridge: dict[str, Any] | None = None
    resolve_reason: Any = None


class IncidentNote(Resource):
    """``incident.annotated``."""

    incident: Reference | None = None
    content: str | None = None
    trimmed: bool | None = None


class IncidentStatusUpdate(Resource):
    """``incident.status_update_published``."""

    incident: Reference | None = None
    message: str | None = None
    trimmed: bool | None = None


class IncidentResponder(Resource):
    """``incident.responder.added`` / ``incident.responder.replied``."""

    incident: Reference | None = None
    user: Reference | None = None
    escalation_policy: Reference | None = None
    message: str | None = None
    state: str | None = None


class Service(Resource):
    name: str | None = None
    description: str | None = None
    summary: str | None = None
    status: str | None = None
    escalation_policy: Reference | None = None
    teams: list[Reference] = Field(default_factory=list)


ResourceT = TypeVar("ResourceT", bound=Resource)


class PagerDutyEvent(PayloadModel, Generic[ResourceT]):
    id: str | None = None
    event_type: str | None = None
    resource_type: str | None = None
    occurred_at: datetime | None = None
    agent: Reference | None = None
    client: dict[str, Any] | None = None
    data: ResourceT | None = None


class PagerDutyWebhook(PayloadModel, Generic[ResourceT]):
    """Any V3 delivery: one ``event``."""

    event: PagerDutyEvent[ResourceT] | None = None


IncidentWebhook = PagerDutyWebhook[Incident]
ServiceWebhook = PagerDutyWebhook[Service]

parse_payload = payload_parser(
    PagerDutyWebhook[Resource],
    {
        "incident": IncidentWebhook,
        "incident_note": PagerDutyWebhook[IncidentNote],
        "incident_responder": PagerDutyWebhook[IncidentResponder],
        "incident_status_update": PagerDutyWebhook[IncidentStatusUpdate],
        "service": ServiceWebhook,
    },
    key="event.data.type",
)
"""Parse a decoded V3 body, ``event.data`` typed by ``event.data.type``."""
