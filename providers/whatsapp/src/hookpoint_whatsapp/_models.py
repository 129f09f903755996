"""Typed, tolerant models of WhatsApp Cloud API (Meta) webhook notifications.

Every model keeps unknown keys (``extra="allow"``) and every field is optional: Meta adds fields
and message types over time. Shape (WhatsApp webhooks overview,
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/overview)::

    {"object": "whatsapp_business_account",
     "entry": [{"id": "<WABA id>",
                "changes": [{"field": "messages",
                             "value": {"messaging_product": "whatsapp",
                                       "metadata": {...}, "contacts": [...],
                                       "messages": [...], "statuses": [...]}}]}]}

One notification can batch several entries, changes, messages and statuses:
:meth:`WhatsAppWebhook.iter_changes`, :meth:`~WhatsAppWebhook.messages` and
:meth:`~WhatsAppWebhook.statuses` walk all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Button",
    "ButtonReply",
    "Change",
    "ChangeValue",
    "Contact",
    "ContactCard",
    "Conversation",
    "Entry",
    "ErrorInfo",
    "Interactive",
    "ListReply",
    "Location",
    "Media",
    "Message",
    "MessageContext",
    "Metadata",
    "Order",
    "OrderItem",
    "Pricing",
    "Profile",
    "Reaction",
    "Status",
    "System",
    "Text",
    "WhatsAppWebhook",
    "parse_payload",
]


class WhatsAppModel(BaseModel):
    """Base of the WhatsApp models: unknown keys are kept."""

    model_config = ConfigDict(extra="allow")


class Profile(WhatsAppModel):
    name: str | None = None


class Contact(WhatsAppModel):
    """The sender of inbound messages (``value.contacts[]``)."""

    wa_id: str | None = None
    profile: Profile | None = None


class Metadata(WhatsAppModel):
    display_phone_number: str | None = None
    phone_number_id: str | None = None


class ErrorInfo(WhatsAppModel):
    """An error attached to a message, a status or a change value."""

    code: int | None = None
    title: str | None = None
    message: str | None = None
    error_data: dict[str, Any] | None = None
    href: str | None = None

    @property
    def details(self) -> str | None:
        value = (self.error_data or {}).get("details")
        return value if isinstance(value, str) else None


class Text(WhatsAppModel):
    body: str | None = None


class Media(WhatsAppModel):
    """``image``, ``audio``, ``video``, ``document`` and ``sticker`` content (fetch by ``id``)."""

    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool | None = None
    animated: bool | None = None


class Location(WhatsAppModel):
    latitude: float | None = None
    longitude: float | None = None
    name: str | None = None
    address: str | None = None
    url: str | None = None


class ContactCard(WhatsAppModel):
    """One shared contact (``contacts`` message type)."""

    name: dict[str, Any] | None = None
    phones: list[dict[str, Any]] = Field(default_factory=list)
    emails: list[dict[str, Any]] = Field(default_factory=list)
    addresses: list[dict[str, Any]] = Field(default_factory=list)
    org: dict[str, Any] | None = None
    urls: list[dict[str, Any]] = Field(default_factory=list)
    birthday: str | None = None


class ButtonReply(WhatsAppModel):
    id: str | None = None
    title: str | None = None


class ListReply(WhatsAppModel):
    id: str | None = None
    title: str | None = None
    description: str | None = None


class Interactive(WhatsAppModel):
    """A reply to an interactive message: ``type`` is ``button_reply`` or ``list_reply``."""

    type: str | None = None
    button_reply: ButtonReply | None = None
    list_reply: ListReply | None = None


class Button(WhatsAppModel):
    """A quick-reply button of a template message was pressed."""

    payload: str | None = None
    text: str | None = None


class Reaction(WhatsAppModel):
    message_id: str | None = None
    emoji: str | None = None
    """Absent when the user removed the reaction."""


class OrderItem(WhatsAppModel):
    product_retailer_id: str | None = None
    quantity: int | None = None
    item_price: float | None = None
    currency: str | None = None


class Order(WhatsAppModel):
    catalog_id: str | None = None
    text: str | None = None
    product_items: list[OrderItem] = Field(default_factory=list)


class System(WhatsAppModel):
    """A system message, e.g. the customer changed their number (``user_changed_number``)."""

    body: str | None = None
    type: str | None = None
    wa_id: str | None = None
    new_wa_id: str | None = None
    identity: str | None = None
    customer: str | None = None


class MessageContext(WhatsAppModel):
    """What an inbound message replies to or was forwarded from."""

    from_: str | None = Field(default=None, alias="from")
    id: str | None = None
    forwarded: bool | None = None
    frequently_forwarded: bool | None = None
    referred_product: dict[str, Any] | None = None


class Message(WhatsAppModel):
    """An inbound message (``value.messages[]``). ``type`` names the field holding the content;
    ``unknown``/``unsupported`` messages carry ``errors`` instead."""

    from_: str | None = Field(default=None, alias="from")
    id: str | None = None
    """The message's wamid: the dedupe key of inbound messages."""
    timestamp: str | None = None
    """Unix seconds, as a string."""
    type: str | None = None
    text: Text | None = None
    image: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    location: Location | None = None
    contacts: list[ContactCard] | None = None
    interactive: Interactive | None = None
    button: Button | None = None
    reaction: Reaction | None = None
    order: Order | None = None
    system: System | None = None
    context: MessageContext | None = None
    referral: dict[str, Any] | None = None
    errors: list[ErrorInfo] = Field(default_factory=list)


class Conversation(WhatsAppModel):
    id: str | None = None
    origin: dict[str, Any] | None = None
    """``{"type": "service" | "marketing" | "utility" | "authentication" | ...}``"""
    expiration_timestamp: str | None = None


class Pricing(WhatsAppModel):
    billable: bool | None = None
    pricing_model: str | None = None
    category: str | None = None
    type: str | None = None


class Status(WhatsAppModel):
    """A delivery status of an outbound message (``value.statuses[]``): ``sent``,
    ``delivered``, ``read`` or ``failed`` (with ``errors``)."""

    id: str | None = None
    """The wamid of the outbound message; ``(id, status)`` is the dedupe key."""
    status: str | None = None
    timestamp: str | None = None
    recipient_id: str | None = None
    conversation: Conversation | None = None
    pricing: Pricing | None = None
    errors: list[ErrorInfo] = Field(default_factory=list)
    biz_opaque_callback_data: str | None = None


class ChangeValue(WhatsAppModel):
    """``changes[].value``. ``messages`` fields carry metadata/contacts/messages/statuses; other
    fields (``message_template_status_update``, ``account_update``, …) keep their keys as extra
    fields (e.g. ``event``, ``message_template_id``)."""

    messaging_product: str | None = None
    metadata: Metadata | None = None
    contacts: list[Contact] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)
    errors: list[ErrorInfo] = Field(default_factory=list)
    event: str | None = None
    """Template and account updates: ``APPROVED``, ``REJECTED``, ``PAUSED``, …"""


class Change(WhatsAppModel):
    field: str | None = None
    value: ChangeValue | None = None


class Entry(WhatsAppModel):
    id: str | None = None
    """The WhatsApp Business Account (WABA) id."""
    time: int | None = None
    changes: list[Change] = Field(default_factory=list)


class WhatsAppWebhook(WhatsAppModel):
    """A whole notification (``object`` is ``whatsapp_business_account``)."""

    object: str | None = None
    entry: list[Entry] = Field(default_factory=list)

    def iter_changes(self) -> Iterator[tuple[Entry, Change]]:
        for entry in self.entry:
            for change in entry.changes:
                yield entry, change

    def messages(self) -> list[Message]:
        """Every inbound message of every entry and change."""
        return [m for _, c in self.iter_changes() if c.value for m in c.value.messages]

    def statuses(self) -> list[Status]:
        """Every status update of every entry and change."""
        return [s for _, c in self.iter_changes() if c.value for s in c.value.statuses]

    def contacts(self) -> list[Contact]:
        return [p for _, c in self.iter_changes() if c.value for p in c.value.contacts]


def parse_payload(data: Any) -> WhatsAppWebhook:
    """Parse a decoded notification body.

    :raises ValueError: when ``data`` is not a JSON object, or a known field has an impossible
        type (pydantic's ``ValidationError`` is a ``ValueError``).
    """
    if not isinstance(data, dict):
        raise ValueError(f"a WhatsApp notification is a JSON object, not {type(data).__name__}")
    return WhatsAppWebhook.model_validate(data)
