"""WhatsApp provider: known-answer vectors, the handshake, batched descriptions and models."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

import hookpoint_whatsapp
from hookpoint import ProviderConfigError, WebhookRequest
from hookpoint.testing import (
    PluginHost,
    describe_request,
    load_plugins,
    plugin_host,
    sign_hmac_hex,
    sign_request,
    verify_request,
)
from hookpoint_whatsapp import Message, Status, WhatsAppSettings, WhatsAppWebhook, parse_payload

URL = "https://hooks.example.com/webhooks/whatsapp"

# Known-answer vectors ("meta-verify-get",
# "meta-post-escaped-unicode", "meta-negative-reserialized").
VERIFY_QUERY = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock"
VERIFY_TOKEN = "meatyhamhock"
APP_SECRET = "test_app_secret"
ESCAPED_BODY = (
    b'{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":'
    b'{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881",'
    b'"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Jos\\u00e9"},'
    b'"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.TEST123",'
    b'"timestamp":"1749416383","type":"text","text":{"body":"caf\\u00e9 \\u0040 10"}}]},'
    b'"field":"messages"}]}]}'
)
ESCAPED_SIGNATURE = "sha256=65f3094ab953cad18ac82c81ff74ce708c3ee3d4cbb2f262a9946b149a2206ab"
ESCAPED_SHA1 = "sha1=3fa2402c398751ae74599a13933a3f67f5efb433"
RESERIALIZED_BODY = (
    '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":'
    '{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881",'
    '"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"José"},'
    '"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.TEST123",'
    '"timestamp":"1749416383","type":"text","text":{"body":"café @ 10"}}]},'
    '"field":"messages"}]}]}'
).encode()
RESERIALIZED_SIGNATURE = "sha256=94b73113644a0897053e4215bea7a4a009e1368a52b5dc61dd03c89fef156a4f"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_whatsapp.PLUGIN)


def post(
    body: bytes = ESCAPED_BODY,
    signature: str | None = ESCAPED_SIGNATURE,
    extra: dict[str, str] | None = None,
) -> WebhookRequest:
    headers = {"Content-Type": "application/json", **(extra or {})}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return WebhookRequest(method="POST", url=URL, headers=headers, body=body)


def get(query: str, method: str = "GET") -> WebhookRequest:
    return WebhookRequest(method=method, url=f"{URL}?{query}" if query else URL)


def verify(host: PluginHost, req: WebhookRequest, secrets: list[str] | None = None) -> Any:
    return verify_request(host, "whatsapp", req, [APP_SECRET] if secrets is None else secrets)


def challenge(host: PluginHost, req: WebhookRequest, token: str | None = VERIFY_TOKEN) -> Any:
    settings = host.settings_for("whatsapp", {"verify_token": token} if token else {})
    return host.challenge("whatsapp", req, settings, [APP_SECRET])


def describe(host: PluginHost, body: bytes) -> Any:
    return describe_request(host, "whatsapp", post(body))


# -- handshake ("meta-verify-get") ---------------------------------------------------------------


def test_verify_get_answers_the_challenge(host: PluginHost) -> None:
    reply = challenge(host, get(VERIFY_QUERY))
    assert reply is not None
    assert reply.status == 200
    assert reply.body == b"1158201444"
    assert reply.content_type.split(";")[0] == "text/plain"
    assert reply.skip_triggering_runs


def test_challenge_is_echoed_exactly_as_received(host: PluginHost) -> None:
    reply = challenge(
        host, get("hub.mode=subscribe&hub.verify_token=meatyhamhock&hub.challenge=0042")
    )
    assert reply is not None and reply.body == b"0042"


@pytest.mark.parametrize(
    "query",
    [
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhocks",
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=",
        "hub.mode=subscribe&hub.challenge=1158201444",
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=MEATYHAMHOCK",
    ],
)
def test_token_mismatch_is_403(host: PluginHost, query: str) -> None:
    reply = challenge(host, get(query))
    assert reply is not None and reply.status == 403
    assert b"1158201444" not in reply.body
    assert reply.body == b"verify token mismatch"


def test_no_configured_token_is_403(host: PluginHost) -> None:
    reply = challenge(host, get(VERIFY_QUERY), token=None)
    assert reply is not None and reply.status == 403


def test_other_modes_and_missing_challenge(host: PluginHost) -> None:
    reply = challenge(
        host, get("hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=meatyhamhock")
    )
    assert reply is not None and reply.status == 403
    reply = challenge(host, get("hub.mode=subscribe&hub.verify_token=meatyhamhock"))
    assert reply is not None and reply.status == 400


@pytest.mark.parametrize(
    "req",
    [
        get(""),
        get("foo=bar"),
        get(
            "hub_mode=subscribe&hub_challenge=1&hub_verify_token=meatyhamhock"
        ),  # PHP-mangled names
        get(VERIFY_QUERY, method="POST"),
        post(),
    ],
)
def test_non_handshakes_return_none(host: PluginHost, req: WebhookRequest) -> None:
    assert challenge(host, req) is None


def test_a_get_without_hub_mode_then_fails_verification(host: PluginHost) -> None:
    assert not verify(host, get("foo=bar")).success


def test_verify_token_is_a_secret_setting(host: PluginHost) -> None:
    settings = host.settings_for("whatsapp", {"verify_token": VERIFY_TOKEN})
    assert isinstance(settings, WhatsAppSettings)
    assert VERIFY_TOKEN not in repr(settings)
    assert host.settings_for("whatsapp", None) == WhatsAppSettings()
    with pytest.raises(ProviderConfigError, match="app_secret"):
        host.settings_for("whatsapp", {"app_secret": "x"})


# -- signatures ("meta-post-escaped-unicode", "meta-negative-reserialized") ------------------


def test_escaped_unicode_vector_verifies(host: PluginHost) -> None:
    assert b"\\u00e9" in ESCAPED_BODY and b"\\u0040" in ESCAPED_BODY
    result = verify(host, post())
    assert result.success and not result.unsigned


def test_vector_matches_the_documented_algorithm() -> None:
    assert sign_hmac_hex(APP_SECRET, ESCAPED_BODY, prefix="sha256=") == ESCAPED_SIGNATURE
    assert sign_hmac_hex(APP_SECRET, RESERIALIZED_BODY, prefix="sha256=") == RESERIALIZED_SIGNATURE


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    signed = sign_request(host, "whatsapp", post(signature=None), APP_SECRET)
    assert signed is not None
    assert signed.headers.get("x-hub-signature-256") == ESCAPED_SIGNATURE
    assert signed.body == ESCAPED_BODY


@pytest.mark.parametrize("position", [0, 10, 300, len(ESCAPED_BODY) // 2, len(ESCAPED_BODY) - 1])
def test_escaped_vector_fails_with_one_byte_changed(host: PluginHost, position: int) -> None:
    body = bytearray(ESCAPED_BODY)
    body[position] ^= 0x01
    result = verify(host, post(bytes(body)))
    assert not result.success and result.reason


def test_reserialized_body_fails(host: PluginHost) -> None:
    """Parsing and re-serialising (as many frameworks do) changes the signed bytes."""
    reserialized = json.dumps(
        json.loads(ESCAPED_BODY), ensure_ascii=False, separators=(",", ":")
    ).encode()
    assert reserialized == RESERIALIZED_BODY
    assert not verify(host, post(RESERIALIZED_BODY)).success
    ascii_again = json.dumps(json.loads(ESCAPED_BODY), separators=(",", ":")).encode()
    assert ascii_again != ESCAPED_BODY  # json.dumps writes @, Meta wrote \u0040
    assert not verify(host, post(ascii_again)).success


def test_reserialized_body_with_its_own_signature_is_only_valid_for_those_bytes(
    host: PluginHost,
) -> None:
    assert verify(host, post(RESERIALIZED_BODY, RESERIALIZED_SIGNATURE)).success
    assert not verify(host, post(ESCAPED_BODY, RESERIALIZED_SIGNATURE)).success


def test_legacy_sha1_header_is_ignored(host: PluginHost) -> None:
    result = verify(host, post(signature=None, extra={"X-Hub-Signature": ESCAPED_SHA1}))
    assert not result.success


@pytest.mark.parametrize(
    "signature",
    [
        ESCAPED_SIGNATURE.removeprefix("sha256="),  # no prefix
        "sha1=" + ESCAPED_SIGNATURE.removeprefix("sha256="),  # wrong scheme
        "sha256=",
        "sha256=zz",
        "",
    ],
)
def test_malformed_signatures_fail(host: PluginHost, signature: str) -> None:
    assert not verify(host, post(signature=signature)).success


def test_wrong_secret_no_secret_and_rotation(host: PluginHost) -> None:
    assert not verify(host, post(), secrets=["other"]).success
    assert not verify(host, post(), secrets=[]).success
    assert verify(host, post(), secrets=["new_app_secret", APP_SECRET]).success


def test_missing_signature_fails(host: PluginHost) -> None:
    result = verify(host, post(signature=None))
    assert not result.success and result.reason


# -- event description -----------------------------------------------------------------------------


def _status(wamid: str, status: str, ts: str) -> dict[str, Any]:
    return {"id": wamid, "status": status, "timestamp": ts, "recipient_id": "16505551234"}


BATCHED = json.dumps(
    {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550000001",
                                "phone_number_id": "PN1",
                            },
                            "messages": [
                                {
                                    "from": "1",
                                    "id": "wamid.B",
                                    "timestamp": "1749416400",
                                    "type": "text",
                                    "text": {"body": "hi"},
                                },
                                {
                                    "from": "1",
                                    "id": "wamid.A",
                                    "timestamp": "1749416300",
                                    "type": "image",
                                    "image": {"id": "m1", "mime_type": "image/jpeg"},
                                },
                            ],
                        },
                    },
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550000002",
                                "phone_number_id": "PN2",
                            },
                            "statuses": [
                                _status("wamid.OUT1", "delivered", "1749416500"),
                                _status("wamid.OUT1", "read", "1749416600"),
                            ],
                        },
                    },
                ],
            },
            {
                "id": "WABA2",
                "changes": [
                    {
                        "field": "message_template_status_update",
                        "value": {"event": "APPROVED", "message_template_id": 1},
                    },
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550000001",
                                "phone_number_id": "PN1",
                            },
                            "statuses": [_status("wamid.OUT2", "failed", "1749416450")],
                        },
                    },
                ],
            },
        ],
    },
    separators=(",", ":"),
).encode()


def test_describe_batched_notification(host: PluginHost) -> None:
    info = describe(host, BATCHED)
    assert info.type == "messages"
    assert info.fields["fields"] == ["messages", "message_template_status_update"]
    assert info.fields["message_types"] == ["text", "image"]
    assert info.fields["statuses"] == ["delivered", "read", "failed"]
    assert info.fields["phone_number_ids"] == ["PN1", "PN2"]
    assert info.fields["waba_ids"] == ["WABA1", "WABA2"]
    assert info.fields["object"] == "whatsapp_business_account"
    assert info.id == ("wamid.A,wamid.B,wamid.OUT1:delivered,wamid.OUT1:read,wamid.OUT2:failed")
    assert info.time == datetime.fromtimestamp(1749416600, tz=UTC)


def test_message_times_win_over_entry_times(host: PluginHost) -> None:
    data = json.loads(BATCHED)
    data["entry"][1]["time"] = 1849416600  # a later entry time (template update entry)
    info = describe(host, json.dumps(data).encode())
    assert info.time == datetime.fromtimestamp(1749416600, tz=UTC)


def test_batched_id_is_order_independent(host: PluginHost) -> None:
    data = json.loads(BATCHED)
    data["entry"].reverse()
    for entry in data["entry"]:
        entry["changes"].reverse()
    assert describe(host, json.dumps(data).encode()).id == describe(host, BATCHED).id


def test_long_batched_id_is_hashed(host: PluginHost) -> None:
    messages = [
        {"id": f"wamid.{'X' * 40}{i}", "timestamp": "1749416400", "type": "text"} for i in range(10)
    ]
    body = json.dumps(
        {
            "entry": [
                {"id": "W", "changes": [{"field": "messages", "value": {"messages": messages}}]}
            ]
        }
    ).encode()
    info = describe(host, body)
    joined = ",".join(sorted(m["id"] for m in messages))
    assert info.id == "sha256:" + hashlib.sha256(joined.encode()).hexdigest()


def test_describe_single_message_and_status(host: PluginHost) -> None:
    info = describe(host, ESCAPED_BODY)
    assert info.type == "messages" and info.id == "wamid.TEST123"
    assert info.fields["message_types"] == ["text"] and info.fields["statuses"] == []
    assert info.time == datetime.fromtimestamp(1749416383, tz=UTC)
    delivered = describe(host, hookpoint_whatsapp._samples.STATUS_DELIVERED)
    read = describe(host, hookpoint_whatsapp._samples.STATUS_READ)
    wamid = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0Qzk2RkI3OTdGRjc5MDQwMzEA"
    assert delivered.id == f"{wamid}:delivered"
    assert read.id == f"{wamid}:read"
    assert read.fields["statuses"] == ["read"]


def test_describe_template_update_uses_body_hash_and_entry_time(host: PluginHost) -> None:
    body = hookpoint_whatsapp._samples.TEMPLATE_STATUS_UPDATE
    info = describe(host, body)
    assert info.type == "message_template_status_update"
    assert info.id == "sha256:" + hashlib.sha256(body).hexdigest()
    assert info.time == datetime.fromtimestamp(1749417002, tz=UTC)
    assert info.fields["message_types"] == [] and info.fields["waba_ids"] == ["102290129340398"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"nope",
        b"[]",
        b"null",
        b'{"entry":{}}',
        b'{"entry":[{"changes":[{"value":[]}]}]}',
        b"\xff",
    ],
)
def test_describe_never_raises(host: PluginHost, body: bytes) -> None:
    info = describe(host, body)
    assert info is None or info.type is None


def test_event_types() -> None:
    types = hookpoint_whatsapp.EVENT_TYPES
    assert types[0] == "messages" and "message_template_status_update" in types
    assert len(set(types)) == len(types)


# -- models --------------------------------------------------------------------------------------


def test_every_sample_parses() -> None:
    for sample in hookpoint_whatsapp.PROVIDER.samples:
        if sample.challenge:
            continue
        parsed = parse_payload(json.loads(sample.body))
        assert isinstance(parsed, WhatsAppWebhook)
        assert parsed.object == "whatsapp_business_account"
        assert parsed.entry[0].changes[0].field == sample.event_type


def test_text_sample_decodes_escapes() -> None:
    body = hookpoint_whatsapp._samples.TEXT_MESSAGE
    assert b"\\u00fc" in body and b"\\u0040" in body and b"@" not in body
    parsed = parse_payload(json.loads(body))
    (message,) = parsed.messages()
    assert message.type == "text" and message.text is not None
    assert message.text.body is not None and "Grüße" in message.text.body
    assert "juergen@example.de" in message.text.body
    assert message.from_ == "4915112345678"
    profile = parsed.contacts()[0].profile
    assert profile is not None and profile.name == "Jürgen Müller"


def test_status_models() -> None:
    parsed = parse_payload(json.loads(hookpoint_whatsapp._samples.STATUS_DELIVERED))
    (status,) = parsed.statuses()
    assert status.status == "delivered"
    assert status.pricing is not None and status.pricing.billable is True
    assert status.conversation is not None and status.conversation.origin == {"type": "utility"}
    failed = Status.model_validate(
        {
            "id": "wamid.X",
            "status": "failed",
            "timestamp": "1",
            "recipient_id": "2",
            "errors": [
                {
                    "code": 131047,
                    "title": "Re-engagement message",
                    "message": "Re-engagement message",
                    "error_data": {"details": "More than 24 hours have passed"},
                }
            ],
        }
    )
    assert failed.errors[0].code == 131047
    assert failed.errors[0].details == "More than 24 hours have passed"


@pytest.mark.parametrize(
    ("payload", "check"),
    [
        (
            {"type": "image", "image": {"id": "1", "mime_type": "image/jpeg", "caption": "c"}},
            lambda m: m.image.caption == "c",
        ),
        (
            {"type": "audio", "audio": {"id": "1", "mime_type": "audio/ogg", "voice": True}},
            lambda m: m.audio.voice is True,
        ),
        ({"type": "video", "video": {"id": "1"}}, lambda m: m.video.id == "1"),
        (
            {"type": "document", "document": {"id": "1", "filename": "a.pdf"}},
            lambda m: m.document.filename == "a.pdf",
        ),
        (
            {"type": "sticker", "sticker": {"id": "1", "animated": False}},
            lambda m: m.sticker.animated is False,
        ),
        (
            {
                "type": "location",
                "location": {"latitude": 52.5, "longitude": 13.4, "name": "Berlin"},
            },
            lambda m: m.location.latitude == 52.5,
        ),
        (
            {
                "type": "contacts",
                "contacts": [{"name": {"formatted_name": "Ada"}, "phones": [{"phone": "+1"}]}],
            },
            lambda m: m.contacts[0].phones[0]["phone"] == "+1",
        ),
        (
            {
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "yes", "title": "Yes"},
                },
            },
            lambda m: m.interactive.button_reply.id == "yes",
        ),
        (
            {
                "type": "interactive",
                "interactive": {
                    "type": "list_reply",
                    "list_reply": {"id": "r1", "title": "Row", "description": "d"},
                },
            },
            lambda m: m.interactive.list_reply.description == "d",
        ),
        (
            {"type": "button", "button": {"payload": "STOP", "text": "Stop promotions"}},
            lambda m: m.button.payload == "STOP",
        ),
        (
            {"type": "reaction", "reaction": {"message_id": "wamid.Y", "emoji": "\U0001f44d"}},
            lambda m: m.reaction.message_id == "wamid.Y",
        ),
        (
            {
                "type": "order",
                "order": {
                    "catalog_id": "c",
                    "product_items": [
                        {
                            "product_retailer_id": "p",
                            "quantity": 2,
                            "item_price": 9.5,
                            "currency": "EUR",
                        }
                    ],
                },
            },
            lambda m: m.order.product_items[0].quantity == 2,
        ),
        (
            {
                "type": "system",
                "system": {"body": "changed", "type": "user_changed_number", "new_wa_id": "49"},
            },
            lambda m: m.system.new_wa_id == "49",
        ),
        (
            {"type": "unsupported", "errors": [{"code": 131051, "title": "Message type unknown"}]},
            lambda m: m.errors[0].code == 131051,
        ),
        (
            {"type": "text", "text": {"body": "re"}, "context": {"from": "1", "id": "wamid.Z"}},
            lambda m: m.context.from_ == "1",
        ),
    ],
)
def test_message_types(payload: dict[str, Any], check: Any) -> None:
    message = Message.model_validate({"from": "1", "id": "wamid.M", "timestamp": "1", **payload})
    assert check(message)


def test_models_tolerate_unknown_fields() -> None:
    data = json.loads(hookpoint_whatsapp._samples.IMAGE_MESSAGE)
    data["brand_new"] = True
    data["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["url"] = "https://x"
    data["entry"][0]["changes"][0]["value"]["messages"][0]["new_thing"] = {"a": 1}
    data["entry"][0]["changes"][0]["value"]["messages"][0]["type"] = "hologram"
    parsed = parse_payload(data)
    (message,) = parsed.messages()
    assert message.type == "hologram"
    assert message.model_extra == {"new_thing": {"a": 1}}
    assert message.image is not None and message.image.model_extra == {"url": "https://x"}
    assert parsed.model_extra == {"brand_new": True}


def test_template_update_model_keeps_its_keys() -> None:
    parsed = parse_payload(json.loads(hookpoint_whatsapp._samples.TEMPLATE_STATUS_UPDATE))
    entry = parsed.entry[0]
    assert entry.time == 1749417002
    value = entry.changes[0].value
    assert value is not None and value.event == "APPROVED"
    assert value.model_extra is not None
    assert value.model_extra["message_template_name"] == "order_confirmation"


def test_parse_payload_rejects_non_objects() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload("x")


def test_event_model_on_the_request() -> None:
    req = WebhookRequest(
        method="POST",
        url=URL,
        body=ESCAPED_BODY,
        payload_model=hookpoint_whatsapp.PROVIDER.payload_model,
    )
    parsed = req.event_model()
    assert isinstance(parsed, WhatsAppWebhook)
    assert parsed.messages()[0].id == "wamid.TEST123"


# -- installation --------------------------------------------------------------------------------


def test_plugin_is_installed() -> None:
    host = load_plugins()
    assert "whatsapp" in host.providers
    record = host.provider_record("whatsapp")
    assert record.distribution == "hookpoint-whatsapp"
    assert record.module == "hookpoint_whatsapp"
    assert record.entry_point == "whatsapp = hookpoint_whatsapp:PLUGIN"
    assert host.provider_plugin("whatsapp") is hookpoint_whatsapp.PLUGIN
    assert record.hooks == [
        "hookpoint_challenge_response",
        "hookpoint_describe_event",
        "hookpoint_register_providers",
        "hookpoint_sign_request",
        "hookpoint_verify_request",
    ]
    assert record.error is None
