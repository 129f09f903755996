"""Calendly's webhook signature and event description.

Sender behaviour: https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures
and https://developer.calendly.com/docs/webhooks/overview.

``Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex>`` where ``v1`` is the hex HMAC-SHA256
of ``"{t}.{raw body}"`` keyed with the subscription's webhook signing key (chosen when the
subscription is created with a personal access token, generated for OAuth apps). Calendly's
docs recommend rejecting signatures older than three minutes; Hookpoint applies that tolerance
(setting ``tolerance``) in both directions, as for every timestamped scheme.

Calendly sends no delivery id. The dedupe id is ``"{event}:{payload.uri}"``: the resource URI
(the invitee, the no-show, the routing form submission) is unique per resource and the event
name tells ``invitee.created`` from ``invitee.canceled`` of the same invitee. A redelivery of
the same event therefore dedupes; bodies without a ``payload.uri`` fall back to a digest of the
body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookpoint import EventInfo
from hookpoint.providerkit import (
    EventSpec,
    PairHeaderSignature,
    ProviderSettings,
    SignedTemplate,
    json_object,
    lookup,
    text,
    tolerance_field,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT",
    "EVENT_TYPES",
    "SIGNATURE",
    "CalendlySettings",
    "dedupe_id",
    "describe",
]

DEFAULT_TOLERANCE = 180
SIGNATURE = PairHeaderSignature(
    "Calendly-Webhook-Signature", SignedTemplate("{timestamp}.{body}"), tolerance=DEFAULT_TOLERANCE
)

EVENT = EventSpec(
    type=("body:event",),
    time=("body:created_at",),
    fields={
        "created_by": "body:created_by",
        "uri": "body:payload.uri",
        "email": "body:payload.email",
        "status": "body:payload.status",
        "rescheduled": "body:payload.rescheduled",
        "event_type": "body:payload.scheduled_event.event_type",
    },
)

# Webhook events Calendly documents (https://developer.calendly.com/docs/webhooks/overview);
# unknown ones pass through.
EVENT_TYPES: tuple[str, ...] = (
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
    "routing_form_submission.created",
)


class CalendlySettings(ProviderSettings):
    """Settings of a Calendly endpoint (the webhook signing key goes in ``secrets=``)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE, what="the signed t= timestamp")


def dedupe_id(request: WebhookRequest) -> str | None:
    """``"{event}:{payload.uri}"``, or None when the body names neither."""
    body = json_object(request)
    event, uri = text(lookup(body, "event")), text(lookup(body, "payload.uri"))
    return f"{event}:{uri}" if event and uri else None


SCHEDULED_EVENT = ("body:payload.scheduled_event.uri", "body:payload.event")
"""The scheduled event's URI: embedded in current bodies, ``payload.event`` in the older shape
of Calendly's published examples."""


def describe(request: WebhookRequest, settings: CalendlySettings) -> EventInfo:
    extra = {"scheduled_event": text(EVENT.first(request, SCHEDULED_EVENT, json_object(request)))}
    event_id = dedupe_id(request)
    if event_id:
        return EVENT.describe(request, id=event_id, extra=extra)
    return EVENT.describe(request, extra=extra)
