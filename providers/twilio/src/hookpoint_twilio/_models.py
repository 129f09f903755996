"""Typed, tolerant models of Twilio webhook parameters.

Twilio posts ``application/x-www-form-urlencoded`` parameters with PascalCase names; parse them
with ``parse_payload(dict(request.form()))`` (``request.event_model()`` covers JSON bodies only).
Attribute names are snake_case, the aliases Twilio's names. Every field is optional; unknown
parameters are kept (``model_extra``).
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasGenerator, ConfigDict
from pydantic.alias_generators import to_pascal

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = ["CallWebhook", "MessageWebhook", "RecordingWebhook", "TwilioWebhook", "parse_payload"]


def _twilio_name(name: str) -> str:
    return {"from_": "From", "num_media": "NumMedia"}.get(name, to_pascal(name))


class TwilioWebhook(PayloadModel):
    """Parameters every Twilio webhook carries."""

    model_config = ConfigDict(alias_generator=AliasGenerator(validation_alias=_twilio_name))

    account_sid: str | None = None
    api_version: str | None = None
    from_: str | None = None
    to: str | None = None
    error_code: str | None = None
    error_message: str | None = None


class MessageWebhook(TwilioWebhook):
    """An incoming message (``SmsStatus=received``) or a message status callback."""

    message_sid: str | None = None
    sms_sid: str | None = None
    messaging_service_sid: str | None = None
    body: str | None = None
    num_media: str | None = None
    num_segments: str | None = None
    message_status: str | None = None
    sms_status: str | None = None
    from_city: str | None = None
    from_country: str | None = None

    @property
    def status(self) -> str | None:
        return self.message_status or self.sms_status

    @property
    def media_urls(self) -> list[str]:
        """``MediaUrl0`` … ``MediaUrl<NumMedia-1>``."""
        extra: dict[str, Any] = self.model_extra or {}
        digits = self.num_media or ""
        count = int(digits) if digits.isdigit() else 0
        return [str(extra[f"MediaUrl{i}"]) for i in range(count) if f"MediaUrl{i}" in extra]


class CallWebhook(TwilioWebhook):
    """An incoming call (TwiML request) or a call status callback."""

    call_sid: str | None = None
    call_status: str | None = None
    direction: str | None = None
    caller: str | None = None
    called: str | None = None
    call_duration: str | None = None
    forwarded_from: str | None = None
    digits: str | None = None


class RecordingWebhook(TwilioWebhook):
    recording_sid: str | None = None
    recording_url: str | None = None
    recording_status: str | None = None
    recording_duration: str | None = None
    call_sid: str | None = None


def _kind(data: dict[str, Any]) -> str | None:
    if "RecordingSid" in data:
        return "recording"
    if "MessageSid" in data or "SmsSid" in data:
        return "message"
    if "CallSid" in data:
        return "call"
    return None


parse_payload = payload_parser(
    TwilioWebhook,
    {"message": MessageWebhook, "call": CallWebhook, "recording": RecordingWebhook},
    key_of=_kind,
)
"""Parse Twilio's parameters (a dict) into the model of the resource they are about."""
