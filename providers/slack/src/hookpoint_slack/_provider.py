"""Slack's signing secret scheme, the ``url_verification`` handshake and event description
(https://api.slack.com/authentication/verifying-requests-from-slack).

``X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:{X-Slack-Request-Timestamp}:{raw
body}")>``, rejected when the timestamp is more than 300 s (Slack's SDK default) from now, either
way. Bodies are JSON (Events API) or form-encoded (slash commands; interactivity sends JSON in a
``payload=`` field); the raw bytes are signed either way.

Handshake: Slack signs its ``url_verification`` POST like any request, so it is verified first
(against the request's arrival time) and answered with the challenge as ``text/plain`` only when
the signature holds; otherwise the answer is 401, as for any forged delivery. ``ssl_check=1``
form posts (Slack checking the certificate of a slash command URL) get an empty 200.

Slash commands and interactivity payloads are acknowledged with an empty 200 (Slack would show
a JSON body to the user as a message): they are still verified, stored and run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hookpoint import ChallengeResponse, EventInfo
from hookpoint.providerkit import (
    EventSpec,
    ProviderSettings,
    echo_challenge,
    form_params,
    handshake_json,
    json_object,
    lookup,
    signed_handshake,
    text,
    tolerance_field,
    v0_signature,
)

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "SIGNATURE",
    "SlackSettings",
    "challenge",
    "describe",
]

DEFAULT_TOLERANCE = 300
SIGNATURE = v0_signature(
    "X-Slack-Signature", "X-Slack-Request-Timestamp", tolerance=DEFAULT_TOLERANCE
)

# Events API (https://api.slack.com/events), slash commands and interactivity payload types.
EVENT_TYPES: tuple[str, ...] = (
    "app_home_opened",
    "app_mention",
    "app_rate_limited",
    "app_uninstalled",
    "channel_archive",
    "channel_created",
    "channel_deleted",
    "channel_rename",
    "channel_unarchive",
    "emoji_changed",
    "file_shared",
    "link_shared",
    "member_joined_channel",
    "member_left_channel",
    "message",
    "pin_added",
    "reaction_added",
    "reaction_removed",
    "team_join",
    "tokens_revoked",
    "user_change",
    "workflow_step_execute",
    "url_verification",
    "slash_command",
    "block_actions",
    "block_suggestion",
    "interactive_message",
    "message_action",
    "shortcut",
    "view_closed",
    "view_submission",
)

_RETRIES = {"retry_num": "header:X-Slack-Retry-Num", "retry_reason": "header:X-Slack-Retry-Reason"}
EVENTS_API = EventSpec(
    type=("body:event.type", "body:type"),
    id=("body:event_id",),
    time=("body:event_time",),
    fields={
        "envelope_type": "body:type",
        "team_id": "body:team_id",
        "api_app_id": "body:api_app_id",
        "channel": "body:event.channel",
        "user": "body:event.user",
        "subtype": "body:event.subtype",
        **_RETRIES,
    },
)
SLASH_COMMAND = EventSpec(
    id=("form:trigger_id",),
    fields={
        "command": "form:command",
        "team_id": "form:team_id",
        "channel": "form:channel_id",
        "user": "form:user_id",
        **_RETRIES,
    },
)


def _has_field(body: bytes, start: bytes) -> bool:
    """Whether a form body has a field beginning with ``start`` (substring searches only)."""
    return body.startswith(start) or b"&" + start in body


_PLAIN_ACK = ChallengeResponse(status=200, body=b"", skip_triggering_runs=False)
"""Slash commands and interactivity: Slack reads a response body as a message (or a
``response_action``), so the plain acknowledgement is an empty 200. The host verifies, stores
and runs the request and sends this only when it verifies. An endpoint's ``respond_with``,
tried first, can answer with a message instead."""


class SlackSettings(ProviderSettings):
    """Settings of a Slack endpoint (the app's Signing Secret goes in ``secrets=``)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE)


def challenge(
    request: WebhookRequest, settings: SlackSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    data = handshake_json(request)
    if data is None:
        # Field names are found in the raw form without parsing it: this runs before
        # verification, on whatever anyone posts.
        body = request.body
        if (
            _has_field(body, b"ssl_check=1&")
            or body == b"ssl_check=1"
            or body.endswith(b"&ssl_check=1")
        ):
            return ChallengeResponse(body=b"")
        if _has_field(body, b"command=") or _has_field(body, b"payload="):
            return _PLAIN_ACK
        return None
    if data.get("type") != "url_verification" or not isinstance(data.get("challenge"), str):
        return None
    value: str = data["challenge"]
    return signed_handshake(
        SIGNATURE, request, settings, secrets, lambda secret: echo_challenge(value)
    )


def _interaction(request: WebhookRequest) -> dict[str, Any] | None:
    raw = next((v for k, v in form_params(request.body) if k == "payload"), None)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def describe(request: WebhookRequest, settings: SlackSettings) -> EventInfo:
    """Events API: the inner ``event.type`` (outer ``type`` otherwise), ``event_id``,
    ``event_time``. Slash commands: ``slash_command``, ``trigger_id``. Interactivity: the
    payload's ``type``, its ``trigger_id`` (or ``action_ts``/view id)."""
    if json_object(request) is not None:
        return EVENTS_API.describe(request)
    interaction = _interaction(request)
    if interaction is None:
        return SLASH_COMMAND.describe(request, type="slash_command")

    def first(*paths: str) -> str | None:
        return next((v for v in (text(lookup(interaction, p)) for p in paths) if v), None)

    return SLASH_COMMAND.describe(
        request,
        type=first("type"),
        id=first("trigger_id", "action_ts", "view.id"),
        extra={
            "callback_id": first("callback_id", "view.callback_id"),
            "team_id": first("team.id"),
            "user": first("user.id"),
            "channel": first("channel.id"),
            "command": None,
        },
    )
