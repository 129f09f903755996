"""Twilio's request signature and event description (see
https://www.twilio.com/docs/usage/security#validating-requests and twilio-python's
``RequestValidator``).

``X-Twilio-Signature`` = base64 HMAC-SHA1, keyed with the Auth Token, of the full URL Twilio
requested (scheme, host, port, path and query, percent-encoding as sent) followed, for
form-encoded POSTs, by every parameter sorted by name with its values sorted (repeats dropped,
as twilio-python does), each as ``name + value``. JSON bodies are not signed as parameters:
Twilio appends ``bodySHA256=<hex SHA-256 of the body>`` to the URL, which is signed, and the body
must hash to it. ``X-Twilio-Webhooks-Signature-Settings: …,algorithm=HMAC_SHA256`` switches the
HMAC to SHA-256 (shared-key webhooks).

The URL: the host rebuilds ``request.url`` as the sender saw it, honouring ``X-Forwarded-Proto``
and ``X-Forwarded-Host`` from trusted proxies only. When a proxy also rewrites the path (or is
not trusted), set ``public_url`` to the URL configured in Twilio. Like twilio-python, the URL
is tried without and with the default port (``:443``/``:80``), because Twilio is inconsistent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from pydantic import Field

from hookpoint import EventInfo, Verification, signing
from hookpoint.providerkit import (
    EventSpec,
    HeaderSignature,
    HmacScheme,
    ProviderSettings,
    body_digest,
    form_params,
    header,
    json_object,
    query_params,
    text,
    with_headers,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "EVENT_TYPES",
    "SIGNATURE_HEADER",
    "TwilioSettings",
    "describe",
    "sign",
    "signed_urls",
    "verify",
]

SIGNATURE_HEADER = "X-Twilio-Signature"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
BODY_HASH_PARAM = "bodySHA256"
_SCHEMES = {
    "sha1": HeaderSignature(SIGNATURE_HEADER, HmacScheme("sha1", encoding="base64")),
    "sha256": HeaderSignature(SIGNATURE_HEADER, HmacScheme(encoding="base64")),
}
_DEFAULT_PORTS = {"https": 443, "http": 80}

# type: "<resource>.<status>" from the status parameter Twilio sends.
EVENT_TYPES: tuple[str, ...] = (
    "message.received",
    "message.accepted",
    "message.queued",
    "message.sending",
    "message.sent",
    "message.delivered",
    "message.undelivered",
    "message.failed",
    "message.read",
    "call.queued",
    "call.initiated",
    "call.ringing",
    "call.in-progress",
    "call.completed",
    "call.busy",
    "call.failed",
    "call.no-answer",
    "call.canceled",
    "recording.in-progress",
    "recording.completed",
    "recording.absent",
    "transcription.completed",
    "transcription.failed",
)
_STATUS = (
    ("recording", "RecordingStatus"),
    ("transcription", "TranscriptionStatus"),
    ("message", "MessageStatus"),
    ("message", "SmsStatus"),
    ("call", "CallStatus"),
)
EVENT = EventSpec(
    id=("header:I-Twilio-Idempotency-Token",),
    digest_id=False,
    fields={
        "account_sid": "form:AccountSid",
        "from": "form:From",
        "to": "form:To",
        "message_sid": "form:MessageSid",
        "call_sid": "form:CallSid",
        "direction": "form:Direction",
        "error_code": "form:ErrorCode",
    },
)


class TwilioSettings(ProviderSettings):
    """Settings of a Twilio endpoint (the account Auth Token goes in ``secrets=``)."""

    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^?#]+$",
        description="The webhook URL exactly as configured in Twilio, without query string, "
        "when the host cannot rebuild it from the request (a proxy that rewrites the path). "
        "The request's query string is appended.",
    )


def signed_urls(request: WebhookRequest, settings: TwilioSettings) -> list[str]:
    """The URLs Twilio may have signed: as received, then without and with the port (any port
    removed; the scheme's default port added), like twilio-python."""
    url = request.url
    if settings.public_url:
        query = urlsplit(url).query
        url = settings.public_url + (f"?{query}" if query else "")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return [url]
    netloc = parts.netloc
    if port is None:
        default = _DEFAULT_PORTS.get(parts.scheme.lower())
        other = f"{netloc}:{default}" if default is not None else netloc
    else:
        other = netloc.rsplit(":", 1)[0]
    return list(dict.fromkeys((url, urlunsplit(parts._replace(netloc=other)))))


MAX_FORM_BYTES = 256 * 1024
"""Largest form body whose parameters are decoded to check a signature."""

_LOOKS_LIKE_JSON = re.compile(rb"\s*[\[{]")


def _params_text(request: WebhookRequest) -> str:
    """``name + value`` of each form parameter, sorted like twilio-python."""
    # A JSON body (signed through bodySHA256) has no parameters; told from its first byte, not
    # by parsing it: this runs before the signature is known to be good.
    if request.method == "GET" or _LOOKS_LIKE_JSON.match(request.body):
        return ""
    grouped: dict[str, set[str]] = {}
    for key, value in form_params(request.body):
        grouped.setdefault(key, set()).add(value)
    return "".join(key + value for key in sorted(grouped) for value in sorted(grouped[key]))


def _body_hash_ok(request: WebhookRequest, url: str) -> bool | None:
    """None when the URL carries no ``bodySHA256``; else whether the body hashes to it."""
    claimed = next((v for k, v in query_params(url) if k == BODY_HASH_PARAM), None)
    if claimed is None:
        return None
    return signing.constant_time_equals(hashlib.sha256(request.body).hexdigest(), claimed)


def _scheme(request: WebhookRequest) -> HeaderSignature:
    settings_value = header(request, SETTINGS_HEADER) or ""
    pairs = dict(signing.parse_signature_header(settings_value))
    return _SCHEMES["sha256" if pairs.get("algorithm", "").upper() == "HMAC_SHA256" else "sha1"]


def verify(
    request: WebhookRequest, settings: TwilioSettings, secrets: Sequence[str], now: float
) -> Verification:
    urls = signed_urls(request, settings)
    body_hash = _body_hash_ok(request, urls[0])
    if body_hash is False:
        return Verification.refused("body does not match bodySHA256")
    if not body_hash and header(request, SIGNATURE_HEADER) is None:
        return Verification.refused(signing.REASON_MISSING)  # before decoding anything
    if not body_hash and len(request.body) > MAX_FORM_BYTES:
        # Twilio's parameters are a few KiB; decoding megabytes of %XX for anyone who posts
        # them (the signature is only checked after) cost seconds of event-loop time.
        return Verification.refused("form body too large for a Twilio request")
    params = "" if body_hash else _params_text(request)
    scheme = _scheme(request)
    result = Verification.refused(signing.REASON_MISMATCH)
    for url in urls:
        result = scheme.verify(request, secrets, (url + params).encode("utf-8"))
        if result.success or result.reason != signing.REASON_MISMATCH:
            return result
    return result


def sign(
    request: WebhookRequest, settings: TwilioSettings, secret: str, now: float
) -> WebhookRequest:
    """Sign like Twilio: form bodies as parameters; other bodies through ``bodySHA256``."""
    url = signed_urls(request, settings)[0] if settings.public_url else request.url
    if json_object(request) is not None and _body_hash_ok(request, url) is None:
        digest = hashlib.sha256(request.body).hexdigest()
        url += ("&" if urlsplit(url).query else "?") + urlencode({BODY_HASH_PARAM: digest})
        request = request.with_context(url=url)
    params = "" if _body_hash_ok(request, url) else _params_text(request)
    signature = _SCHEMES["sha1"].scheme.sign(secret, (url + params).encode("utf-8"))
    return with_headers(request, {SIGNATURE_HEADER: signature})


def describe(request: WebhookRequest, settings: TwilioSettings) -> EventInfo:
    """``type`` = ``<resource>.<status>`` (``message.delivered``, ``call.completed``, …);
    ``id`` = ``I-Twilio-Idempotency-Token``, else the body hash. (Not the sid and status: one
    call sends several requests in the same status, e.g. each ``<Gather>`` action while
    ``in-progress``, and they are distinct; a retry resends the same parameters.)"""
    params: dict[str, Any] = dict(form_params(request.body))
    kind = None
    for resource, field in _STATUS:
        status = text(params.get(field))
        if status:
            kind = f"{resource}.{status}"
            break
    info = EVENT.describe(request, type=kind)
    return info.model_copy(update={"id": info.id or body_digest(request.body)})
