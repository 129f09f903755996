"""Typed, tolerant models of GitHub webhook bodies (https://docs.github.com/en/webhooks/webhook-events-and-payloads).

The event name travels in the ``X-GitHub-Event`` header, not in the body, so
:func:`parse_payload` recognises the main events by their shape; anything else parses as
:class:`GitHubEvent`. Every field is optional and unknown keys are kept (``model_extra``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Commit",
    "CommitAuthor",
    "GitHubEvent",
    "Hook",
    "Installation",
    "Issue",
    "IssuesEvent",
    "Label",
    "Organization",
    "PingEvent",
    "PullRequest",
    "PullRequestEvent",
    "PushEvent",
    "Ref",
    "Repository",
    "User",
    "parse_payload",
]


class User(PayloadModel):
    login: str | None = None
    id: int | None = None
    node_id: str | None = None
    type: str | None = None
    html_url: str | None = None
    site_admin: bool | None = None


class Organization(PayloadModel):
    login: str | None = None
    id: int | None = None
    url: str | None = None


class Installation(PayloadModel):
    id: int | None = None
    node_id: str | None = None


class Repository(PayloadModel):
    id: int | None = None
    node_id: str | None = None
    name: str | None = None
    full_name: str | None = None
    private: bool | None = None
    owner: User | None = None
    html_url: str | None = None
    default_branch: str | None = None
    visibility: str | None = None


class Label(PayloadModel):
    id: int | None = None
    name: str | None = None
    color: str | None = None


class GitHubEvent(PayloadModel):
    """Any GitHub delivery: the fields most events share."""

    action: str | None = None
    sender: User | None = None
    repository: Repository | None = None
    organization: Organization | None = None
    installation: Installation | None = None


class Hook(PayloadModel):
    type: str | None = None
    id: int | None = None
    name: str | None = None
    active: bool | None = None
    events: list[str] = Field(default_factory=list)
    config: dict[str, Any] = Field(default_factory=dict)


class PingEvent(GitHubEvent):
    """``ping``: sent once when the webhook is created."""

    zen: str | None = None
    hook_id: int | None = None
    hook: Hook | None = None


class CommitAuthor(PayloadModel):
    name: str | None = None
    email: str | None = None
    username: str | None = None


class Commit(PayloadModel):
    id: str | None = None
    tree_id: str | None = None
    distinct: bool | None = None
    message: str | None = None
    timestamp: datetime | str | None = None
    url: str | None = None
    author: CommitAuthor | None = None
    committer: CommitAuthor | None = None
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    modified: list[str] = Field(default_factory=list)


class PushEvent(GitHubEvent):
    """``push``: commits pushed to a branch or tag."""

    ref: str | None = None
    before: str | None = None
    after: str | None = None
    created: bool | None = None
    deleted: bool | None = None
    forced: bool | None = None
    base_ref: str | None = None
    compare: str | None = None
    commits: list[Commit] = Field(default_factory=list)
    head_commit: Commit | None = None
    pusher: CommitAuthor | None = None


class Ref(PayloadModel):
    label: str | None = None
    ref: str | None = None
    sha: str | None = None
    user: User | None = None
    repo: Repository | None = None


class PullRequest(PayloadModel):
    id: int | None = None
    number: int | None = None
    state: str | None = None
    title: str | None = None
    body: str | None = None
    draft: bool | None = None
    merged: bool | None = None
    html_url: str | None = None
    user: User | None = None
    labels: list[Label] = Field(default_factory=list)
    head: Ref | None = None
    base: Ref | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    merged_at: datetime | None = None


class PullRequestEvent(GitHubEvent):
    """``pull_request``: opened, closed, synchronize, labeled, … (``action``)."""

    number: int | None = None
    pull_request: PullRequest | None = None


class Issue(PayloadModel):
    id: int | None = None
    number: int | None = None
    title: str | None = None
    body: str | None = None
    state: str | None = None
    html_url: str | None = None
    user: User | None = None
    labels: list[Label] = Field(default_factory=list)
    assignees: list[User] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None


class IssuesEvent(GitHubEvent):
    """``issues``: opened, edited, closed, labeled, … (``action``)."""

    issue: Issue | None = None
    label: Label | None = None


def _shape(data: dict[str, Any]) -> str | None:
    if "zen" in data and "hook_id" in data:
        return "ping"
    if "pull_request" in data and "number" in data:
        return "pull_request"
    if "issue" in data and "comment" not in data:
        return "issues"
    if "commits" in data and "ref" in data:
        return "push"
    return None


parse_payload = payload_parser(
    GitHubEvent,
    {"ping": PingEvent, "pull_request": PullRequestEvent, "issues": IssuesEvent, "push": PushEvent},
    key_of=_shape,
)
"""Parse a decoded GitHub body into the model of its event (by shape; see the module doc)."""
