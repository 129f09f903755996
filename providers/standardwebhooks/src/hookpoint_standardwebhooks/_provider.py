"""Standard Webhooks / Svix: settings, scheme and event description.

The scheme itself (``"{id}.{timestamp}.{body}"``, ``v1,`` HMAC and ``v1a,`` Ed25519 lists,
``whsec_``/``whpk_``/``whsk_`` keys, ``webhook-*`` and ``svix-*`` headers) and its event
description live in :class:`hookpoint.providerkit.StandardWebhooksScheme`, because Clerk,
Resend, GitLab's signing token and other senders use them too. This module adds what an
endpoint configures: the tolerance and which header names the sign hook produces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from hookpoint.providerkit import (
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

# type: the body's ``type`` (the spec's payload structure); id and time: the message id and the
# signed timestamp of the header set verification reads (``svix-*`` first): a request signed
# with svix-* headers cannot bring an unsigned webhook-id/-timestamp as its dedupe id or time.
EVENT = SCHEME.events(fields={"object": "body:object", "data_id": "body:data.id"})

# The spec names no event types (any ``type`` passes through); its example payload is this one.
# Senders with a package of their own list theirs (hookpoint-clerk, hookpoint-resend).
EVENT_TYPES: tuple[str, ...] = ("contact.created",)


class StandardWebhooksSettings(ProviderSettings):
    """Settings of a Standard Webhooks endpoint; secrets are ``whsec_…`` (or ``whpk_…`` public
    keys for the asymmetric ``v1a`` scheme) in ``secrets=``."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE)
    header_style: Literal["webhook", "svix"] = Field(
        default="webhook",
        description="Header names the sign hook (hookpoint send) produces: webhook-* (the "
        "spec) or svix-* (Svix). Verification reads either.",
    )


def sign(
    request: WebhookRequest, settings: StandardWebhooksSettings, secret: str, now: float
) -> WebhookRequest:
    return (SVIX if settings.header_style == "svix" else SCHEME).sign(request, secret, now)
