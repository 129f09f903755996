"""The LINE Messaging API's webhook signature, the console's verify request, and the description
of a delivery's events.

Sender behaviour: "Verify webhook signature"
(https://developers.line.biz/en/docs/messaging-api/verify-webhook-signature/), "Verify webhook
URL" (https://developers.line.biz/en/docs/messaging-api/verify-webhook-url/) and the webhook
reference (https://developers.line.biz/en/reference/messaging-api/#webhooks).

``x-line-signature`` is the base64 HMAC-SHA256 of the raw body keyed with the channel secret
(``linebot.v3.WebhookParser`` checks exactly that). Nothing time-bound is signed.

The body is ``{"destination": "U...", "events": [...]}``. An empty ``events`` array is LINE
confirming that the URL works (the console's **Verify** button, or the "test webhook endpoint"
API); LINE wants a 200. It is signed like any delivery, so it is answered (an empty 200, no runs)
only once the signature holds; otherwise it gets the 401 a forged delivery gets, which is what
the console should show when the channel secret is wrong.

Each event has a ``webhookEventId`` (a ULID) and ``deliveryContext.isRedelivery``. LINE redelivers
an event its bot server did not acknowledge, with the same ``webhookEventId``, when webhook
redelivery is on; the dedupe id is built from the delivery's event ids (:data:`EVENTS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hookpoint import ChallengeResponse, EventInfo
from hookpoint.providerkit import (
    BatchSpec,
    HeaderSignature,
    HmacScheme,
    ProviderSettings,
    handshake_json,
    signed_handshake,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "EVENTS",
    "EVENT_TYPES",
    "SIGNATURE",
    "SIGNATURE_HEADER",
    "LineSettings",
    "answer_verify",
    "describe",
]

SIGNATURE_HEADER = "x-line-signature"
SIGNATURE = HeaderSignature(SIGNATURE_HEADER, HmacScheme(algorithm="sha256", encoding="base64"))

# Webhook event types (https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects);
# types LINE adds later are described all the same.
EVENT_TYPES: tuple[str, ...] = (
    "message",
    "unsend",
    "follow",
    "unfollow",
    "join",
    "leave",
    "memberJoined",
    "memberLeft",
    "postback",
    "videoPlayComplete",
    "beacon",
    "accountLink",
    "things",
    "membership",
    "activated",
    "deactivated",
    "botSuspended",
    "botResumed",
    "delivery",
    "messageEdited",
)

EVENTS = BatchSpec(
    type="type",
    id="webhookEventId",
    time="timestamp",
    time_unit="ms",
    item_fields={
        "message_types": "message.type",
        "source_types": "source.type",
        "user_ids": "source.userId",
        "group_ids": "source.groupId",
        "room_ids": "source.roomId",
        "modes": "mode",
        "webhook_event_ids": "webhookEventId",
    },
    envelope={"destination": "destination"},
)
"""How a LINE delivery is described: the first event's ``type``, the sorted ``webhookEventId``s
as the dedupe id, the latest ``timestamp`` (ms), and the lists above."""


class LineSettings(ProviderSettings):
    """Settings of a LINE endpoint (the channel secret goes in ``secrets=``)."""


def answer_verify(
    request: WebhookRequest, settings: LineSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """LINE's URL check (``"events": []``): an empty 200 once its signature verifies, else the
    401 of a forged delivery. Anything else is a delivery (None)."""
    data = handshake_json(request)
    if data is None or data.get("events") != []:
        return None
    return signed_handshake(
        SIGNATURE, request, settings, secrets, lambda secret: ChallengeResponse(body=b"")
    )


def describe(request: WebhookRequest, settings: LineSettings) -> EventInfo:
    """The delivery's events as one (:data:`EVENTS`), plus ``redelivery``: True when any event
    is a redelivery (``deliveryContext.isRedelivery``)."""
    redelivery = any(
        isinstance(context := event.get("deliveryContext"), dict)
        and context.get("isRedelivery") is True
        for event in EVENTS.events(request)
    )
    return EVENTS.describe(request, extra={"redelivery": redelivery})
