"""Typed, tolerant models of Bitbucket Cloud webhook bodies
(https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/).

Every body has ``actor`` and ``repository`` (the common Account and Repository entities); push
events add ``push.changes[]``, pull request events ``pullrequest`` (plus ``approval``,
``comment``... for some), commit status events ``commit_status``. The event key is a header,
so :func:`parse_payload` picks the model by the body's shape. Every field is optional; unknown
keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Account",
    "BitbucketWebhook",
    "Change",
    "Commit",
    "CommitStatus",
    "CommitStatusEvent",
    "PullRequest",
    "PullRequestEndpoint",
    "PullRequestEvent",
    "Push",
    "PushEvent",
    "Ref",
    "Repository",
    "Workspace",
    "parse_payload",
]


class Account(PayloadModel):
    type: str | None = None
    uuid: str | None = None
    account_id: str | None = None
    display_name: str | None = None
    nickname: str | None = None
    links: dict[str, Any] | None = None


class Workspace(PayloadModel):
    type: str | None = None
    uuid: str | None = None
    slug: str | None = None
    name: str | None = None


class Repository(PayloadModel):
    type: str | None = None
    uuid: str | None = None
    name: str | None = None
    full_name: str | None = None
    is_private: bool | None = None
    scm: str | None = None
    workspace: Workspace | None = None
    project: dict[str, Any] | None = None
    owner: Account | None = None
    links: dict[str, Any] | None = None


class Commit(PayloadModel):
    type: str | None = None
    hash: str | None = None
    message: str | None = None
    date: datetime | None = None
    author: dict[str, Any] | None = None
    links: dict[str, Any] | None = None


class Ref(PayloadModel):
    """A branch or tag in a push (``new``/``old``)."""

    type: str | None = None
    name: str | None = None
    target: Commit | None = None


class Change(PayloadModel):
    new: Ref | None = None
    old: Ref | None = None
    created: bool | None = None
    closed: bool | None = None
    forced: bool | None = None
    truncated: bool | None = None
    commits: list[Commit] = Field(default_factory=list)
    links: dict[str, Any] | None = None


class Push(PayloadModel):
    changes: list[Change] = Field(default_factory=list)


class PullRequestEndpoint(PayloadModel):
    """``source``/``destination`` of a pull request."""

    branch: dict[str, Any] | None = None
    commit: Commit | None = None
    repository: Repository | None = None


class PullRequest(PayloadModel):
    id: int | None = None
    title: str | None = None
    description: str | None = None
    state: str | None = None
    author: Account | None = None
    source: PullRequestEndpoint | None = None
    destination: PullRequestEndpoint | None = None
    merge_commit: Commit | None = None
    participants: list[dict[str, Any]] = Field(default_factory=list)
    reviewers: list[Account] = Field(default_factory=list)
    close_source_branch: bool | None = None
    closed_by: Account | None = None
    reason: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    links: dict[str, Any] | None = None


class CommitStatus(PayloadModel):
    """A build status on a commit (``repo:commit_status_created`` / ``_updated``)."""

    type: str | None = None
    key: str | None = None
    name: str | None = None
    state: str | None = None
    """``INPROGRESS``, ``SUCCESSFUL``, ``FAILED`` or ``STOPPED``."""
    description: str | None = None
    url: str | None = None
    refname: str | None = None
    commit: Commit | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    links: dict[str, Any] | None = None


class BitbucketWebhook(PayloadModel):
    """Any Bitbucket Cloud webhook body."""

    actor: Account | None = None
    repository: Repository | None = None


class PushEvent(BitbucketWebhook):
    push: Push | None = None


class PullRequestEvent(BitbucketWebhook):
    pullrequest: PullRequest | None = None
    approval: dict[str, Any] | None = None
    comment: dict[str, Any] | None = None
    changes_request: dict[str, Any] | None = None


class CommitStatusEvent(BitbucketWebhook):
    commit_status: CommitStatus | None = None


def _shape(body: dict[str, Any]) -> str | None:
    return next((key for key in ("pullrequest", "push", "commit_status") if key in body), None)


parse_payload = payload_parser(
    BitbucketWebhook,
    {"push": PushEvent, "pullrequest": PullRequestEvent, "commit_status": CommitStatusEvent},
    key_of=_shape,
)
"""Parse a decoded Bitbucket body (push, pull request and commit status events typed by their
shape)."""
