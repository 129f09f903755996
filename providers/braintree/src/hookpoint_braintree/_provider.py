"""Braintree webhooks: the ``bt_signature``/``bt_payload`` pair, the ``bt_challenge`` handshake,
the decoded XML notification.

Sender behaviour (https://developer.paypal.com/braintree/docs/guides/webhooks/parse/python and
the ``braintree`` SDK's ``WebhookNotificationGateway``):

* A notification is a form post with ``bt_payload`` (base64 of an XML ``<notification>``, line
  broken) and ``bt_signature``: ``public_key|hex HMAC-SHA1(payload)`` keyed with the **SHA-1
  digest of the private key**, several such pairs joined by ``&``. The pair of a configured
  public key must match, over the payload or the payload plus a newline (as the SDK accepts);
  the payload holds only base64 characters and newlines.
* Secrets are API key pairs written ``"<public key>:<private key>"`` (Control Panel → Settings →
  API); each configured pair is tried, so a key change lists the new pair and the old.
* Creating a webhook sends ``GET ?bt_challenge=<20 to 32 hex digits>``, answered
  ``<public key>|hex HMAC-SHA1(challenge)`` with the first configured pair (the SDK's
  ``webhook_notification.verify``).
* The challenge answer is an HMAC of text the caller chooses, and 20 to 32 hex digits are
  valid base64; so a verified payload must also decode to XML (it starts with ``<``, which no
  hex-digit payload can), or the handshake would hand out signatures of forged "notifications".
* There is no notification id: the dedupe key is a hash of the payload (a retry resends it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from hookpoint import ChallengeResponse, EventInfo, Verification, signing
from hookpoint.providerkit import (
    REASON_BAD_KEY,
    HmacScheme,
    ProviderSettings,
    body_digest,
    echo_challenge,
    form_params,
    query_params,
    refuse_handshake,
    to_datetime,
    with_body,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "EVENT_TYPES",
    "BraintreeSettings",
    "challenge",
    "challenge_answer",
    "decode_payload",
    "describe",
    "sign",
    "verify",
]

HMAC = HmacScheme(algorithm="sha1", encoding="hex")

# WebhookNotification.Kind of the braintree SDK
# (https://developer.paypal.com/braintree/docs/reference/general/webhooks/overview).
EVENT_TYPES: tuple[str, ...] = (
    "account_updater_daily_report",
    "check",
    "connected_merchant_paypal_status_changed",
    "connected_merchant_status_transitioned",
    "disbursement",
    "disbursement_exception",
    "dispute_accepted",
    "dispute_auto_accepted",
    "dispute_disputed",
    "dispute_expired",
    "dispute_lost",
    "dispute_opened",
    "dispute_under_review",
    "dispute_won",
    "granted_payment_method_revoked",
    "grantor_updated_granted_payment_method",
    "local_payment_completed",
    "local_payment_expired",
    "local_payment_funded",
    "local_payment_reversed",
    "oauth_access_revoked",
    "partner_merchant_connected",
    "partner_merchant_declined",
    "partner_merchant_disconnected",
    "payment_method_customer_data_updated",
    "payment_method_revoked_by_customer",
    "recipient_updated_granted_payment_method",
    "refund_failed",
    "subscription_billing_skipped",
    "subscription_canceled",
    "subscription_charged_successfully",
    "subscription_charged_unsuccessfully",
    "subscription_expired",
    "subscription_trial_ended",
    "subscription_went_active",
    "subscription_went_past_due",
    "transaction_disbursed",
    "transaction_retried",
    "transaction_reviewed",
    "transaction_settled",
    "transaction_settlement_declined",
)

_PAYLOAD = re.compile(r"[A-Za-z0-9+=/\n]+")
_CHALLENGE = re.compile(r"[a-f0-9]{20,32}")


class BraintreeSettings(ProviderSettings):
    """Settings of a Braintree endpoint: none; the API key pairs go in ``secrets=`` as
    ``"<public key>:<private key>"``."""


def _key_pairs(secrets: Sequence[str]) -> tuple[list[tuple[str, bytes]], int]:
    """``(public key, HMAC key)`` of each ``public:private`` secret, and how many were not."""
    pairs = []
    for secret in secrets:
        public, _, private = secret.partition(":")
        if public and private:
            # SHA-1 of the private key is Braintree's HMAC key (its SDKs' Crypto.sha1_hmac_hash)
            key = hashlib.sha1(private.encode("utf-8")).digest()  # noqa: S324
            pairs.append((public, key))
    return pairs, len(secrets) - len(pairs)


def _field(params: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in params if key == name and value), None)


def decode_payload(payload: str) -> dict[str, Any] | None:
    """The ``<notification>`` of a ``bt_payload`` as a dict (dashes in names become
    underscores; ``type="array"`` elements lists, ``nil="true"`` None, booleans and integers
    typed), or ``None`` when it is not one. DTDs are refused unparsed."""
    try:
        xml = base64.b64decode(payload.encode("ascii"))
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return None
    if b"<!" in xml:
        return None
    try:
        root = ElementTree.fromstring(xml)  # noqa: S314 - no DTD got this far (above)
        data = _element(root)
    except (ElementTree.ParseError, ValueError, RecursionError):
        return None
    return data if root.tag == "notification" and isinstance(data, dict) else None


def _element(element: ElementTree.Element) -> Any:
    kind = element.get("type")
    if element.get("nil") == "true":
        return None
    if kind == "array":
        return [_element(child) for child in element]
    if len(element):
        result: dict[str, Any] = {}
        for child in element:
            name = child.tag.replace("-", "_")
            value = _element(child)
            if name in result:
                previous = result[name]
                result[name] = (
                    [*previous, value] if isinstance(previous, list) else [previous, value]
                )
            else:
                result[name] = value
        return result
    value = (element.text or "").strip()
    if kind == "boolean":
        return value == "true"
    if kind == "integer" and value.lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return value


def verify(
    request: WebhookRequest, settings: BraintreeSettings, secrets: Sequence[str], now: float
) -> Verification:
    """The ``bt_signature`` pair of a configured public key over ``bt_payload``."""
    keys, bad = _key_pairs(secrets)
    if not keys:
        return Verification.refused(REASON_BAD_KEY if bad else signing.REASON_NO_SECRET)
    params = form_params(request.body)
    signature, payload = _field(params, "bt_signature"), _field(params, "bt_payload")
    if signature is None:
        return Verification.refused(signing.REASON_MISSING)
    if payload is None:
        return Verification.refused("missing payload")
    if not _PAYLOAD.fullmatch(payload):
        return Verification.refused("malformed payload")
    signed = [pair.partition("|")[::2] for pair in signature.split("&") if "|" in pair]
    raw = payload.encode("ascii")
    matched, named = False, False
    for public, key in keys:
        candidates = [sig for name, sig in signed if name == public]
        named |= bool(candidates)
        for message in (raw, raw + b"\n"):
            matched |= bool(candidates) and HMAC.verify(message, candidates, [key]).success
    if not named:
        return Verification.refused("no signature for a configured public key")
    if not matched:
        return Verification.refused(signing.REASON_MISMATCH)
    try:
        xml = base64.b64decode(raw)
    except (binascii.Error, ValueError):
        xml = b""
    if not xml.lstrip().startswith(b"<"):
        return Verification.refused("not a Braintree notification")
    return Verification.verified()


def sign(
    request: WebhookRequest, settings: BraintreeSettings, secret: str, now: float
) -> WebhookRequest:
    """Sign like Braintree: ``bt_signature`` = ``public|hex HMAC-SHA1(SHA-1(private),
    bt_payload)``, written first, replacing any earlier one.

    :raises ValueError: when the secret is not ``public:private`` or the body has no payload.
    """
    pairs, _ = _key_pairs([secret])
    params = form_params(request.body)
    payload = _field(params, "bt_payload")
    if not pairs or payload is None:
        raise ValueError("signing needs a 'public:private' key pair and a bt_payload field")
    public, key = pairs[0]
    signature = f"{public}|{HMAC.sign(key, payload.encode('utf-8'))}"
    kept = [(name, value) for name, value in params if name != "bt_signature"]
    return with_body(request, urlencode([("bt_signature", signature), *kept]).encode())


def challenge_answer(challenge: str, secret: str) -> str:
    """``<public key>|hex HMAC-SHA1(challenge)`` for a ``public:private`` secret.

    :raises ValueError: when the secret is not ``public:private``.
    """
    pairs, _ = _key_pairs([secret])
    if not pairs:
        raise ValueError("a Braintree secret is '<public key>:<private key>'")
    public, key = pairs[0]
    return f"{public}|{HMAC.sign(key, challenge.encode('ascii'))}"


def challenge(
    request: WebhookRequest, settings: BraintreeSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """``GET ?bt_challenge=…``: answered with the first configured key pair; a malformed
    challenge is refused (400). Anything else goes on to verification."""
    if request.method != "GET":
        return None
    value = _field(query_params(request.url), "bt_challenge")
    if value is None:
        return None
    if not _CHALLENGE.fullmatch(value):
        return refuse_handshake("malformed challenge", status=400)
    first = next((s for s in secrets if _key_pairs([s])[0]), None)
    if first is None:
        return refuse_handshake(REASON_BAD_KEY if secrets else signing.REASON_NO_SECRET)
    return echo_challenge(challenge_answer(value, first))


def describe(request: WebhookRequest, settings: BraintreeSettings) -> EventInfo:
    """``type`` = ``kind``, ``time`` = ``timestamp``, ``id`` = a hash of the payload; fields:
    ``subject_type`` (``subscription``, ``transaction``, ``dispute``, …), ``subject_id``,
    ``source_merchant_id``."""
    payload = _field(form_params(request.body), "bt_payload")
    data = decode_payload(payload) if payload is not None else None
    event_id = body_digest(payload.encode("utf-8") if payload is not None else request.body)
    if data is None:
        return EventInfo(id=event_id)
    subject = data.get("subject")
    subject_type = next(iter(subject), None) if isinstance(subject, dict) else None
    inner = subject.get(subject_type) if isinstance(subject, dict) and subject_type else None
    kind, merchant = data.get("kind"), data.get("source_merchant_id")
    return EventInfo(
        type=kind if isinstance(kind, str) and kind else None,
        id=event_id,
        time=to_datetime(data.get("timestamp")),
        fields={
            "subject_type": subject_type,
            "subject_id": inner.get("id") if isinstance(inner, dict) else None,
            "source_merchant_id": merchant if isinstance(merchant, str) else None,
        },
    )
