"""Sample GoCardless deliveries.

``subscription_and_mandate_created`` is the webhook body of the official Python client's tests
(``gocardless-pro-python``, ``tests/fixtures/webhook_body.json``) with the secret those tests sign
it with, so its signature is the client's published one (:data:`SDK_SIGNATURE`). The others
follow the examples of GoCardless's webhook guides
(https://developer.gocardless.com/getting-started/staying-up-to-date-with-webhooks/,
https://developer.gocardless.com/partners/webhooks-for-partners).
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SDK_BODY", "SDK_SECRET", "SDK_SIGNATURE"]

SDK_SECRET = "ED7D658C-D8EB-4941-948B-3973214F2D49"  # noqa: S105 - the client's test vector key
SDK_BODY = (
    b'{"events":[{"id":"EV00BD05S5VM2T","created_at":"2018-07-05T09:13:51.404Z",'
    b'"resource_type":"subscriptions","action":"created","links":{"subscription":'
    b'"SB0003JJQ2MR06"},"details":{"origin":"api","cause":"subscription_created",'
    b'"description":"Subscription created via the API."},"metadata":{}},{"id":"EV00BD05TB8K63",'
    b'"created_at":"2018-07-05T09:13:56.893Z","resource_type":"mandates","action":"created",'
    b'"links":{"mandate":"MD000AMA19XGEC"},"details":{"origin":"api","cause":"mandate_created",'
    b'"description":"Mandate created via the API."},"metadata":{}}]}'
)
SDK_SIGNATURE = "2693754819d3e32d7e8fcb13c729631f316c6de8dc1cf634d6527f1c07276e7e"

_HEADERS = {
    "Content-Type": "application/json",
    "User-Agent": "gocardless-webhook-service/1.1",
    "Origin": "https://api.gocardless.com",
}


def _webhook(webhook_id: str, *events: dict[str, Any]) -> bytes:
    return compact_json({"events": list(events), "meta": {"webhook_id": webhook_id}})


SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="subscription_and_mandate_created",
        description="A batch of two events (the official Python client's test webhook)",
        headers=_HEADERS,
        body=SDK_BODY,
        secret=SDK_SECRET,
        event_type="subscriptions.created",
    ),
    Sample(
        name="mandate_cancelled",
        description="mandates.cancelled: the customer's bank account was closed",
        headers=_HEADERS,
        body=_webhook(
            "WB0001B2C3D4E5",
            {
                "id": "EV0001ABCD2345",
                "created_at": "2024-08-04T12:00:00.000Z",
                "action": "cancelled",
                "resource_type": "mandates",
                "links": {"mandate": "MD0001XYZ98765", "organisation": "OR0001LMN45678"},
                "details": {
                    "origin": "bank",
                    "cause": "bank_account_closed",
                    "description": "The customer's bank account was closed.",
                    "scheme": "bacs",
                    "reason_code": "ADDACS-B",
                },
                "metadata": {},
            },
        ),
        event_type="mandates.cancelled",
    ),
    Sample(
        name="payment_failed",
        description="payments.failed for insufficient funds, with a payout in the same batch",
        headers=_HEADERS,
        body=_webhook(
            "WB0001F6G7H8J9",
            {
                "id": "EV0002EFGH6789",
                "created_at": "2024-09-10T08:31:02.120Z",
                "resource_type": "payments",
                "action": "failed",
                "details": {
                    "origin": "bank",
                    "cause": "insufficient_funds",
                    "description": "The customer's account had insufficient funds to make this "
                    "payment.",
                    "scheme": "sepa_core",
                    "reason_code": "AM04",
                    "will_attempt_retry": False,
                },
                "metadata": {"invoice": "INV-1042"},
                "links": {"payment": "PM0001QRS23456"},
            },
            {
                "id": "EV0002JKLM0123",
                "created_at": "2024-09-10T08:31:05.480Z",
                "resource_type": "payouts",
                "action": "paid",
                "details": {
                    "origin": "gocardless",
                    "cause": "payout_paid",
                    "description": "GoCardless has transferred the payout to the creditor's "
                    "bank account.",
                },
                "metadata": {},
                "links": {"payout": "PO0001TUV78901"},
            },
        ),
        event_type="payments.failed",
    ),
)
