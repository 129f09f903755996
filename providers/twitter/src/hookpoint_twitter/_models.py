"""Typed, tolerant models of X (Twitter) Account Activity API webhook bodies.

A delivery is ``{"for_user_id": "...", "<kind>_events": [...], ...}`` with one array per
activity kind (https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity).
Objects inside the arrays are X's v1.1 objects; they are kept loosely typed (dicts with the
common keys modelled) and every model keeps unknown keys (``extra="allow"``).
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = ["ACTIVITY_KEYS", "AccountActivity", "ActivityObject", "parse_payload"]

ACTIVITY_KEYS: tuple[str, ...] = (
    "tweet_create_events",
    "favorite_events",
    "follow_events",
    "unfollow_events",
    "block_events",
    "unblock_events",
    "mute_events",
    "unmute_events",
    "user_event",
    "direct_message_events",
    "direct_message_indicate_typing_events",
    "direct_message_mark_read_events",
    "tweet_delete_events",
)
"""The top-level keys that carry activities, which are also the provider's event types."""


class XModel(PayloadModel):
    """Base of the X models: unknown keys kept."""


class ActivityObject(XModel):
    """One activity: a Tweet, a favorite, a follow, a direct message event…"""

    id: str | int | None = None
    id_str: str | None = None
    type: str | None = None
    created_at: str | None = None
    created_timestamp: str | None = None
    text: str | None = None
    user: dict[str, Any] | None = None
    source: dict[str, Any] | None = None
    target: dict[str, Any] | None = None
    message_create: dict[str, Any] | None = None

    @property
    def key(self) -> str | None:
        """The activity's id as a string (``id_str`` when present)."""
        if self.id_str:
            return self.id_str
        return str(self.id) if self.id is not None else None


class AccountActivity(XModel):
    for_user_id: str | None = None
    user_has_blocked: bool | None = None
    tweet_create_events: list[ActivityObject] = Field(default_factory=list)
    favorite_events: list[ActivityObject] = Field(default_factory=list)
    follow_events: list[ActivityObject] = Field(default_factory=list)
    unfollow_events: list[ActivityObject] = Field(default_factory=list)
    block_events: list[ActivityObject] = Field(default_factory=list)
    unblock_events: list[ActivityObject] = Field(default_factory=list)
    mute_events: list[ActivityObject] = Field(default_factory=list)
    unmute_events: list[ActivityObject] = Field(default_factory=list)
    direct_message_events: list[ActivityObject] = Field(default_factory=list)
    tweet_delete_events: list[dict[str, Any]] = Field(default_factory=list)
    users: dict[str, Any] = Field(default_factory=dict)
    """Users referenced by direct message events, by id."""


_parse = payload_parser(AccountActivity)


def parse_payload(data: Any) -> AccountActivity:
    """Parse a decoded Account Activity JSON body; ``ValueError`` when it is not a JSON object."""
    return cast("AccountActivity", _parse(data))
