"""Typeform's signature scheme and event description.

``Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>`` — base64, not hex. Only
webhooks with a secret are signed. Nothing time-bound is signed; ``event_id`` is the dedupe id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookpoint.providerkit import EventSpec, HeaderSignature, HmacScheme, ProviderSettings

if TYPE_CHECKING:
    pass

__all__ = [
    "EVENT",
    "EVENT_TYPES",
    "SIGNATURE",
    "TypeformSettings",
]

SIGNATURE = HeaderSignature("Typeform-Signature", HmacScheme(encoding="base64", prefix="sha256="))

EVENT_TYPES: tuple[str, ...] = ("form_response", "form_response_partial")

EVENT = EventSpec(
    type=("body:event_type",),
    id=("body:event_id",),
    time=("body:form_response.submitted_at", "body:form_response.landed_at"),
    fields={
        "form_id": "body:form_response.form_id",
        "response_token": "body:form_response.token",
    },
)


class TypeformSettings(ProviderSettings):
    """Typeform endpoints take no settings: the webhook secret goes in ``secrets=``."""
