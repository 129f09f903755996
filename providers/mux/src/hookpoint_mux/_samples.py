"""Sample Mux deliveries after the event examples of Mux's webhook reference
(https://www.mux.com/docs/core/listen-for-webhooks, https://www.mux.com/webhook-spec.json):
an asset becoming ready, a direct upload creating its asset, a live stream going active. The
sign hook adds ``Mux-Signature``.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SIGNING_SECRET"]

SIGNING_SECRET = "mux_test_signing_secret"  # noqa: S105 - the samples' signing secret
_ENVIRONMENT = {"name": "Production", "id": "j0863n"}
_ASSET_ID = "0201p02fGKPE7MrbC269XRD7LpcHhrmbu0002"


def _sample(event_id: str, kind: str, obj: str, data: dict[str, Any], description: str) -> Sample:
    return Sample(
        name=kind,
        description=description,
        headers={"Content-Type": "application/json"},
        body=compact_json(
            {
                "type": kind,
                "request_id": None,
                "object": {"type": obj, "id": data["id"]},
                "id": event_id,
                "environment": _ENVIRONMENT,
                "data": data,
                "created_at": "2021-01-05T17:52:38.000000Z",
                "attempts": [],
                "accessor_source": None,
                "accessor": None,
            }
        ),
        secret=SIGNING_SECRET,
        event_type=kind,
    )


SAMPLES: tuple[Sample, ...] = (
    _sample(
        "3a56ac3d-33da-4366-855b-f592d898409d",
        "video.asset.ready",
        "asset",
        {
            "id": _ASSET_ID,
            "status": "ready",
            "created_at": 1609869152,
            "duration": 23.872,
            "aspect_ratio": "16:9",
            "max_stored_resolution": "HD",
            "master_access": "none",
            "mp4_support": "none",
            "playback_ids": [{"policy": "public", "id": "Ryy8AR2x8ZLnqh9BH4nalTZL4G9ywoUw"}],
            "tracks": [
                {"type": "video", "max_width": 1280, "max_height": 720, "max_frame_rate": 30},
                {"type": "audio", "max_channels": 2, "max_channel_layout": "stereo"},
            ],
            "passthrough": "video-42",
        },
        "An asset is ready for playback",
    ),
    _sample(
        "b5c3a8f1-7d2e-4c9a-9e1f-2a4b6c8d0e1f",
        "video.upload.asset_created",
        "upload",
        {
            "id": "OA02dANZ7Lwz7ZC8QcGJyU1nYsPyf8xQu",
            "status": "asset_created",
            "asset_id": _ASSET_ID,
            "timeout": 3600,
            "new_asset_settings": {"playback_policies": ["public"]},
            "cors_origin": "https://example.com",
        },
        "A direct upload finished and created its asset",
    ),
    _sample(
        "c7d9e1f3-8a2b-4d6c-a0e2-4b6d8f0a2c4e",
        "video.live_stream.active",
        "live_stream",
        {
            "id": "QrikEQpEXp3RvklQSHyHSYOakQkXlRId",
            "status": "active",
            "created_at": 1609869000,
            "stream_key": "super-secret-stream-key",
            "active_asset_id": "6AfJkRmFYPeZ4uSC6Mn2iYmf02NbZk4qE",
            "playback_ids": [{"policy": "public", "id": "Eoy6a6oE5Tbz01uuvcfx2VUtP9Un5Sjp"}],
            "latency_mode": "standard",
        },
        "A live stream is receiving and recording",
    ),
)
