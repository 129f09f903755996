"""Typed, tolerant models of Vercel webhook bodies.

Every delivery is ``{"id", "type", "createdAt" (ms), "region", "payload"}``; ``deployment.*``
events carry ``payload.deployment`` (``id``, ``url``, ``name``, ``meta``), ``payload.project``,
``payload.team``, ``payload.user``, ``payload.links`` and ``payload.target``
(https://vercel.com/docs/webhooks/webhooks-api). Every field is optional; unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser, text

__all__ = [
    "VercelDeployment",
    "VercelDeploymentEvent",
    "VercelDeploymentPayload",
    "VercelEvent",
    "VercelLinks",
    "VercelRef",
    "parse_payload",
]


class VercelEvent(PayloadModel):
    """Any Vercel delivery (``payload`` stays a dict for events without a model of their own)."""

    id: str | None = None
    type: str | None = None
    created_at: datetime | None = Field(default=None, alias="createdAt")
    region: str | None = None
    payload: dict[str, Any] | None = None


class VercelRef(PayloadModel):
    """``payload.team``, ``payload.user``, ``payload.project``: an object with an ``id``."""

    id: str | None = None


class VercelDeployment(PayloadModel):
    """``payload.deployment``."""

    id: str | None = None
    url: str | None = None
    name: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class VercelLinks(PayloadModel):
    """``payload.links``: dashboard URLs of the deployment and the project."""

    deployment: str | None = None
    project: str | None = None


class VercelDeploymentPayload(PayloadModel):
    """``payload`` of ``deployment.*``."""

    team: VercelRef | None = None
    user: VercelRef | None = None
    project: VercelRef | None = None
    deployment: VercelDeployment | None = None
    links: VercelLinks | None = None
    target: str | None = None
    plan: str | None = None
    regions: list[str] = Field(default_factory=list)


class VercelDeploymentEvent(VercelEvent):
    """``deployment.created``, ``deployment.succeeded``, ``deployment.error``, …"""

    payload: VercelDeploymentPayload | None = None  # type: ignore[assignment]


parse_payload = payload_parser(
    VercelEvent,
    {"deployment": VercelDeploymentEvent},
    key_of=lambda body: (text(body.get("type")) or "").partition(".")[0],
)
"""Parse a decoded body: ``deployment.*`` → :class:`VercelDeploymentEvent`, else
:class:`VercelEvent`."""
