"""Sample Twilio requests after Twilio's "TwiML™ for Programmable Messaging/Voice" parameter
references (https://www.twilio.com/docs/messaging/guides/webhook-request,
https://www.twilio.com/docs/voice/twiml#request-parameters), and the twilio-python test
vector's JSON body (signed through ``bodySHA256``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from hookpoint import Sample

__all__ = ["AUTH_TOKEN", "SAMPLES"]

AUTH_TOKEN = "12345"  # noqa: S105 - twilio-python's test token
_FORM = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "TwilioProxy/1.1"}
_ACCOUNT = "AC1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c"


def _form(name: str, kind: str, token: str, params: dict[str, str]) -> Sample:
    return Sample(
        name=name,
        description=f"{kind} (form parameters)",
        headers={**_FORM, "I-Twilio-Idempotency-Token": token},
        body=urlencode({"AccountSid": _ACCOUNT, "ApiVersion": "2010-04-01", **params}).encode(),
        secret=AUTH_TOKEN,
        event_type=kind,
    )


SAMPLES: tuple[Sample, ...] = (
    _form(
        "message.received",
        "message.received",
        "7d3b2e0c-8a41-4d6b-9c0e-1f2a3b4c5d6e",
        {
            "MessageSid": "SM9d1c4fe8c5a2b9f1e2f3a4b5c6d7e8f9",
            "SmsSid": "SM9d1c4fe8c5a2b9f1e2f3a4b5c6d7e8f9",
            "SmsMessageSid": "SM9d1c4fe8c5a2b9f1e2f3a4b5c6d7e8f9",
            "MessagingServiceSid": "MG0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d",
            "From": "+14155552671",
            "To": "+14155550100",
            "Body": "Hello from Twilio! ✓",
            "NumMedia": "1",
            "NumSegments": "1",
            "MediaContentType0": "image/jpeg",
            "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC1f3a/Messages/SM9d1c/Media/ME0a1b",
            "SmsStatus": "received",
            "FromCity": "SAN FRANCISCO",
            "FromCountry": "US",
        },
    ),
    _form(
        "message.delivered",
        "message.delivered",
        "0b6f8d2a-3c5e-4f71-8a9b-2c4d6e8f0a1b",
        {
            "MessageSid": "SM1f0e8ae6ade43cb3c0ce4525424e404f",
            "SmsSid": "SM1f0e8ae6ade43cb3c0ce4525424e404f",
            "MessageStatus": "delivered",
            "SmsStatus": "delivered",
            "From": "+14155550100",
            "To": "+14155552671",
        },
    ),
    _form(
        "call.ringing",
        "call.ringing",
        "e2c4a6b8-d0f2-4e46-8a8c-0e2f4a6c8e0a",
        {
            "CallSid": "CA7e4a5d3c8f9b2a1e0d6c5b4a3f2e1d0c",
            "CallStatus": "ringing",
            "Direction": "inbound",
            "From": "+14155552671",
            "To": "+14155550100",
            "Caller": "+14155552671",
            "Called": "+14155550100",
        },
    ),
    Sample(
        name="json_body",
        description="a JSON body, signed through the bodySHA256 query "
        "parameter (twilio-python's test body)",
        path_query="foo=1&bar=2",
        headers={"Content-Type": "application/json", "User-Agent": "TwilioProxy/1.1"},
        body=b'{"property": "value", "boolean": true}',
        secret=AUTH_TOKEN,
    ),
)
