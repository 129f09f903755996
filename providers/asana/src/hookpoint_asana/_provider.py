"""Asana webhooks: the ``X-Hook-Secret`` handshake, signatures and event description.

* Handshake: while ``POST /webhooks`` is in flight, Asana POSTs to the target with an
  ``X-Hook-Secret`` header; the target must answer ``200`` (or ``204``) carrying the **same**
  header, or the webhook is not created.
* Events: ``X-Hook-Signature`` = hex HMAC-SHA256(that X-Hook-Secret, raw body).

**Where the secret comes from.** Asana generates the secret and sends it only in the handshake,
which anyone can imitate. Hookpoint therefore never *learns* a secret by itself: the plugin's
handshake answer is a pure echo (it starts no run and stores nothing; the recorded exchange has
the header masked), and deliveries verify only against the secrets the operator configured.
To obtain the secret, the operator either

1. defines the endpoint with ``respond_with=capture_handshake(save)`` while creating the webhook:
   ``save(secret)`` (the operator's code: a secret manager, a 0600 file…) runs for the handshake,
   which is answered the same way; then the secret goes into ``secrets=`` and the capture is
   removed (it is a trust-on-first-use window: keep it open only while the create call runs), or
2. sets ``accept_handshakes=False`` once the webhooks exist, so nobody can register another
   Asana webhook against the endpoint (handshakes then get ``403``).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from hookpoint import ChallengeResponse, EventInfo, RespondWith, Response, WebhookRequest
from hookpoint.providerkit import (
    EventSpec,
    HeaderSignature,
    HmacScheme,
    ProviderSettings,
    echo_challenge,
    header,
    json_object,
    refuse_handshake,
    text,
    to_datetime,
)

__all__ = [
    "EVENT_TYPES",
    "HANDSHAKE_HEADER",
    "SIGNATURE",
    "AsanaSettings",
    "capture_handshake",
    "challenge",
    "describe",
]

HANDSHAKE_HEADER = "X-Hook-Secret"
SIGNATURE = HeaderSignature("X-Hook-Signature", HmacScheme())

_RESOURCE_TYPES = (
    "task",
    "subtask",
    "story",
    "project",
    "section",
    "tag",
    "attachment",
    "portfolio",
    "goal",
    "team",
    "workspace",
    "user",
    "custom_field",
)
_ACTIONS = ("added", "changed", "removed", "deleted", "undeleted")
EVENT_TYPES: tuple[str, ...] = (
    "heartbeat",
    *(f"{resource}.{action}" for resource in _RESOURCE_TYPES for action in _ACTIONS),
)
"""``<resource_type>.<action>`` (``task.changed``, ``story.added``…) and ``heartbeat``."""

EVENT = EventSpec(time=("body:events.0.created_at",))


class AsanaSettings(ProviderSettings):
    """Settings of an Asana endpoint; the handshake's X-Hook-Secret values go in ``secrets=``."""

    accept_handshakes: bool = True
    """Answer Asana's handshake (needed while a webhook is being created); ``False`` refuses
    new handshakes with 403."""


def challenge(
    request: WebhookRequest, settings: AsanaSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """Echo ``X-Hook-Secret`` in a 200 with an empty body (403 with ``accept_handshakes``
    false); ``None`` for requests without that header."""
    secret = header(request, HANDSHAKE_HEADER)
    if request.method != "POST" or secret is None:
        return None
    if not settings.accept_handshakes:
        return refuse_handshake("handshakes are not accepted on this endpoint", status=403)
    return echo_challenge("", headers={HANDSHAKE_HEADER: secret})


def capture_handshake(save: Callable[[str], Awaitable[Any] | Any]) -> RespondWith:
    """A ``respond_with`` that hands the handshake's secret to ``save`` and answers Asana.

    ``save(secret)`` may be sync or async; if it raises, the handshake is refused (500) and
    Asana does not create the webhook. Use it only while creating the webhook (see the module
    documentation)::

        hp.define_http_endpoint(id="asana", provider="asana", secrets=load_asana_secrets(),
                                respond_with=hookpoint_asana.capture_handshake(store_secret))
    """

    async def handler(request: WebhookRequest, verify: Any) -> Response:
        secret = header(request, HANDSHAKE_HEADER)
        if secret is None:  # the filter makes this unreachable; refuse rather than echo nothing
            return Response(b"", status=400)
        result = save(secret)
        if inspect.isawaitable(result):
            await result
        return Response(b"", status=200, headers={HANDSHAKE_HEADER: secret})

    return RespondWith(
        filter={"method": ["POST"], "headers": {HANDSHAKE_HEADER.lower(): [{"$exists": True}]}},
        handler=handler,
        skip_triggering_runs=True,
    )


def _event_type(event: Any) -> str | None:
    if not isinstance(event, dict):
        return None
    action = text(event.get("action"))
    resource = event.get("resource")
    kind = text(resource.get("resource_type")) if isinstance(resource, dict) else None
    return f"{kind}.{action}" if kind and action else None


def describe(request: WebhookRequest, settings: AsanaSettings) -> EventInfo:
    """``type`` = ``<resource_type>.<action>`` when every event in the delivery shares it
    (``heartbeat`` for an empty one, None for a mixed batch); ``fields.event_types`` lists them
    all; ``id`` = the body hash (Asana has no event ids; a retry resends the same bytes), none
    for a heartbeat (every heartbeat has the same body, and each one is news);
    ``time`` = the first event's ``created_at``."""
    body = json_object(request) or {}
    events = body.get("events")
    events = events if isinstance(events, list) else None
    kinds = list(dict.fromkeys(t for t in map(_event_type, events or []) if t))
    kind = "heartbeat" if events == [] else (kinds[0] if len(kinds) == 1 else None)
    gids = [
        text(e["resource"].get("gid"))
        for e in events or []
        if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]
    extra = {
        "event_types": kinds,
        "count": len(events or []),
        "resource_gids": [g for g in gids if g][:100],
    }
    info = EVENT.describe(
        request, type=kind, extra=extra, time=to_datetime(EVENT.first(request, EVENT.time, body))
    )
    return info.model_copy(update={"id": None}) if kind == "heartbeat" else info
