"""Compact JWS (RFC 7515) with HS256, and a header that carries one as a signature over a claim:
the token's payload names the hash of the raw body (Netlify's deploy notifications:
``X-Webhook-Signature`` with ``{"iss": "netlify", "sha256": "<hex SHA-256 of the body>"}``).

Only ``HS256`` is accepted: a token whose protected header names another algorithm (``none``,
``RS256``, …) is refused, so a sender cannot pick a weaker check. The standard library is enough
(base64url, HMAC-SHA256, JSON): no JWT package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import signing
from .._models import Verification
from ._events import header, with_headers

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .._request import WebhookRequest

REASON_CLAIM_MISMATCH = "claim mismatch"
REASON_BODY_HASH_MISMATCH = "body hash mismatch"
REASON_TOKEN_EXPIRED = "token expired"  # noqa: S105 - a reason, not a secret

_HS256_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes | None:
    if not text or not text.isascii() or "=" in text:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _json_object(data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def jws_hs256_sign(claims: Mapping[str, Any], secret: str | bytes) -> str:
    """A compact HS256 JWS of ``claims``: ``base64url(header).base64url(claims).base64url(mac)``.

    >>> jws_hs256_sign({"iss": "netlify"}, "s").count(".")
    2
    """
    head = _b64url(json.dumps(_HS256_HEADER, separators=(",", ":")).encode())
    body = _b64url(json.dumps(dict(claims), separators=(",", ":")).encode())
    mac = signing.hmac_digest(secret, f"{head}.{body}".encode("ascii"), "sha256")
    return f"{head}.{body}.{_b64url(mac)}"


def jws_hs256_verify(
    token: str | None, secrets: Sequence[str | bytes]
) -> tuple[Verification, dict[str, Any] | None]:
    """The verdict on a compact HS256 JWS and, when it verifies, its claims.

    Every non-empty secret is tried in constant time (rotation). Refused: a missing token, one
    that is not three base64url parts with a JSON object header and payload, a header whose
    ``alg`` is not ``HS256``, or a MAC no secret produces.
    """
    if not token:
        return Verification.refused(signing.REASON_MISSING), None
    keys = [s for s in secrets if isinstance(s, str | bytes) and s]
    if not keys:
        return Verification.refused(signing.REASON_NO_SECRET), None
    parts = token.strip().split(".")
    if len(parts) != 3:
        return Verification.refused(signing.REASON_MALFORMED), None
    head, claims, mac = _json_object(_b64url_decode(parts[0])), None, _b64url_decode(parts[2])
    if head is None or head.get("alg") != "HS256" or mac is None:
        return Verification.refused(signing.REASON_MALFORMED), None
    claims = _json_object(_b64url_decode(parts[1]))
    if claims is None:
        return Verification.refused(signing.REASON_MALFORMED), None
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(signing.hmac_digest(key, signed, "sha256"), mac)
    if not matched:
        return Verification.refused(signing.REASON_MISMATCH), None
    return Verification.verified(), claims


@dataclass(frozen=True)
class JwsBodyHashSignature:
    """A compact HS256 JWS in one header whose payload carries the hex digest of the raw body.

    The token must verify with one of the secrets (:func:`jws_hs256_verify`), every claim in
    ``claims`` must have exactly that value (``{"iss": "netlify"}``), the ``hash_claim`` must be
    the hex SHA-256 of the raw body (compared in constant time), and a numeric ``exp``, when the
    token has one, must not have passed. The body itself is not in the token: the hash ties the
    token to these bytes.

    >>> netlify = JwsBodyHashSignature("X-Webhook-Signature", claims={"iss": "netlify"})
    """

    header: str
    claims: Mapping[str, Any] = field(default_factory=dict)
    hash_claim: str = "sha256"

    def verify(
        self, request: WebhookRequest, secrets: Sequence[str | bytes], now: float
    ) -> Verification:
        values = request.headers.getlist(self.header)
        if len(values) > 1:
            return Verification.refused(signing.REASON_MALFORMED)
        verdict, claims = jws_hs256_verify(header(request, self.header), secrets)
        if claims is None:
            return verdict
        if any(claims.get(name) != value for name, value in self.claims.items()):
            return Verification.refused(REASON_CLAIM_MISMATCH)
        expires = claims.get("exp")
        if isinstance(expires, int | float) and not isinstance(expires, bool) and now >= expires:
            return Verification.refused(REASON_TOKEN_EXPIRED)
        digest = claims.get(self.hash_claim)
        expected = hashlib.sha256(request.body).hexdigest()
        if not isinstance(digest, str) or not signing.constant_time_equals(
            digest.lower(), expected
        ):
            return Verification.refused(REASON_BODY_HASH_MISMATCH)
        return Verification.verified()

    def sign(self, request: WebhookRequest, secret: str | bytes) -> WebhookRequest:
        """The request as the sender sends it: the token for its body in the header."""
        claims = {**self.claims, self.hash_claim: hashlib.sha256(request.body).hexdigest()}
        return with_headers(request, {self.header: jws_hs256_sign(claims, secret)})

    def verify_request(
        self, request: WebhookRequest, settings: BaseModel, secrets: Sequence[str], now: float
    ) -> Verification:
        return self.verify(request, secrets, now)

    def sign_request(
        self, request: WebhookRequest, settings: BaseModel, secret: str, now: float
    ) -> WebhookRequest:
        return self.sign(request, secret)
