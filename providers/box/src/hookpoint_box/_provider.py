"""Box webhook (V2) signatures and event description.

Sender behaviour: "V2 Webhooks" (https://developer.box.com/guides/webhooks/v2/) and "Signature
verification" (https://developer.box.com/guides/webhooks/v2/signatures-v2/).

Box signs the raw body bytes followed by the bytes of the ``box-delivery-timestamp`` header (an
RFC 3339 time) with HMAC-SHA256, base64, once with the application's **primary** signature key
(``box-signature-primary``) and once with its **secondary** key (``box-signature-secondary``);
``box-signature-version`` is ``1`` and ``box-signature-algorithm`` ``HmacSHA256`` (anything else
is refused, as ``WebhooksManager.validate_message`` of ``box-sdk-gen`` refuses it). A delivery
timestamp more than ten minutes old is refused (Box's guide and SDK); Hookpoint applies the same
``tolerance`` (600 s) to timestamps in the future, where the SDK allows none, so a host clock a
little behind Box's does not refuse real deliveries.

Keys and ``secrets=``: every configured secret is tried against both signature headers, in
constant time. Put the primary key, the secondary key or both in ``secrets=``, in any order; one
match verifies the delivery. Box keeps two keys so that one can be regenerated while the other
still verifies: keep both configured, and replace the one you regenerate.

Box's SDKs also try the body with non-ASCII characters written as ``\\uXXXX`` escapes, for
callers that hold a decoded and re-encoded body. Hookpoint verifies the bytes exactly as
received, which are the bytes Box signed.

Dedupe: the body's ``id`` identifies the event and "will not change" when Box retries, while
``box-delivery-id`` changes on every attempt; so ``id`` is the dedupe id and the delivery id is a
field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hookpoint import Verification, signing
from hookpoint.providerkit import (
    EventSpec,
    HmacScheme,
    ProviderSettings,
    header,
    tolerance_field,
    with_headers,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "ALGORITHM_HEADER",
    "DEFAULT_TOLERANCE",
    "DELIVERY_ID_HEADER",
    "EVENT",
    "EVENT_TYPES",
    "PRIMARY_HEADER",
    "SCHEME",
    "SECONDARY_HEADER",
    "TIMESTAMP_HEADER",
    "VERSION_HEADER",
    "BoxSettings",
    "sign",
    "verify",
]

PRIMARY_HEADER = "box-signature-primary"
SECONDARY_HEADER = "box-signature-secondary"
TIMESTAMP_HEADER = "box-delivery-timestamp"
VERSION_HEADER = "box-signature-version"
ALGORITHM_HEADER = "box-signature-algorithm"
DELIVERY_ID_HEADER = "box-delivery-id"
DEFAULT_TOLERANCE = 600

SCHEME = HmacScheme(algorithm="sha256", encoding="base64")

# Webhook triggers (https://developer.box.com/reference/resources/webhook-invocation/).
EVENT_TYPES: tuple[str, ...] = (
    "FILE.UPLOADED",
    "FILE.PREVIEWED",
    "FILE.DOWNLOADED",
    "FILE.TRASHED",
    "FILE.DELETED",
    "FILE.RESTORED",
    "FILE.COPIED",
    "FILE.MOVED",
    "FILE.LOCKED",
    "FILE.UNLOCKED",
    "FILE.RENAMED",
    "COMMENT.CREATED",
    "COMMENT.UPDATED",
    "COMMENT.DELETED",
    "TASK_ASSIGNMENT.CREATED",
    "TASK_ASSIGNMENT.UPDATED",
    "METADATA_INSTANCE.CREATED",
    "METADATA_INSTANCE.UPDATED",
    "METADATA_INSTANCE.DELETED",
    "FOLDER.CREATED",
    "FOLDER.RENAMED",
    "FOLDER.DOWNLOADED",
    "FOLDER.RESTORED",
    "FOLDER.DELETED",
    "FOLDER.COPIED",
    "FOLDER.MOVED",
    "FOLDER.TRASHED",
    "WEBHOOK.DELETED",
    "COLLABORATION.CREATED",
    "COLLABORATION.ACCEPTED",
    "COLLABORATION.REJECTED",
    "COLLABORATION.REMOVED",
    "COLLABORATION.UPDATED",
    "SHARED_LINK.DELETED",
    "SHARED_LINK.CREATED",
    "SHARED_LINK.UPDATED",
    "SIGN_REQUEST.COMPLETED",
    "SIGN_REQUEST.DECLINED",
    "SIGN_REQUEST.EXPIRED",
    "SIGN_REQUEST.SIGNER_EMAIL_BOUNCED",
)

EVENT = EventSpec(
    type=("body:trigger",),
    id=("body:id", f"header:{DELIVERY_ID_HEADER}"),
    time=("body:created_at",),
    fields={
        "delivery_id": f"header:{DELIVERY_ID_HEADER}",
        "webhook_id": "body:webhook.id",
        "source_type": "body:source.type",
        "source_id": "body:source.id",
        "source_name": "body:source.name",
        "parent_id": "body:source.parent.id",
        "user_id": "body:created_by.id",
        "user_login": "body:created_by.login",
    },
)
"""``trigger`` is the type, the body's ``id`` (stable across retries) the dedupe id."""


class BoxSettings(ProviderSettings):
    """Settings of a Box endpoint (the signature keys go in ``secrets=``)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE, what="box-delivery-timestamp")


def _delivery_time(value: str | None) -> float | str:
    """Unix seconds of an RFC 3339 ``box-delivery-timestamp``, else the refusal reason."""
    if value is None:
        return signing.REASON_MISSING_TIMESTAMP
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return signing.REASON_MALFORMED_TIMESTAMP
    if parsed.tzinfo is None:
        return signing.REASON_MALFORMED_TIMESTAMP
    return parsed.timestamp()


def verify(
    request: WebhookRequest, settings: BoxSettings, secrets: Sequence[str], now: float
) -> Verification:
    """Either signature header, with any configured key, over body + delivery timestamp."""
    signatures = [
        value
        for name in (PRIMARY_HEADER, SECONDARY_HEADER)
        for value in request.headers.getlist(name)
        if value
    ]
    if not signatures:
        return Verification.refused(signing.REASON_MISSING)
    if header(request, VERSION_HEADER) != "1":
        return Verification.refused("unsupported signature version")
    if header(request, ALGORITHM_HEADER) != "HmacSHA256":
        return Verification.refused("unsupported signature algorithm")
    stamp = header(request, TIMESTAMP_HEADER)
    seconds = _delivery_time(stamp)
    if isinstance(seconds, str):
        return Verification.refused(seconds)
    reason = signing.check_timestamp(seconds, now, settings.tolerance)
    if reason is not None:
        return Verification.refused(reason)
    assert stamp is not None
    return SCHEME.verify(request.body + stamp.encode("utf-8"), signatures, secrets)


def sign(request: WebhookRequest, settings: BoxSettings, secret: str, now: float) -> WebhookRequest:
    """Sign as Box does with one key: it goes in ``box-signature-primary``."""
    stamp = datetime.fromtimestamp(int(now), tz=UTC).isoformat()
    return with_headers(
        request,
        {
            TIMESTAMP_HEADER: stamp,
            VERSION_HEADER: "1",
            ALGORITHM_HEADER: "HmacSHA256",
            PRIMARY_HEADER: SCHEME.sign(secret, request.body + stamp.encode("utf-8")),
        },
    )
