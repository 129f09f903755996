"""Mailgun webhooks: the signature in the body, tolerance, and event description.

Mailgun signs no header and not the body: each request carries ``timestamp``, ``token`` (50
random characters) and ``signature`` = hex HMAC-SHA256(HTTP webhook signing key, timestamp +
token). JSON webhooks put them in a ``signature`` object; for a subaccount's domain that object
also carries ``parent-signature``, the same HMAC made with the parent account's key, so one key
verifies every subaccount. Legacy webhooks and inbound routes send them as form fields
(``application/x-www-form-urlencoded`` or ``multipart/form-data``).

Because the event itself is not signed, a captured signature block could carry forged event data
for as long as its timestamp is accepted. Mailgun's answer is to remember tokens
(https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks), so the
dedupe id is the **signed token**: a second request with a token the endpoint has seen inside
its dedupe window is stored as a duplicate and starts no run, whatever its event data says.
That also lets the tolerance be long enough for Mailgun's retries, which (as integrators report;
Mailgun's docs do not say) resend the original signature block for up to ~8 hours: ``tolerance``
defaults to 9 hours, both ways, and must stay below the endpoint's ``dedupe_window``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from hookpoint import EventInfo, Verification, WebhookRequest, signing
from hookpoint.providerkit import (
    EventSpec,
    HmacScheme,
    ProviderSettings,
    compact_json,
    form_params,
    json_object,
    tolerance_field,
    unix_seconds,
    with_body,
)

__all__ = ["EVENT_TYPES", "SCHEME", "MailgunSettings", "describe", "sign", "verify"]

SCHEME = HmacScheme()
"""hex HMAC-SHA256 of ``timestamp + token``."""

# https://documentation.mailgun.com/docs/mailgun/user-manual/events/event-types
EVENT_TYPES: tuple[str, ...] = (
    "accepted",
    "rejected",
    "delivered",
    "failed",
    "opened",
    "clicked",
    "unsubscribed",
    "complained",
    "stored",
    "list_member_uploaded",
    "list_member_upload_error",
    "list_uploaded",
    "inbound",
)
"""Mailgun's event types, plus ``inbound`` for a route's forwarded message (it has no event)."""

JSON_EVENT = EventSpec(
    type=("body:event-data.event",),
    id=("body:signature.token",),
    time=("body:event-data.timestamp",),
    fields={
        "event_data_id": "body:event-data.id",
        "recipient": "body:event-data.recipient",
        "message_id": "body:event-data.message.headers.message-id",
        "severity": "body:event-data.severity",
        "reason": "body:event-data.reason",
        "tags": "body:event-data.tags",
    },
)
FORM_EVENT = EventSpec(
    type=("form:event",),
    id=("form:token",),
    time=("form:timestamp",),
    fields={"recipient": "form:recipient", "message_id": "form:Message-Id"},
)

_SIGNED_FIELDS = ("timestamp", "token", "signature")
_PARENT_SIGNATURE = "parent-signature"
_INBOUND_FIELDS = ("sender", "body-plain", "stripped-text", "message-headers")
_MAX_MULTIPART = 5 * 1024 * 1024


class MailgunSettings(ProviderSettings):
    """Settings of a Mailgun endpoint; the HTTP webhook signing key goes in ``secrets=``."""

    tolerance: float = tolerance_field(9 * 3600, what="the signed timestamp")
    """Long enough for Mailgun's ~8 h of retries of one signature block; replays inside it are
    duplicates by their token (keep the endpoint's ``dedupe_window`` longer than this)."""


_BOUNDARY = re.compile(rb'boundary="?([^";\s]{1,200})"?', re.IGNORECASE)
_PART_NAME = re.compile(rb'\bname="([^"]{1,200})"', re.IGNORECASE)
_MAX_PARTS = 1_000
_MAX_PART_HEADERS = 2_048
_MAX_FORM_BYTES = 256 * 1024
_MAX_JSON_EVENT = 1024 * 1024
"""Urlencoded Mailgun posts (legacy webhooks) are a few KiB; decoding a larger form before
its signature is checked would be work done for anyone."""


def _multipart_fields(request: WebhookRequest) -> dict[str, str]:
    """The text fields of a ``multipart/form-data`` body (attachments skipped; never raises).

    A linear scan, not ``email.parser``: this runs before the signature is known to be good,
    and the email parser took seconds to minutes on crafted bodies (many parts, long folded
    headers). At most 1,000 parts and 2 KiB of headers a part are read; a part's value is its
    bytes as sent (Mailgun sends form fields unencoded)."""
    if len(request.body) > _MAX_MULTIPART:
        return {}
    found = _BOUNDARY.search(request.headers.get("content-type", "").encode("latin-1", "replace"))
    if found is None:
        return {}
    delimiter = b"--" + found.group(1)
    fields: dict[str, str] = {}
    for part in request.body.split(delimiter, _MAX_PARTS + 1)[1 : _MAX_PARTS + 1]:
        if part.startswith(b"--"):  # the closing delimiter
            break
        head, sep, value = part.partition(b"\r\n\r\n")
        if not sep or len(head) > _MAX_PART_HEADERS or b"filename=" in head.lower():
            continue
        name = _PART_NAME.search(head)
        if name is None:
            continue
        key = name.group(1).decode("utf-8", "replace")
        if key not in fields:
            fields[key] = value.removesuffix(b"\r\n").decode("utf-8", "replace")
    return fields


def _form_fields(request: WebhookRequest) -> dict[str, str]:
    if request.content_type == "multipart/form-data":
        return _multipart_fields(request)
    fields: dict[str, str] = {}
    if len(request.body) > _MAX_FORM_BYTES:
        return fields
    for key, value in form_params(request.body):
        fields.setdefault(key, value)
    return fields


def _signatures(request: WebhookRequest) -> list[tuple[Any, Any, Any]]:
    """Every ``(timestamp, token, signature)`` the request carries: the signature, then a
    subaccount event's ``parent-signature`` over the same timestamp and token."""
    if len(request.body) > _MAX_JSON_EVENT and request.content_type != "multipart/form-data":
        return []  # a Mailgun event is a few KiB: not parsed for anyone before verification
    body = json_object(request)
    if body is not None:
        block = body.get("signature")
        if not isinstance(block, dict):
            return []
        timestamp, token, signature = (block.get(f) for f in _SIGNED_FIELDS)
        found = [(timestamp, token, signature)]
        if _PARENT_SIGNATURE in block:
            found.append((timestamp, token, block[_PARENT_SIGNATURE]))
        return found
    fields = _form_fields(request)
    if not any(f in fields for f in _SIGNED_FIELDS):
        return []
    return [tuple(fields.get(f) for f in _SIGNED_FIELDS)]  # type: ignore[list-item]


def verify(
    request: WebhookRequest, settings: MailgunSettings, secrets: Sequence[str], now: float
) -> Verification:
    """Accept when a signature object (or the signature form fields) verifies with a configured
    key and its timestamp is within ``tolerance`` of now."""
    if not any(secrets):
        return Verification.refused(signing.REASON_NO_SECRET)
    found = _signatures(request)
    if not found:
        return Verification.refused(signing.REASON_MISSING)
    result = Verification.refused(signing.REASON_MALFORMED)
    for timestamp, token, signature in found[:2]:
        if not isinstance(token, str) or not token or not isinstance(signature, str):
            continue
        if not isinstance(timestamp, str | int) or isinstance(timestamp, bool):
            result = Verification.refused(signing.REASON_MALFORMED_TIMESTAMP)
            continue
        reason = signing.check_timestamp(str(timestamp), now, settings.tolerance)
        if reason is not None:
            result = Verification.refused(reason)
            continue
        result = SCHEME.verify(f"{timestamp}{token}".encode(), signature, secrets)
        if result:
            return result
    return result


def sign(
    request: WebhookRequest, settings: MailgunSettings, secret: str, now: float
) -> WebhookRequest:
    """Mailgun's signature lives in the body, so signing rewrites it: the ``signature`` object
    (JSON) or fields (form) get ``timestamp`` = now and the HMAC; the token is kept (or derived
    from the body). A body that already carries exactly that is returned unchanged.

    :raises ValueError: for a ``multipart/form-data`` body (not re-encoded here).
    """
    timestamp = unix_seconds(now)
    body = json_object(request)
    if body is not None:
        found = body.get("signature")
        old: dict[str, Any] = found if isinstance(found, dict) else {}
        token = old.get("token") if isinstance(old.get("token"), str) else None
        new = _signed(secret, timestamp, token or _token(request))
        if all(old.get(k) == v for k, v in new.items()):
            return request
        body["signature"] = new
        return with_body(request, compact_json(body))
    if request.content_type == "multipart/form-data":
        raise ValueError("a multipart/form-data Mailgun body cannot be re-signed here")
    pairs = form_params(request.body)
    fields = dict(pairs)
    new = _signed(secret, timestamp, fields.get("token") or _token(request))
    if all(fields.get(k) == v for k, v in new.items()):
        return request
    kept = [(k, v) for k, v in pairs if k not in new]
    return with_body(request, urlencode([*kept, *new.items()]).encode())


def _token(request: WebhookRequest) -> str:
    return hashlib.sha256(request.body).hexdigest()[:50]


def _signed(secret: str, timestamp: str, token: str) -> dict[str, str]:
    return {
        "timestamp": timestamp,
        "token": token,
        "signature": SCHEME.sign(secret, f"{timestamp}{token}".encode()),
    }


def describe(request: WebhookRequest, settings: MailgunSettings) -> EventInfo:
    """JSON: ``type`` = ``event-data.event``, ``id`` = the signed ``signature.token`` (so a
    replayed signature block is a duplicate), ``time`` = ``event-data.timestamp``, and
    ``event-data.id`` as the ``event_data_id`` field. Forms: ``type`` = the ``event`` field
    (``inbound`` for a route's message), ``id`` = the ``token`` field."""
    if json_object(request) is not None:
        return JSON_EVENT.describe(request)
    fields = _form_fields(request)
    kind = fields.get("event") or ("inbound" if any(f in fields for f in _INBOUND_FIELDS) else None)
    message_id = fields.get("Message-Id") or fields.get("message-id")
    overrides: dict[str, Any] = {"type": kind}
    if request.content_type == "multipart/form-data" and fields.get("token"):
        overrides["id"] = fields["token"]  # the EventSpec reads urlencoded forms only
    extra = {"recipient": fields.get("recipient"), "message_id": message_id}
    return FORM_EVENT.describe(request, extra=extra, **overrides)
