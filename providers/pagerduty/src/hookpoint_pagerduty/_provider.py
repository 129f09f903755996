"""PagerDuty V3 webhook signatures and event description.

Sender behaviour (https://developer.pagerduty.com/docs/verifying-signatures and
https://developer.pagerduty.com/docs/webhooks-overview; their sources are
https://github.com/PagerDuty/developer-docs/blob/main/docs/webhooks/04-Signatures.md and
01-Overview.md):

* ``X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body>`` keyed with the subscription's
  signing secret. While a secret is rotated PagerDuty sends one ``v1=`` value per secret,
  comma-separated (``v1=abc,v1=def``): the delivery is genuine when **any** one matches.
* Nothing time-bound is signed, so there is no tolerance window; replays are stopped by the
  dedupe id, ``event.id``, which is inside the signed body and stays the same on a retry.
* The body is ``{"event": {"id", "event_type", "resource_type", "occurred_at", "agent",
  "client", "data"}}``; ``X-Webhook-Id`` and ``X-Webhook-Subscription`` name the delivery and
  the subscription.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hookpoint import Verification, signing
from hookpoint.providerkit import EventSpec, HeaderSignature, HmacScheme, ProviderSettings

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = ["EVENT", "EVENT_TYPES", "SIGNATURE", "PagerDutySettings", "verify"]

SIGNATURE = HeaderSignature("X-PagerDuty-Signature", HmacScheme(prefix="v1="))

# V3 event types (https://developer.pagerduty.com/docs/webhooks-overview#event-types);
# unknown future types are passed through.
EVENT_TYPES: tuple[str, ...] = (
    "incident.acknowledged",
    "incident.annotated",
    "incident.conference_bridge.updated",
    "incident.custom_field_values.updated",
    "incident.delegated",
    "incident.escalated",
    "incident.incident_type.changed",
    "incident.priority_updated",
    "incident.reassigned",
    "incident.reopened",
    "incident.resolved",
    "incident.responder.added",
    "incident.responder.replied",
    "incident.role.assigned",
    "incident.service_updated",
    "incident.status_update_published",
    "incident.triggered",
    "incident.unacknowledged",
    "incident.workflow.completed",
    "incident.workflow.started",
    "pagey.ping",
    "service.created",
    "service.deleted",
    "service.updated",
)

EVENT = EventSpec(
    type=("body:event.event_type",),
    id=("body:event.id",),
    time=("body:event.occurred_at",),
    fields={
        "resource_type": "body:event.resource_type",
        "resource_id": "body:event.data.id",
        "status": "body:event.data.status",
        "urgency": "body:event.data.urgency",
        "service_id": "body:event.data.service.id",
        "agent_id": "body:event.agent.id",
        "subscription": "header:X-Webhook-Subscription",
    },
)


class PagerDutySettings(ProviderSettings):
    """PagerDuty endpoints take no settings: the subscription's signing secret goes in
    ``secrets=`` (during a rotation, both the old and the new one)."""


def verify(
    request: WebhookRequest, settings: PagerDutySettings, secrets: Sequence[str], now: float
) -> Verification:
    """Every ``v1=`` value of every ``X-PagerDuty-Signature`` header × every secret."""
    values = [
        part
        for value in request.headers.getlist(SIGNATURE.header)
        for part in value.split(",")
        if part.strip()
    ]
    if not values:
        return Verification.refused(signing.REASON_MISSING)
    return SIGNATURE.scheme.verify(request.body, values, secrets)
