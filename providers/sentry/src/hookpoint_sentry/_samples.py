"""Sample Sentry deliveries: every payload example of Sentry's integration-platform webhook
docs, kept verbatim in ``examples/<resource>.<action>.json`` beside this module (sources in
``examples/README.md``). Sentry sends ``json.dumps`` of the payload (``", "`` and ``": "``
separators) with ``Request-ID``, ``Sentry-Hook-Resource`` and ``Sentry-Hook-Timestamp``; the
sign hook adds ``Sentry-Hook-Signature``.

Two published examples (``seer.solution_completed`` and ``seer.coding_completed``) carry
trailing commas, so their text is not JSON; Sentry's ``json.dumps`` never sends that. They are
kept verbatim as published (:func:`published_example`) but are not samples.
"""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

from hookpoint import Sample

__all__ = [
    "CLIENT_SECRET",
    "DOCS_PAGES",
    "DOCUMENTED_EXAMPLES",
    "PUBLISHED_EXAMPLES",
    "SAMPLES",
    "published_example",
]

CLIENT_SECRET = "sentry_test_client_secret"  # noqa: S105 - the samples' client secret

DOCS_PAGES: dict[str, str] = {
    "installation": "installation",
    "issue": "issues",
    "comment": "comments",
    "event_alert": "issue-alerts",
    "metric_alert": "metric-alerts",
    "error": "errors",
    "seer": "seer",
    "preprod_artifact": "preprod-artifacts",
}
"""Resource -> its page under https://docs.sentry.io/organization/integrations/integration-platform/webhooks/."""

PUBLISHED_EXAMPLES: tuple[str, ...] = (
    "installation.created",
    "issue.created",
    "comment.created",
    "event_alert.triggered",
    "metric_alert.resolved",
    "error.created",
    "seer.root_cause_started",
    "seer.root_cause_completed",
    "seer.solution_started",
    "seer.solution_completed",
    "seer.coding_started",
    "seer.coding_completed",
    "seer.pr_created",
    "preprod_artifact.size_analysis_completed",
    "preprod_artifact.build_distribution_completed",
)
"""Every example the docs publish, as ``<Sentry-Hook-Resource>.<action>``, in the docs' order."""


def published_example(name: str) -> str:
    """The example ``name`` exactly as Sentry's docs print it."""
    return (resources.files(__package__) / "examples" / f"{name}.json").read_text("utf-8")


def _request_id(name: str) -> str:
    # Sentry sends a fresh random UUID per request; the samples use a fixed one per example
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://docs.sentry.io#{name}").hex


def _payload(name: str) -> dict[str, Any] | None:
    try:
        payload = json.loads(published_example(name))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


# name -> (Request-ID, payload) for every published example whose text is JSON.
DOCUMENTED_EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    name: (_request_id(name), payload)
    for name in PUBLISHED_EXAMPLES
    if (payload := _payload(name)) is not None
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
