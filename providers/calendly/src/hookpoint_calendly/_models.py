"""Typed, tolerant models of Calendly webhook bodies
(https://developer.calendly.com/docs/webhooks/overview).

``{"event": "invitee.created", "created_at": <ISO 8601>, "created_by": <user URI>,
"payload": {…}}``; for ``invitee.*`` events ``payload`` is the Invitee resource with its
``scheduled_event`` embedded (or, in the older shape of Calendly's published examples, only
its URI in ``event``), for ``invitee_no_show.*`` a no-show, for
``routing_form_submission.created`` a :class:`RoutingFormSubmission`. Every field is optional;
unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "CalendlyResource",
    "CalendlyWebhook",
    "Cancellation",
    "Invitee",
    "InviteeWebhook",
    "QuestionAndAnswer",
    "RoutingFormSubmission",
    "RoutingFormSubmissionWebhook",
    "ScheduledEvent",
    "parse_payload",
]


class CalendlyResource(PayloadModel):
    """Any Calendly resource: its ``uri`` and timestamps."""

    uri: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Cancellation(PayloadModel):
    canceled_by: str | None = None
    reason: str | None = None
    canceler_type: str | None = None
    created_at: datetime | None = None


class QuestionAndAnswer(PayloadModel):
    question: str | None = None
    answer: str | None = None
    position: int | None = None
    question_uuid: str | None = None


class ScheduledEvent(CalendlyResource):
    name: str | None = None
    status: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    event_type: str | None = None
    location: dict[str, Any] | None = None
    invitees_counter: dict[str, Any] | None = None
    event_memberships: list[dict[str, Any]] = Field(default_factory=list)
    event_guests: list[dict[str, Any]] = Field(default_factory=list)
    cancellation: Cancellation | None = None


class Invitee(CalendlyResource):
    email: str | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    status: str | None = None
    timezone: str | None = None
    event: str | None = None
    """The scheduled event's URI."""
    scheduled_event: ScheduledEvent | None = None
    questions_and_answers: list[QuestionAndAnswer] = Field(default_factory=list)
    cancel_url: str | None = None
    reschedule_url: str | None = None
    rescheduled: bool | None = None
    old_invitee: str | None = None
    new_invitee: str | None = None
    cancellation: Cancellation | None = None
    tracking: dict[str, Any] | None = None
    text_reminder_number: str | None = None
    no_show: dict[str, Any] | None = None
    payment: dict[str, Any] | None = None
    routing_form_submission: str | None = None


class RoutingFormSubmission(CalendlyResource):
    routing_form: str | None = None
    questions_and_answers: list[QuestionAndAnswer] = Field(default_factory=list)
    tracking: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    """Where the form routed: ``{"type": "event_type", "value": <event type URI>}``, …"""
    submitter: str | None = None
    submitter_type: str | None = None


P = TypeVar("P", bound=CalendlyResource)


class CalendlyWebhook(PayloadModel, Generic[P]):
    """Any Calendly webhook, generic in ``payload``."""

    event: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    payload: P | None = None


InviteeWebhook = CalendlyWebhook[Invitee]
"""``invitee.created`` / ``invitee.canceled``"""

RoutingFormSubmissionWebhook = CalendlyWebhook[RoutingFormSubmission]
"""``routing_form_submission.created``"""

parse_payload = payload_parser(
    CalendlyWebhook[CalendlyResource],
    {
        "invitee.created": InviteeWebhook,
        "invitee.canceled": InviteeWebhook,
        "routing_form_submission.created": RoutingFormSubmissionWebhook,
    },
    key="event",
)
"""Parse a decoded Calendly body (``payload`` typed as :class:`Invitee` for ``invitee.*``, as
:class:`RoutingFormSubmission` for ``routing_form_submission.created``)."""
