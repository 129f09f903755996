"""GitLab's verification and event description.

Classic webhooks carry the configured **secret token** verbatim in ``X-Gitlab-Token``: a shared
token, compared in constant time, that proves the sender knows it but covers neither the body nor
a time. GitLab's newer **signing token** (feature flag ``webhook_signing_token``) adds Standard
Webhooks headers (``webhook-id`` = ``Idempotency-Key``, ``webhook-timestamp``,
``webhook-signature: v1,<base64 HMAC-SHA256>`` over ``"{id}.{timestamp}.{body}"``) keyed with a
``whsec_…`` secret; configure it next to the token and set ``require_signature`` to refuse
deliveries without a valid body signature.

Secrets are told apart by their form: ``whsec_…`` secrets are signing tokens, every other secret
is a secret token. When a signing token is configured and the request is signed, the signature
decides; otherwise the token does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hookpoint import EventInfo, Verification, signing
from hookpoint.providerkit import (
    EventSpec,
    HeaderToken,
    ProviderSettings,
    StandardWebhooksScheme,
    header,
    json_object,
    lookup,
    to_datetime,
    tolerance_field,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "EVENT_HEADER",
    "EVENT_TYPES",
    "SIGNING",
    "TOKEN_HEADER",
    "GitLabSettings",
    "describe",
    "sign",
    "verify",
]

TOKEN_HEADER = "X-Gitlab-Token"  # noqa: S105 - a header name
EVENT_HEADER = "X-Gitlab-Event"
TOKEN = HeaderToken(TOKEN_HEADER)
"""The classic secret token: ``X-Gitlab-Token``, once, equal to a configured token."""
SIGNING = StandardWebhooksScheme(header_prefixes=("webhook",))
"""GitLab's signing-token scheme: Standard Webhooks headers with the ``webhook-`` prefix."""

# https://docs.gitlab.com/user/project/integrations/webhook_events/ (X-Gitlab-Event values)
EVENT_TYPES: tuple[str, ...] = (
    "Push Hook",
    "Tag Push Hook",
    "Issue Hook",
    "Confidential Issue Hook",
    "Note Hook",
    "Confidential Note Hook",
    "Merge Request Hook",
    "Wiki Page Hook",
    "Pipeline Hook",
    "Job Hook",
    "Deployment Hook",
    "Feature Flag Hook",
    "Release Hook",
    "Milestone Hook",
    "Emoji Hook",
    "Resource Access Token Hook",
    "Member Hook",
    "Project Hook",
    "Subgroup Hook",
    "Vulnerability Hook",
    "System Hook",
)

_BY_KIND: dict[str, str] = {
    "push": "Push Hook",
    "tag_push": "Tag Push Hook",
    "issue": "Issue Hook",
    "note": "Note Hook",
    "merge_request": "Merge Request Hook",
    "wiki_page": "Wiki Page Hook",
    "pipeline": "Pipeline Hook",
    "build": "Job Hook",
    "deployment": "Deployment Hook",
    "feature_flag": "Feature Flag Hook",
    "release": "Release Hook",
    "milestone": "Milestone Hook",
    "emoji": "Emoji Hook",
    "access_token": "Resource Access Token Hook",
    "vulnerability": "Vulnerability Hook",
}

EVENT = EventSpec(
    type=(f"header:{EVENT_HEADER}",),
    # webhook-id first: with a signing token it is signed (GitLab sets it to Idempotency-Key)
    id=("header:webhook-id", "header:Idempotency-Key", "header:X-Gitlab-Event-UUID"),
    fields={
        "object_kind": "body:object_kind",
        "action": "body:object_attributes.action",
        "project": "body:project.path_with_namespace",
        "ref": "body:ref",
        "event_uuid": "header:X-Gitlab-Event-UUID",
        "webhook_uuid": "header:X-Gitlab-Webhook-UUID",
        "instance": "header:X-Gitlab-Instance",
    },
)

_UTC_WORD = re.compile(r" (UTC|[+-]\d{4})$")


class GitLabSettings(ProviderSettings):
    """Settings of a GitLab endpoint; the secret token (and signing token) go in ``secrets=``."""

    require_signature: bool = False
    """Refuse deliveries without a valid signing-token signature (``webhook-signature``)."""
    tolerance: float = tolerance_field(300, what="the signing token's webhook-timestamp")


def _is_signing_key(secret: str) -> bool:
    return secret.startswith(StandardWebhooksScheme.SYMMETRIC)


def verify(
    request: WebhookRequest, settings: GitLabSettings, secrets: Sequence[str], now: float
) -> Verification:
    """A delivery passes with a valid signing-token signature, or (unless
    ``require_signature``) with a matching ``X-Gitlab-Token``. A signature that is present but
    wrong is always refused. The token does not cover the body, so a body that is not a GitLab
    event object (no ``object_kind``/``event_name``) is refused too."""
    tokens = [s for s in secrets if s and not _is_signing_key(s)]
    signing_keys = [s for s in secrets if _is_signing_key(s)]
    if not tokens and not signing_keys:
        return Verification.refused(signing.REASON_NO_SECRET)
    if signing_keys and header(request, "webhook-signature") is not None:
        return SIGNING.verify(request, signing_keys, now, settings.tolerance)
    if settings.require_signature:
        return Verification.refused(signing.REASON_MISSING)
    token = TOKEN.verify(request, tokens)
    if not token.success:
        return token
    body = json_object(request) or {}
    if not any(isinstance(body.get(key), str) for key in ("object_kind", "event_name")):
        return Verification.refused("not a GitLab event body")
    return Verification.verified()


def sign(
    request: WebhookRequest, settings: GitLabSettings, secret: str, now: float
) -> WebhookRequest:
    """As GitLab sends it: a ``whsec_…`` signing token signs the body (``webhook-id`` is the
    delivery's ``Idempotency-Key``); any other secret is put in ``X-Gitlab-Token``."""
    if _is_signing_key(secret):
        return SIGNING.sign(request, secret, now, msg_id=header(request, "Idempotency-Key"))
    return TOKEN.sign(request, secret)


def _gitlab_time(value: Any) -> datetime | None:
    """ISO-8601, or GitLab's ``"2024-05-02 09:12:45 UTC"`` / ``"… +0200"``."""
    if isinstance(value, str):
        value = _UTC_WORD.sub(lambda m: "+00:00" if m.group(1) == "UTC" else m.group(1), value)
    return to_datetime(value)


def describe(request: WebhookRequest, settings: GitLabSettings) -> EventInfo:
    """``type`` = ``X-Gitlab-Event`` (else derived from ``object_kind``); ``id`` =
    ``Idempotency-Key`` (stable across retries), else ``X-Gitlab-Event-UUID``, else the body
    hash; ``time`` = ``object_attributes.updated_at``/``created_at`` or the last commit's."""
    body = json_object(request) or {}
    kind = body.get("object_kind")
    fallback = _BY_KIND.get(kind, kind) if isinstance(kind, str) else None
    kind_type = header(request, EVENT_HEADER) or fallback
    when = None
    for path in (
        "object_attributes.updated_at",
        "object_attributes.created_at",
        "commits.0.timestamp",
    ):
        when = _gitlab_time(lookup(body, path))
        if when is not None:
            break
    return EVENT.describe(request, type=kind_type, time=when)
