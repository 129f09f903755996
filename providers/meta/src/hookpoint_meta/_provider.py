"""Settings and event description of Meta's Graph API webhooks (Messenger, Instagram, Pages, ...).

Verification and the handshake are the ones every Meta product shares, written once in
``hookpoint.providerkit`` (:data:`~hookpoint.providerkit.META_SIGNATURE`,
:func:`~hookpoint.providerkit.meta_challenge`); what is Meta-wide but not WhatsApp's is the
envelope ("Webhooks - Getting Started", "Event Notifications",
https://developers.facebook.com/docs/graph-api/webhooks/getting-started)::

    {"object": "page" | "instagram" | "user" | ...,
     "entry": [{"id": "<object id>", "time": <when Meta sent it>,
                "changes": [{"field": "<subscribed field>", "value": {...}}]     # Graph changes
                "messaging": [{"sender": {...}, "recipient": {...}, ...}]        # Messenger, IG DMs
                "standby": [...]}]}                                              # not thread owner

**Type**: ``<object>.<field>``, where ``field`` is the webhook field the app subscribed to: a
change's ``field`` (``page.feed``, ``instagram.comments``, ``user.photos``), or for a messaging
item the field that delivers it, told by the key it carries (Messenger Platform "Webhook Events
Reference", https://developers.facebook.com/docs/messenger-platform/webhooks#event-notifications,
and Instagram Messaging webhooks, https://developers.facebook.com/docs/messenger-platform/
instagram/features/webhook): ``message`` → ``messages`` (a Page's own echo → ``message_echoes``;
Instagram sends echoes with ``messages``), ``postback`` → ``messaging_postbacks``, ``read`` →
``message_reads`` (Instagram: ``messaging_seen``), ...; ``standby`` items → ``standby``. One POST
can batch several entries and items: the type is the first one's, ``fields`` lists them all.

**Dedupe id**: Meta sends no delivery id, and it retries a failed delivery for up to 36 hours,
possibly batched differently, so neither a header nor the entry's ``time`` (when Meta *sent* it)
identifies an event. The id is the message id (``mid``) when the delivery is one message (or its
echo): the same message redelivered in another batch is still a duplicate. Anything else
(changes, receipts, batches) is identified by :func:`~hookpoint.providerkit.body_digest` of the
raw bytes: a retry of the same bytes is a duplicate, two different deliveries never collide.

**Time**: the latest ``entry[].time``; Messenger and Instagram messaging send milliseconds,
Graph changes seconds (told apart by size), else the latest messaging ``timestamp``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookpoint import EventInfo
from hookpoint.providerkit import MetaSettings, body_digest, json_object, to_datetime

if TYPE_CHECKING:
    from datetime import datetime

    from pydantic import BaseModel

    from hookpoint import WebhookRequest

__all__ = ["EVENT_TYPES", "MESSAGING_FIELDS", "MetaWebhookSettings", "describe", "messaging_field"]


class MetaWebhookSettings(MetaSettings):
    """Endpoint settings of the ``meta`` provider: ``verify_token``, the Verify token typed into
    App Dashboard -> Webhooks (or Messenger/Instagram -> Webhooks) next to the callback URL."""


MESSAGING_FIELDS: dict[str, str] = {
    "message": "messages",
    "message_edit": "message_edits",
    "delivery": "message_deliveries",
    "read": "message_reads",
    "reaction": "message_reactions",
    "postback": "messaging_postbacks",
    "optin": "messaging_optins",
    "referral": "messaging_referrals",
    "account_linking": "messaging_account_linking",
    "game_play": "messaging_game_plays",
    "policy_enforcement": "messaging_policy_enforcement",
    "pass_thread_control": "messaging_handovers",
    "take_thread_control": "messaging_handovers",
    "request_thread_control": "messaging_handovers",
}
"""The key a ``messaging[]`` item carries → the Messenger webhook field that delivers it."""

_INSTAGRAM_FIELDS = {"read": "messaging_seen", "referral": "messaging_referral"}

_PAGE_MESSAGING = tuple(dict.fromkeys(MESSAGING_FIELDS.values()))
_INSTAGRAM_MESSAGING = ("messages", "message_reactions", "messaging_postbacks", "messaging_seen")

EVENT_TYPES: tuple[str, ...] = (
    *(f"page.{field}" for field in ("feed", "mention", "ratings", "leadgen", "live_videos")),
    *(f"page.{field}" for field in (*_PAGE_MESSAGING, "message_echoes", "standby")),
    *(f"instagram.{field}" for field in ("comments", "live_comments", "mentions")),
    "instagram.story_insights",
    *(f"instagram.{field}" for field in (*_INSTAGRAM_MESSAGING, "messaging_referral", "standby")),
    "user.photos",
)
"""The common ``<object>.<field>`` types (Pages, Messenger, Instagram, the Getting Started
``user`` example). Any other object or field Meta sends is described the same way."""

_SECONDS_UNTIL = 100_000_000_000  # a Unix time below this is seconds (year 5138), else ms


def messaging_field(item: dict[str, Any], meta_object: str | None) -> str:
    """The webhook field that delivers one ``messaging[]`` item (``"messaging"`` if unknown)."""
    kind = next((key for key in MESSAGING_FIELDS if isinstance(item.get(key), dict)), None)
    if kind is None:
        return "messaging"
    message = item.get("message")
    if kind == "message" and isinstance(message, dict) and message.get("is_echo") is True:
        return "messages" if meta_object == "instagram" else "message_echoes"
    if meta_object == "instagram" and kind in _INSTAGRAM_FIELDS:
        return _INSTAGRAM_FIELDS[kind]
    return MESSAGING_FIELDS[kind]


def _objects(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _time(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return to_datetime(value, unit="s" if value < _SECONDS_UNTIL else "ms")


class _Walk:
    """What one notification holds, in first-seen order (lists without repeats)."""

    def __init__(self, meta_object: str | None) -> None:
        self.object = meta_object
        self.found: dict[str, list[Any]] = {
            key: [] for key in ("fields", "entry_ids", "sender_ids", "items", "verbs")
        }
        self.mids: list[str] = []
        self.others = 0  # items that are not one message with a mid
        self.entry_times: list[datetime] = []
        self.item_times: list[datetime] = []
        self.echo = False

    def add(self, key: str, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value and value not in self.found[key]:
            self.found[key].append(value)

    def messaging(self, item: dict[str, Any], field: str | None = None) -> None:
        self.add("fields", field or messaging_field(item, self.object))
        sender = item.get("sender")
        self.add("sender_ids", sender.get("id") if isinstance(sender, dict) else None)
        message = item.get("message")
        message = message if isinstance(message, dict) else {}
        self.echo = self.echo or message.get("is_echo") is True
        mid = message.get("mid")
        if isinstance(mid, str) and mid:
            self.mids.append(mid)
        else:
            self.others += 1
        when = _time(item.get("timestamp"))
        if when is not None:
            self.item_times.append(when)

    def change(self, change: dict[str, Any]) -> None:
        self.others += 1
        self.add("fields", change.get("field"))
        value = change.get("value")
        if isinstance(value, dict):
            author = value.get("from")
            self.add("sender_ids", author.get("id") if isinstance(author, dict) else None)
            self.add("items", value.get("item"))
            self.add("verbs", value.get("verb"))

    def entry(self, entry: dict[str, Any]) -> None:
        self.add("entry_ids", entry.get("id"))
        when = _time(entry.get("time"))
        if when is not None:
            self.entry_times.append(when)
        for item in _objects(entry.get("messaging")):
            self.messaging(item)
        for item in _objects(entry.get("standby")):
            self.messaging(item, "standby")
        for change in _objects(entry.get("changes")):
            self.change(change)


def describe(request: WebhookRequest, settings: BaseModel | None = None) -> EventInfo | None:
    """Describe a notification; never raises. ``None`` when the body is not a JSON object."""
    data = json_object(request)
    if data is None:
        return None
    meta_object = data.get("object") if isinstance(data.get("object"), str) else None
    walk = _Walk(meta_object)
    for entry in _objects(data.get("entry")):
        walk.entry(entry)
    fields = walk.found["fields"]
    one_message = len(walk.mids) == 1 and not walk.others and len(walk.mids[0]) <= 200
    times = walk.entry_times or walk.item_times
    return EventInfo(
        type=f"{meta_object or 'unknown'}.{fields[0]}" if fields else meta_object,
        id=walk.mids[0] if one_message else body_digest(request.body),
        time=max(times) if times else None,
        fields={"object": meta_object, **walk.found, "echo": walk.echo},
    )
