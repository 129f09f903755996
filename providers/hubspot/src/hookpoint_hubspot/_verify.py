"""HubSpot's request signatures (https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests
and hubspot-api-client's ``hubspot.utils.signature.Signature``).

**v3** (every webhook of a public or private app): ``X-HubSpot-Signature-v3`` is the base64
HMAC-SHA256, keyed with the app's client secret, of ``method + URI + raw body + timestamp``,
with the timestamp, in Unix **milliseconds**, in ``X-HubSpot-Request-Timestamp``. HubSpot says
to reject a timestamp older than 5 minutes; this plugin also rejects one more than 5 minutes
ahead (a skewed clock or a forgery), ``tolerance`` seconds in both directions.

The URI is the full URL HubSpot called, scheme and host included. HubSpot's instructions decode
the percent-escapes of ``: / ? @ ! $ ' ( ) * , ;`` in it before signing, so the decoded URL is
tried first, then the URL as received. The host rebuilds the URL from ``X-Forwarded-Proto`` and
``X-Forwarded-Host`` only for proxies in ``HOOKPOINT_TRUSTED_PROXIES``; when a proxy also
rewrites the path, set ``target_url`` to the Target URL configured in HubSpot.

**v1/v2** (older ``X-HubSpot-Signature`` with ``X-HubSpot-Signature-Version``), only with
``legacy_signatures`` and only when a request carries no v3 signature: the hex SHA-256 (a plain
hash, not an HMAC) of ``client secret + raw body`` (v1) or ``client secret + method + URI + raw
body`` (v2). Neither signs a time, so a captured request can be replayed: leave them off unless
a sender sends nothing newer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import Field

from hookpoint import Verification, signing
from hookpoint.providerkit import (
    HmacScheme,
    ProviderSettings,
    SignedTemplate,
    SplitHeaderSignature,
    header,
    tolerance_field,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "DEFAULT_TOLERANCE",
    "LEGACY_HEADER",
    "SIGNATURE",
    "VERSION_HEADER",
    "HubSpotSettings",
    "sign",
    "signed_uris",
    "verify",
]

DEFAULT_TOLERANCE = 300
LEGACY_HEADER = "X-HubSpot-Signature"
VERSION_HEADER = "X-HubSpot-Signature-Version"

SIGNATURE = SplitHeaderSignature(
    "X-HubSpot-Signature-v3",
    "X-HubSpot-Request-Timestamp",
    SignedTemplate("{method}{uri}{body}{timestamp}", HmacScheme(encoding="base64"), unit="ms"),
    tolerance=DEFAULT_TOLERANCE,
)

# The escapes HubSpot's v3 instructions decode in the URI (and no others).
_SIGNED_ESCAPES = re.compile(r"%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)", re.IGNORECASE)


class HubSpotSettings(ProviderSettings):
    """Settings of a HubSpot endpoint (the app's client secret goes in ``secrets=``)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE, what="X-HubSpot-Request-Timestamp")
    target_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="The Target URL exactly as configured in the HubSpot app, when the host "
        "cannot rebuild the URL HubSpot called (a proxy that rewrites the path). Default: the "
        "URL the request arrived on.",
    )
    legacy_signatures: bool = Field(
        default=False,
        description="Also accept the v1/v2 X-HubSpot-Signature (no timestamp: replayable) on "
        "requests without a v3 signature.",
    )


def signed_uris(request: WebhookRequest, settings: HubSpotSettings) -> list[str]:
    """The URIs HubSpot may have signed: the URL with HubSpot's escapes decoded, then as is."""
    url = settings.target_url or request.url
    decoded = _SIGNED_ESCAPES.sub(lambda m: chr(int(m.group(1), 16)), url)
    return list(dict.fromkeys((decoded, url)))


def verify(
    request: WebhookRequest, settings: HubSpotSettings, secrets: Sequence[str], now: float
) -> Verification:
    if (
        settings.legacy_signatures
        and not request.headers.getlist(SIGNATURE.signature_header)
        and header(request, LEGACY_HEADER) is not None
    ):
        return _verify_legacy(request, settings, secrets)
    result = Verification.refused(signing.REASON_MISSING)
    for uri in signed_uris(request, settings):
        result = SIGNATURE.verify(
            request, secrets, now, settings.tolerance, method=request.method, uri=uri
        )
        if result.reason != signing.REASON_MISMATCH:
            break  # verified, or refused for a reason another URI does not change
    return result


def _verify_legacy(
    request: WebhookRequest, settings: HubSpotSettings, secrets: Sequence[str]
) -> Verification:
    version = (header(request, VERSION_HEADER) or "v1").strip().lower()
    if version not in ("v1", "v2"):
        return Verification.refused("unsupported signature version")
    keys = [secret for secret in secrets if secret]
    if not keys:
        return Verification.refused(signing.REASON_NO_SECRET)
    given = (header(request, LEGACY_HEADER) or "").strip()
    signed = (
        [b""]
        if version == "v1"
        else [request.method.encode() + uri.encode() for uri in signed_uris(request, settings)]
    )
    matched = False
    for secret in keys:
        for middle in signed:
            digest = hashlib.sha256(secret.encode() + middle + request.body).hexdigest()
            matched |= signing.constant_time_equals(digest, given)
    return Verification.verified() if matched else Verification.refused(signing.REASON_MISMATCH)


def sign(
    request: WebhookRequest, settings: HubSpotSettings, secret: str, now: float
) -> WebhookRequest:
    """Sign like HubSpot (v3), over the URL with HubSpot's escapes decoded."""
    uri = signed_uris(request, settings)[0]
    return SIGNATURE.sign(request, secret, now, method=request.method, uri=uri)
