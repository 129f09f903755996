"""Netlify: the JWS signature and how a deploy notification is described.

An outgoing webhook with a **JWS secret token** carries ``X-Webhook-Signature``: a JSON Web
Signature (HS256, keyed with that token) whose payload is ``{"iss": "netlify", "sha256": "<hex
SHA-256 of the raw body>"}`` (https://docs.netlify.com/site-deploys/deploy-notifications/ ,
"Payload signature"). The scheme is :class:`hookpoint.providerkit.JwsBodyHashSignature`. Netlify
signs no time, so there is no replay window.

A deploy notification is the deploy object itself (the API's deploy: ``id``, ``site_id``,
``state``, ``branch``, ``context``, ``deploy_ssl_url``, ``updated_at``, …) with no event name:
the deploy event (started, succeeded, failed, locked, …) is chosen per webhook in Netlify's UI.
So the type is ``deploy.<state>`` (``deploy.building``, ``deploy.ready``, ``deploy.error``, …),
the state the deploy is in; and since one deploy notifies several times as its state moves on,
the dedupe id is ``<deploy id>:<state>:<updated_at>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookpoint.providerkit import (
    EventSpec,
    JwsBodyHashSignature,
    ProviderSettings,
    json_object,
    text,
)

if TYPE_CHECKING:
    from hookpoint import EventInfo, WebhookRequest

__all__ = ["EVENT", "EVENT_TYPES", "SIGNATURE", "NetlifySettings", "describe"]

SIGNATURE = JwsBodyHashSignature("X-Webhook-Signature", claims={"iss": "netlify"})

EVENT = EventSpec(
    time=("body:updated_at", "body:created_at"),
    fields={
        "state": "body:state",
        "deploy_id": "body:id",
        "site_id": "body:site_id",
        "site_name": "body:name",
        "branch": "body:branch",
        "context": "body:context",
        "deploy_url": "body:deploy_ssl_url",
        "commit_ref": "body:commit_ref",
        "locked": "body:locked",
        "error_message": "body:error_message",
    },
)

# Deploy states a notification reports (Netlify's deploy object ``state``).
EVENT_TYPES: tuple[str, ...] = (
    "deploy.new",
    "deploy.enqueued",
    "deploy.building",
    "deploy.uploading",
    "deploy.processing",
    "deploy.ready",
    "deploy.error",
    "deploy.rejected",
    "deploy.deleted",
)


class NetlifySettings(ProviderSettings):
    """Settings of a Netlify endpoint: none; the JWS secret token goes in ``secrets=``."""


def describe(request: WebhookRequest, settings: NetlifySettings) -> EventInfo:
    body = json_object(request) or {}
    state, deploy = text(body.get("state")), text(body.get("id"))
    kind = f"deploy.{state}" if state else None
    if deploy is None or state is None:
        return EVENT.describe(request, type=kind)
    event_id = f"{deploy}:{state}:{text(body.get('updated_at')) or ''}"
    return EVENT.describe(request, type=kind, id=event_id)
