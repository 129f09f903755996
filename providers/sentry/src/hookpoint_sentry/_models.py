"""Typed, tolerant models of Sentry integration-platform webhook bodies
(https://docs.sentry.io/integrations/integration-platform/webhooks/).

Every webhook is ``{"action": …, "installation": {"uuid": …}, "actor": {"type", "id", "name"},
"data": {…}}``; what ``data`` holds depends on the ``Sentry-Hook-Resource`` header, which is not
part of the body, so :func:`parse_payload` types ``data`` by its keys: ``issue`` (issue
webhooks), ``event`` (issue alerts), ``error`` (errors), ``installation``, ``comment``,
``run_id``/``group_id`` (Seer), ``buildId`` (preprod artifacts). Every field is optional;
unknown keys are kept.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Actor",
    "CommentData",
    "CommentWebhook",
    "Installation",
    "InstallationRef",
    "Issue",
    "SentryData",
    "SentryWebhook",
    "parse_payload",
]


class Actor(PayloadModel):
    type: str | None = None
    """``user``, ``application`` (Sentry itself: ``id`` ``"sentry"``)."""
    id: int | str | None = None
    name: str | None = None


class InstallationRef(PayloadModel):
    uuid: str | None = None


class Installation(PayloadModel):
    uuid: str | None = None
    status: str | None = None
    code: str | None = None
    organization: dict[str, Any] | None = None
    app: dict[str, Any] | None = None


class Issue(PayloadModel):
    id: str | None = None
    short_id: str | None = Field(None, alias="shortId")
    title: str | None = None
    culprit: str | None = None
    level: str | None = None
    status: str | None = None
    substatus: str | None = None
    status_details: dict[str, Any] | None = Field(None, alias="statusDetails")
    platform: str | None = None
    project: dict[str, Any] | None = None
    first_seen: str | None = Field(None, alias="firstSeen")
    last_seen: str | None = Field(None, alias="lastSeen")
    count: str | int | None = None
    user_count: int | None = Field(None, alias="userCount")
    url: str | None = None
    web_url: str | None = None
    project_url: str | None = None


class SentryData(PayloadModel):
    """``data`` of any resource; the resource's own keys are typed where known."""

    issue: Issue | None = None
    event: dict[str, Any] | None = None
    """The event an issue alert fired for (``event_alert``)."""
    error: dict[str, Any] | None = None
    """The error event (``error`` webhooks)."""
    installation: Installation | None = None
    triggered_rule: str | None = None
    issue_alert: dict[str, Any] | None = None
    metric_alert: dict[str, Any] | None = None
    description_text: str | None = None
    description_title: str | None = None
    web_url: str | None = None
    run_id: int | None = None
    """Seer: the analysis run, shared by its webhooks."""
    group_id: int | None = None
    """Seer: the issue analysed."""
    build_id: str | None = Field(None, alias="buildId")
    """Preprod artifacts: the build."""
    state: str | None = None
    """Preprod artifacts: ``COMPLETED`` or ``FAILED``."""


class CommentData(SentryData):
    """``data`` of comment webhooks."""

    comment: str | None = None
    comment_id: int | None = None
    issue_id: int | None = None
    project_slug: str | None = None
    timestamp: str | None = None


class SentryWebhook(PayloadModel):
    action: str | None = None
    installation: InstallationRef | None = None
    actor: Actor | None = None
    data: SentryData | None = None


class CommentWebhook(SentryWebhook):
    data: CommentData | None = None


def _kind(body: dict[str, Any]) -> str | None:
    data = body.get("data")
    return "comment" if isinstance(data, dict) and "comment_id" in data else None


parse_payload = payload_parser(SentryWebhook, {"comment": CommentWebhook}, key_of=_kind)
"""Parse a decoded Sentry body (``data`` typed by the keys it holds)."""
