"""X (Twitter) Account Activity API: signature, CRC check and event description.

* CRC: ``GET <url>?crc_token=<token>`` → ``200`` JSON
  ``{"response_token": "sha256=<base64 HMAC-SHA256(consumer_secret, crc_token)>"}``, sent on
  registration, on demand and periodically; a failed CRC marks the webhook invalid. The newest
  configured secret answers (rotate the consumer secret on X first, then here).
* Events: ``POST`` with ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer
  secret, raw body)>``. The key is the app's **consumer (API key) secret**.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hookpoint import ChallengeResponse, EventInfo
from hookpoint.providerkit import (
    EventSpec,
    HeaderSignature,
    HmacScheme,
    ProviderSettings,
    json_challenge,
    json_object,
    text,
    to_datetime,
)

from ._models import ACTIVITY_KEYS

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "EVENT_TYPES",
    "SCHEME",
    "SIGNATURE",
    "TwitterSettings",
    "challenge",
    "crc_response_token",
    "describe",
]

SCHEME = HmacScheme(encoding="base64", prefix="sha256=")
SIGNATURE = HeaderSignature("x-twitter-webhooks-signature", SCHEME)

EVENT_TYPES: tuple[str, ...] = ACTIVITY_KEYS

EVENT = EventSpec(fields={"for_user_id": "body:for_user_id"})

_TWEET_TIME = "%a %b %d %H:%M:%S %z %Y"  # "Thu May 02 09:12:45 +0000 2024"


class TwitterSettings(ProviderSettings):
    """X endpoints take no settings: the app's consumer secret goes in ``secrets=``."""


def crc_response_token(consumer_secret: str, crc_token: str) -> str:
    """``"sha256=" + base64(HMAC-SHA256(consumer_secret, crc_token))``."""
    return SCHEME.sign(consumer_secret, crc_token.encode("utf-8"))


def challenge(
    request: WebhookRequest, settings: TwitterSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """Answer the CRC ``GET ?crc_token=``; ``None`` for anything else (or without a secret)."""
    if request.method != "GET":
        return None
    token = request.query.get("crc_token")
    secret = next((s for s in secrets if s), None)
    if token is None or secret is None:
        return None
    return json_challenge({"response_token": crc_response_token(secret, token)})


def _time(item: dict[str, Any]) -> datetime | None:
    millis = item.get("created_timestamp") or item.get("timestamp_ms")
    if millis is not None:
        return to_datetime(millis, unit="ms")
    created = item.get("created_at")
    if isinstance(created, str):
        try:
            return datetime.strptime(created, _TWEET_TIME)
        except ValueError:
            return to_datetime(created)
    return None


def describe(request: WebhookRequest, settings: TwitterSettings) -> EventInfo:
    """``type`` = the first activity key present (``tweet_create_events``…); ``id`` = the
    subscribed account (``for_user_id``), that key and the ids of its objects (the body hash
    when they have none): one webhook receives every subscribed account's activity, and the same
    tweet or DM arrives once per subscribed account it involves, so the account is part of the
    id; ``time`` = the first object's ``created_timestamp``/``created_at``;
    ``fields.activities`` lists every key."""
    body = json_object(request) or {}
    kinds = [key for key in ACTIVITY_KEYS if key in body]
    kind = kinds[0] if kinds else None
    items = body.get(kind) if kind else None
    objects = [o for o in items if isinstance(o, dict)] if isinstance(items, list) else []
    ids = [i for i in (text(o.get("id_str")) or text(o.get("id")) for o in objects) if i]
    event_id = None
    if kind and ids:
        joined = f"{text(body.get('for_user_id')) or '-'}:{kind}:{','.join(ids)}"
        event_id = joined if len(joined) <= 200 else hashlib.sha256(joined.encode()).hexdigest()
    when = _time(objects[0]) if objects else None
    extra = {"activities": kinds, "count": len(objects)}
    return EVENT.describe(
        request, type=kind, time=when, extra=extra, **({"id": event_id} if event_id else {})
    )
