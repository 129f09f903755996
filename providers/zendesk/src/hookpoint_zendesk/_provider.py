"""Zendesk webhook signatures and event description.

Sender behaviour (https://developer.zendesk.com/documentation/webhooks/verifying/ and
https://developer.zendesk.com/documentation/webhooks/anatomy-of-a-webhook-request/):

* ``X-Zendesk-Webhook-Signature`` = base64 HMAC-SHA256 of ``timestamp + raw body`` (no
  separator) keyed with the webhook's signing secret, used as text (it is not base64-decoded);
  ``X-Zendesk-Webhook-Signature-Timestamp`` is that timestamp, an RFC 3339 UTC date-time
  (``2021-06-03T21:13:54Z``). A request without a body signs the timestamp alone.
* Deliveries sent with **Test webhook** in Admin Center are signed with a fixed, published test
  secret (:data:`TEST_SIGNING_SECRET`), never with the webhook's own: add it to the endpoint's
  secrets only while testing.
* Zendesk documents no replay window. Hookpoint rejects timestamps more than
  :data:`DEFAULT_TOLERANCE` (10 minutes) from now in either direction: long enough for Zendesk's
  retries of a timed-out or refused request, short for a replay (setting ``tolerance``).
* Event webhooks (subscribed to ``zen:event-type:*`` events) have a fixed body with ``type``,
  ``id``, ``time``, ``subject``, ``account_id`` and ``detail``. Trigger and automation webhooks
  send whatever body the admin wrote: no type or time can be read from them, and the dedupe id
  is the ``X-Zendesk-Webhook-Invocation-Id`` header (one per invocation, the same on its
  retries; like GitHub's delivery id it is not signed, so the signed timestamp window is what
  keeps a replay under a new id out).
"""

from __future__ import annotations

from hookpoint.providerkit import (
    EventSpec,
    HmacScheme,
    ProviderSettings,
    SignedTemplate,
    SplitHeaderSignature,
    tolerance_field,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT",
    "EVENT_TYPES",
    "SIGNATURE",
    "TEST_SIGNING_SECRET",
    "ZendeskSettings",
]

DEFAULT_TOLERANCE = 600
TEST_SIGNING_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3RpbmdfcHVycG9zZXNfb25seQ=="  # noqa: S105
"""The secret Zendesk signs **Test webhook** deliveries with (published in the verifying docs)."""

SIGNATURE = SplitHeaderSignature(
    "X-Zendesk-Webhook-Signature",
    "X-Zendesk-Webhook-Signature-Timestamp",
    SignedTemplate("{timestamp}{body}", HmacScheme(encoding="base64"), unit="rfc3339"),
    tolerance=DEFAULT_TOLERANCE,
)

# Event webhook types (https://developer.zendesk.com/api-reference/webhooks/event-types/
# webhook-event-types/); unknown future types are passed through.
EVENT_TYPES: tuple[str, ...] = tuple(
    f"zen:event-type:{name}"
    for name in (
        "organization.created",
        "organization.deleted",
        "organization.external_id_changed",
        "organization.name_changed",
        "organization.tags_changed",
        "ticket.agent_assignment_changed",
        "ticket.comment_added",
        "ticket.created",
        "ticket.priority_changed",
        "ticket.soft_deleted",
        "ticket.status_changed",
        "ticket.tags_changed",
        "user.active_changed",
        "user.created",
        "user.deleted",
        "user.email_changed",
        "user.external_id_changed",
        "user.group_membership_created",
        "user.group_membership_deleted",
        "user.name_changed",
        "user.organization_membership_created",
        "user.organization_membership_deleted",
        "user.role_changed",
        "user.tags_changed",
    )
)

EVENT = EventSpec(
    type=("body:type",),
    id=("body:id", "header:X-Zendesk-Webhook-Invocation-Id"),
    time=("body:time",),
    fields={
        "subject": "body:subject",
        "account_id": "body:account_id",
        "detail_id": "body:detail.id",
        "event_version": "body:zendesk_event_version",
        "webhook_id": "header:X-Zendesk-Webhook-Id",
    },
)


class ZendeskSettings(ProviderSettings):
    """Settings of a Zendesk endpoint (the webhook's signing secret goes in ``secrets=``)."""

    tolerance: float = tolerance_field(
        DEFAULT_TOLERANCE, what="X-Zendesk-Webhook-Signature-Timestamp"
    )
