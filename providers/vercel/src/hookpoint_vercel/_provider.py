"""Vercel: the signature, the settings and where a Vercel event keeps its type, id and time.

``x-vercel-signature`` is the lowercase hex HMAC-SHA1 of the raw body, keyed with the
webhook's secret (account webhooks) or the integration's Client Secret (integration webhooks);
https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks. Vercel signs no timestamp, so
there is no replay window: the delivery ``id`` keeps a replay or retry from running twice.
"""

from __future__ import annotations

from hookpoint.providerkit import EventSpec, HeaderSignature, HmacScheme, ProviderSettings

__all__ = ["EVENT", "EVENT_TYPES", "SIGNATURE", "VercelSettings"]

SIGNATURE = HeaderSignature("x-vercel-signature", HmacScheme(algorithm="sha1"))

# https://vercel.com/docs/webhooks/webhooks-api#payload: ``id`` is the webhook delivery's id (the
# dedupe key), ``createdAt`` Unix milliseconds, the event's facts under ``payload``.
EVENT = EventSpec(
    type=("body:type",),
    id=("body:id",),
    time=("body:createdAt",),
    time_unit="ms",
    fields={
        "deployment_id": "body:payload.deployment.id",
        "deployment_url": "body:payload.deployment.url",
        "project_id": "body:payload.project.id",
        "team_id": "body:payload.team.id",
        "target": "body:payload.target",
        "region": "body:region",
    },
)

# https://vercel.com/docs/webhooks/webhooks-api#supported-event-types
EVENT_TYPES: tuple[str, ...] = (
    "deployment.created",
    "deployment.succeeded",
    "deployment.ready",
    "deployment.promoted",
    "deployment.error",
    "deployment.canceled",
    "deployment.check-rerequested",
    "deployment.integration.action.start",
    "deployment.integration.action.cancel",
    "deployment.integration.action.cleanup",
    "domain.created",
    "project.created",
    "project.removed",
    "integration-configuration.permission-upgraded",
    "integration-configuration.removed",
    "integration-configuration.scope-change-confirmed",
    "integration-resource.project-connected",
    "integration-resource.project-disconnected",
    "attack.detected",
)


class VercelSettings(ProviderSettings):
    """Settings of a Vercel endpoint: none; the webhook secret goes in ``secrets=``."""
