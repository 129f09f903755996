"""Sample Zendesk deliveries, after the example payloads of Zendesk's webhook event types
reference (https://developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types/)
and a trigger webhook with an admin-written body.

Samples are signed with :data:`TEST_SIGNING_SECRET`, the secret Zendesk itself signs **Test
webhook** deliveries with; the signature headers are added by the sign hook.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

from ._provider import TEST_SIGNING_SECRET

__all__ = ["SAMPLES"]

_HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "User-Agent": "Zendesk Webhook",
    "X-Zendesk-Account-Id": "22129848",
    "X-Zendesk-Webhook-Id": "01GZX3C8N6WQ5X7K4E6Y7N9Q2B",
}


def _event(name: str, event_id: str, kind: str, detail: dict[str, Any], **extra: Any) -> Sample:
    subject_kind = kind.partition(".")[0]
    body = {
        "account_id": 22129848,
        "detail": detail,
        "event": extra.get("event", {}),
        "id": event_id,
        "subject": f"zen:{subject_kind}:{detail['id']}",
        "time": "2022-03-21T13:37:23.000000Z",
        "type": f"zen:event-type:{kind}",
        "zendesk_event_version": "2022-06-20",
    }
    return Sample(
        name=name,
        description=f"A Zendesk {kind} event webhook.",
        headers=_HEADERS | {"X-Zendesk-Webhook-Invocation-Id": f"{event_id[:8]}-invocation"},
        body=compact_json(body),
        secret=TEST_SIGNING_SECRET,
        event_type=f"zen:event-type:{kind}",
    )


SAMPLES: tuple[Sample, ...] = (
    _event(
        "user.created",
        "cbe4028c-7239-495d-b020-f22348516046",
        "user.created",
        {
            "created_at": "2022-03-21T13:37:23Z",
            "email": "jane.doe@example.com",
            "external_id": None,
            "default_group_id": "0",
            "id": "6596848315901",
            "organization_id": None,
            "role": "end-user",
            "updated_at": "2022-03-21T13:37:23Z",
        },
    ),
    _event(
        "organization.created",
        "4b8cb8ca-3ff9-4fdf-9c2f-2dbc20b4a31c",
        "organization.created",
        {
            "created_at": "2022-03-21T13:37:23Z",
            "external_id": None,
            "group_id": None,
            "id": "6596848315902",
            "name": "Example Corp",
            "updated_at": "2022-03-21T13:37:23Z",
        },
    ),
    _event(
        "ticket.status_changed",
        "a5c97d4c-9cb2-4c3e-8b35-5e4a7c6c21d9",
        "ticket.status_changed",
        {
            "id": "35436",
            "created_at": "2022-03-21T13:30:00Z",
            "updated_at": "2022-03-21T13:37:23Z",
            "subject": "Help, my printer is on fire!",
            "status": "OPEN",
            "priority": "HIGH",
            "requester_id": "6596848315901",
            "assignee_id": "6596848315999",
            "tags": ["printer", "fire"],
        },
        event={"previous": "NEW", "current": "OPEN"},
    ),
    Sample(
        name="trigger",
        description="A trigger webhook: the body is whatever JSON the admin wrote in the trigger.",
        headers=_HEADERS | {"X-Zendesk-Webhook-Invocation-Id": "7285731054210"},
        body=compact_json(
            {"ticket_id": "35436", "status": "Open", "title": "Help, my printer is on fire!"}
        ),
        secret=TEST_SIGNING_SECRET,
        event_type=None,
    ),
)
