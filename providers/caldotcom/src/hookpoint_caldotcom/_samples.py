"""Sample cal.com deliveries: realistic bodies after cal.com's docs examples (webhook payload
reference, version 2021-10-20: https://cal.com/docs/developing/guides/automation/webhooks).

Bodies are compact JSON in ``JSON.stringify`` order (``triggerEvent``, ``createdAt``,
``payload``), which is what cal.com puts on the wire. ``BOOKING_CREATED`` is about 1.5 KB; the
host benchmark uses it.
"""

from __future__ import annotations

import json
from typing import Any

from hookpoint import Sample

__all__ = ["SAMPLES", "WEBHOOK_VERSION"]

WEBHOOK_VERSION = "2021-10-20"
_HEADERS = {"Content-Type": "application/json", "X-Cal-Webhook-Version": WEBHOOK_VERSION}


def _compact(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


_ORGANIZER = {
    "id": 7,
    "name": "Ada Organizer",
    "email": "ada@acme.example",
    "username": "ada",
    "timeZone": "Europe/Berlin",
    "language": {"locale": "en"},
    "timeFormat": "h:mma",
    "utcOffset": 60,
}
_GUEST = {
    "email": "grace@guest.example",
    "name": "Grace Guest",
    "firstName": "Grace",
    "lastName": "Guest",
    "timeZone": "America/New_York",
    "language": {"locale": "en"},
    "utcOffset": -300,
}
_RESPONSES = {
    "name": {"label": "your_name", "value": "Grace Guest", "isHidden": False},
    "email": {"label": "email_address", "value": "grace@guest.example", "isHidden": False},
    "location": {
        "label": "location",
        "value": {"optionValue": "", "value": "integrations:daily"},
        "isHidden": False,
    },
    "notes": {"label": "additional_notes", "value": "Agenda: Q3 roadmap", "isHidden": False},
}


def _booking(**changes: Any) -> dict[str, Any]:
    booking: dict[str, Any] = {
        "bookerUrl": "https://cal.com",
        "type": "30min",
        "title": "30 Min Meeting between Ada Organizer and Grace Guest",
        "description": "",
        "additionalNotes": "Agenda: Q3 roadmap",
        "customInputs": {},
        "startTime": "2024-05-02T14:00:00Z",
        "endTime": "2024-05-02T14:30:00Z",
        "organizer": _ORGANIZER,
        "responses": _RESPONSES,
        "userFieldsResponses": {},
        "attendees": [_GUEST],
        "location": "integrations:daily",
        "requiresConfirmation": False,
        "eventTypeId": 1042,
        "iCalUID": "kN3bq1UvQe2Hd9pRtGmZxA@Cal.com",
        "iCalSequence": 0,
        "uid": "kN3bq1UvQe2Hd9pRtGmZxA",
        "videoCallData": {
            "type": "daily_video",
            "id": "Xg2PzWq7Lk",
            "password": "",
            "url": "https://app.cal.com/video/kN3bq1UvQe2Hd9pRtGmZxA",
        },
        "eventTitle": "30 Min Meeting",
        "price": 0,
        "currency": "usd",
        "length": 30,
        "bookingId": 4711,
        "metadata": {"videoCallUrl": "https://app.cal.com/video/kN3bq1UvQe2Hd9pRtGmZxA"},
        "status": "ACCEPTED",
    }
    booking.update(changes)
    return booking


def _envelope(trigger: str, created_at: str, payload: dict[str, Any]) -> bytes:
    return _compact({"triggerEvent": trigger, "createdAt": created_at, "payload": payload})


BOOKING_CREATED = _envelope("BOOKING_CREATED", "2024-04-30T09:12:45.391Z", _booking())

BOOKING_CANCELLED = _envelope(
    "BOOKING_CANCELLED",
    "2024-05-01T17:03:11.027Z",
    _booking(
        cancellationReason="Conflict with an all-hands, sorry!",
        status="CANCELLED",
        videoCallData=None,
    ),
)

BOOKING_RESCHEDULED = _envelope(
    "BOOKING_RESCHEDULED",
    "2024-05-01T08:20:02.914Z",
    _booking(
        uid="pT8wV3cYbR5nJ1sKqLdE4F",
        bookingId=4790,
        startTime="2024-05-03T15:00:00Z",
        endTime="2024-05-03T15:30:00Z",
        iCalUID="kN3bq1UvQe2Hd9pRtGmZxA@Cal.com",
        iCalSequence=1,
        rescheduleUid="kN3bq1UvQe2Hd9pRtGmZxA",
        rescheduledBy="grace@guest.example",
        metadata={"videoCallUrl": "https://app.cal.com/video/pT8wV3cYbR5nJ1sKqLdE4F"},
    ),
)

# The flat shape: the booking row at top level, no "payload" (docs "MEETING_STARTED" example).
MEETING_STARTED = _compact(
    {
        "triggerEvent": "MEETING_STARTED",
        "id": 4711,
        "uid": "kN3bq1UvQe2Hd9pRtGmZxA",
        "idempotencyKey": "0b6c3f0e-6f4e-5d0a-9a43-3c1d2b8e7f61",
        "userId": 7,
        "userPrimaryEmail": "ada@acme.example",
        "eventTypeId": 1042,
        "title": "30 Min Meeting between Ada Organizer and Grace Guest",
        "description": "",
        "customInputs": {},
        "responses": _RESPONSES,
        "startTime": "2024-05-02T14:00:00.000Z",
        "endTime": "2024-05-02T14:30:00.000Z",
        "location": "integrations:daily",
        "createdAt": "2024-04-30T09:12:44.902Z",
        "updatedAt": "2024-04-30T09:12:45.118Z",
        "status": "ACCEPTED",
        "paid": False,
        "metadata": {"videoCallUrl": "https://app.cal.com/video/kN3bq1UvQe2Hd9pRtGmZxA"},
        "isRecorded": False,
        "iCalUID": "kN3bq1UvQe2Hd9pRtGmZxA@Cal.com",
        "iCalSequence": 0,
        "user": {
            "email": "ada@acme.example",
            "name": "Ada Organizer",
            "timeZone": "Europe/Berlin",
            "username": "ada",
        },
        "attendees": [
            {
                "id": 9001,
                "email": "grace@guest.example",
                "name": "Grace Guest",
                "timeZone": "America/New_York",
                "phoneNumber": None,
                "locale": "en",
                "bookingId": 4711,
                "noShow": False,
            }
        ],
        "payment": [],
        "references": [],
    }
)

# Routing-form answers are duplicated at top level (by field label) for backward compatibility.
FORM_SUBMITTED = _compact(
    {
        "Company size": ["51-200"],
        "Your email": "grace@guest.example",
        "triggerEvent": "FORM_SUBMITTED",
        "createdAt": "2024-05-01T11:45:30.221Z",
        "payload": {
            "formId": "8d2e4b9a-1c3f-4e5a-b6d7-0f9e8c7b6a5d",
            "formName": "Sales routing",
            "teamId": 12,
            "responses": {
                "Company size": {
                    "value": ["51-200"],
                    "response": [{"label": "51-200", "id": "3f1c9b2e-7a4d-4c8e-9b1a-2d3e4f5a6b7c"}],
                },
                "Your email": {"value": "grace@guest.example", "response": "grace@guest.example"},
            },
        },
    }
)

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="booking_created",
        description="A booking was made (default envelope; about 1.5 KB)",
        headers=_HEADERS,
        body=BOOKING_CREATED,
        event_type="BOOKING_CREATED",
    ),
    Sample(
        name="booking_cancelled",
        description="The guest cancelled, with a reason",
        headers=_HEADERS,
        body=BOOKING_CANCELLED,
        event_type="BOOKING_CANCELLED",
    ),
    Sample(
        name="booking_rescheduled",
        description="The booking moved; rescheduleUid names the original booking",
        headers=_HEADERS,
        body=BOOKING_RESCHEDULED,
        event_type="BOOKING_RESCHEDULED",
    ),
    Sample(
        name="meeting_started",
        description="The meeting started (flat shape: booking fields at top level)",
        headers=_HEADERS,
        body=MEETING_STARTED,
        event_type="MEETING_STARTED",
    ),
    Sample(
        name="form_submitted",
        description="A routing form was submitted (answers also at top level)",
        headers=_HEADERS,
        body=FORM_SUBMITTED,
        event_type="FORM_SUBMITTED",
    ),
)
