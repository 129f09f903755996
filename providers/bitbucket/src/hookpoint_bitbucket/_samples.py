"""Sample Bitbucket Cloud deliveries, after the examples of Atlassian's "Event payloads" page
(https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/).

Bitbucket posts JSON with ``Content-Type: application/json`` and the ``X-Event-Key``,
``X-Hook-UUID``, ``X-Request-UUID`` and ``X-Attempt-Number`` headers; ``X-Hub-Signature`` is
added by the sign hook.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "WEBHOOK_SECRET"]

WEBHOOK_SECRET = "bitbucket-webhook-secret"  # noqa: S105 - an example secret for local testing

_ACTOR = {
    "type": "user",
    "uuid": "{d301aafa-d676-4ee0-88be-962be7417567}",
    "account_id": "557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443",
    "display_name": "Emma",
    "nickname": "emmap",
    "links": {
        "html": {"href": "https://bitbucket.org/%7Bd301aafa-d676-4ee0-88be-962be7417567%7D/"}
    },
}
_REPO = {
    "type": "repository",
    "uuid": "{b7a8a7c2-6a4a-4c41-9e3f-8f2c1d7e6a55}",
    "name": "repo_name",
    "full_name": "team_name/repo_name",
    "is_private": True,
    "scm": "git",
    "workspace": {
        "type": "workspace",
        "uuid": "{2d7c8f3b-0d1e-4a9b-9c5f-6e4d3b2a1f00}",
        "slug": "team_name",
        "name": "Team Name",
    },
    "project": {"type": "project", "key": "PROJ", "name": "Project"},
    "links": {"html": {"href": "https://bitbucket.org/team_name/repo_name"}},
}
_COMMIT = {
    "type": "commit",
    "hash": "709d658dc5b6d6afcd46049c2f332ee3f515a67d",
    "message": "Fix the build\n",
    "date": "2024-05-02T12:03:11+00:00",
    "author": {"type": "author", "raw": "Emma <emma@example.com>", "user": _ACTOR},
    "links": {
        "html": {
            "href": "https://bitbucket.org/team_name/repo_name/commits/"
            "709d658dc5b6d6afcd46049c2f332ee3f515a67d"
        }
    },
}


def _sample(name: str, event: str, request: str, data: dict[str, Any]) -> Sample:
    return Sample(
        name=name,
        description=f"A Bitbucket Cloud {event} event.",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Bitbucket-Webhooks/2.0",
            "X-Event-Key": event,
            "X-Hook-UUID": "3d1b6f0e-4c2a-4b8e-9f7a-2c5d8e1f0a3b",
            "X-Request-UUID": request,
            "X-Attempt-Number": "1",
        },
        body=compact_json({"actor": _ACTOR, "repository": _REPO, **data}),
        secret=WEBHOOK_SECRET,
        event_type=event,
    )


_BRANCH = {"type": "branch", "name": "main"}

SAMPLES: tuple[Sample, ...] = (
    _sample(
        "repo.push",
        "repo:push",
        "8f4b2e5c-1a7d-4c3e-b6f9-0d2a5e8c1b47",
        {
            "push": {
                "changes": [
                    {
                        "new": _BRANCH | {"target": _COMMIT},
                        "old": _BRANCH
                        | {
                            "target": _COMMIT | {"hash": "1e65c05c1d5171631d92438a13901ca7dae9618c"}
                        },
                        "created": False,
                        "closed": False,
                        "forced": False,
                        "truncated": False,
                        "commits": [_COMMIT],
                    }
                ]
            }
        },
    ),
    _sample(
        "pullrequest.created",
        "pullrequest:created",
        "c2e7a9d1-5b3f-4e8a-a1c6-7f0b4d2e9a58",
        {
            "pullrequest": {
                "id": 1,
                "title": "Fix the build",
                "description": "Pins the toolchain.",
                "state": "OPEN",
                "author": _ACTOR,
                "source": {
                    "branch": {"name": "fix-build"},
                    "commit": {"hash": "709d658dc5b6"},
                    "repository": _REPO,
                },
                "destination": {
                    "branch": {"name": "main"},
                    "commit": {"hash": "1e65c05c1d51"},
                    "repository": _REPO,
                },
                "merge_commit": None,
                "participants": [],
                "reviewers": [],
                "close_source_branch": True,
                "closed_by": None,
                "reason": "",
                "created_on": "2024-05-02T12:05:00.000000+00:00",
                "updated_on": "2024-05-02T12:05:00.000000+00:00",
                "links": {
                    "html": {"href": "https://bitbucket.org/team_name/repo_name/pull-requests/1"}
                },
            }
        },
    ),
)
