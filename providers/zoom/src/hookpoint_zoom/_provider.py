"""Zoom's webhook signature, the ``endpoint.url_validation`` handshake and event description
(https://developers.zoom.us/docs/api/webhooks/).

``x-zm-signature: v0=<hex HMAC-SHA256(secret token, "v0:{x-zm-request-timestamp}:{raw body}")>``
(Zoom's samples hash ``JSON.stringify(req.body)``, which only works because Zoom sends compact
JSON; the raw bytes are hashed here). Zoom states no tolerance; Hookpoint applies 300 s in both
directions (setting ``tolerance``), like Slack's identical scheme.

Handshake: Zoom POSTs ``{"event": "endpoint.url_validation", "payload": {"plainToken": …}}``
when the endpoint is saved and every 72 hours, and expects ``{"plainToken": …,
"encryptedToken": hex HMAC-SHA256(secret token, plainToken)}`` within 3 s. The request is
signed like any event and is verified first: answering unsigned requests would hand anyone an
HMAC of a string of their choosing under the secret token, i.e. a valid signature for a forged
event (``plainToken = "v0:<ts>:<body>"``). A request that does not verify gets 401.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hookpoint import ChallengeResponse, EventInfo
from hookpoint.providerkit import (
    EventSpec,
    HmacScheme,
    ProviderSettings,
    handshake_json,
    json_challenge,
    json_object,
    lookup,
    signed_handshake,
    text,
    tolerance_field,
    v0_signature,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "SIGNATURE",
    "URL_VALIDATION",
    "ZoomSettings",
    "challenge",
    "describe",
    "encrypted_token",
]

DEFAULT_TOLERANCE = 300
URL_VALIDATION = "endpoint.url_validation"
TOKEN_SCHEME = HmacScheme()
SIGNATURE = v0_signature("x-zm-signature", "x-zm-request-timestamp", tolerance=DEFAULT_TOLERANCE)

# type = body ``event``; time = ``event_ts`` (ms). Zoom documents no delivery id: the dedupe id
# is ``event:event_ts:<object uuid or id>``, the same on Zoom's retries.
EVENT = EventSpec(
    type=("body:event",),
    time=("body:event_ts",),
    time_unit="ms",
    fields={
        "account_id": "body:payload.account_id",
        "object_id": "body:payload.object.id",
        "object_uuid": "body:payload.object.uuid",
        "topic": "body:payload.object.topic",
        "tracking_id": "header:x-zm-trackingid",
    },
)

# https://developers.zoom.us/docs/api/rest/reference/zoom-api/events/ (common ones).
EVENT_TYPES: tuple[str, ...] = (
    URL_VALIDATION,
    "meeting.created",
    "meeting.updated",
    "meeting.deleted",
    "meeting.started",
    "meeting.ended",
    "meeting.participant_joined",
    "meeting.participant_left",
    "meeting.participant_waiting",
    "meeting.sharing_started",
    "recording.started",
    "recording.stopped",
    "recording.completed",
    "recording.transcript_completed",
    "recording.trashed",
    "webinar.created",
    "webinar.started",
    "webinar.ended",
    "webinar.registration_created",
    "webinar.participant_joined",
    "user.created",
    "user.updated",
    "user.deactivated",
    "user.presence_status_updated",
    "phone.callee_answered",
    "phone.caller_ended",
    "app_deauthorized",
)


class ZoomSettings(ProviderSettings):
    """Settings of a Zoom endpoint (the app's Secret Token goes in ``secrets=``)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE)


def encrypted_token(secret: str, plain_token: str) -> str:
    """The ``encryptedToken`` Zoom expects: hex HMAC-SHA256 of ``plainToken``."""
    return TOKEN_SCHEME.sign(secret, plain_token.encode("utf-8"))


def challenge(
    request: WebhookRequest, settings: ZoomSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    data = handshake_json(request)
    if data is None or data.get("event") != URL_VALIDATION:
        return None
    plain = lookup(data, "payload.plainToken")
    if not isinstance(plain, str) or not plain:
        return None
    return signed_handshake(
        SIGNATURE,
        request,
        settings,
        secrets,
        lambda secret: json_challenge(
            {"plainToken": plain, "encryptedToken": encrypted_token(secret, plain)}
        ),
    )


_PARTICIPANT_KEYS = ("participant_uuid", "user_id", "id", "email", "user_name")


def describe(request: WebhookRequest, settings: ZoomSettings) -> EventInfo:
    """``id`` = ``event:event_ts:<object uuid or id>`` plus, for participant events, the
    participant (``participant_uuid``, else ``user_id``/``id``/``email``/``user_name``): every
    participant event of one meeting names the same object, and two people joining in the same
    millisecond (a breakout room opening) are two events. Else a hash of the body."""
    data = json_object(request)
    subject = text(lookup(data, "payload.object.uuid")) or text(lookup(data, "payload.object.id"))
    parts = [text(lookup(data, "event")), text(lookup(data, "event_ts")), subject]
    participant = lookup(data, "payload.object.participant")
    if isinstance(participant, dict):
        who = next(
            (text(participant.get(k)) for k in _PARTICIPANT_KEYS if participant.get(k)), None
        )
        if who:
            parts.append(who)
    event_id = ":".join(p for p in parts if p) if all(parts) else None
    return EVENT.describe(request, id=event_id)  # None: a hash of the body
