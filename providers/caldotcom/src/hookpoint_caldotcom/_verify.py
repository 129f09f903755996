"""Settings, signature verification and signing of cal.com deliveries.

cal.com signs the exact body string it sends: ``X-Cal-Signature-256`` is the lowercase hex
HMAC-SHA256 keyed with the webhook secret, no prefix, no timestamp. A webhook without a secret
still sends the header, with the literal ``no-secret-provided``; one code path omits it
(``WebhookService.ts`` / ``sendPayload.ts`` in calcom/cal.com;
https://cal.com/docs/developing/guides/automation/webhooks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from hookpoint import Verification, signing

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = ["NO_SECRET", "SIGNATURE_HEADER", "UNSIGNED", "CalSettings", "sign", "verify"]

SIGNATURE_HEADER = "X-Cal-Signature-256"
NO_SECRET = "no-secret-provided"  # noqa: S105 - the literal cal.com sends unsigned
UNSIGNED = "unsigned delivery"

_UNSIGNED_OK = Verification.verified(unsigned=True)
_UNSIGNED_FAIL = Verification.refused(UNSIGNED)


class CalSettings(BaseModel):
    """Endpoint settings of the ``caldotcom`` provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow_unsigned: bool = False
    """Accept deliveries without a signature (header missing, empty or ``no-secret-provided``),
    marked unsigned — only while the endpoint has no secret. Once a secret is configured an
    unsigned delivery is always rejected (a forger would simply drop the header), and a
    signature that is present but wrong is rejected regardless."""


def verify(
    request: WebhookRequest, settings: CalSettings, secrets: Sequence[str], now: float
) -> Verification:
    """Check ``X-Cal-Signature-256`` against every secret; unsigned deliveries per settings.

    No time is signed, so ``now`` is not used."""
    values = [v.strip() for v in request.headers.getlist(SIGNATURE_HEADER)]
    signatures = [v for v in values if v and v != NO_SECRET]
    if not signatures:
        # never accept an unsigned delivery once a secret is configured: a forger would simply
        # drop the header
        return _UNSIGNED_OK if settings.allow_unsigned and not any(secrets) else _UNSIGNED_FAIL
    return signing.verify_hmac(
        request, signatures, secrets, algorithm="sha256", encoding="hex", prefix=""
    )


def sign(request: WebhookRequest, settings: CalSettings, secret: str, now: float) -> WebhookRequest:
    """A copy of ``request`` signed as cal.com signs it (any old signature header replaced)."""
    signature = signing.sign_hex(secret, request.body)
    kept = [(k, v) for k, v in request.headers.items() if k.lower() != "x-cal-signature-256"]
    return request.with_context(headers=[*kept, (SIGNATURE_HEADER, signature)])
