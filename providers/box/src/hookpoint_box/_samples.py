"""Sample Box deliveries, after the payload example of
https://developer.box.com/reference/resources/webhook-invocation/ and the headers of
https://developer.box.com/guides/webhooks/v2/.

``file_uploaded_japanese_name`` carries a non-ASCII file name as Box sends it, escaped
(``\\u30b9…``): the signature covers these exact bytes.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["PRIMARY_KEY", "SAMPLES"]

PRIMARY_KEY = "SamplePrimaryKey"

_USER = {"id": "11446498", "type": "user", "name": "Aaron Levie", "login": "ceo@example.com"}
_FOLDER = {"id": "12346", "type": "folder", "etag": "1", "sequence_id": "3", "name": "Contracts"}


def _headers(delivery_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=UTF-8",
        "User-Agent": "Box-WH-Client/0.1",
        "box-delivery-id": delivery_id,
    }


def _event(event_id: str, trigger: str, source: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "webhook_event",
        "id": event_id,
        "created_at": "2024-03-12T10:53:43-08:00",
        "trigger": trigger,
        "webhook": {"id": "4161827", "type": "webhook"},
        "created_by": _USER,
        "source": source,
    }


_FILE = {
    "id": "12345",
    "type": "file",
    "etag": "1",
    "sequence_id": "3",
    "name": "Contract.pdf",
    "sha1": "85136c79cbf9fe36bb9d05d0639c70c265c18d37",
    "size": 629644,
    "description": "Contract for Q1 renewal",
    "item_status": "active",
    "created_at": "2024-03-12T10:53:43-08:00",
    "modified_at": "2024-03-12T10:53:43-08:00",
    "created_by": _USER,
    "owned_by": _USER,
    "parent": _FOLDER,
    "file_version": {
        "id": "12345",
        "type": "file_version",
        "sha1": "134b65991ed521fcfe4724b7d814ab8ded5185dc",
    },
}

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="file_uploaded",
        description="FILE.UPLOADED: a file was uploaded to a watched folder",
        headers=_headers("673a081b-bb4b-4d45-b4f1-4131a29c1d07"),
        body=compact_json(_event("1a8d4d0f-9b6e-4a44-8a3e-2b5d8f3c6e01", "FILE.UPLOADED", _FILE)),
        secret=PRIMARY_KEY,
        event_type="FILE.UPLOADED",
    ),
    Sample(
        name="folder_created",
        description="FOLDER.CREATED inside a watched folder",
        headers=_headers("b7e2c9a4-51d3-4f8e-9c0a-6d2e8f1b3a57"),
        body=compact_json(
            _event(
                "5c3e9f21-7a4b-4d6c-8e1f-0a2b3c4d5e6f",
                "FOLDER.CREATED",
                {**_FOLDER, "id": "12347", "name": "Q2", "parent": _FOLDER},
            )
        ),
        secret=PRIMARY_KEY,
        event_type="FOLDER.CREATED",
    ),
    Sample(
        name="file_uploaded_japanese_name",
        description="FILE.UPLOADED of a file with a Japanese name, escaped as Box sends it",
        headers=_headers("f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f"),
        body=(
            b'{"type":"webhook_event","id":"0f46a6ca-86bf-44ab-8cf5-f08e1e02876b",'
            b'"created_at":"2024-03-12T10:55:02-08:00","trigger":"FILE.UPLOADED",'
            b'"webhook":{"id":"4161827","type":"webhook"},"source":{"id":"12348","type":"file",'
            b'"name":"\\u30b9\\u30af\\u30ea\\u30fc\\u30f3\\u30b7\\u30e7\\u30c3\\u30c8 '
            b'2020-08-05.txt"}}'
        ),
        secret=PRIMARY_KEY,
        event_type="FILE.UPLOADED",
    ),
)
