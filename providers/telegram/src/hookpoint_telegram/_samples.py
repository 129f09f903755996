"""Sample Telegram updates, shaped after the examples in Telegram's webhook guide
(https://core.telegram.org/bots/webhooks#testing-your-bot-with-updates) with the fields the
Bot API marks as required today (``is_bot``, ``chat.type``, ``chat_instance``): a ``/start``
command, an edited message, an inline-keyboard button press and the bot being added to a
group. ``python-telegram-bot`` parses every one of them as an ``Update`` (the package's tests).
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SECRET_TOKEN"]

SECRET_TOKEN = "hookpoint-sample-secret_token-1"  # noqa: S105 - a sample secret_token

_USER = {
    "id": 1111111,
    "is_bot": False,
    "first_name": "Test",
    "last_name": "Test Lastname",
    "username": "Test",
    "language_code": "en",
}
_PRIVATE = {
    "id": 1111111,
    "type": "private",
    "first_name": "Test",
    "last_name": "Test Lastname",
    "username": "Test",
}
_GROUP = {"id": -1001234567890, "type": "supergroup", "title": "Test Group"}
_BOT = {"id": 7000000001, "is_bot": True, "first_name": "Example Bot", "username": "ExampleBot"}


def _update(name: str, update_id: int, kind: str, payload: dict[str, Any], about: str) -> Sample:
    return Sample(
        name=name,
        description=about,
        headers={"Content-Type": "application/json"},
        body=compact_json({"update_id": update_id, kind: payload}),
        secret=SECRET_TOKEN,
        event_type=kind,
    )


SAMPLES: tuple[Sample, ...] = (
    _update(
        "message.start",
        10000,
        "message",
        {
            "message_id": 1365,
            "from": _USER,
            "chat": _PRIVATE,
            "date": 1441645532,
            "text": "/start",
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
        },
        "a user sends /start",
    ),
    _update(
        "edited_message",
        10001,
        "edited_message",
        {
            "message_id": 1366,
            "from": _USER,
            "chat": _PRIVATE,
            "date": 1441645532,
            "edit_date": 1441645550,
            "text": "Edited text",
        },
        "a user edits a message",
    ),
    _update(
        "callback_query",
        10002,
        "callback_query",
        {
            "id": "4382bfdwdsb323b2d9",
            "from": _USER,
            "message": {
                "message_id": 1367,
                "from": _BOT,
                "chat": _PRIVATE,
                "date": 1441645560,
                "text": "Pick one",
                "reply_markup": {
                    "inline_keyboard": [[{"text": "Yes", "callback_data": "answer:yes"}]]
                },
            },
            "chat_instance": "-7384467280713011111",
            "data": "answer:yes",
        },
        "a user presses an inline keyboard button",
    ),
    _update(
        "my_chat_member",
        10003,
        "my_chat_member",
        {
            "chat": _GROUP,
            "from": _USER,
            "date": 1441645600,
            "old_chat_member": {"user": _BOT, "status": "left"},
            "new_chat_member": {"user": _BOT, "status": "member"},
        },
        "the bot is added to a group",
    ),
)
