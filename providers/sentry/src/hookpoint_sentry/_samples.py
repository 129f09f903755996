"""Sample Sentry deliveries: the payload examples of Sentry's webhook docs
(https://docs.sentry.io/integrations/integration-platform/webhooks/installation/ and
.../webhooks/comments/ as published; .../webhooks/issues/ and .../webhooks/issue-alerts/
abridged to their documented fields). Sentry sends ``json.dumps`` output (``", "`` and
``": "`` separators) with ``Request-ID``, ``Sentry-Hook-Resource`` and
``Sentry-Hook-Timestamp``; the sign hook adds ``Sentry-Hook-Signature``.
"""

from __future__ import annotations

import json
from typing import Any

from hookpoint import Sample

__all__ = ["CLIENT_SECRET", "DOCUMENTED_EXAMPLES", "SAMPLES"]

CLIENT_SECRET = "sentry_test_client_secret"  # noqa: S105 - the samples' client secret
_API = "https://sentry.io/api/0"
_WEB = "https://sentry.io/organizations/test-org"
_EVENT_ID = "8f7e6d5c4b3a49281706f5e4d3c2b1a0"
_INSTALLATION = {"uuid": "a8e5d37a-696c-4c54-adb5-b3f28d64c7de"}
_SENTRY = {"id": "sentry", "name": "Sentry", "type": "application"}
_ISSUE: dict[str, Any] = {
    "id": "1170820242",
    "shortId": "SENTRY-1",
    "title": "ReferenceError: blooopy is not defined",
    "culprit": "?(<anonymous>)",
    "level": "error",
    "status": "unresolved",
    "substatus": "new",
    "statusDetails": {},
    "platform": "javascript",
    "project": {"id": "1", "name": "front-end", "slug": "front-end", "platform": "javascript"},
    "firstSeen": "2019-08-19T20:58:37.391000Z",
    "lastSeen": "2019-08-19T21:01:44.401000Z",
    "count": "1",
    "userCount": 1,
    "url": "https://sentry.io/api/0/organizations/test-org/issues/1170820242/",
    "web_url": "https://sentry.io/organizations/test-org/issues/1170820242/",
    "project_url": "https://sentry.io/organizations/test-org/issues/?project=1",
}

# resource -> (Request-ID, body), in the order of the docs' pages.
DOCUMENTED_EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "installation.created": (
        "5d0f1b0f94b44a1a8e1c7c8e7f6a2b3c",
        {
            "action": "created",
            "actor": {"id": 1, "name": "Meredith Heller", "type": "user"},
            "data": {
                "installation": {
                    "status": "pending",
                    "organization": {"slug": "test-org"},
                    "app": {
                        "uuid": "2ebf071f-28df-4989-aca9-c37c763b278f",
                        "slug": "webhooks-galore",
                    },
                    "code": "f3c71b491e3949b6b033ae45312a4fcb",
                    "uuid": "a8e5d37a-696c-4c54-adb5-b3f28d64c7de",
                }
            },
            "installation": _INSTALLATION,
        },
    ),
    "comment.created": (
        "7e2a4c6e8f0b4d2a9c1e3f5a7b9d1e3f",
        {
            "action": "created",
            "data": {
                "comment": "adding a comment",
                "project_slug": "sentry",
                "comment_id": 1234,
                "issue_id": 100,
                "timestamp": "2022-03-02T21:51:44.118160Z",
            },
            "installation": {"uuid": "eac5a0ae-60ec-418f-9318-46dc5e7e52ec"},
            "actor": {"type": "user", "id": 1, "name": "colleen"},
        },
    ),
    "issue.created": (
        "0c8e2f4a6b8d4e0fa2c4e6f8a0b2c4d6",
        {
            "action": "created",
            "installation": _INSTALLATION,
            "data": {"issue": _ISSUE},
            "actor": _SENTRY,
        },
    ),
    "event_alert.triggered": (
        "1d9f3a5b7c9e4f1ab3d5f7a9c1e3f5a7",
        {
            "action": "triggered",
            "installation": _INSTALLATION,
            "data": {
                "event": {
                    "event_id": _EVENT_ID,
                    "issue_id": "1170820242",
                    "title": "ReferenceError: blooopy is not defined",
                    "level": "error",
                    "platform": "javascript",
                    "culprit": "?(<anonymous>)",
                    "datetime": "2019-08-19T21:06:17.403000Z",
                    "url": f"{_API}/projects/test-org/front-end/events/{_EVENT_ID}/",
                    "web_url": f"{_WEB}/issues/1170820242/events/{_EVENT_ID}/",
                    "issue_url": "https://sentry.io/api/0/issues/1170820242/",
                },
                "triggered_rule": "Very Important Alert Rule!",
                "issue_alert": {"title": "Very Important Alert Rule!", "settings": []},
            },
            "actor": _SENTRY,
        },
    ),
}


def _sample(name: str, request_id: str, body: dict[str, Any]) -> Sample:
    resource = name.partition(".")[0]
    return Sample(
        name=name,
        description=f"Sentry {resource} webhook, action {body['action']}",
        headers={
            "Content-Type": "application/json",
            "Request-ID": request_id,
            "Sentry-Hook-Resource": resource,
            "Sentry-Hook-Timestamp": "1700000000",
        },
        body=json.dumps(body).encode(),
        secret=CLIENT_SECRET,
        event_type=name,
    )


SAMPLES: tuple[Sample, ...] = tuple(
    _sample(name, request_id, body) for name, (request_id, body) in DOCUMENTED_EXAMPLES.items()
)
