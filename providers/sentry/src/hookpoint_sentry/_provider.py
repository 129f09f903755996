"""Sentry's integration-platform webhook signature and event description.

Sender behaviour: https://docs.sentry.io/integrations/integration-platform/webhooks/ (headers,
signature) and the per-resource pages under it (payloads).

``Sentry-Hook-Signature`` = hex HMAC-SHA256 of the raw JSON body keyed with the integration's
**Client Secret** (Settings → Developer Settings → the integration). The body is verified as
received, never re-serialised.

``Sentry-Hook-Timestamp`` (Unix seconds at send time) is **not signed**, so it cannot guard
against replays: Hookpoint reads it as the event's time and applies no tolerance.

Type: ``"{Sentry-Hook-Resource}.{action}"`` (``issue.created``, ``event_alert.triggered``,
``installation.deleted`` …). Dedupe id: the ``Request-ID`` header, which Sentry documents as
"a unique identifier for tracking and debugging specific events" and sends on every webhook;
Sentry generates it (a random UUID) when it sends, so a delivery Sentry retries may carry a new
one. Without the header the id is a digest of the body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookpoint import EventInfo
from hookpoint.providerkit import (
    EventSpec,
    HeaderSignature,
    HmacScheme,
    ProviderSettings,
    header,
    json_object,
    text,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "EVENT",
    "EVENT_TYPES",
    "FIELD_SOURCES",
    "RESOURCES",
    "SIGNATURE",
    "SentrySettings",
    "describe",
]

SIGNATURE = HeaderSignature("Sentry-Hook-Signature", HmacScheme())

EVENT = EventSpec(
    id=("header:Request-ID",),
    time=("header:Sentry-Hook-Timestamp",),
    fields={
        "resource": "header:Sentry-Hook-Resource",
        "action": "body:action",
        "installation": "body:installation.uuid",
        "actor_type": "body:actor.type",
        "alert_rule": "body:data.triggered_rule",
    },
)

# Fields each resource keeps in its own place (Sentry's published examples): the first found wins.
FIELD_SOURCES: dict[str, tuple[str, ...]] = {
    "issue_id": (
        "body:data.issue.id",  # issue
        "body:data.event.issue_id",  # event_alert
        "body:data.error.issue_id",  # error
        "body:data.issue_id",  # comment
        "body:data.group_id",  # seer
    ),
    "project": (
        "body:data.issue.project.slug",
        "body:data.project_slug",
        "body:data.projectSlug",
    ),
    "level": ("body:data.issue.level", "body:data.event.level", "body:data.error.level"),
}

# Resources of https://docs.sentry.io/integrations/integration-platform/webhooks/ and their
# documented actions; unknown ones pass through.
RESOURCES: dict[str, tuple[str, ...]] = {
    "installation": ("created", "deleted"),
    "issue": ("created", "resolved", "assigned", "archived", "unresolved"),
    "error": ("created",),
    "event_alert": ("triggered",),
    "metric_alert": ("critical", "warning", "resolved"),
    "comment": ("created", "updated", "deleted"),
    "seer": (
        "root_cause_started",
        "root_cause_completed",
        "solution_started",
        "solution_completed",
        "coding_started",
        "coding_completed",
        "pr_created",
    ),
    "preprod_artifact": ("size_analysis_completed", "build_distribution_completed"),
}
EVENT_TYPES: tuple[str, ...] = tuple(
    f"{resource}.{action}" for resource, actions in RESOURCES.items() for action in actions
)


class SentrySettings(ProviderSettings):
    """Settings of a Sentry endpoint (the integration's Client Secret goes in ``secrets=``)."""


def describe(request: WebhookRequest, settings: SentrySettings) -> EventInfo:
    body = json_object(request)
    resource = text(header(request, "Sentry-Hook-Resource"))
    action = text((body or {}).get("action"))
    kind = f"{resource}.{action}" if resource and action else resource or action
    extra = {
        name: text(EVENT.first(request, sources, body)) for name, sources in FIELD_SOURCES.items()
    }
    return EVENT.describe(request, type=kind, extra=extra)
