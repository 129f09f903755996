"""Sample Linear deliveries after the payload examples of https://linear.app/developers/webhooks.

``webhookTimestamp`` is part of the signed body, so these samples carry a fixed one
(1700000000000 ms, the conformance kit's clock): sent later with ``hookpoint send`` they are
refused as stale, exactly as a replayed Linear delivery would be.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SIGNING_SECRET"]

SIGNING_SECRET = "lin_wh_test_secret"  # noqa: S105 - the known-answer vector's secret
_ACTOR = {
    "id": "2e6eea91-1111-0000-9486-acea0603064e",
    "type": "user",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "url": "https://linear.app/acme/profiles/ada",
}
_TEAM = {"id": "72b2a2dc-6f4f-4423-9d34-24b5bd10634a", "key": "ENG", "name": "Engineering"}
_ISSUE = {
    "id": "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9",
    "createdAt": "2023-11-14T22:13:19.421Z",
    "updatedAt": "2023-11-14T22:13:19.421Z",
    "number": 1,
    "identifier": "ENG-1",
    "title": "Test issue",
    "description": "Steps to reproduce…",
    "priority": 2,
    "priorityLabel": "High",
    "estimate": 3,
    "url": "https://linear.app/acme/issue/ENG-1",
    "teamId": _TEAM["id"],
    "team": _TEAM,
    "stateId": "a1c4e4e1-4a8b-4d6a-9a0f-6b1d0c5e8f21",
    "state": {
        "id": "a1c4e4e1-4a8b-4d6a-9a0f-6b1d0c5e8f21",
        "name": "Todo",
        "type": "unstarted",
        "color": "#e2e2e2",
    },
    "labelIds": [],
    "labels": [],
    "assigneeId": None,
}


def _sample(name: str, delivery: str, body: dict[str, Any]) -> Sample:
    return Sample(
        name=name,
        description=f"{body['type']} {body['action']}",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Linear-Delivery": delivery,
            "Linear-Event": body["type"],
            "User-Agent": "Linear-Webhook",
        },
        body=compact_json(
            {
                **body,
                "createdAt": "2023-11-14T22:13:20.000Z",
                "organizationId": "0a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
                "webhookTimestamp": 1700000000000,
                "webhookId": "c0ffee00-1234-4c5d-8e9f-a0b1c2d3e4f5",
            }
        ),
        secret=SIGNING_SECRET,
        event_type=body["type"],
    )


SAMPLES: tuple[Sample, ...] = (
    _sample(
        "issue.create",
        "8e2a4b1c-2a6f-4e0b-9a3d-5f7c9e1b3d5f",
        {
            "action": "create",
            "type": "Issue",
            "actor": _ACTOR,
            "data": _ISSUE,
            "url": "https://linear.app/acme/issue/ENG-1",
        },
    ),
    _sample(
        "issue.update",
        "9f3b5c2d-3b7a-4f1c-8b4e-6a8d0f2c4e6a",
        {
            "action": "update",
            "type": "Issue",
            "actor": _ACTOR,
            "data": {**_ISSUE, "priority": 1, "priorityLabel": "Urgent"},
            "updatedFrom": {"priority": 2, "updatedAt": "2023-11-14T22:13:19.421Z"},
            "url": "https://linear.app/acme/issue/ENG-1",
        },
    ),
    _sample(
        "comment.create",
        "a0c4d6e8-4c8b-4a2d-9c5f-7b9e1a3d5f7b",
        {
            "action": "create",
            "type": "Comment",
            "actor": _ACTOR,
            "data": {
                "id": "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9",
                "body": "Looks good to me",
                "issueId": _ISSUE["id"],
                "userId": _ACTOR["id"],
                "createdAt": "2023-11-14T22:13:19.900Z",
                "updatedAt": "2023-11-14T22:13:19.900Z",
                "issue": {"id": _ISSUE["id"], "title": "Test issue"},
            },
            "url": "https://linear.app/acme/issue/ENG-1#comment-f1e2d3c4",
        },
    ),
)
