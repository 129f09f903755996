"""Sample HubSpot deliveries. ``contact.creation`` is the request body of HubSpot's own example
in https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests; the
others follow the event fields of the webhooks guide
(https://developers.hubspot.com/docs/api/webhooks). HubSpot posts
compact JSON arrays; the sign hook adds ``X-HubSpot-Signature-v3`` and
``X-HubSpot-Request-Timestamp``.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["CLIENT_SECRET", "SAMPLES"]

CLIENT_SECRET = "6a3f1c7e-2b4d-4e8a-9c1f-0d5b7e2a4c68"  # noqa: S105 - the samples' test secret

_APP = {"portalId": 62515, "appId": 54321}


def _batch(name: str, description: str, events: list[dict[str, Any]], kind: str | None) -> Sample:
    return Sample(
        name=name,
        description=description,
        headers={"Content-Type": "application/json"},
        body=compact_json(events),
        secret=CLIENT_SECRET,
        event_type=kind,
    )


SAMPLES: tuple[Sample, ...] = (
    # byte for byte the body of HubSpot's validation example
    Sample(
        name="contact.creation",
        description="contact.creation (one event: HubSpot's own example body)",
        headers={"Content-Type": "application/json"},
        body=(
            b'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
            b'"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,'
            b'"changeSource":"CRM","changeFlag":"NEW","appId":54321}]'
        ),
        secret=CLIENT_SECRET,
        event_type="contact.creation",
    ),
    _batch(
        "contact.property_change",
        "contact.propertyChange (a batch of two property changes)",
        [
            {
                "eventId": 3816279340,
                "subscriptionId": 25,
                **_APP,
                "occurredAt": 1714658591123,
                "subscriptionType": "contact.propertyChange",
                "attemptNumber": 0,
                "objectId": 1246965,
                "propertyName": "lifecyclestage",
                "propertyValue": "customer",
                "changeSource": "CRM_UI",
                "sourceId": "userId:1234567",
            },
            {
                "eventId": 3816279341,
                "subscriptionId": 26,
                **_APP,
                "occurredAt": 1714658591145,
                "subscriptionType": "contact.propertyChange",
                "attemptNumber": 0,
                "objectId": 1246965,
                "propertyName": "email",
                "propertyValue": "maria.johnson@example.com",
                "changeSource": "CRM_UI",
                "sourceId": "userId:1234567",
            },
        ],
        "contact.propertyChange",
    ),
    _batch(
        "mixed_batch",
        "deal.creation, deal.propertyChange and contact.deletion in one delivery (no shared type)",
        [
            {
                "eventId": 4055511201,
                "subscriptionId": 31,
                **_APP,
                "occurredAt": 1714659000000,
                "subscriptionType": "deal.creation",
                "attemptNumber": 0,
                "objectId": 9876543210,
                "changeFlag": "CREATED",
                "changeSource": "API",
            },
            {
                "eventId": 4055511202,
                "subscriptionId": 32,
                **_APP,
                "occurredAt": 1714659000310,
                "subscriptionType": "deal.propertyChange",
                "attemptNumber": 0,
                "objectId": 9876543210,
                "propertyName": "dealstage",
                "propertyValue": "closedwon",
                "changeSource": "API",
            },
            {
                "eventId": 4055511203,
                "subscriptionId": 33,
                **_APP,
                "occurredAt": 1714659001000,
                "subscriptionType": "contact.deletion",
                "attemptNumber": 0,
                "objectId": 1246978,
                "changeFlag": "DELETED",
                "changeSource": "CRM_UI",
            },
        ],
        None,
    ),
    _batch(
        "conversation.new_message",
        "conversation.newMessage (a message in a conversations inbox thread)",
        [
            {
                "eventId": 2001345,
                "subscriptionId": 41,
                **_APP,
                "occurredAt": 1714660000000,
                "subscriptionType": "conversation.newMessage",
                "attemptNumber": 0,
                "objectId": 7463521098,
                "messageId": "f0a2b1c3d4e5f60718293a4b5c6d7e8f",
                "messageType": "MESSAGE",
                "changeFlag": "NEW_MESSAGE",
            }
        ],
        "conversation.newMessage",
    ),
)
