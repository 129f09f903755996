"""Typed, tolerant models of Meta's Graph API webhook notifications.

Every field is optional and unknown keys are kept (``model_extra``): Meta adds fields and event
kinds over time. Shapes from Meta's published references and examples:

* the envelope: "Webhooks - Getting Started", Event Notifications
  (https://developers.facebook.com/docs/graph-api/webhooks/getting-started);
* Messenger ``messaging[]`` items: "Webhook Events Reference"
  (https://developers.facebook.com/docs/messenger-platform/reference/webhook-events);
* Instagram comments and messages: "Instagram Platform Webhook Notification Examples"
  (https://developers.facebook.com/docs/instagram-platform/webhooks/examples);
* Page ``feed`` changes: the Page webhooks reference
  (https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed).

A change's ``value`` differs by object and field, so :class:`Change` keeps it as a dict and the
typed readers pick the kinds they know: :meth:`MetaWebhook.instagram_comments` and
:meth:`MetaWebhook.feed_changes`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ConfigDict, Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Attachment",
    "AttachmentPayload",
    "Change",
    "Delivery",
    "Entry",
    "FeedAuthor",
    "FeedChange",
    "InstagramComment",
    "InstagramMedia",
    "InstagramUser",
    "Message",
    "MessagingEvent",
    "MetaWebhook",
    "Party",
    "Postback",
    "QuickReply",
    "Reaction",
    "Read",
    "ReplyTo",
    "parse_payload",
]


class MetaModel(PayloadModel):
    """Base of the Meta models: ids Meta documents as numeric strings are kept as text even
    when they arrive as JSON numbers."""

    model_config = ConfigDict(coerce_numbers_to_str=True)


class Party(MetaModel):
    """``sender`` / ``recipient`` of a messaging item: a Page- or Instagram-scoped id (PSID,
    IGSID) for the person, the Page or Instagram account id for your side."""

    id: str | None = None


class QuickReply(MetaModel):
    payload: str | None = None


class ReplyTo(MetaModel):
    """The message this one replies to (``story`` for a reply to an Instagram story)."""

    mid: str | None = None
    is_self_reply: bool | None = None
    story: dict[str, Any] | None = None


class AttachmentPayload(MetaModel):
    url: str | None = None
    title: str | None = None
    sticker_id: int | None = None
    reel_video_id: str | None = None


class Attachment(MetaModel):
    """``type``: ``image``, ``audio``, ``video``, ``file``, ``reel``, ``ig_reel``,
    ``story_mention``, ``share``, ``fallback``, ``template``, ..."""

    type: str | None = None
    payload: AttachmentPayload | None = None


class Message(MetaModel):
    """A message sent to your Page or Instagram account (or, ``is_echo``, sent by it)."""

    mid: str | None = None
    """Meta's message id: the dedupe id of a one-message delivery."""
    text: str | None = None
    is_echo: bool | None = None
    app_id: int | None = None
    metadata: str | None = None
    quick_reply: QuickReply | None = None
    reply_to: ReplyTo | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    is_deleted: bool | None = None
    is_unsupported: bool | None = None
    referral: dict[str, Any] | None = None


class Postback(MetaModel):
    """A button, Get Started, persistent menu item or icebreaker was tapped."""

    mid: str | None = None
    title: str | None = None
    payload: str | None = None
    referral: dict[str, Any] | None = None


class Reaction(MetaModel):
    mid: str | None = None
    """The message reacted to."""
    action: str | None = None
    """``react`` or ``unreact``."""
    reaction: str | None = None
    emoji: str | None = None


class Delivery(MetaModel):
    mids: list[str] = Field(default_factory=list)
    watermark: int | None = None
    """Every message sent before this time (ms) was delivered."""


class Read(MetaModel):
    watermark: int | None = None
    """Every message sent before this time (ms) was read (Messenger)."""
    mid: str | None = None
    """The message seen (Instagram's ``messaging_seen``)."""


class MessagingEvent(MetaModel):
    """One ``messaging[]`` (or ``standby[]``) item: the key it carries says what happened."""

    sender: Party | None = None
    recipient: Party | None = None
    timestamp: int | None = None
    """When it happened, Unix milliseconds."""
    message: Message | None = None
    postback: Postback | None = None
    reaction: Reaction | None = None
    delivery: Delivery | None = None
    read: Read | None = None
    referral: dict[str, Any] | None = None
    optin: dict[str, Any] | None = None
    message_edit: dict[str, Any] | None = None


class Change(MetaModel):
    """One ``changes[]`` item: the subscribed ``field`` that changed and its ``value``."""

    field: str | None = None
    value: dict[str, Any] = Field(default_factory=dict)


class Entry(MetaModel):
    id: str | None = None
    """The Page, Instagram account or user the notification is about."""
    time: int | None = None
    """When Meta sent it: milliseconds for messaging, seconds for changes."""
    uid: str | None = None
    changes: list[Change] = Field(default_factory=list)
    messaging: list[MessagingEvent] = Field(default_factory=list)
    standby: list[MessagingEvent] = Field(default_factory=list)


class InstagramUser(MetaModel):
    id: str | None = None
    """Instagram-scoped id of the person who commented."""
    username: str | None = None


class InstagramMedia(MetaModel):
    id: str | None = None
    media_product_type: str | None = None
    """``FEED``, ``REELS``, ``STORY``, ``AD``, ..."""
    ad_id: str | None = None
    ad_title: str | None = None
    original_media_id: str | None = None


class InstagramComment(MetaModel):
    """The value of an Instagram ``comments`` or ``live_comments`` change."""

    id: str | None = None
    text: str | None = None
    from_: InstagramUser | None = Field(default=None, alias="from")
    media: InstagramMedia | None = None
    parent_id: str | None = None
    """The comment replied to, for a reply."""


class FeedAuthor(MetaModel):
    id: str | None = None
    name: str | None = None


class FeedChange(MetaModel):
    """The value of a Page ``feed`` change: ``item`` (``status``, ``post``, ``comment``,
    ``reaction``, ``photo``, ``video``, ``share``, ...) and ``verb`` (``add``, ``edited``,
    ``remove``, ``hide``, ``unhide``, ...)."""

    item: str | None = None
    verb: str | None = None
    post_id: str | None = None
    comment_id: str | None = None
    parent_id: str | None = None
    created_time: int | None = None
    message: str | None = None
    published: int | None = None
    reaction_type: str | None = None
    link: str | None = None
    photo: str | None = None
    video_id: str | None = None
    from_: FeedAuthor | None = Field(default=None, alias="from")
    post: dict[str, Any] | None = None


class MetaWebhook(MetaModel):
    """A whole notification; ``request.event_model()`` returns one."""

    object: str | None = None
    """``page``, ``instagram``, ``user``, ``whatsapp_business_account``, ..."""
    entry: list[Entry] = Field(default_factory=list)

    def iter_messaging(self) -> Iterator[tuple[Entry, MessagingEvent]]:
        """Every ``messaging[]`` and ``standby[]`` item with its entry, in order."""
        for entry in self.entry:
            for item in (*entry.messaging, *entry.standby):
                yield entry, item

    def iter_changes(self) -> Iterator[tuple[Entry, Change]]:
        """Every ``changes[]`` item with its entry, in order."""
        for entry in self.entry:
            for change in entry.changes:
                yield entry, change

    def messages(self) -> list[Message]:
        """Every message (echoes included: check ``is_echo``)."""
        return [item.message for _, item in self.iter_messaging() if item.message is not None]

    def _values(self, meta_object: str, fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        if self.object == meta_object:
            for _, change in self.iter_changes():
                if change.field in fields:
                    yield change.value

    def instagram_comments(self) -> list[InstagramComment]:
        """The ``comments`` and ``live_comments`` changes of an ``instagram`` notification."""
        return [
            InstagramComment.model_validate(value)
            for value in self._values("instagram", ("comments", "live_comments"))
        ]

    def feed_changes(self) -> list[FeedChange]:
        """The ``feed`` changes of a ``page`` notification."""
        return [FeedChange.model_validate(value) for value in self._values("page", ("feed",))]


parse_payload = payload_parser(MetaWebhook)
"""``payload_model`` of the provider: a :class:`MetaWebhook` (``ValueError`` for a body that is
not a JSON object, or a known field of an impossible type)."""
