"""Event description of cal.com deliveries: type, dedupe id, time and filterable fields.

cal.com sends no delivery id and no signed timestamp (its webhook docs name neither:
https://cal.com/docs/developing/guides/automation/webhooks), so
the dedupe id is derived: SHA-256 of ``triggerEvent|<booking uid or id>|createdAt`` when the body
carries them, otherwise SHA-256 of the raw body (a retry of the same delivery has the same bytes).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hookpoint import EventInfo

if TYPE_CHECKING:
    from pydantic import BaseModel

    from hookpoint import WebhookRequest

__all__ = ["EVENT_TYPES", "VERSION_HEADER", "describe"]

VERSION_HEADER = "X-Cal-Webhook-Version"

# API v2 enum of webhook triggers (https://cal.com/docs/api-reference/v2/webhooks/create-a-webhook,
# 28 values). BOOKING_CONFIRMED/COMPLETED/NO_SHOW/REOPENED appear only in an *example* on that
# page and are deliberately absent; unknown strings are passed through anyway.
EVENT_TYPES: tuple[str, ...] = (
    "BOOKING_CREATED",
    "BOOKING_PAYMENT_INITIATED",
    "BOOKING_PAID",
    "BOOKING_RESCHEDULED",
    "BOOKING_REQUESTED",
    "BOOKING_CANCELLED",
    "BOOKING_REJECTED",
    "BOOKING_NO_SHOW_UPDATED",
    "BOOKING_LOCATION_UPDATED",
    "BOOKING_REASSIGNED",
    "FORM_SUBMITTED",
    "MEETING_ENDED",
    "MEETING_STARTED",
    "RECORDING_READY",
    "INSTANT_MEETING",
    "INSTANT_MEETING_ACCEPTED",
    "RECORDING_TRANSCRIPTION_GENERATED",
    "OOO_CREATED",
    "AFTER_HOSTS_CAL_VIDEO_NO_SHOW",
    "AFTER_GUESTS_CAL_VIDEO_NO_SHOW",
    "FORM_SUBMITTED_NO_EVENT",
    "ROUTING_FORM_FALLBACK_HIT",
    "DELEGATION_CREDENTIAL_ERROR",
    "WRONG_ASSIGNMENT_REPORT",
    "DELEGATION_CREDENTIAL_SECRET_ROTATION_FAILED",
    "DELEGATION_CREDENTIAL_ROTATION_REQUIRED",
    "DELEGATION_CREDENTIAL_SECRET_ROTATED",
    "CALENDAR_ENTRY_REJECTED",
)


def describe(request: WebhookRequest, settings: BaseModel | None = None) -> EventInfo:
    """Describe any body cal.com may send; never raises (no setting changes the description)."""
    data, shape = _decode(request)
    fields: dict[str, Any] = {
        "webhook_version": request.headers.get(VERSION_HEADER),
        "shape": shape,
        "booking_uid": None,
    }
    if data is None:
        return EventInfo(id=_sha256(request.body), fields=fields)

    trigger = _text(data.get("triggerEvent"))
    payload = data.get("payload")
    if isinstance(payload, dict):
        fields["shape"] = "envelope"
        booking = payload
    else:
        booking = data
    fields["booking_uid"] = _text(booking.get("uid")) or _text(booking.get("bookingUid"))
    subject = fields["booking_uid"] or _subject(booking)

    created_at = _text(data.get("createdAt"))
    if trigger and subject is not None and created_at:
        # surrogatepass: a JSON "\\ud800" in any of them must not make the description fail
        event_id = _sha256(f"{trigger}|{subject}|{created_at}".encode("utf-8", "surrogatepass"))
    else:
        event_id = _sha256(request.body)
    return EventInfo(type=trigger, id=event_id, time=_parse_time(created_at), fields=fields)


def _decode(request: WebhookRequest) -> tuple[dict[str, Any] | None, str]:
    """The body as a dict and its shape: a JSON object (``flat`` until a ``payload`` is seen), a
    form-urlencoded custom template (``form``), or nothing usable (``unknown``)."""
    try:
        data = request.json_view()
    except ValueError:
        pass
    else:
        return (data, "flat") if isinstance(data, dict) else (None, "unknown")
    # A custom payload template that does not render to JSON is sent as a form (cal.com's
    # sendPayload.ts in calcom/cal.com).
    if request.content_type == "application/x-www-form-urlencoded":
        form = dict(request.form())
        return (form, "form") if form else (None, "unknown")
    return None, "unknown"


def _subject(data: dict[str, Any]) -> str | int | None:
    """A numeric booking (or form response) id when the body names no booking uid."""
    for key in ("bookingId", "id", "responseId"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
