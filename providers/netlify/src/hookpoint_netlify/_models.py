"""A typed, tolerant model of a Netlify deploy notification: the deploy object
(https://docs.netlify.com/site-deploys/deploy-notifications/ ; the same object as the API's
deploy, https://open-api.netlify.com/#tag/deploy). Every field is optional; unknown keys are
kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = ["NetlifyDeploy", "parse_payload"]


class NetlifyDeploy(PayloadModel):
    """A deploy: ``state`` is ``building``, ``ready``, ``error``, …"""

    id: str | None = None
    site_id: str | None = None
    build_id: str | None = None
    state: str | None = None
    name: str | None = None
    url: str | None = None
    ssl_url: str | None = None
    admin_url: str | None = None
    deploy_url: str | None = None
    deploy_ssl_url: str | None = None
    branch: str | None = None
    context: str | None = None
    commit_ref: str | None = None
    commit_url: str | None = None
    title: str | None = None
    error_message: str | None = None
    locked: bool | None = None
    deploy_time: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    published_at: datetime | None = None
    summary: dict[str, Any] | None = None
    links: dict[str, Any] = Field(default_factory=dict)


parse_payload = payload_parser(NetlifyDeploy)
"""Parse a decoded body into a :class:`NetlifyDeploy` (``ValueError`` when it is not a JSON
object or a known field has an impossible type)."""
