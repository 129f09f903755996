"""Typed, tolerant models of Telegram's ``Update`` (https://core.telegram.org/bots/api#update).

The main kinds are typed: messages (``message``, ``edited_message``, ``channel_post``, …),
``callback_query`` and ``inline_query``; the others stay dicts. Telegram's dates are Unix
seconds, read as aware datetimes; ``from`` is ``from_``. Every field is optional; unknown keys
are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

from ._provider import update_kind

__all__ = [
    "TelegramCallbackQuery",
    "TelegramChat",
    "TelegramInlineQuery",
    "TelegramMessage",
    "TelegramUpdate",
    "TelegramUser",
    "parse_payload",
]


class TelegramUser(PayloadModel):
    id: int | None = None
    is_bot: bool | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class TelegramChat(PayloadModel):
    id: int | None = None
    type: str | None = None
    """``private``, ``group``, ``supergroup`` or ``channel``."""
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class TelegramMessage(PayloadModel):
    message_id: int | None = None
    date: datetime | None = None
    edit_date: datetime | None = None
    chat: TelegramChat | None = None
    from_: TelegramUser | None = Field(default=None, alias="from")
    text: str | None = None
    caption: str | None = None
    entities: list[dict[str, Any]] = Field(default_factory=list)
    reply_to_message: TelegramMessage | None = None


class TelegramCallbackQuery(PayloadModel):
    """A press on an inline keyboard button: ``data`` is the button's ``callback_data``."""

    id: str | None = None
    from_: TelegramUser | None = Field(default=None, alias="from")
    message: TelegramMessage | None = None
    inline_message_id: str | None = None
    chat_instance: str | None = None
    data: str | None = None


class TelegramInlineQuery(PayloadModel):
    id: str | None = None
    from_: TelegramUser | None = Field(default=None, alias="from")
    query: str | None = None
    offset: str | None = None
    chat_type: str | None = None


class TelegramUpdate(PayloadModel):
    """One delivery: ``update_id`` and the field of its kind (:attr:`kind`)."""

    update_id: int | None = None
    message: TelegramMessage | None = None
    edited_message: TelegramMessage | None = None
    channel_post: TelegramMessage | None = None
    edited_channel_post: TelegramMessage | None = None
    business_message: TelegramMessage | None = None
    edited_business_message: TelegramMessage | None = None
    callback_query: TelegramCallbackQuery | None = None
    inline_query: TelegramInlineQuery | None = None

    @property
    def kind(self) -> str | None:
        """The update's kind (``message``, ``callback_query``, …), as its event type."""
        return update_kind(self.model_dump(by_alias=True, exclude_none=True))

    @property
    def effective_message(self) -> TelegramMessage | None:
        """The message the update is about: a (new or edited) message or channel post, or the
        message of a callback query's button."""
        for message in (
            self.message,
            self.edited_message,
            self.channel_post,
            self.edited_channel_post,
            self.business_message,
            self.edited_business_message,
        ):
            if message is not None:
                return message
        return self.callback_query.message if self.callback_query is not None else None


parse_payload = payload_parser(TelegramUpdate)
"""Parse a decoded body as a :class:`TelegramUpdate`."""
