"""Linear's webhook signature and replay window (see
https://linear.app/developers/webhooks and ``linear/linear packages/sdk/src/webhooks``).

``Linear-Signature`` = hex HMAC-SHA256 of the raw body keyed with the webhook's signing secret
(no prefix). The timestamp is **inside the signed body**: ``webhookTimestamp``, Unix
milliseconds; the SDK rejects deliveries more than 60 s from now, and so does Hookpoint, in
both directions (setting ``tolerance``). The body is signed, so the timestamp is read only after
the signature holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hookpoint import Verification, signing
from hookpoint.providerkit import (
    EventSpec,
    HeaderSignature,
    HmacScheme,
    ProviderSettings,
    json_object,
    tolerance_field,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = ["DEFAULT_TOLERANCE", "EVENT", "EVENT_TYPES", "SIGNATURE", "LinearSettings", "verify"]

DEFAULT_TOLERANCE = 60
SIGNATURE = HeaderSignature("Linear-Signature", HmacScheme())

EVENT = EventSpec(
    type=("body:type", "header:Linear-Event"),
    id=("header:Linear-Delivery",),
    time=("body:webhookTimestamp",),
    time_unit="ms",
    fields={
        "action": "body:action",
        "data_id": "body:data.id",
        "identifier": "body:data.identifier",
        "team": "body:data.team.key",
        "organization_id": "body:organizationId",
        "webhook_id": "body:webhookId",
        "url": "body:url",
    },
)

# Entity types Linear sends webhooks for (https://linear.app/developers/webhooks).
EVENT_TYPES: tuple[str, ...] = (
    "Issue",
    "Comment",
    "IssueAttachment",
    "IssueLabel",
    "Reaction",
    "Project",
    "ProjectUpdate",
    "Cycle",
    "Document",
    "Initiative",
    "InitiativeUpdate",
    "Customer",
    "CustomerNeed",
    "User",
    "IssueSLA",
    "OAuthApp",
    "AuditEntry",
    "PermissionChange",
    "AppUserNotification",
)


class LinearSettings(ProviderSettings):
    """Settings of a Linear endpoint (the webhook's signing secret goes in ``secrets=``)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE, what="the body's webhookTimestamp")


def verify(
    request: WebhookRequest, settings: LinearSettings, secrets: Sequence[str], now: float
) -> Verification:
    verdict = SIGNATURE.verify(request, secrets)
    if not verdict:
        return verdict
    stamp = (json_object(request) or {}).get("webhookTimestamp")
    reason = signing.check_timestamp(
        stamp if isinstance(stamp, int | str) else None, now, settings.tolerance, unit="ms"
    )
    return verdict if reason is None else Verification.refused(reason)
