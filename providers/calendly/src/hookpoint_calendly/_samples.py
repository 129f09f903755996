"""Sample Calendly deliveries after the webhook payload examples of Calendly's API reference
(https://developer.calendly.com/docs/webhooks/overview, the Invitee resource
https://developer.calendly.com/api-docs/invitee): an invitee booking, the same invitee
cancelling, and a rescheduled booking. The sign hook adds ``Calendly-Webhook-Signature``.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SIGNING_KEY"]

SIGNING_KEY = "calendly_test_signing_key"
_API = "https://api.calendly.com"
_EVENT_URI = f"{_API}/scheduled_events/GBGBDCAADAEDCRZ2"
_INVITEE_URI = f"{_EVENT_URI}/invitees/AAAAAAAAAAAAAAAA"
_USER = f"{_API}/users/AAAAAAAAAAAAAAAA"
_SCHEDULED_EVENT: dict[str, Any] = {
    "uri": _EVENT_URI,
    "name": "15 Minute Meeting",
    "status": "active",
    "start_time": "2019-08-24T14:15:22.123456Z",
    "end_time": "2019-08-24T14:30:22.123456Z",
    "event_type": f"{_API}/event_types/GBGBDCAADAEDCRZ2",
    "location": {"type": "physical", "location": "Calendly Office"},
    "invitees_counter": {"total": 1, "active": 1, "limit": 1},
    "created_at": "2019-01-02T03:04:05.092125Z",
    "updated_at": "2019-01-02T03:04:05.092125Z",
    "event_memberships": [{"user": _USER, "user_email": "user@example.com"}],
    "event_guests": [],
}
_INVITEE: dict[str, Any] = {
    "uri": _INVITEE_URI,
    "email": "test@example.com",
    "first_name": "John",
    "last_name": "Doe",
    "name": "John Doe",
    "status": "active",
    "questions_and_answers": [
        {"question": "What would you like to discuss?", "answer": "Webhooks", "position": 0}
    ],
    "timezone": "America/New_York",
    "event": _EVENT_URI,
    "created_at": "2019-08-22T14:15:22.123456Z",
    "updated_at": "2019-08-22T14:15:22.123456Z",
    "tracking": {"utm_campaign": None, "utm_source": None, "utm_medium": None},
    "text_reminder_number": None,
    "rescheduled": False,
    "old_invitee": None,
    "new_invitee": None,
    "cancel_url": "https://calendly.com/cancellations/AAAAAAAAAAAAAAAA",
    "reschedule_url": "https://calendly.com/reschedulings/AAAAAAAAAAAAAAAA",
    "routing_form_submission": None,
    "cancellation": None,
    "payment": None,
    "no_show": None,
    "reconfirmation": None,
    "scheduled_event": _SCHEDULED_EVENT,
}


def _sample(name: str, description: str, event: str, payload: dict[str, Any]) -> Sample:
    return Sample(
        name=name,
        description=description,
        headers={"Content-Type": "application/json; charset=utf-8"},
        body=compact_json(
            {
                "created_at": "2019-08-24T14:15:23.000000Z",
                "created_by": _USER,
                "event": event,
                "payload": payload,
            }
        ),
        secret=SIGNING_KEY,
        event_type=event,
    )


_CANCELLATION = {
    "canceled_by": "John Doe",
    "reason": "Schedule conflict",
    "canceler_type": "invitee",
    "created_at": "2019-08-23T09:00:00.000000Z",
}

SAMPLES: tuple[Sample, ...] = (
    _sample("invitee.created", "An invitee booked a meeting", "invitee.created", _INVITEE),
    _sample(
        "invitee.canceled",
        "The invitee canceled the meeting",
        "invitee.canceled",
        {
            **_INVITEE,
            "status": "canceled",
            "cancellation": _CANCELLATION,
            "scheduled_event": {
                **_SCHEDULED_EVENT,
                "status": "canceled",
                "cancellation": _CANCELLATION,
            },
        },
    ),
    _sample(
        "invitee.rescheduled",
        "The new booking of a rescheduled meeting (invitee.created with old_invitee)",
        "invitee.created",
        {
            **_INVITEE,
            "uri": f"{_EVENT_URI}/invitees/CCCCCCCCCCCCCCCC",
            "old_invitee": f"{_API}/scheduled_events/OLDEVENT0000000/invitees/BBBBBBBBBBBBBBBB",
        },
    ),
)
