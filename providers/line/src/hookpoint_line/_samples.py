"""Sample LINE deliveries, after the webhook event examples of the Messaging API reference
(https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects) and the URL
check of https://developers.line.biz/en/docs/messaging-api/verify-webhook-url/."""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["CHANNEL_SECRET", "DESTINATION", "SAMPLES", "VERIFY_BODY"]

CHANNEL_SECRET = "8c570fa6dd201bb328f1c1eac23a96d8"  # noqa: S105 - a sample channel secret
DESTINATION = "Uf5e2a0d1c9b84e7f8a6b3c2d1e0f9a8b7"
VERIFY_BODY = compact_json({"destination": DESTINATION, "events": []})

_HEADERS = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "LineBotWebhook/2.0"}
_USER = {"type": "user", "userId": "U4af4980629ab2c1e0b4d5e6f7a8b9c0d"}


def _event(kind: str, event_id: str, timestamp: int, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "mode": "active",
        "timestamp": timestamp,
        "source": fields.pop("source", _USER),
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": fields.pop("redelivery", False)},
        **fields,
    }


def _delivery(*events: dict[str, Any]) -> bytes:
    return compact_json({"destination": DESTINATION, "events": list(events)})


SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="text_message",
        description="A text message from a user",
        headers=_HEADERS,
        body=_delivery(
            _event(
                "message",
                "01FZ74A0TDDPYRVKNK77XKC3ZR",
                1692251666727,
                replyToken="38ef843bde154d9b91c21320ffd17a0f",
                message={
                    "id": "468789577898262530",
                    "type": "text",
                    "quoteToken": "q3Plxr4AgKd0Bw_9rvHQ7wgrTvcB",
                    "text": "Hello, world! (love)",
                },
            )
        ),
        secret=CHANNEL_SECRET,
        event_type="message",
    ),
    Sample(
        name="follow",
        description="A user added the bot as a friend",
        headers=_HEADERS,
        body=_delivery(
            _event(
                "follow",
                "01FZ74ASS536FW97EX38NKCZQK",
                1692251666727,
                replyToken="85cbe770fa8b4f45bbe077b1d4be4a36",
                follow={"isUnblocked": False},
            )
        ),
        secret=CHANNEL_SECRET,
        event_type="follow",
    ),
    Sample(
        name="group_postback_redelivered",
        description="A redelivered postback from a group chat, with an image in the same batch",
        headers=_HEADERS,
        body=_delivery(
            _event(
                "postback",
                "01H81AX7JSJ1A5Z2C8TFV1GKT0",
                1692251600000,
                source={
                    "type": "group",
                    "groupId": "Ca56f94637cc4347f90a25382909b24b9",
                    "userId": "U4af4980629ab2c1e0b4d5e6f7a8b9c0d",
                },
                redelivery=True,
                postback={"data": "action=buy&itemid=111", "params": {}},
            ),
            _event(
                "message",
                "01H81AX9QY2RWN3V6ZB4E2D5KC",
                1692251610000,
                source={
                    "type": "group",
                    "groupId": "Ca56f94637cc4347f90a25382909b24b9",
                    "userId": "U4af4980629ab2c1e0b4d5e6f7a8b9c0d",
                },
                message={
                    "id": "468789577898262531",
                    "type": "image",
                    "quoteToken": "yHAz4Ua2wx7s6Q7V4nO9hbYc",
                    "contentProvider": {"type": "line"},
                },
            ),
        ),
        secret=CHANNEL_SECRET,
        event_type="postback",
    ),
    Sample(
        name="verify.unsigned",
        challenge=True,
        description="LINE's URL check (no events) without its signature: refused (a signed one "
        "is answered with an empty 200 and starts no runs)",
        headers=_HEADERS,
        body=VERIFY_BODY,
        secret=CHANNEL_SECRET,
        expect_status=401,
    ),
)
