"""Sample Slack requests: the slash command from Slack's "verifying requests" doc (the SDK's
test vector), Events API callbacks after https://api.slack.com/events/app_mention and
https://api.slack.com/events/message.channels, a ``block_actions`` interaction, and the
handshakes (``url_verification``, ``ssl_check``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SIGNING_SECRET"]

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # noqa: S105 - Slack's docs example
_JSON = {
    "Content-Type": "application/json",
    "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
}
_FORM = {**_JSON, "Content-Type": "application/x-www-form-urlencoded"}

SLASH_COMMAND = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmi"
    b"bIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
URL_VERIFICATION = (
    b'{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":'
    b'"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}'
)


def _callback(event_id: str, event: dict[str, Any]) -> bytes:
    return compact_json(
        {
            "token": "XXYYZZ",
            "team_id": "T123ABC456",
            "api_app_id": "A123ABC456",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1515449522,
            "event_context": "4-eyJldCI6Im1lc3NhZ2UifQ",
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": "T123ABC456",
                    "user_id": "U0LAN0Z89",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
    )


_BLOCK_ACTIONS = compact_json(
    {
        "type": "block_actions",
        "trigger_id": "12466734323.1395872398.8e2bd6f0c2b9b4f8f6b1",
        "user": {"id": "U0CA5", "username": "Amy McGee", "team_id": "T3MDE"},
        "team": {"id": "T9TK3CUKW", "domain": "example"},
        "api_app_id": "A0CA5",
        "container": {"type": "message", "message_ts": "1548261231.000200", "channel_id": "C0CA5"},
        "channel": {"id": "C0CA5", "name": "general"},
        "response_url": "https://hooks.slack.com/actions/T0CA5/1/abc",
        "actions": [
            {
                "action_id": "approve",
                "block_id": "req_1",
                "type": "button",
                "value": "click_me_123",
                "action_ts": "1548426417.840180",
            }
        ],
    }
)

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="slash_command",
        description="/webhook-collect (Slack's documented request)",
        headers=_FORM,
        body=SLASH_COMMAND,
        secret=SIGNING_SECRET,
        event_type="slash_command",
    ),
    Sample(
        name="event_callback.app_mention",
        headers=_JSON,
        secret=SIGNING_SECRET,
        body=_callback(
            "Ev0LAN670R",
            {
                "type": "app_mention",
                "user": "U061F7AUR",
                "text": "<@U0LAN0Z89> is it everything?",
                "ts": "1515449522.000016",
                "channel": "C123ABC456",
                "event_ts": "1515449522000016",
            },
        ),
        event_type="app_mention",
        description="Events API app_mention",
    ),
    Sample(
        name="event_callback.message",
        headers=_JSON,
        secret=SIGNING_SECRET,
        body=_callback(
            "Ev0PV52K21",
            {
                "type": "message",
                "channel": "C123ABC456",
                "user": "U123ABC456",
                "text": "Live long and prospect.",
                "ts": "1355517523.000005",
                "event_ts": "1355517523.000005",
                "channel_type": "channel",
            },
        ),
        event_type="message",
        description="Events API message.channels",
    ),
    Sample(
        name="block_actions",
        headers=_FORM,
        secret=SIGNING_SECRET,
        body=urlencode({"payload": _BLOCK_ACTIONS.decode()}).encode(),
        event_type="block_actions",
        description="interactivity: a button click",
    ),
    Sample(
        name="url_verification.unsigned",
        challenge=True,
        headers=_JSON,
        body=URL_VERIFICATION,
        secret=SIGNING_SECRET,
        expect_status=401,
        description="url_verification without Slack's signature: refused (a signed one is "
        "answered with the challenge as text/plain)",
    ),
    Sample(
        name="ssl_check",
        challenge=True,
        headers=_FORM,
        secret=SIGNING_SECRET,
        body=b"ssl_check=1&token=xyzz0WbapA4vBCDEFasx0q6G",
        expect_body=b"",
        description="Slack's certificate check of a slash command URL: empty 200",
    ),
)
