"""Typed, tolerant models of Box webhook (V2) payloads.

``{"type": "webhook_event", "id", "created_at", "trigger": "FILE.UPLOADED", "webhook": {"id"},
"created_by": {user}, "source": {file or folder}, "additional_info"?}``
(https://developer.box.com/reference/resources/webhook-invocation/). Every field is optional and
unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "BoxItem",
    "BoxUser",
    "BoxWebhookEvent",
    "WebhookRef",
    "parse_payload",
]


class BoxUser(PayloadModel):
    id: str | None = None
    type: str | None = None
    name: str | None = None
    login: str | None = None


class WebhookRef(PayloadModel):
    """The webhook that fired (``webhook.id``; Box may add its ``target`` and ``triggers``)."""

    id: str | None = None
    type: str | None = None


class BoxItem(PayloadModel):
    """The ``source`` of an event: a file or a folder (``type``), or another Box object for
    comment, task, collaboration and sign request triggers."""

    id: str | None = None
    type: str | None = None
    name: str | None = None
    etag: str | None = None
    sequence_id: str | None = None
    sha1: str | None = None
    size: int | None = None
    description: str | None = None
    item_status: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    content_created_at: datetime | None = None
    content_modified_at: datetime | None = None
    trashed_at: datetime | None = None
    created_by: BoxUser | None = None
    modified_by: BoxUser | None = None
    owned_by: BoxUser | None = None
    parent: BoxItem | None = None
    file_version: dict[str, Any] | None = None
    path_collection: dict[str, Any] | None = None
    shared_link: dict[str, Any] | None = None


class BoxWebhookEvent(PayloadModel):
    id: str | None = None
    """The event's id: the same on every retry (the dedupe id)."""
    type: str | None = None
    created_at: datetime | None = None
    trigger: str | None = None
    webhook: WebhookRef | None = None
    created_by: BoxUser | None = None
    source: BoxItem | None = None
    additional_info: dict[str, Any] | list[Any] | None = Field(default=None)


parse_payload = payload_parser(BoxWebhookEvent)
"""Parse a decoded Box webhook body into a :class:`BoxWebhookEvent`."""
