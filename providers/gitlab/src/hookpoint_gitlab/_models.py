"""Typed, tolerant models of GitLab webhook bodies.

Every model keeps unknown keys (``extra="allow"``) and every field is optional: GitLab adds
fields in most releases and self-managed instances lag behind. Field names are GitLab's own
(snake_case already). Times are parsed to ``datetime`` when they are ISO-8601; GitLab also sends
``"2024-05-02 09:12:45 UTC"`` in some payloads, which is kept as the original string.

:func:`parse_payload` picks the model from the body's ``object_kind``
(https://docs.gitlab.com/user/project/integrations/webhook_events/).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeAlias, cast

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Commit",
    "GitLabEvent",
    "GitLabPayload",
    "IssueAttributes",
    "IssueEvent",
    "MergeRequestAttributes",
    "MergeRequestEvent",
    "NoteAttributes",
    "NoteEvent",
    "ObjectAttributes",
    "PipelineAttributes",
    "PipelineEvent",
    "Project",
    "PushEvent",
    "User",
    "parse_payload",
]

GitLabTime: TypeAlias = Annotated[datetime | str | None, Field(union_mode="left_to_right")]


class GitLabModel(PayloadModel):
    """Base of the GitLab models: unknown keys kept."""


class User(GitLabModel):
    id: int | None = None
    name: str | None = None
    username: str | None = None
    email: str | None = None
    avatar_url: str | None = None


class Project(GitLabModel):
    id: int | None = None
    name: str | None = None
    description: str | None = None
    web_url: str | None = None
    namespace: str | None = None
    path_with_namespace: str | None = None
    default_branch: str | None = None
    visibility_level: int | None = None
    git_http_url: str | None = None
    git_ssh_url: str | None = None


class Commit(GitLabModel):
    id: str | None = None
    message: str | None = None
    title: str | None = None
    timestamp: GitLabTime = None
    url: str | None = None
    author: dict[str, Any] | None = None
    added: list[str] = Field(default_factory=list)
    modified: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


class GitLabEvent(GitLabModel):
    """Any GitLab webhook body; the specific events below add their fields."""

    object_kind: str | None = None
    event_type: str | None = None
    event_name: str | None = None
    user: User | None = None
    project: Project | None = None


class PushEvent(GitLabEvent):
    """``Push Hook`` and ``Tag Push Hook`` (``object_kind`` ``push`` / ``tag_push``)."""

    before: str | None = None
    after: str | None = None
    ref: str | None = None
    ref_protected: bool | None = None
    checkout_sha: str | None = None
    user_id: int | None = None
    user_name: str | None = None
    user_username: str | None = None
    user_email: str | None = None
    project_id: int | None = None
    commits: list[Commit] = Field(default_factory=list)
    total_commits_count: int | None = None

    @property
    def branch(self) -> str | None:
        """The branch name of a branch push (``refs/heads/main`` → ``main``)."""
        prefix = "refs/heads/"
        return self.ref[len(prefix) :] if self.ref and self.ref.startswith(prefix) else None


class ObjectAttributes(GitLabModel):
    """``object_attributes``: the fields every GitLab object (issue, MR, note…) has."""

    id: int | None = None
    url: str | None = None
    created_at: GitLabTime = None
    updated_at: GitLabTime = None


class _Trackable(ObjectAttributes):
    iid: int | None = None
    title: str | None = None
    description: str | None = None
    state: str | None = None
    action: str | None = None


class MergeRequestAttributes(_Trackable):
    source_branch: str | None = None
    target_branch: str | None = None
    merge_status: str | None = None
    detailed_merge_status: str | None = None
    draft: bool | None = None
    author_id: int | None = None


class IssueAttributes(_Trackable):
    confidential: bool | None = None


class _TrackableEvent(GitLabEvent):
    labels: list[dict[str, Any]] = Field(default_factory=list)
    changes: dict[str, Any] = Field(default_factory=dict)
    assignees: list[User] = Field(default_factory=list)


class MergeRequestEvent(_TrackableEvent):
    """``Merge Request Hook`` (``object_kind`` ``merge_request``)."""

    object_attributes: MergeRequestAttributes | None = None
    reviewers: list[User] = Field(default_factory=list)


class IssueEvent(_TrackableEvent):
    """``Issue Hook`` / ``Confidential Issue Hook`` (``object_kind`` ``issue``)."""

    object_attributes: IssueAttributes | None = None


class NoteAttributes(ObjectAttributes):
    note: str | None = None
    noteable_type: str | None = None


class NoteEvent(GitLabEvent):
    """``Note Hook`` / ``Confidential Note Hook`` (comments; ``object_kind`` ``note``)."""

    object_attributes: NoteAttributes | None = None
    merge_request: dict[str, Any] | None = None
    issue: dict[str, Any] | None = None
    commit: dict[str, Any] | None = None


class PipelineAttributes(ObjectAttributes):
    iid: int | None = None
    ref: str | None = None
    tag: bool | None = None
    sha: str | None = None
    source: str | None = None
    status: str | None = None
    detailed_status: str | None = None
    stages: list[str] = Field(default_factory=list)
    duration: float | None = None
    finished_at: GitLabTime = None


class PipelineEvent(GitLabEvent):
    """``Pipeline Hook`` (``object_kind`` ``pipeline``)."""

    object_attributes: PipelineAttributes | None = None
    merge_request: dict[str, Any] | None = None
    commit: Commit | None = None
    builds: list[dict[str, Any]] = Field(default_factory=list)


GitLabPayload: TypeAlias = (
    PushEvent | MergeRequestEvent | IssueEvent | NoteEvent | PipelineEvent | GitLabEvent
)

_BY_KIND: dict[str, type[GitLabEvent]] = {
    "push": PushEvent,
    "tag_push": PushEvent,
    "merge_request": MergeRequestEvent,
    "issue": IssueEvent,
    "note": NoteEvent,
    "pipeline": PipelineEvent,
}


_parse = payload_parser(GitLabEvent, _BY_KIND, key="object_kind")


def parse_payload(data: Any) -> GitLabPayload:
    """Parse a decoded GitLab JSON body into the model of its ``object_kind`` (unknown kinds and
    system hooks parse as :class:`GitLabEvent`); ``ValueError`` when it is not a JSON object."""
    return cast("GitLabPayload", _parse(data))
