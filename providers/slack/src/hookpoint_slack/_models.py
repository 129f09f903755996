"""Typed, tolerant models of Slack request bodies.

* Events API JSON: :class:`EventCallback` (``type: event_callback``, the event in ``event``),
  :class:`UrlVerification`, :class:`AppRateLimited`;
* slash commands (form fields, ``dict(request.form())``): :class:`SlashCommand`;
* interactivity (JSON in the form field ``payload``): :class:`InteractionPayload`.

:func:`parse_payload` (``request.event_model()``) handles the JSON bodies. Every field is
optional and unknown keys are kept (``model_extra``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "AppRateLimited",
    "Authorization",
    "EventCallback",
    "InteractionPayload",
    "SlackEnvelope",
    "SlackEvent",
    "SlashCommand",
    "UrlVerification",
    "parse_payload",
]


class SlackEvent(PayloadModel):
    """The inner ``event`` (``message``, ``app_mention``, ``reaction_added``, …)."""

    type: str | None = None
    subtype: str | None = None
    user: str | None = None
    bot_id: str | None = None
    channel: str | None = None
    channel_type: str | None = None
    text: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    event_ts: str | None = None
    team: str | None = None
    blocks: list[dict[str, Any]] = Field(default_factory=list)
    reaction: str | None = None
    item: dict[str, Any] | None = None


class Authorization(PayloadModel):
    enterprise_id: str | None = None
    team_id: str | None = None
    user_id: str | None = None
    is_bot: bool | None = None
    is_enterprise_install: bool | None = None


class SlackEnvelope(PayloadModel):
    """Any Events API body."""

    type: str | None = None
    token: str | None = None
    """The deprecated verification token; the signature is what proves authenticity."""


class EventCallback(SlackEnvelope):
    team_id: str | None = None
    api_app_id: str | None = None
    event: SlackEvent | None = None
    event_id: str | None = None
    event_time: int | None = None
    event_context: str | None = None
    authorizations: list[Authorization] = Field(default_factory=list)
    is_ext_shared_channel: bool | None = None


class UrlVerification(SlackEnvelope):
    challenge: str | None = None


class AppRateLimited(SlackEnvelope):
    team_id: str | None = None
    minute_rate_limited: int | None = None
    api_app_id: str | None = None


class SlashCommand(PayloadModel):
    """A slash command's form fields."""

    command: str | None = None
    text: str | None = None
    team_id: str | None = None
    team_domain: str | None = None
    channel_id: str | None = None
    channel_name: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None
    api_app_id: str | None = None


class InteractionPayload(PayloadModel):
    """The JSON in an interactivity request's ``payload`` field (``block_actions``,
    ``view_submission``, ``shortcut``, …)."""

    type: str | None = None
    trigger_id: str | None = None
    callback_id: str | None = None
    action_ts: str | None = None
    response_url: str | None = None
    user: dict[str, Any] | None = None
    team: dict[str, Any] | None = None
    channel: dict[str, Any] | None = None
    actions: list[dict[str, Any]] = Field(default_factory=list)
    view: dict[str, Any] | None = None
    message: dict[str, Any] | None = None


parse_payload = payload_parser(
    SlackEnvelope,
    {
        "event_callback": EventCallback,
        "url_verification": UrlVerification,
        "app_rate_limited": AppRateLimited,
        "block_actions": InteractionPayload,
        "view_submission": InteractionPayload,
        "view_closed": InteractionPayload,
        "shortcut": InteractionPayload,
        "message_action": InteractionPayload,
        "block_suggestion": InteractionPayload,
    },
    key="type",
)
"""Parse a decoded Slack JSON body (Events API, or an interactivity ``payload``)."""
