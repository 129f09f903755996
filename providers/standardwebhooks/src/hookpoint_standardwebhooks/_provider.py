"""Standard Webhooks / Svix: settings, scheme and event description.

The scheme itself (``"{id}.{timestamp}.{body}"``, ``v1,`` HMAC and ``v1a,`` Ed25519 lists,
``whsec_``/``whpk_``/``whsk_`` keys, ``webhook-*`` and ``svix-*`` headers) lives in
:class:`hookpoint.providerkit.StandardWebhooksScheme`, because GitLab's signing token and other
senders use it too. This module adds what an endpoint configures: the tolerance and which header
names the sign hook produces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from hookpoint.providerkit import (
    EventSpec,
    ProviderSettings,
    StandardWebhooksScheme,
    tolerance_field,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT",
    "EVENT_TYPES",
    "SCHEME",
    "StandardWebhooksSettings",
    "sign",
]

DEFAULT_TOLERANCE = 300
SCHEME = StandardWebhooksScheme(tolerance=DEFAULT_TOLERANCE)
SVIX = StandardWebhooksScheme(sign_prefix="svix", tolerance=DEFAULT_TOLERANCE)

# type: the body's ``type`` (the spec's payload structure, Svix, Clerk, Resend); id: the message
# id header (stable across retries); time: the signed timestamp header. Both are read from the
# header set verification uses (``svix-*`` first, as SCHEME.headers_of): a request signed with
# svix-* headers cannot bring an unsigned webhook-id/-timestamp as its dedupe id or time.
EVENT = EventSpec(
    type=("body:type",),
    id=tuple(f"header:{prefix}-id" for prefix in SCHEME.header_prefixes),
    time=tuple(f"header:{prefix}-timestamp" for prefix in SCHEME.header_prefixes),
    fields={"object": "body:object", "instance_id": "body:instance_id", "data_id": "body:data.id"},
)

# Event types of the best-known Standard Webhooks senders (unknown ones pass through):
# Clerk (https://clerk.com/docs/webhooks/overview) and Resend
# (https://resend.com/docs/dashboard/webhooks/event-types).
EVENT_TYPES: tuple[str, ...] = (
    "user.created",
    "user.updated",
    "user.deleted",
    "session.created",
    "session.ended",
    "session.removed",
    "session.revoked",
    "organization.created",
    "organization.updated",
    "organization.deleted",
    "organizationMembership.created",
    "organizationMembership.updated",
    "organizationMembership.deleted",
    "organizationInvitation.created",
    "organizationInvitation.accepted",
    "organizationInvitation.revoked",
    "role.created",
    "role.updated",
    "role.deleted",
    "permission.created",
    "permission.updated",
    "permission.deleted",
    "sms.created",
    "email.created",
    "email.sent",
    "email.delivered",
    "email.delivery_delayed",
    "email.complained",
    "email.bounced",
    "email.opened",
    "email.clicked",
    "email.failed",
    "email.scheduled",
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "domain.created",
    "domain.updated",
    "domain.deleted",
)


class StandardWebhooksSettings(ProviderSettings):
    """Settings of a Standard Webhooks endpoint; secrets are ``whsec_…`` (or ``whpk_…`` public
    keys for the asymmetric ``v1a`` scheme) in ``secrets=``."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE)
    header_style: Literal["webhook", "svix"] = Field(
        default="webhook",
        description="Header names the sign hook (hookpoint send) produces: webhook-* (the "
        "spec) or svix-* (Svix, Clerk, Resend). Verification reads either.",
    )


def sign(
    request: WebhookRequest, settings: StandardWebhooksSettings, secret: str, now: float
) -> WebhookRequest:
    return (SVIX if settings.header_style == "svix" else SCHEME).sign(request, secret, now)
