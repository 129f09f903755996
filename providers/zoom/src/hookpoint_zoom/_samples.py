"""Sample Zoom deliveries after the event examples in Zoom's webhook reference
(https://developers.zoom.us/docs/api/rest/reference/zoom-api/events/); Zoom sends compact JSON.
The sign hook adds ``x-zm-request-timestamp`` and ``x-zm-signature``.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SECRET_TOKEN"]

SECRET_TOKEN = "zoom_secret_token"  # noqa: S105 - the known-answer vector's secret
_HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "User-Agent": "Zoom Marketplace/1.0a",
}
_MEETING = {
    "id": 85746065432,
    "uuid": "4444AAAiAAAAAiAiAiiAii==",
    "host_id": "z8yCxjabcdEFGHfp8uQ",
    "topic": "Weekly sync",
    "type": 2,
    "start_time": "2024-05-02T14:00:00Z",
    "duration": 60,
    "timezone": "Europe/Berlin",
}


def _event(event: str, event_ts: int, obj: dict[str, Any], tracking: str, **extra: Any) -> Sample:
    body = {
        "event": event,
        "payload": {"account_id": "AAAAAABBBB", "object": obj},
        "event_ts": event_ts,
        **extra,
    }
    return Sample(
        name=event,
        description=f"{event} (example payload)",
        headers={**_HEADERS, "x-zm-trackingid": tracking},
        body=compact_json(body),
        secret=SECRET_TOKEN,
        event_type=event,
    )


SAMPLES: tuple[Sample, ...] = (
    _event("meeting.started", 1714658400123, _MEETING, "v=2.0&s=1714658400&rid=A1"),
    _event(
        "meeting.participant_joined",
        1714658460456,
        {
            **_MEETING,
            "participant": {
                "user_id": "16778240",
                "user_name": "Jill Chill",
                "id": "iFxeBPYun6SAiWUzBcEkX",
                "email": "jchill@example.com",
                "join_time": "2024-05-02T14:01:00Z",
                "participant_uuid": "55555AAAiAAAAAiAiAiiAii",
            },
        },
        "v=2.0&s=1714658460&rid=A2",
    ),
    _event(
        "recording.completed",
        1714662000789,
        {
            **_MEETING,
            "share_url": "https://example.com/rec/share/abc",
            "total_size": 529758,
            "recording_count": 1,
            "recording_files": [
                {
                    "id": "ed6c2f27-2ae7-42f4-b3d0-835b493e4fa8",
                    "file_type": "MP4",
                    "file_size": 529758,
                    "recording_type": "shared_screen_with_speaker_view",
                    "download_url": "https://example.com/rec/download/Qg75t7xZ",
                    "status": "completed",
                    "recording_start": "2024-05-02T14:00:00Z",
                    "recording_end": "2024-05-02T15:00:00Z",
                }
            ],
        },
        "v=2.0&s=1714662000&rid=A3",
        download_token="abJhbGciOiJIUzUxMiJ9.eyJpc3MiOiJodHRwczovL2V2ZW50Lnpvb20udXMi",  # noqa: S106
    ),
    Sample(
        name="endpoint.url_validation.unsigned",
        challenge=True,
        headers=_HEADERS,
        body=b'{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,'
        b'"event":"endpoint.url_validation"}',
        secret=SECRET_TOKEN,
        expect_status=401,
        description="a url_validation without Zoom's signature: refused (a signed one is "
        "answered with plainToken and encryptedToken)",
    ),
)
