"""Discord interactions and webhook events: Ed25519 verification, PING, description.

Discord signs every request with Ed25519 over ``X-Signature-Timestamp + raw body``; the
signature is ``X-Signature-Ed25519`` (hex) and the endpoint's secret is the application's
**public key** (hex, Developer Portal → General Information). Discord fixes no tolerance and its
own libraries check no time, so neither does this plugin by default (the timestamp is signed and
required; interaction ids dedupe repeats); the ``tolerance`` setting bounds it both ways.

PING: the Interactions Endpoint receives ``{"type": 1}`` and must answer ``{"type": 1}`` (PONG);
the Webhook Events URL receives ``{"type": 0}`` and must answer ``204``. Discord probes the URL
with **invalidly signed** PINGs and refuses an endpoint that answers them, so a PING is answered
only after its signature verifies (with a ``tolerance``, against the time the host received
it); otherwise ``401``.

``defer_interactions``: Discord needs an interaction *response* within 3 s, which a run cannot
give. With the setting on, commands and modal submits are answered ``{"type": 5}``
(DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE) and components ``{"type": 6}`` (DEFERRED_UPDATE_MESSAGE)
at once, after the signature verifies, and the run still starts; the job then edits the original
response through ``PATCH /webhooks/{application_id}/{token}/messages/@original``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from hookpoint import ChallengeResponse, EventInfo, WebhookRequest
from hookpoint.providerkit import (
    EventSpec,
    ProviderSettings,
    TimestampedKeySignature,
    compact_json,
    handshake_json,
    json_challenge,
    json_object,
    optional_tolerance_field,
    refuse_handshake,
    text,
)

from ._models import InteractionType

__all__ = [
    "EVENT_TYPES",
    "SIGNATURE",
    "DiscordSettings",
    "challenge",
    "describe",
    "snowflake_time",
]

SIGNATURE = TimestampedKeySignature(
    algorithm="ed25519",
    signature_header="X-Signature-Ed25519",
    timestamp_header="X-Signature-Timestamp",
    encoding="hex",
)

WEBHOOK_EVENT_TYPES: tuple[str, ...] = (
    "APPLICATION_AUTHORIZED",
    "APPLICATION_DEAUTHORIZED",
    "ENTITLEMENT_CREATE",
    "QUEST_USER_ENROLLMENT",
)
EVENT_TYPES: tuple[str, ...] = (*(t.name for t in InteractionType), *WEBHOOK_EVENT_TYPES)
"""Interaction types (``PING``, ``APPLICATION_COMMAND``, ``MESSAGE_COMPONENT``,
``APPLICATION_COMMAND_AUTOCOMPLETE``, ``MODAL_SUBMIT``) and webhook event types."""

_DISCORD_EPOCH_MS = 1_420_070_400_000
_DEFERRED: dict[int, int] = {
    InteractionType.APPLICATION_COMMAND: 5,  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
    InteractionType.MODAL_SUBMIT: 5,
    InteractionType.MESSAGE_COMPONENT: 6,  # DEFERRED_UPDATE_MESSAGE
}

INTERACTION = EventSpec(
    id=("body:id",),
    fields={
        "command": "body:data.name",
        "custom_id": "body:data.custom_id",
        "guild_id": "body:guild_id",
        "channel_id": "body:channel_id",
        "application_id": "body:application_id",
    },
)
WEBHOOK_EVENT = EventSpec(
    type=("body:event.type",),
    time=("body:event.timestamp",),
    fields={"application_id": "body:application_id"},
)


class DiscordSettings(ProviderSettings):
    """Settings of a Discord endpoint; the application's public key goes in ``secrets=``."""

    tolerance: float | None = optional_tolerance_field(what="X-Signature-Timestamp")
    defer_interactions: bool = False
    """Answer commands, components and modal submits with a deferred response at once (the run
    still starts): see the module documentation."""


_EVENT_ACK = ChallengeResponse(status=204, skip_triggering_runs=False)


def _is_webhook_event(body: dict[str, Any]) -> bool:
    return isinstance(body.get("event"), dict) or body.get("type") == 0


def challenge(
    request: WebhookRequest, settings: DiscordSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """Answer a verified PING (``{"type":1}`` or ``204``) and, with ``defer_interactions``, a
    verified command/component/modal with a deferred response; refuse a badly signed PING with
    ``401``; answer webhook events with ``204`` and no body (the host verifies them and starts
    their runs); ``None`` for everything else (it goes on to verification)."""
    body = handshake_json(request)
    if body is None:
        return None
    kind = body.get("type")
    events = _is_webhook_event(body)
    ping = kind == 0 if events else kind == InteractionType.PING
    deferred = None
    if (
        not events
        and settings.defer_interactions
        and isinstance(kind, int)
        and not isinstance(kind, bool)
    ):
        deferred = _DEFERRED.get(kind)
    if events and not ping:
        # Discord asks for "a 204 status code with no body within 3 seconds" for every webhook
        # event (discord-api-docs, webhook events); the host verifies, stores and runs it, and
        # sends this only when it verifies (401 otherwise).
        return _EVENT_ACK
    if not ping and deferred is None:
        return None
    verdict = SIGNATURE.verify(
        request, secrets, request.received_at.timestamp(), settings.tolerance
    )
    if not verdict:
        return refuse_handshake(verdict.reason) if ping else None
    if deferred is not None:
        return ChallengeResponse(
            status=200,
            content_type="application/json",
            body=compact_json({"type": deferred}),
            skip_triggering_runs=False,
        )
    if events:
        return ChallengeResponse(status=204, content_type="text/plain")
    return json_challenge({"type": 1})


def snowflake_time(snowflake: Any) -> datetime | None:
    """When a Discord id (snowflake) was created: its top 42 bits are ms since 2015."""
    value = text(snowflake)
    if value is None or not value.isdigit() or len(value) > 20:
        return None
    return datetime.fromtimestamp(((int(value) >> 22) + _DISCORD_EPOCH_MS) / 1000, UTC)


def describe(request: WebhookRequest, settings: DiscordSettings) -> EventInfo:
    """Interactions: ``type`` = the interaction type's name, ``id`` = the interaction id,
    ``time`` = from that id (snowflake). Webhook events: ``type`` = ``event.type`` (``PING`` for
    type 0), ``time`` = ``event.timestamp``, ``id`` = the body hash."""
    body = json_object(request) or {}
    kind = body.get("type")
    if _is_webhook_event(body):
        if kind == 0:
            return WEBHOOK_EVENT.describe(request, type="PING")
        return WEBHOOK_EVENT.describe(request)
    name = None
    if isinstance(kind, int) and not isinstance(kind, bool):
        try:
            name = InteractionType(kind).name
        except ValueError:
            name = None
    user = body.get("member", {}).get("user") if isinstance(body.get("member"), dict) else None
    user = user if isinstance(user, dict) else body.get("user")
    extra = {"user_id": text(user.get("id")) if isinstance(user, dict) else None}
    return INTERACTION.describe(
        request, type=name, time=snowflake_time(body.get("id")), extra=extra
    )
