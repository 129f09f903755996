"""Typed, tolerant models of Linear webhook bodies (https://linear.app/developers/webhooks).

``{"action": "create|update|remove", "type": "Issue", "data": {…}, "url", "createdAt",
"organizationId", "webhookTimestamp", "webhookId", "updatedFrom"?, "actor"?}``;
:func:`parse_payload` types ``data`` for issues and comments. camelCase JSON keys, snake_case
attributes. Every field is optional; unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Actor",
    "Comment",
    "CommentWebhook",
    "Issue",
    "IssueWebhook",
    "LinearEntity",
    "LinearModel",
    "LinearWebhook",
    "NamedRef",
    "parse_payload",
]


class LinearModel(PayloadModel):
    model_config = ConfigDict(alias_generator=to_camel)


class NamedRef(LinearModel):
    id: str | None = None
    name: str | None = None
    key: str | None = None
    type: str | None = None
    color: str | None = None


class Actor(LinearModel):
    id: str | None = None
    type: str | None = None
    name: str | None = None
    email: str | None = None
    url: str | None = None


class LinearEntity(LinearModel):
    id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Issue(LinearEntity):
    identifier: str | None = None
    number: int | None = None
    title: str | None = None
    description: str | None = None
    priority: int | None = None
    priority_label: str | None = None
    estimate: float | None = None
    url: str | None = None
    team_id: str | None = None
    state_id: str | None = None
    assignee_id: str | None = None
    team: NamedRef | None = None
    state: NamedRef | None = None
    assignee: NamedRef | None = None
    labels: list[NamedRef] = Field(default_factory=list)
    label_ids: list[str] = Field(default_factory=list)
    due_date: str | None = None
    completed_at: datetime | None = None
    canceled_at: datetime | None = None


class Comment(LinearEntity):
    body: str | None = None
    issue_id: str | None = None
    user_id: str | None = None
    issue: dict[str, Any] | None = None
    user: NamedRef | None = None


EntityT = TypeVar("EntityT", bound=LinearEntity)


class LinearWebhook(LinearModel, Generic[EntityT]):
    """Any Linear webhook, generic in ``data``."""

    action: str | None = None
    type: str | None = None
    data: EntityT | None = None
    url: str | None = None
    created_at: datetime | None = None
    organization_id: str | None = None
    webhook_timestamp: int | None = None
    webhook_id: str | None = None
    updated_from: dict[str, Any] | None = None
    """Previous values of the changed fields (``update`` actions)."""
    actor: Actor | None = None


IssueWebhook = LinearWebhook[Issue]
CommentWebhook = LinearWebhook[Comment]

parse_payload = payload_parser(
    LinearWebhook[LinearEntity], {"Issue": IssueWebhook, "Comment": CommentWebhook}, key="type"
)
"""Parse a decoded Linear body (``data`` typed for ``Issue`` and ``Comment``)."""
