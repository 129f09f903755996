"""Sample Dropbox requests: a change notification (the sign hook adds ``X-Dropbox-Signature``)
and the ``GET ?challenge=`` verification request
(https://www.dropbox.com/developers/reference/webhooks).
"""

from __future__ import annotations

from hookpoint import Sample

__all__ = ["NOTIFICATION", "SAMPLES", "SAMPLE_SECRET"]

SAMPLE_SECRET = "the_secret"  # noqa: S105 - the known-answer "dropbox-post" vector

NOTIFICATION = (
    b'{"list_folder": {"accounts": ["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", '
    b'"dbid:AAB1nYHd0VbLm2s7-0XLEqvdOOzqaLRxO4g"]}, '
    b'"delta": {"users": [12345678, 23456789]}}'
)

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="list_folder",
        description="Files changed for two linked accounts",
        headers={"Content-Type": "application/json", "User-Agent": "DropboxWebhooks/1.0"},
        body=NOTIFICATION,
        secret=SAMPLE_SECRET,
        event_type="list_folder",
    ),
    Sample(
        name="challenge",
        description="The verification request Dropbox sends when the webhook URI is added",
        method="GET",
        path_query="challenge=the_challenge",
        secret=SAMPLE_SECRET,
        challenge=True,
        expect_status=200,
        expect_body=b"the_challenge",
    ),
)
