"""Resend: the Svix scheme, the settings and where a Resend event keeps its type, id and time.

Resend delivers webhooks through Svix
(https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests): ``svix-id``,
``svix-timestamp`` and ``svix-signature: v1,<base64 HMAC-SHA256 of
"{svix-id}.{svix-timestamp}.{raw body}">`` keyed with the webhook's ``whsec_…`` Signing Secret.
The scheme is :class:`hookpoint.providerkit.StandardWebhooksScheme`; this module only says
that Resend signs with the ``svix-`` header names and where its events keep their facts.
"""

from __future__ import annotations

from hookpoint.providerkit import ProviderSettings, StandardWebhooksScheme, tolerance_field

__all__ = ["DEFAULT_TOLERANCE", "EVENT", "EVENT_TYPES", "SCHEME", "ResendSettings"]

DEFAULT_TOLERANCE = 300
"""Svix's libraries (which Resend's docs verify with) accept a timestamp 5 minutes away."""

SCHEME = StandardWebhooksScheme(sign_prefix="svix", tolerance=DEFAULT_TOLERANCE)

# type: body ``type``; id: ``svix-id`` (the same on every retry; Resend's body has no event id);
# time: body ``created_at`` (ISO 8601, when the event happened).
EVENT = SCHEME.events(
    time=("body:created_at",),
    fields={
        "email_id": "body:data.email_id",
        "from": "body:data.from",
        "to": "body:data.to",
        "bounce_type": "body:data.bounce.type",
    },
)

# https://resend.com/docs/dashboard/webhooks/event-types
EVENT_TYPES: tuple[str, ...] = (
    "email.sent",
    "email.delivered",
    "email.delivery_delayed",
    "email.complained",
    "email.bounced",
    "email.opened",
    "email.clicked",
    "email.failed",
    "email.scheduled",
    "email.received",
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "domain.created",
    "domain.updated",
    "domain.deleted",
)


class ResendSettings(ProviderSettings):
    """Settings of a Resend endpoint; the Signing Secret (``whsec_…``) goes in ``secrets=``."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE, what="svix-timestamp")
