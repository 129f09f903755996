"""Typed, tolerant models of Mux webhook bodies
(https://www.mux.com/docs/core/listen-for-webhooks).

``{"type": "video.asset.ready", "id": <uuid>, "created_at": <ISO 8601>, "object": {"type":
"asset", "id": …}, "environment": {"name", "id"}, "data": {…}, "attempts": […], …}``;
:func:`parse_payload` types ``data`` for assets, uploads and live streams by the event type's
prefix. Every field is optional; unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Asset",
    "AssetEvent",
    "LiveStream",
    "LiveStreamEvent",
    "MuxEvent",
    "MuxObject",
    "MuxRef",
    "PlaybackId",
    "Upload",
    "UploadEvent",
    "parse_payload",
]


class MuxRef(PayloadModel):
    """``object`` and ``environment``: what the event is about, where."""

    type: str | None = None
    id: str | None = None
    name: str | None = None


class PlaybackId(PayloadModel):
    id: str | None = None
    policy: str | None = None


class MuxObject(PayloadModel):
    """Any Mux resource in ``data``."""

    id: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    passthrough: str | None = None
    test: bool | None = None
    """Test objects (``test: true``): free, watermarked, deleted after 24 hours."""


class Asset(MuxObject):
    duration: float | None = None
    aspect_ratio: str | None = None
    max_stored_resolution: str | None = None
    resolution_tier: str | None = None
    video_quality: str | None = None
    playback_ids: list[PlaybackId] = Field(default_factory=list)
    tracks: list[dict[str, Any]] = Field(default_factory=list)
    upload_id: str | None = None
    live_stream_id: str | None = None
    errors: dict[str, Any] | None = None
    mp4_support: str | None = None
    master_access: str | None = None
    non_standard_input_reasons: dict[str, Any] | None = None


class Upload(MuxObject):
    asset_id: str | None = None
    url: str | None = None
    timeout: int | None = None
    new_asset_settings: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    cors_origin: str | None = None


class LiveStream(MuxObject):
    stream_key: str | None = None
    active_asset_id: str | None = None
    recent_asset_ids: list[str] = Field(default_factory=list)
    playback_ids: list[PlaybackId] = Field(default_factory=list)
    latency_mode: str | None = None


D = TypeVar("D", bound=MuxObject)


class MuxEvent(PayloadModel, Generic[D]):
    """Any Mux webhook event, generic in ``data``."""

    type: str | None = None
    id: str | None = None
    created_at: datetime | None = None
    object: MuxRef | None = None
    environment: MuxRef | None = None
    data: D | None = None
    attempts: list[dict[str, Any]] = Field(default_factory=list)
    request_id: str | None = None
    accessor: str | None = None
    accessor_source: str | None = None


AssetEvent = MuxEvent[Asset]
"""``video.asset.*`` (not ``video.asset.track.*``)"""
UploadEvent = MuxEvent[Upload]
"""``video.upload.*``"""
LiveStreamEvent = MuxEvent[LiveStream]
"""``video.live_stream.*``"""


_PREFIXES = (
    ("video.asset.", "asset"),
    ("video.upload.", "upload"),
    ("video.live_stream.", "live_stream"),
)


def _kind(data: dict[str, Any]) -> str | None:
    kind = data.get("type")
    if not isinstance(kind, str) or kind.startswith("video.asset.track."):
        return None
    return next((name for prefix, name in _PREFIXES if kind.startswith(prefix)), None)


parse_payload = payload_parser(
    MuxEvent[MuxObject],
    {"asset": AssetEvent, "upload": UploadEvent, "live_stream": LiveStreamEvent},
    key_of=_kind,
)
"""Parse a decoded Mux body (``data`` typed for assets, uploads and live streams)."""
