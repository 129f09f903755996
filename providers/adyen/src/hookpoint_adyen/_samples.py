"""Sample Adyen standard webhooks, unsigned (the sign hook writes each item's
``hmacSignature``). ``authorisation`` is the notification of Adyen's "Verify HMAC signatures"
example (https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures), and
:data:`HMAC_KEY` that page's key, so signing it gives the page's signature; the refund follows
the REFUND example of https://docs.adyen.com/api-explorer/Webhooks/1/post/REFUND.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["HMAC_KEY", "SAMPLES"]

HMAC_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
"""The example HMAC key of Adyen's docs (hex)."""

_HEADERS = {"Content-Type": "application/json"}


def _body(*items: dict[str, Any]) -> bytes:
    return compact_json(
        {"live": "false", "notificationItems": [{"NotificationRequestItem": i} for i in items]}
    )


AUTHORISATION: dict[str, Any] = {
    "additionalData": {},
    "amount": {"value": 1130, "currency": "EUR"},
    "pspReference": "7914073381342284",
    "eventCode": "AUTHORISATION",
    "eventDate": "2019-05-06T17:15:34.121+02:00",
    "merchantAccountCode": "TestMerchant",
    "operations": ["CANCEL", "CAPTURE", "REFUND"],
    "merchantReference": "TestPayment-1407325143704",
    "paymentMethod": "visa",
    "success": "true",
}

REFUND: dict[str, Any] = {
    "additionalData": {},
    "amount": {"value": 1500, "currency": "EUR"},
    "eventCode": "REFUND",
    "eventDate": "2021-01-01T01:00:00+01:00",
    "merchantAccountCode": "YOUR_MERCHANT_ACCOUNT",
    "merchantReference": "YOUR_REFERENCE",
    "originalReference": "V4HZ4RBFJGXXGN82",
    "paymentMethod": "visa",
    "pspReference": "KHQC5N7G84BLNK43",
    "reason": "",
    "success": "true",
}

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="authorisation",
        description="AUTHORISATION (Adyen's HMAC example, signed with its example key)",
        headers=_HEADERS,
        body=_body(AUTHORISATION),
        secret=HMAC_KEY,
        event_type="AUTHORISATION",
    ),
    Sample(
        name="refund",
        description="REFUND of an earlier payment (originalReference)",
        headers=_HEADERS,
        body=_body(REFUND),
        secret=HMAC_KEY,
        event_type="REFUND",
    ),
    Sample(
        name="authorisation.basic_auth",
        description="AUTHORISATION to an endpoint that also requires basic auth",
        headers=_HEADERS,
        body=_body(AUTHORISATION),
        secret=HMAC_KEY,
        settings={"username": "adyen-webhooks", "password": "example-password"},
        event_type="AUTHORISATION",
    ),
)
