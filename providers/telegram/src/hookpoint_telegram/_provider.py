"""Telegram Bot API webhooks: the secret token, and what kind of update a delivery is.

Telegram signs nothing. ``setWebhook`` takes an optional ``secret_token`` (1-256 characters
``A-Z a-z 0-9 _ -``) and Telegram then sends it verbatim in the
``X-Telegram-Bot-Api-Secret-Token`` header of every delivery
(https://core.telegram.org/bots/api#setwebhook). Hookpoint requires it: the header must equal
one of the endpoint's secrets, compared in constant time (:class:`HeaderToken`). The token does
not cover the body or a time.

A delivery is one JSON-serialized ``Update`` (https://core.telegram.org/bots/api#update):
``update_id`` (unique, increasing; Telegram resends an update until it gets a 2xx) and exactly
one optional field naming its kind (``message``, ``edited_message``, ``callback_query``, …).
As the token does not cover the body, a body that is not an ``Update`` is refused as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hookpoint import EventInfo, Verification
from hookpoint.providerkit import (
    EventSpec,
    HeaderToken,
    ProviderSettings,
    json_object,
    lookup,
    text,
    to_datetime,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "EVENT",
    "EVENT_TYPES",
    "TOKEN",
    "TOKEN_HEADER",
    "TelegramSettings",
    "describe",
    "update_kind",
    "verify",
]

TOKEN_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
TOKEN = HeaderToken(TOKEN_HEADER)

# The optional fields of Update, Bot API 10.0 (https://core.telegram.org/bots/api#update): the
# event types. An update kind Telegram adds later is described by its field name all the same.
EVENT_TYPES: tuple[str, ...] = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "guest_message",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
    "managed_bot",
)

EVENT = EventSpec(id=("body:update_id",))
"""The dedupe id is ``update_id``; type, time and fields depend on the kind (:func:`describe`)."""


class TelegramSettings(ProviderSettings):
    """Settings of a Telegram endpoint: none. The ``secret_token`` given to ``setWebhook`` goes
    in ``secrets=`` (several during a change of token)."""


def verify(
    request: WebhookRequest, settings: TelegramSettings, secrets: Sequence[str], now: float
) -> Verification:
    """The secret token (:data:`TOKEN`), then the body: the token does not cover it, so a body
    that is not an ``Update`` (a JSON object with an integer ``update_id``) is refused too."""
    result = TOKEN.verify_request(request, settings, secrets, now)
    if result.success and type((json_object(request) or {}).get("update_id")) is not int:
        return Verification.refused("not a Telegram update")
    return result


def update_kind(update: dict[str, Any]) -> str | None:
    """The update's kind: its one field besides ``update_id`` (a known kind first)."""
    known = next((kind for kind in EVENT_TYPES if isinstance(update.get(kind), dict)), None)
    return known or next((key for key in update if key != "update_id"), None)


def _command(message: dict[str, Any]) -> str | None:
    """``/start`` for a message ``/start@SomeBot now``: the bot command it opens with."""
    words = (text(message.get("text")) or "").split(maxsplit=1)
    if not words or not words[0].startswith("/"):
        return None
    return words[0].partition("@")[0]


def describe(request: WebhookRequest, settings: TelegramSettings) -> EventInfo:
    """``type`` = the update's kind; ``id`` = ``update_id``; ``time`` = the edit's or the
    event's ``date``; fields ``chat_id``, ``chat_type``, ``user_id`` and ``command``."""
    body = json_object(request) or {}
    kind = update_kind(body)
    update = body.get(kind) if kind is not None else None
    update = update if isinstance(update, dict) else {}
    # a callback query carries the message its button was on
    message = update if "chat" in update else lookup(update, "message") or {}
    message = message if isinstance(message, dict) else {}
    sender = update.get("from") or update.get("user")
    return EVENT.describe(
        request,
        type=kind,
        time=to_datetime(update.get("edit_date") or update.get("date")),
        extra={
            "chat_id": lookup(message, "chat.id"),
            "chat_type": lookup(message, "chat.type"),
            "user_id": lookup(sender, "id"),
            "command": _command(message) if message is update else None,
        },
    )
