"""Dropbox's signature scheme, verification request and event description.

* Verification request: ``GET <url>?challenge=<string>`` → ``200`` echoing the string, with
  ``Content-Type: text/plain`` and ``X-Content-Type-Options: nosniff`` (Dropbox's requirement: the
  echo must not be sniffed as HTML).
* Notifications: ``POST`` with ``X-Dropbox-Signature`` = hex HMAC-SHA256(app secret, raw body).

A notification only says which accounts changed; there is no event id or time. The dedupe id is
deliberately left empty: two identical notifications can stand for two different changes, and a
repeated one only makes the job look at the account's cursor again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hookpoint import ChallengeResponse, EventInfo
from hookpoint.providerkit import (
    EventSpec,
    HeaderSignature,
    HmacScheme,
    ProviderSettings,
    echo_challenge,
    json_object,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "EVENT_TYPES",
    "SIGNATURE",
    "DropboxSettings",
    "challenge",
    "describe",
]

SIGNATURE = HeaderSignature("X-Dropbox-Signature", HmacScheme())

EVENT_TYPES: tuple[str, ...] = ("list_folder", "delta")
"""``list_folder`` (API v2, what user apps receive) and the legacy ``delta`` (v1 user ids)."""

EVENT = EventSpec(
    fields={"accounts": "body:list_folder.accounts", "users": "body:delta.users"},
    digest_id=False,
)


class DropboxSettings(ProviderSettings):
    """Dropbox endpoints take no settings: the app secret goes in ``secrets=``."""


def challenge(
    request: WebhookRequest, settings: DropboxSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """Echo ``?challenge=`` of a GET; anything else is not the verification request."""
    if request.method != "GET":
        return None
    value = request.query.get("challenge")
    if value is None:
        return None
    return echo_challenge(
        value, content_type="text/plain", headers={"X-Content-Type-Options": "nosniff"}
    )


def describe(request: WebhookRequest, settings: DropboxSettings) -> EventInfo:
    """``type`` = ``list_folder`` (or ``delta``); no id (see the module doc); ``fields`` carry
    the changed ``accounts`` (and legacy ``users``)."""
    body = json_object(request) or {}
    kind = next((key for key in EVENT_TYPES if isinstance(body.get(key), dict)), None)
    return EVENT.describe(request, type=kind)
