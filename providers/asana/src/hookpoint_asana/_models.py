"""Typed, tolerant models of Asana webhook bodies.

A delivery is ``{"events": [...]}`` (https://developers.asana.com/docs/webhooks-guide); an empty
list is a heartbeat. Events are compact: they name the resource that changed and the job fetches
it from the API. Unknown keys are kept (``extra="allow"``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = ["AsanaEvent", "AsanaWebhook", "Change", "CompactResource", "parse_payload"]


class CompactResource(PayloadModel):
    gid: str | None = None
    resource_type: str | None = None
    resource_subtype: str | None = None
    name: str | None = None


class Change(PayloadModel):
    """What changed (``changed`` events): the field, the action and the value."""

    field: str | None = None
    action: str | None = None
    new_value: Any = None
    added_value: Any = None
    removed_value: Any = None


class AsanaEvent(PayloadModel):
    action: str | None = None
    """``added``, ``changed``, ``removed``, ``deleted`` or ``undeleted``."""
    resource: CompactResource | None = None
    parent: CompactResource | None = None
    user: CompactResource | None = None
    created_at: datetime | str | None = Field(default=None, union_mode="left_to_right")
    change: Change | None = None


class AsanaWebhook(PayloadModel):
    events: list[AsanaEvent] = Field(default_factory=list)

    @property
    def is_heartbeat(self) -> bool:
        """True for a delivery without events (Asana's heartbeat)."""
        return not self.events


_parse = payload_parser(AsanaWebhook)


def parse_payload(data: Any) -> AsanaWebhook:
    """Parse a decoded Asana JSON body; ``ValueError`` when it is not a JSON object."""
    return cast("AsanaWebhook", _parse(data))
