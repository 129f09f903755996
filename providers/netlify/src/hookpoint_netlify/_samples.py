"""Sample Netlify deploy notifications: a deploy ``building``, ``ready`` and ``error``. Netlify
documents the notification as the deploy object without a full example, so the bodies follow
the deploy object's fields as a real ``ready`` notification carries them (ids in Netlify's
formats, the URLs of a made-up site).
"""

from __future__ import annotations

import json
from typing import Any

from hookpoint import Sample

__all__ = ["SAMPLES", "SIGNING_SECRET"]

SIGNING_SECRET = "netlify-jws-secret-token-for-the-samples"  # noqa: S105 - a test secret, not a real one

_DEPLOY: dict[str, Any] = {
    "id": "5ebc34bf4fea0b01f02efa3a",
    "site_id": "fa4dd95a-994e-4f89-8a7a-2d9e9fc36a32",
    "build_id": "5ebc34bf4fea0b01f02efa38",
    "state": "ready",
    "name": "acme-docs",
    "url": "https://acme-docs.netlify.app",
    "ssl_url": "https://acme-docs.netlify.app",
    "admin_url": "https://app.netlify.com/sites/acme-docs",
    "deploy_url": "http://5ebc34bf4fea0b01f02efa3a--acme-docs.netlify.app",
    "deploy_ssl_url": "https://5ebc34bf4fea0b01f02efa3a--acme-docs.netlify.app",
    "created_at": "2020-05-13T17:56:15.346Z",
    "updated_at": "2020-05-13T17:58:56.738Z",
    "user_id": "5ace049efdd72a6b9aa9539c",
    "error_message": None,
    "required": [],
    "required_functions": [],
    "commit_ref": "9f2b4c1d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
    "review_id": None,
    "branch": "main",
    "commit_url": None,
    "skipped": None,
    "locked": None,
    "title": "Update the changelog",
    "review_url": None,
    "published_at": "2020-05-13T17:58:56.634Z",
    "context": "production",
    "deploy_time": 159,
    "available_functions": [],
    "summary": {"status": "ready", "messages": []},
}

_EXAMPLES: tuple[tuple[str, dict[str, Any], str], ...] = (
    (
        "deploy.building",
        {
            "state": "building",
            "updated_at": "2020-05-13T17:56:16.002Z",
            "published_at": None,
            "deploy_time": None,
            "summary": None,
        },
        "Netlify started building a deploy (Deploy started)",
    ),
    ("deploy.ready", {}, "a deploy is live (Deploy succeeded)"),
    (
        "deploy.error",
        {
            "state": "error",
            "error_message": "Build script returned non-zero exit code: 2",
            "published_at": None,
            "summary": None,
        },
        "a deploy failed (Deploy failed)",
    ),
)

SAMPLES: tuple[Sample, ...] = tuple(
    Sample(
        name=kind,
        description=f"{kind}: {about}",
        headers={"Content-Type": "application/json"},
        body=json.dumps({**_DEPLOY, **changes}).encode(),
        event_type=kind,
        secret=SIGNING_SECRET,
    )
    for kind, changes, about in _EXAMPLES
)
