"""Sample Asana requests: the ``X-Hook-Secret`` handshake (Asana's documented example secret),
event deliveries signed with it (the sign hook adds ``X-Hook-Signature``) and a heartbeat."""

from __future__ import annotations

from hookpoint import Sample

__all__ = ["HEARTBEAT", "SAMPLES", "SAMPLE_HOOK_SECRET", "TASK_CHANGED"]

# The known-answer "asana-handshake"/"asana-event" vectors (Asana's example X-Hook-Secret).
SAMPLE_HOOK_SECRET = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81"  # noqa: S105

TASK_CHANGED = (
    b'{"events":[{"user":{"gid":"1201234567890","resource_type":"user"},'
    b'"created_at":"2024-05-02T09:12:45.321Z","action":"changed",'
    b'"resource":{"gid":"1207654321098","resource_type":"task","resource_subtype":"default_task"},'
    b'"parent":null,"change":{"field":"completed","action":"changed","new_value":true}},'
    b'{"user":{"gid":"1201234567890","resource_type":"user"},'
    b'"created_at":"2024-05-02T09:12:45.654Z","action":"added",'
    b'"resource":{"gid":"1207654321555","resource_type":"story","resource_subtype":"comment_added"},'
    b'"parent":{"gid":"1207654321098","resource_type":"task","resource_subtype":"default_task"}}]}'
)

HEARTBEAT = b'{"events":[]}'

_HEADERS = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Asana"}

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="task_changed",
        description="A task was completed and a comment was added to it",
        headers=_HEADERS,
        body=TASK_CHANGED,
        secret=SAMPLE_HOOK_SECRET,
    ),
    Sample(
        name="heartbeat",
        description="A delivery without events (heartbeat): still signed, answer 2xx",
        headers=_HEADERS,
        body=HEARTBEAT,
        secret=SAMPLE_HOOK_SECRET,
        event_type="heartbeat",
    ),
    Sample(
        name="handshake",
        description="Asana's handshake while POST /webhooks is in flight: echo X-Hook-Secret",
        method="POST",
        headers={"X-Hook-Secret": SAMPLE_HOOK_SECRET, "Content-Length": "0"},
        secret=SAMPLE_HOOK_SECRET,
        challenge=True,
        expect_status=200,
        expect_body=b"",
    ),
)
