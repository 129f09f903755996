"""Sample GitHub deliveries, after the payload examples in GitHub's "Webhook events and
payloads" reference (https://docs.github.com/en/webhooks/webhook-events-and-payloads).

GitHub sends compact JSON with ``Content-Type: application/json`` and the ``X-GitHub-*``
headers below; the signature headers are added by the sign hook.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES"]

_USER = {
    "login": "octocat",
    "id": 583231,
    "node_id": "MDQ6VXNlcjU4MzIzMQ==",
    "type": "User",
    "html_url": "https://github.com/octocat",
    "site_admin": False,
}
_REPO = {
    "id": 1296269,
    "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
    "name": "Hello-World",
    "full_name": "octocat/Hello-World",
    "private": False,
    "owner": _USER,
    "html_url": "https://github.com/octocat/Hello-World",
    "default_branch": "main",
    "visibility": "public",
}
_INSTALLATION = {"id": 2311213, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMjMxMTIxMw=="}


def _sample(name: str, event: str, delivery: str, data: dict[str, Any], description: str) -> Sample:
    return Sample(
        name=name,
        description=description,
        headers={
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/7a6c6a2",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-GitHub-Hook-ID": "292430182",
            "X-GitHub-Hook-Installation-Target-ID": "1296269",
            "X-GitHub-Hook-Installation-Target-Type": "repository",
        },
        body=compact_json(data),
        secret="It's a Secret to Everybody",  # noqa: S106 - the docs example secret
        event_type=event,
    )


_COMMIT = {
    "id": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
    "tree_id": "f9d2a07e9488b91af2641b26b9407fe22a451433",
    "distinct": True,
    "message": "Fix all the bugs",
    "timestamp": "2024-05-02T14:03:11+02:00",
    "url": "https://github.com/octocat/Hello-World/commit/6dcb09b5b57875f334f61aebed695e2e4193db5e",
    "author": {"name": "Monalisa Octocat", "email": "mona@github.com", "username": "octocat"},
    "committer": {"name": "GitHub", "email": "noreply@github.com", "username": "web-flow"},
    "added": [],
    "removed": [],
    "modified": ["README.md"],
}

SAMPLES: tuple[Sample, ...] = (
    _sample(
        "ping",
        "ping",
        "8a3f1b20-0876-11ef-9d7e-2f5a3f1c8a01",
        {
            "zen": "Design for failure.",
            "hook_id": 292430182,
            "hook": {
                "type": "Repository",
                "id": 292430182,
                "name": "web",
                "active": True,
                "events": ["push", "pull_request", "issues"],
                "config": {
                    "content_type": "json",
                    "insecure_ssl": "0",
                    "url": "https://hooks.example.com/webhooks/github",
                },
            },
            "repository": _REPO,
            "sender": _USER,
        },
        "ping: sent once when the webhook is created",
    ),
    _sample(
        "push",
        "push",
        "9f1c7e40-0876-11ef-8a9b-54a4c2b7e512",
        {
            "ref": "refs/heads/main",
            "before": "553c2077f0edc3d5dc5d17262f6aa498e69d6f8e",
            "after": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
            "repository": _REPO,
            "pusher": {"name": "octocat", "email": "mona@github.com"},
            "sender": _USER,
            "installation": _INSTALLATION,
            "created": False,
            "deleted": False,
            "forced": False,
            "base_ref": None,
            "compare": "https://github.com/octocat/Hello-World/compare/553c2077f0ed...6dcb09b5b578",
            "commits": [_COMMIT],
            "head_commit": _COMMIT,
        },
        "push of one commit to main",
    ),
    _sample(
        "pull_request.opened",
        "pull_request",
        "a77e5c10-0876-11ef-93c4-0e6e9b2a1f20",
        {
            "action": "opened",
            "number": 1347,
            "pull_request": {
                "id": 1,
                "number": 1347,
                "state": "open",
                "title": "Amazing new feature",
                "body": "Please pull these awesome changes in!",
                "draft": False,
                "merged": False,
                "html_url": "https://github.com/octocat/Hello-World/pull/1347",
                "user": _USER,
                "labels": [{"id": 208045946, "name": "bug", "color": "f29513"}],
                "head": {
                    "label": "octocat:new-topic",
                    "ref": "new-topic",
                    "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
                    "user": _USER,
                    "repo": _REPO,
                },
                "base": {
                    "label": "octocat:main",
                    "ref": "main",
                    "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
                    "user": _USER,
                    "repo": _REPO,
                },
                "created_at": "2024-05-02T12:10:44Z",
                "updated_at": "2024-05-02T12:10:44Z",
                "closed_at": None,
                "merged_at": None,
            },
            "repository": _REPO,
            "sender": _USER,
            "installation": _INSTALLATION,
        },
        "pull_request with action opened",
    ),
    _sample(
        "issues.opened",
        "issues",
        "b3d2a9e0-0876-11ef-8f0e-1c2b6d7a9c33",
        {
            "action": "opened",
            "issue": {
                "id": 1,
                "number": 1347,
                "title": "Found a bug",
                "body": "I'm having a problem with this.",
                "state": "open",
                "html_url": "https://github.com/octocat/Hello-World/issues/1347",
                "user": _USER,
                "labels": [{"id": 208045946, "name": "bug", "color": "f29513"}],
                "assignees": [],
                "created_at": "2024-05-02T09:12:01Z",
                "updated_at": "2024-05-02T09:12:01Z",
                "closed_at": None,
            },
            "repository": _REPO,
            "sender": _USER,
        },
        "issues with action opened",
    ),
)
