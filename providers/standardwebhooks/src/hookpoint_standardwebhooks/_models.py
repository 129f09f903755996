"""The typed, tolerant model of a Standard Webhooks body.

The spec recommends ``{"type": "...", "timestamp": "<ISO-8601>", "data": {...}}``
(:class:`StandardWebhookEvent`). Every field is optional; unknown keys are kept. Senders with a
package of their own type their events there (``hookpoint_clerk``, ``hookpoint_resend``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = ["StandardWebhookEvent", "parse_payload"]


class StandardWebhookEvent(PayloadModel):
    """The payload structure the Standard Webhooks spec recommends."""

    type: str | None = None
    timestamp: datetime | None = None
    data: dict[str, Any] | None = None


parse_payload = payload_parser(StandardWebhookEvent)
"""Parse a decoded body as a :class:`StandardWebhookEvent`."""
