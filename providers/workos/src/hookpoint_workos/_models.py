"""Typed, tolerant models of WorkOS webhook bodies (https://workos.com/docs/events).

Every delivery is one event: ``{"object": "event", "id": "event_…", "event": <type>,
"data": {…}, "created_at": ISO-8601, "context": {…}}``; :func:`parse_payload` types ``data`` by
the event type's resource (``user.*``, ``dsync.user.*``, ``dsync.group.*``,
``dsync.group.user_added|user_removed``, ``connection.*``, ``organization.*``,
``organization_membership.*``). Every field is optional and unknown keys are kept
(``model_extra``), because WorkOS adds fields without notice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Connection",
    "ConnectionEvent",
    "DirectoryGroup",
    "DirectoryGroupEvent",
    "DirectoryMembership",
    "DirectoryMembershipEvent",
    "DirectoryUser",
    "DirectoryUserEvent",
    "Organization",
    "OrganizationEvent",
    "OrganizationMembership",
    "OrganizationMembershipEvent",
    "User",
    "UserEvent",
    "WorkOSEvent",
    "WorkOSObject",
    "parse_payload",
]


class WorkOSObject(PayloadModel):
    """Any WorkOS resource: ``object`` (its kind), ``id`` and whatever else it has."""

    object: str | None = None
    id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class User(WorkOSObject):
    """An AuthKit user (``user.*``)."""

    email: str | None = None
    email_verified: bool | None = None
    first_name: str | None = None
    last_name: str | None = None
    profile_picture_url: str | None = None
    external_id: str | None = None
    last_sign_in_at: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class DirectoryUser(WorkOSObject):
    """A user synced from a directory (``dsync.user.*``)."""

    directory_id: str | None = None
    organization_id: str | None = None
    idp_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    job_title: str | None = None
    state: str | None = None
    """``active``, ``suspended`` or ``inactive``."""
    emails: list[dict[str, Any]] = Field(default_factory=list)
    custom_attributes: dict[str, Any] = Field(default_factory=dict)
    raw_attributes: dict[str, Any] = Field(default_factory=dict)


class DirectoryGroup(WorkOSObject):
    """A group synced from a directory (``dsync.group.*``)."""

    directory_id: str | None = None
    organization_id: str | None = None
    idp_id: str | None = None
    name: str | None = None


class DirectoryMembership(PayloadModel):
    """``dsync.group.user_added`` / ``user_removed``: which user joined or left which group."""

    directory_id: str | None = None
    user: DirectoryUser | None = None
    group: DirectoryGroup | None = None


class Connection(WorkOSObject):
    """An SSO connection (``connection.*``)."""

    organization_id: str | None = None
    connection_type: str | None = None
    name: str | None = None
    state: str | None = None
    status: str | None = None
    external_key: str | None = None
    domains: list[dict[str, Any]] = Field(default_factory=list)


class Organization(WorkOSObject):
    """An organization (``organization.*``)."""

    name: str | None = None
    external_id: str | None = None
    domains: list[dict[str, Any]] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class OrganizationMembership(WorkOSObject):
    """A user's membership of an organization (``organization_membership.*``)."""

    user_id: str | None = None
    organization_id: str | None = None
    status: str | None = None
    """``active``, ``inactive`` or ``pending``."""
    role: dict[str, Any] | None = None
    directory_managed: bool | None = None


D = TypeVar("D", bound=PayloadModel)


class WorkOSEvent(PayloadModel, Generic[D]):
    """An event, generic in its ``data`` (``WorkOSEvent[User]``); ``parse_payload`` returns
    ``WorkOSEvent[WorkOSObject]`` for types without a typed model."""

    object: str | None = None
    id: str | None = None
    event: str | None = None
    data: D | None = None
    created_at: datetime | None = None
    context: dict[str, Any] | None = None


UserEvent = WorkOSEvent[User]
DirectoryUserEvent = WorkOSEvent[DirectoryUser]
DirectoryGroupEvent = WorkOSEvent[DirectoryGroup]
DirectoryMembershipEvent = WorkOSEvent[DirectoryMembership]
ConnectionEvent = WorkOSEvent[Connection]
OrganizationEvent = WorkOSEvent[Organization]
OrganizationMembershipEvent = WorkOSEvent[OrganizationMembership]

_MEMBERSHIP_CHANGES = frozenset({"dsync.group.user_added", "dsync.group.user_removed"})


def _resource(data: dict[str, Any]) -> str | None:
    """The event type without its verb (``dsync.user.created`` → ``dsync.user``)."""
    kind = data.get("event")
    if not isinstance(kind, str):
        return None
    return kind if kind in _MEMBERSHIP_CHANGES else kind.rpartition(".")[0]


parse_payload = payload_parser(
    WorkOSEvent[WorkOSObject],
    {
        "user": UserEvent,
        "dsync.user": DirectoryUserEvent,
        "dsync.group": DirectoryGroupEvent,
        **dict.fromkeys(_MEMBERSHIP_CHANGES, DirectoryMembershipEvent),
        "connection": ConnectionEvent,
        "organization": OrganizationEvent,
        "organization_membership": OrganizationMembershipEvent,
    },
    key_of=_resource,
)
"""Parse a decoded WorkOS body into a :class:`WorkOSEvent` typed by its resource."""
