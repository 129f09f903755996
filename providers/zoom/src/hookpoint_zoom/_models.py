"""Typed, tolerant models of Zoom webhook bodies
(https://developers.zoom.us/docs/api/rest/reference/zoom-api/events/).

``{"event": …, "event_ts": <ms>, "payload": {"account_id": …, "object": {…}}}``;
:func:`parse_payload` types ``payload.object`` for meeting/webinar and recording events.
Every field is optional; unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Meeting",
    "MeetingEvent",
    "Participant",
    "Recording",
    "RecordingEvent",
    "RecordingFile",
    "UrlValidation",
    "ZoomEvent",
    "ZoomObject",
    "ZoomPayload",
    "parse_payload",
]


class ZoomObject(PayloadModel):
    id: int | str | None = None
    uuid: str | None = None


class Participant(PayloadModel):
    user_id: str | None = None
    user_name: str | None = None
    id: str | None = None
    email: str | None = None
    join_time: datetime | None = None
    leave_time: datetime | None = None
    participant_uuid: str | None = None


class Meeting(ZoomObject):
    host_id: str | None = None
    topic: str | None = None
    type: int | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    timezone: str | None = None
    participant: Participant | None = None


class RecordingFile(PayloadModel):
    id: str | None = None
    file_type: str | None = None
    file_size: int | None = None
    recording_type: str | None = None
    download_url: str | None = None
    status: str | None = None
    recording_start: datetime | None = None
    recording_end: datetime | None = None


class Recording(Meeting):
    share_url: str | None = None
    total_size: int | None = None
    recording_count: int | None = None
    recording_files: list[RecordingFile] = Field(default_factory=list)


ObjectT = TypeVar("ObjectT", bound=ZoomObject)


class ZoomPayload(PayloadModel, Generic[ObjectT]):
    account_id: str | None = None
    operator: str | None = None
    operator_id: str | None = None
    object: ObjectT | None = None


class ZoomEvent(PayloadModel, Generic[ObjectT]):
    """Any Zoom event, generic in ``payload.object``."""

    event: str | None = None
    event_ts: int | None = None
    payload: ZoomPayload[ObjectT] | None = None
    download_token: str | None = None
    """Recording events: a token for the ``download_url``s (valid 24 h)."""

    @property
    def time(self) -> datetime | None:
        from hookpoint.providerkit import to_datetime

        return to_datetime(self.event_ts, unit="ms")


MeetingEvent = ZoomEvent[Meeting]
"""``meeting.*`` and ``webinar.*``"""
RecordingEvent = ZoomEvent[Recording]
"""``recording.*``"""


class UrlValidation(PayloadModel):
    event: str | None = None
    event_ts: int | None = None
    payload: dict[str, Any] | None = None


def _kind(data: dict[str, Any]) -> str | None:
    event = data.get("event")
    if not isinstance(event, str):
        return None
    if event == "endpoint.url_validation":
        return "validation"
    return (
        event.split(".", 1)[0] if event.startswith(("meeting.", "webinar.", "recording.")) else None
    )


parse_payload = payload_parser(
    ZoomEvent[ZoomObject],
    {
        "validation": UrlValidation,
        "meeting": MeetingEvent,
        "webinar": MeetingEvent,
        "recording": RecordingEvent,
    },
    key_of=_kind,
)
"""Parse a decoded Zoom body (``payload.object`` typed for meetings, webinars, recordings)."""
