"""Sample Vercel deliveries, shaped after the payload tables of
https://vercel.com/docs/webhooks/webhooks-api (Vercel publishes the keys of each event, not
whole example bodies; the ids below follow the formats of Vercel's API examples).
"""

from __future__ import annotations

import json
from typing import Any

from hookpoint import Sample

__all__ = ["SAMPLES", "SIGNING_SECRET"]

SIGNING_SECRET = "vercel-webhook-secret"  # noqa: S105 - a test secret, not a real one

_DEPLOYMENT: dict[str, Any] = {
    "team": {"id": "team_ZspSRT4ljIEEmMHgoDwKWDei"},
    "user": {"id": "ZspSRT4ljIEEmMHgoDwKWDei"},
    "deployment": {
        "id": "dpl_2qPNFe1RgLvf8CLVfPdBaR6ePCde",
        "meta": {"githubCommitRef": "main", "githubCommitSha": "9f2b4c1"},
        "url": "my-site-7q03y4pi5.vercel.app",
        "name": "my-site",
    },
    "links": {
        "deployment": "https://vercel.com/acme/my-site/2qPNFe1RgLvf8CLVfPdBaR6ePCde",
        "project": "https://vercel.com/acme/my-site",
    },
    "target": "production",
    "project": {"id": "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB"},
    "plan": "pro",
    "regions": ["iad1"],
}

# (event type, delivery id, createdAt ms, payload, what happened)
_EXAMPLES: tuple[tuple[str, str, int, dict[str, Any], str], ...] = (
    (
        "deployment.created",
        "uev_mJm1dVwUpQ1rUWQTR5DvAYWs",
        1738000000000,
        {**_DEPLOYMENT, "alias": ["my-site.vercel.app"]},
        "a deployment was created",
    ),
    (
        "deployment.succeeded",
        "uev_mJm1dVwUpQ1rUWQTR5DvAYWt",
        1738000062000,
        _DEPLOYMENT,
        "a deployment built successfully",
    ),
    (
        "deployment.error",
        "uev_mJm1dVwUpQ1rUWQTR5DvAYWu",
        1738000071000,
        _DEPLOYMENT,
        "a deployment failed",
    ),
    (
        "project.created",
        "uev_mJm1dVwUpQ1rUWQTR5DvAYWv",
        1738000090000,
        {
            "team": {"id": "team_ZspSRT4ljIEEmMHgoDwKWDei"},
            "user": {"id": "ZspSRT4ljIEEmMHgoDwKWDei"},
            "project": {"id": "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB", "name": "my-site"},
        },
        "a project was created",
    ),
)

SAMPLES: tuple[Sample, ...] = tuple(
    Sample(
        name=kind,
        description=f"{kind}: {about}",
        headers={"Content-Type": "application/json"},
        body=json.dumps(
            {"id": delivery, "type": kind, "createdAt": created, "region": "iad1", "payload": data}
        ).encode(),
        event_type=kind,
        secret=SIGNING_SECRET,
    )
    for kind, delivery, created, data, about in _EXAMPLES
)
