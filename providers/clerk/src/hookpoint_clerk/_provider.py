"""Clerk: the Svix scheme, the settings and where a Clerk event keeps its type, id and time.

Clerk delivers webhooks through Svix (https://clerk.com/docs/guides/development/webhooks/overview):
``svix-id``, ``svix-timestamp`` and ``svix-signature: v1,<base64 HMAC-SHA256 of
"{svix-id}.{svix-timestamp}.{raw body}">`` keyed with the endpoint's ``whsec_…`` Signing
Secret. The scheme is :class:`hookpoint.providerkit.StandardWebhooksScheme`; this module only
says that Clerk signs with the ``svix-`` header names and where its events keep their facts.
"""

from __future__ import annotations

from hookpoint.providerkit import ProviderSettings, StandardWebhooksScheme, tolerance_field

__all__ = ["DEFAULT_TOLERANCE", "EVENT", "EVENT_TYPES", "SCHEME", "ClerkSettings"]

DEFAULT_TOLERANCE = 300
"""Svix's libraries (which Clerk's ``verifyWebhook`` uses) accept a timestamp 5 minutes away."""

SCHEME = StandardWebhooksScheme(sign_prefix="svix", tolerance=DEFAULT_TOLERANCE)

# type: body ``type``; id: ``svix-id`` (the Svix message id, the same on every retry); time:
# body ``timestamp``, Unix milliseconds (the svix-timestamp header is the attempt's time).
EVENT = SCHEME.events(
    time=("body:timestamp",),
    time_unit="ms",
    fields={
        "instance_id": "body:instance_id",
        "data_id": "body:data.id",
        "data_object": "body:data.object",
        "user_id": "body:data.user_id",
    },
)

# https://clerk.com/docs/guides/development/webhooks/overview#supported-webhook-events
EVENT_TYPES: tuple[str, ...] = (
    "user.created",
    "user.updated",
    "user.deleted",
    "session.created",
    "session.ended",
    "session.removed",
    "session.revoked",
    "email.created",
    "sms.created",
    "organization.created",
    "organization.updated",
    "organization.deleted",
    "organizationDomain.created",
    "organizationDomain.updated",
    "organizationDomain.deleted",
    "organizationInvitation.created",
    "organizationInvitation.accepted",
    "organizationInvitation.revoked",
    "organizationMembership.created",
    "organizationMembership.updated",
    "organizationMembership.deleted",
    "role.created",
    "role.updated",
    "role.deleted",
    "permission.created",
    "permission.updated",
    "permission.deleted",
    "waitlistEntry.created",
    "waitlistEntry.updated",
)


class ClerkSettings(ProviderSettings):
    """Settings of a Clerk endpoint; the Signing Secret (``whsec_…``) goes in ``secrets=``."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE, what="svix-timestamp")
