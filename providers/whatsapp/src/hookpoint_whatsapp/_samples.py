"""Sample WhatsApp Cloud API deliveries, shaped after Meta's webhook examples (WhatsApp webhooks
overview and the messages/status webhook references:
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/overview).

The bodies are written byte for byte as Meta sends them: compact JSON with non-ASCII text and
``@`` as ``\\uXXXX`` escapes (e.g. ``Gr\\u00fc\\u00dfe``, ``\\u0040``). The signature covers these
exact bytes; a body that was parsed and re-serialised no longer verifies.
"""

from __future__ import annotations

from hookpoint import Sample
from hookpoint.providerkit import META_HANDSHAKE_SAMPLES

__all__ = ["SAMPLES", "SAMPLE_VERIFY_TOKEN"]

SAMPLE_VERIFY_TOKEN: str = META_HANDSHAKE_SAMPLES[0].settings["verify_token"]
"""Meta's documented example verify token (the handshake samples are the kit's, shared with
every Meta provider)."""
_HEADERS = {"Content-Type": "application/json"}
_METADATA = (
    rb'"metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}'
)


def _notification(field: bytes, value: bytes, *, entry_extra: bytes = b"") -> bytes:
    return (
        rb'{"object":"whatsapp_business_account","entry":[{"id":"102290129340398",'
        + entry_extra
        + rb'"changes":[{"value":'
        + value
        + rb',"field":"'
        + field
        + rb'"}]}]}'
    )


TEXT_MESSAGE = _notification(
    b"messages",
    rb'{"messaging_product":"whatsapp",' + _METADATA + rb","
    rb'"contacts":[{"profile":{"name":"J\u00fcrgen M\u00fcller"},"wa_id":"4915112345678"}],'
    rb'"messages":[{"from":"4915112345678","id":"wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjBDMEY4",'
    rb'"timestamp":"1749416383","type":"text","text":{"body":"Gr\u00fc\u00dfe! Termin am '
    rb'Dienstag? Mail: juergen\u0040example.de \ud83d\ude00"}}]}',
)

IMAGE_MESSAGE = _notification(
    b"messages",
    rb'{"messaging_product":"whatsapp",' + _METADATA + rb","
    rb'"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],'
    rb'"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUY2QjdEQTBG",'
    rb'"timestamp":"1749416501","type":"image","image":{"caption":"Is this the right one?",'
    rb'"mime_type":"image\/jpeg","sha256":"x7Wv4Yc1n8mQ2rT5aZ0pL3kJ9hG6fD1sB8uE4iO7yXw=",'
    rb'"id":"1003383421387256"}}]}',
)

STATUS_DELIVERED = _notification(
    b"messages",
    rb'{"messaging_product":"whatsapp",' + _METADATA + rb","
    rb'"statuses":[{"id":"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0Qzk2RkI3OTdGRjc5MDQwMzEA",'
    rb'"status":"delivered","timestamp":"1749416790","recipient_id":"16505551234",'
    rb'"conversation":{"id":"a75d17ad06104c51166f948319b03c6a","origin":{"type":"utility"}},'
    rb'"pricing":{"billable":true,"pricing_model":"PMP","category":"utility",'
    rb'"type":"regular"}}]}',
)

STATUS_READ = _notification(
    b"messages",
    rb'{"messaging_product":"whatsapp",' + _METADATA + rb","
    rb'"statuses":[{"id":"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0Qzk2RkI3OTdGRjc5MDQwMzEA",'
    rb'"status":"read","timestamp":"1749416833","recipient_id":"16505551234"}]}',
)

TEMPLATE_STATUS_UPDATE = _notification(
    b"message_template_status_update",
    rb'{"event":"APPROVED","message_template_id":1689556908129832,'
    rb'"message_template_name":"order_confirmation","message_template_language":"de",'
    rb'"reason":"NONE"}',
    entry_extra=rb'"time":1749417002,',
)

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="text_message",
        description="An inbound text message; non-ASCII text and @ arrive as \\uXXXX escapes",
        headers=_HEADERS,
        body=TEXT_MESSAGE,
        event_type="messages",
    ),
    Sample(
        name="image_message",
        description="An inbound image with a caption (download the media by its id)",
        headers=_HEADERS,
        body=IMAGE_MESSAGE,
        event_type="messages",
    ),
    Sample(
        name="status_delivered",
        description="An outbound message was delivered (with conversation and pricing)",
        headers=_HEADERS,
        body=STATUS_DELIVERED,
        event_type="messages",
    ),
    Sample(
        name="status_read",
        description="The recipient read an outbound message",
        headers=_HEADERS,
        body=STATUS_READ,
        event_type="messages",
    ),
    Sample(
        name="template_status_update",
        description="A message template was approved",
        headers=_HEADERS,
        body=TEMPLATE_STATUS_UPDATE,
        event_type="message_template_status_update",
    ),
    *META_HANDSHAKE_SAMPLES,
)
