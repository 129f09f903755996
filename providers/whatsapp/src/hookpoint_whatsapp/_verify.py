"""Settings, the verification handshake, signature verification and signing (Meta webhooks).

Meta's "Webhooks - Getting Started" (https://developers.facebook.com/docs/graph-api/webhooks/
getting-started): the verification request is ``GET ?hub.mode=subscribe&hub.challenge=<int>&
hub.verify_token=<string>`` and must be answered ``200`` with the bare challenge; every
notification carries ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, payload)>``
computed over the bytes as sent (escaped unicode: hash the raw body, never a re-serialisation).
The legacy ``X-Hub-Signature`` (SHA-1) is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, SecretStr

from hookpoint import ChallengeResponse, Verification, signing

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "SIGNATURE_HEADER",
    "SIGNATURE_PREFIX",
    "WhatsAppSettings",
    "answer_challenge",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="


def _refusal(status: int, reason: str) -> ChallengeResponse:
    # Plain text, as Meta's own examples answer; the reason is kept with the rejected request.
    return ChallengeResponse(
        status=status, body=reason.encode(), content_type="text/plain", reason=reason
    )


_MISMATCH = _refusal(403, "verify token mismatch")
_BAD_MODE = _refusal(403, "unsupported hub.mode")
_NO_CHALLENGE = _refusal(400, "missing hub.challenge")


class WhatsAppSettings(BaseModel):
    """Endpoint settings of the ``whatsapp`` provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verify_token: SecretStr | None = None
    """The Verify token typed into App Dashboard -> WhatsApp -> Configuration. Without it every
    verification request is answered 403."""


def answer_challenge(
    request: WebhookRequest, settings: WhatsAppSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """Answer Meta's verification ``GET`` with the endpoint's ``verify_token`` (the App Secrets
    in ``secrets`` play no part in it); None for any request that is not one."""
    verify_token = settings.verify_token
    if request.method != "GET":
        return None
    query = request.query
    mode = query.get("hub.mode")
    if mode is None:
        return None
    if mode != "subscribe":
        return _BAD_MODE
    token = query.get("hub.verify_token")
    expected = verify_token.get_secret_value() if verify_token is not None else ""
    if not expected or token is None or not signing.constant_time_equals(token, expected):
        return _MISMATCH
    challenge = query.get("hub.challenge")
    if not challenge:
        return _NO_CHALLENGE
    return ChallengeResponse(status=200, body=challenge.encode("utf-8"), content_type="text/plain")


def verify(
    request: WebhookRequest, settings: WhatsAppSettings, secrets: Sequence[str], now: float
) -> Verification:
    """Check ``X-Hub-Signature-256`` (``sha256=`` + hex) over the raw body, every App Secret
    (Meta signs no time, so ``now`` is not used)."""
    return signing.verify_hmac(
        request,
        request.headers.getlist(SIGNATURE_HEADER),
        secrets,
        algorithm="sha256",
        encoding="hex",
        prefix=SIGNATURE_PREFIX,
    )


def sign(
    request: WebhookRequest, settings: WhatsAppSettings, secret: str, now: float
) -> WebhookRequest:
    """A copy of ``request`` signed as Meta signs it (any old signature header replaced)."""
    signature = signing.sign_hex(secret, request.body, prefix=SIGNATURE_PREFIX)
    kept = [(k, v) for k, v in request.headers.items() if k.lower() != "x-hub-signature-256"]
    return request.with_context(headers=[*kept, (SIGNATURE_HEADER, signature)])
