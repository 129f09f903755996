"""Adyen standard webhooks: per-item HMAC, optional basic auth, the ``[accepted]`` answer.

Sender behaviour:

* https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures - each
  ``NotificationRequestItem`` carries ``additionalData.hmacSignature``: the base64 HMAC-SHA256,
  keyed with the **hex-decoded** HMAC key, of the item's ``pspReference``, ``originalReference``,
  ``merchantAccountCode``, ``merchantReference``, ``amount.value``, ``amount.currency``,
  ``eventCode`` and ``success`` joined by ``:`` (a missing field is empty). Adyen's own
  libraries (Python ``Adyen.util.generate_notification_sig``, Ruby ``HmacValidator``) join the
  raw values, without the backslash escaping of the retired Hosted Payment Pages signature; so
  does this plugin. Every item of a batch must verify (Adyen's Python helper checks only the
  first).
* The signature covers those eight fields only; the rest of an item (``additionalData``,
  ``eventDate``, ``reason``, ``paymentMethod``) is not signed. Basic auth, which Adyen sends
  when the webhook has a username and password, covers the whole request: set ``username`` and
  ``password`` to require it as well.
* https://docs.adyen.com/development-resources/webhooks/handle-webhook-events - accept with a
  2xx; the classic answer, which every Adyen integration understands, is the body
  ``[accepted]``: a verified notification gets exactly that (and is stored and run).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr, model_validator

from hookpoint import ChallengeResponse, EventInfo, Verification, signing
from hookpoint.providerkit import (
    REASON_BAD_KEY,
    EventSpec,
    HmacScheme,
    ProviderSettings,
    body_digest,
    compact_json,
    header,
    json_object,
    text,
    with_body,
    with_headers,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "ACCEPTED",
    "EVENT_TYPES",
    "SIGNED_FIELDS",
    "AdyenSettings",
    "challenge",
    "describe",
    "notification_items",
    "sign",
    "signing_string",
    "verify",
]

SIGNED_FIELDS = (
    "pspReference",
    "originalReference",
    "merchantAccountCode",
    "merchantReference",
    "value",
    "currency",
    "eventCode",
    "success",
)
"""The item fields the HMAC covers, in order (``value``/``currency`` are ``amount``'s)."""

HMAC = HmacScheme(encoding="base64")

ACCEPTED = ChallengeResponse(
    status=200, body=b"[accepted]", content_type="text/plain", skip_triggering_runs=False
)
"""Adyen's acknowledgement, sent only when the notification verifies (else 401)."""

# Event codes of payments webhooks
# (https://docs.adyen.com/development-resources/webhooks/webhook-types). Unknown ones pass.
EVENT_TYPES: tuple[str, ...] = (
    "AUTHORISATION",
    "AUTHORISATION_ADJUSTMENT",
    "AUTORESCUE",
    "CANCEL_AUTORESCUE",
    "CANCELLATION",
    "CANCEL_OR_REFUND",
    "CAPTURE",
    "CAPTURE_FAILED",
    "CHARGEBACK",
    "CHARGEBACK_REVERSED",
    "DISPUTE_DEFENSE_PERIOD_ENDED",
    "DONATION",
    "EXPIRE",
    "HANDLED_EXTERNALLY",
    "INFORMATION_SUPPLIED",
    "ISSUER_COMMENTS",
    "ISSUER_RESPONSE_TIMEFRAME_EXPIRED",
    "MANUAL_REVIEW_ACCEPT",
    "MANUAL_REVIEW_REJECT",
    "NOTIFICATION_OF_CHARGEBACK",
    "NOTIFICATION_OF_FRAUD",
    "OFFER_CLOSED",
    "ORDER_CLOSED",
    "ORDER_OPENED",
    "PAIDOUT_REVERSED",
    "PAYOUT_DECLINE",
    "PAYOUT_EXPIRE",
    "PAYOUT_THIRDPARTY",
    "PENDING",
    "POSTPONED_REFUND",
    "PREARBITRATION_LOST",
    "PREARBITRATION_WON",
    "RECURRING_CONTRACT",
    "REFUND",
    "REFUNDED_REVERSED",
    "REFUND_FAILED",
    "REFUND_WITH_DATA",
    "REPORT_AVAILABLE",
    "REQUEST_FOR_INFORMATION",
    "SECOND_CHARGEBACK",
    "TECHNICAL_CANCEL",
    "VOID_PENDING_REFUND",
)

_FIRST = "body:notificationItems.0.NotificationRequestItem."
EVENT = EventSpec(
    type=(_FIRST + "eventCode",),
    time=(_FIRST + "eventDate",),
    fields={
        "live": "body:live",
        "merchant_account": _FIRST + "merchantAccountCode",
        "merchant_reference": _FIRST + "merchantReference",
        "original_reference": _FIRST + "originalReference",
        "success": _FIRST + "success",
        "payment_method": _FIRST + "paymentMethod",
    },
)


class AdyenSettings(ProviderSettings):
    """Settings of an Adyen endpoint. The webhook's HMAC key (hex, Customer Area) goes in
    ``secrets=``; ``username``/``password``, when set, must match the basic auth the webhook
    sends."""

    username: str | None = None
    password: SecretStr | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> AdyenSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("set both username and password for basic auth, or neither")
        return self


def notification_items(data: Any) -> list[dict[str, Any]] | None:
    """The ``NotificationRequestItem`` objects of a decoded body; ``None`` unless it is a
    notification with at least one well-formed item."""
    raw = data.get("notificationItems") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        return None
    items = [w.get("NotificationRequestItem") if isinstance(w, dict) else None for w in raw]
    return items if all(isinstance(item, dict) for item in items) else None  # type: ignore[return-value]


def _value(value: Any) -> str | None:
    """A signed field as Adyen writes it; ``None`` for a value no sender would sign."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return text(value) if isinstance(value, int) else value if isinstance(value, str) else None


def signing_string(item: dict[str, Any]) -> str | None:
    """The string Adyen signs for one item (``None`` when a signed field is an object/list)."""
    amount = item.get("amount")
    amount = amount if isinstance(amount, dict) else {}
    fields = {**item, "value": amount.get("value"), "currency": amount.get("currency")}
    parts = [_value(fields.get(name)) for name in SIGNED_FIELDS]
    return None if None in parts else ":".join(p for p in parts if p is not None)


def _keys(secrets: Sequence[str]) -> tuple[list[bytes], int]:
    """The HMAC keys (hex-decoded) and how many secrets were not hex."""
    keys: list[bytes] = []
    for secret in secrets:
        try:
            keys.append(bytes.fromhex(secret))
        except ValueError:
            continue
    return [k for k in keys if k], len(secrets) - len(keys)


def _basic_auth(request: WebhookRequest, settings: AdyenSettings) -> Verification | None:
    """A refusal when basic auth is configured and the request does not carry it."""
    if settings.username is None or settings.password is None:
        return None
    scheme, _, encoded = (header(request, "Authorization") or "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return Verification.refused("missing basic auth")
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, ValueError):
        return Verification.refused("malformed basic auth")
    same_user = signing.constant_time_equals(user, settings.username)
    same_password = signing.constant_time_equals(password, settings.password.get_secret_value())
    return None if same_user and same_password else Verification.refused("basic auth mismatch")


def verify(
    request: WebhookRequest, settings: AdyenSettings, secrets: Sequence[str], now: float
) -> Verification:
    """Basic auth (when configured), then every item's ``hmacSignature``."""
    refused = _basic_auth(request, settings)
    if refused is not None:
        return refused
    keys, bad = _keys(secrets)
    if not keys:
        return Verification.refused(REASON_BAD_KEY if bad else signing.REASON_NO_SECRET)
    items = notification_items(json_object(request))
    if items is None:
        return Verification.refused("not an Adyen notification")
    for item in items:
        message = signing_string(item)
        extra = item.get("additionalData")
        signature = extra.get("hmacSignature") if isinstance(extra, dict) else None
        if message is None:
            return Verification.refused("malformed notification item")
        if not isinstance(signature, str) or not signature:
            return Verification.refused(signing.REASON_MISSING)
        result = HMAC.verify(message.encode("utf-8"), signature, keys)
        if not result:
            return result
    return Verification.verified()


def sign(
    request: WebhookRequest, settings: AdyenSettings, secret: str, now: float
) -> WebhookRequest:
    """Sign like Adyen: every item's ``additionalData.hmacSignature`` (the body is written
    again, compact), and basic auth when the settings have it.

    :raises ValueError: when the body is not a notification or the key is not hex.
    """
    data = json.loads(request.body)
    items = notification_items(data)
    if items is None:
        raise ValueError("not an Adyen notification")
    try:
        key = bytes.fromhex(secret)
    except ValueError:
        raise ValueError("an Adyen HMAC key is hex (Customer Area → Webhooks → HMAC key)") from None
    for item in items:
        message = signing_string(item)
        if message is None:
            raise ValueError("a signed field of an item is an object or a list")
        extra = item.get("additionalData")
        item["additionalData"] = {
            **(extra if isinstance(extra, dict) else {}),
            "hmacSignature": HMAC.sign(key, message.encode("utf-8")),
        }
    signed = with_body(request, compact_json(data))
    if settings.username is None or settings.password is None:
        return signed
    credentials = f"{settings.username}:{settings.password.get_secret_value()}".encode()
    auth = "Basic " + base64.b64encode(credentials).decode("ascii")
    return with_headers(signed, {"Authorization": auth})


def challenge(
    request: WebhookRequest, settings: AdyenSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """A notification is answered ``[accepted]`` (the host verifies, stores and runs it first,
    and answers 401 when it does not verify). Found by a substring, without parsing: this runs
    before verification."""
    return ACCEPTED if b'"notificationItems"' in request.body else None


def describe(request: WebhookRequest, settings: AdyenSettings) -> EventInfo:
    """``type`` = the first item's ``eventCode``, ``time`` its ``eventDate``, ``id`` =
    ``pspReference:eventCode:success`` (several items: a hash of all of them); fields: ``live``,
    the first item's merchant account, references, success and payment method, and every
    item's ``event_codes`` and ``psp_references``."""
    items = notification_items(json_object(request)) or []
    keys = [
        ":".join(_value(item.get(name)) or "" for name in ("pspReference", "eventCode", "success"))
        for item in items
    ]
    if len(keys) == 1:
        event_id = keys[0]
    else:
        event_id = body_digest(",".join(sorted(keys)).encode() if keys else request.body)
    codes = [code for code in (text(item.get("eventCode")) for item in items) if code]
    psp = [ref for ref in (text(item.get("pspReference")) for item in items) if ref]
    return EVENT.describe(request, id=event_id, extra={"event_codes": codes, "psp_references": psp})
