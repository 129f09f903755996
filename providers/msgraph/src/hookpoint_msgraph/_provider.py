"""Microsoft Graph change notifications: validation handshake, clientState check, description
(https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks).

* Validation: when a subscription is created (and for its ``lifecycleNotificationUrl``), Graph
  POSTs to ``<notificationUrl>?validationToken=<opaque>``. The answer must come within 10 s:
  ``200``, ``Content-Type: text/plain``, body = the URL-**decoded** token.
* Notifications carry no signature. What authenticates them is the secret ``clientState`` the
  subscription was created with: **every** item of ``value`` must carry one of the endpoint's
  secrets (compared in constant time). Rich notifications (``includeResourceData``) also carry
  ``validationTokens`` (JWTs signed by Microsoft) and ``encryptedContent``: validating those
  needs Microsoft's signing keys and your certificate, so it is left to the job (see README).

The clientState does not cover the rest of the body, and nothing time-bound is sent; the dedupe
id is the SHA-256 of the raw body (Graph retries resend the same bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hookpoint import ChallengeResponse, EventInfo, Verification, WebhookRequest, signing
from hookpoint.providerkit import (
    EventSpec,
    ProviderSettings,
    compact_json,
    echo_challenge,
    json_object,
    matches_any_secret,
    text,
)

__all__ = [
    "EVENT_TYPES",
    "MsGraphSettings",
    "challenge",
    "describe",
    "sign",
    "verify",
]

EVENT_TYPES: tuple[str, ...] = (
    "created",
    "updated",
    "deleted",
    "subscriptionRemoved",
    "missed",
    "reauthorizationRequired",
)
"""The three ``changeType`` values and the three ``lifecycleEvent`` values."""

EVENT = EventSpec(digest_id=False)
"""No dedupe id: Graph sends no delivery id, and a body hash would merge distinct changes whose
notifications are byte-identical (a drive's ``root`` ``updated`` carries nothing per change; so
do repeated lifecycle events), dropping all but the first for the dedupe window. A retry of one
notification may therefore run twice: runs are at least once anyway."""


class MsGraphSettings(ProviderSettings):
    """Graph endpoints take no settings: the subscriptions' ``clientState`` goes in
    ``secrets=``."""


def challenge(
    request: WebhookRequest, settings: MsGraphSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """Echo ``?validationToken=`` (URL-decoded) as ``text/plain``; ``None`` otherwise."""
    if request.method not in ("POST", "GET"):
        return None
    token = request.query.get("validationToken")
    if token is None:
        return None
    return echo_challenge(token, content_type="text/plain")


def _items(body: dict[str, Any] | None) -> list[Any] | None:
    items = body.get("value") if body is not None else None
    return items if isinstance(items, list) and items else None


def _may_carry_a_secret(body: bytes, secrets: Sequence[str]) -> bool:
    """False only when no configured clientState can be in ``body``: a secret JSON writes as it
    is (ASCII, no quote, backslash or slash) must appear in the raw bytes."""
    plain = [s for s in secrets if s and s.isascii() and not any(c in s for c in '"\\/')]
    if len(plain) < len([s for s in secrets if s]):
        return True  # a secret JSON may escape: leave it to the parse
    return any(s.encode("ascii") in body for s in plain)


def verify(
    request: WebhookRequest, settings: MsGraphSettings, secrets: Sequence[str], now: float
) -> Verification:
    """Every notification in ``value`` must carry a configured ``clientState``."""
    if not any(secrets):
        return Verification.refused(signing.REASON_NO_SECRET)
    if len(request.body) > 64 * 1024 and not _may_carry_a_secret(request.body, secrets):
        # before parsing a large body: anyone can post, and 10 MiB of JSON costs the loop
        return Verification.refused("clientState mismatch")
    items = _items(json_object(request))
    if items is None:
        return Verification.refused("not a change notification collection")
    verdict = True
    for item in items:
        state = item.get("clientState") if isinstance(item, dict) else None
        if not isinstance(state, str) or not state:
            return Verification.refused("missing clientState")
        verdict &= matches_any_secret(state, secrets)
    return Verification.verified() if verdict else Verification.refused("clientState mismatch")


def sign(
    request: WebhookRequest, settings: MsGraphSettings, secret: str, now: float
) -> WebhookRequest:
    """Graph's "signature" is the ``clientState`` inside each notification: returns the request
    unchanged when every item already carries ``secret``, else a copy whose body has it set
    (re-serialised compactly)."""
    body = json_object(request)
    items = _items(body)
    if body is None or items is None:
        return request
    if all(isinstance(i, dict) and i.get("clientState") == secret for i in items):
        return request
    for item in items:
        if isinstance(item, dict):
            item["clientState"] = secret
    return WebhookRequest(
        method=request.method,
        url=request.url,
        headers=request.headers,
        body=compact_json(body),
        client=request.client,
        received_at=request.received_at,
    )


def _distinct(items: list[Any], key: str) -> list[str]:
    values: list[str] = []
    for item in items:
        value = text(item.get(key)) if isinstance(item, dict) else None
        if value is not None and value not in values:
            values.append(value)
    return values


def describe(request: WebhookRequest, settings: MsGraphSettings) -> EventInfo:
    """``type`` = the first item's ``changeType`` (or ``lifecycleEvent``); ``fields`` list every
    change type, lifecycle event, subscription, resource and tenant in the batch."""
    items = _items(json_object(request)) or []
    changes = _distinct(items, "changeType")
    lifecycle = _distinct(items, "lifecycleEvent")
    kinds = [*changes, *lifecycle]
    extra = {
        "change_types": changes,
        "lifecycle_events": lifecycle,
        "subscription_ids": _distinct(items, "subscriptionId"),
        "resources": _distinct(items, "resource"),
        "tenant_ids": _distinct(items, "tenantId"),
        "count": len(items),
    }
    return EVENT.describe(request, type=kinds[0] if kinds else None, extra=extra)
