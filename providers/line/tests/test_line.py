"""LINE provider: the SDK's published vector, line-bot-sdk both ways, the console's URL check
(directly and through a running host), the description and the models."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhook import SignatureValidator
from linebot.v3.webhooks import MessageEvent, PostbackEvent, TextMessageContent

import hookpoint_line
from hookpoint import EventFilter, Hookpoint, WebhookRequest
from hookpoint.testing import (
    PluginHost,
    app_client,
    challenge_request,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_hmac_base64,
    sign_request,
    sign_sample,
    verify_request,
)
from hookpoint_line import LineWebhook, parse_payload
from hookpoint_line._samples import CHANNEL_SECRET, VERIFY_BODY

# line-bot-sdk's own test vector (tests/v3/test_webhook.py, TestSignatureValidator).
SDK_SECRET = "channel_secret"
SDK_BODY = b"bodybodybodybody"
SDK_SIGNATURE = "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k="
URL = "https://hooks.example.com/webhooks/line"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_line.PLUGIN)


def delivery(body: bytes, signature: str | None) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["x-line-signature"] = signature
    return WebhookRequest(url=URL, headers=headers, body=body)


def verify(host: PluginHost, request: WebhookRequest, *secrets: str) -> Any:
    return verify_request(host, "line", request, secrets or (SDK_SECRET,))


# -- signature ---------------------------------------------------------------------------------


def test_the_sdks_vector(host: PluginHost) -> None:
    assert SignatureValidator(SDK_SECRET).validate(SDK_BODY.decode(), SDK_SIGNATURE)
    assert verify(host, delivery(SDK_BODY, SDK_SIGNATURE)).success
    assert verify(host, delivery(SDK_BODY, SDK_SIGNATURE), "old", SDK_SECRET).success
    assert sign_hmac_base64(SDK_SECRET, SDK_BODY) == SDK_SIGNATURE


@pytest.mark.parametrize(
    ("body", "signature", "reason"),
    [
        (SDK_BODY, None, "missing signature header"),
        (SDK_BODY, "invalid_signature", "malformed signature"),
        (SDK_BODY + b"!", SDK_SIGNATURE, "signature mismatch"),
        (SDK_BODY, bytes.fromhex("00" * 32).hex(), "malformed signature"),
    ],
)
def test_failures(host: PluginHost, body: bytes, signature: str | None, reason: str) -> None:
    result = verify(host, delivery(body, signature))
    assert (result.success, result.reason) == (False, reason)
    assert verify(host, delivery(SDK_BODY, SDK_SIGNATURE), "other").reason == "signature mismatch"


@pytest.mark.parametrize("name", ["text_message", "group_postback_redelivered"])
def test_provider_signature_parses_with_the_sdk(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, "line", name)
    signature = signed.headers["x-line-signature"]
    payload = WebhookParser(CHANNEL_SECRET).parse(signed.body.decode(), signature, as_payload=True)
    ours = parse_payload(json.loads(signed.body))
    assert payload.destination == ours.destination
    assert [(e.type, e.webhook_event_id, e.timestamp) for e in payload.events] == [
        (e.type, e.webhook_event_id, e.timestamp) for e in ours.events
    ]
    assert [e.delivery_context.is_redelivery for e in payload.events] == [
        e.is_redelivery for e in ours.events
    ]
    with pytest.raises(InvalidSignatureError):
        WebhookParser("another-secret").parse(signed.body.decode(), signature)


def test_sdk_models_and_ours_read_the_same_message(host: PluginHost) -> None:
    body = get_sample(host, "line", "text_message").body
    signature = sign_hmac_base64(CHANNEL_SECRET, body)
    (event,) = WebhookParser(CHANNEL_SECRET).parse(body.decode(), signature)
    assert isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent)
    (ours,) = parse_payload(json.loads(body)).messages("text")
    assert ours.message is not None and ours.source is not None
    assert (event.message.text, event.message.quote_token, event.reply_token) == (
        ours.message.text,
        ours.message.quote_token,
        ours.reply_token,
    )
    assert event.source.user_id == ours.source.user_id
    assert verify(host, delivery(body, signature), CHANNEL_SECRET).success


def test_sdk_reads_the_postback_sample(host: PluginHost) -> None:
    body = get_sample(host, "line", "group_postback_redelivered").body
    events = WebhookParser(CHANNEL_SECRET).parse(
        body.decode(), sign_hmac_base64(CHANNEL_SECRET, body)
    )
    assert isinstance(events[0], PostbackEvent)
    assert events[0].postback.data == "action=buy&itemid=111"


# -- the console's URL check -------------------------------------------------------------------


def test_a_signed_verify_request_gets_an_empty_200(host: PluginHost) -> None:
    signed = sign_request(host, "line", delivery(VERIFY_BODY, None), CHANNEL_SECRET)
    assert SignatureValidator(CHANNEL_SECRET).validate(
        VERIFY_BODY.decode(), signed.headers["x-line-signature"]
    )
    reply = challenge_request(host, "line", signed, ["rotated", CHANNEL_SECRET])
    assert reply is not None
    assert (reply.status, reply.body, reply.skip_triggering_runs) == (200, b"", True)


def test_a_forged_verify_request_is_refused(host: PluginHost) -> None:
    signed = sign_request(host, "line", delivery(VERIFY_BODY, None), "wrong-secret")
    reply = challenge_request(host, "line", signed, [CHANNEL_SECRET])
    assert reply is not None and reply.status == 401
    assert json.loads(reply.body) == {"error": "unauthorized", "message": "signature mismatch"}
    unsigned = challenge_request(host, "line", delivery(VERIFY_BODY, None), [CHANNEL_SECRET])
    assert unsigned is not None and unsigned.status == 401


@pytest.mark.parametrize(
    "body",
    [b'{"destination":"U1","events":[{"type":"follow"}]}', b'{"events":{}}', b"[]", b"{}"],
)
def test_only_an_empty_events_array_is_the_url_check(host: PluginHost, body: bytes) -> None:
    assert challenge_request(host, "line", delivery(body, None), [CHANNEL_SECRET]) is None


# -- description -------------------------------------------------------------------------------


def test_describe_a_text_message(host: PluginHost) -> None:
    info = describe_request(host, "line", sign_sample(host, "line", "text_message"))
    assert info is not None
    assert (info.type, info.id) == ("message", "01FZ74A0TDDPYRVKNK77XKC3ZR")
    assert info.time == datetime.fromtimestamp(1692251666.727, tz=UTC)
    assert info.fields["message_types"] == ["text"]
    assert info.fields["source_types"] == ["user"]
    assert info.fields["destination"] == "Uf5e2a0d1c9b84e7f8a6b3c2d1e0f9a8b7"
    assert info.fields["redelivery"] is False


def test_describe_a_redelivered_group_batch(host: PluginHost) -> None:
    info = describe_request(host, "line", sign_sample(host, "line", "group_postback_redelivered"))
    assert info is not None
    assert info.type == "postback"
    assert info.id == "01H81AX7JSJ1A5Z2C8TFV1GKT0,01H81AX9QY2RWN3V6ZB4E2D5KC"
    assert info.fields["types"] == ["postback", "message"]
    assert info.fields["group_ids"] == ["Ca56f94637cc4347f90a25382909b24b9"]
    assert info.fields["message_types"] == ["image"]
    assert info.fields["redelivery"] is True
    assert info.time == datetime.fromtimestamp(1692251610, tz=UTC)


def test_a_redelivery_has_the_dedupe_id_of_the_first_delivery(host: PluginHost) -> None:
    data = json.loads(get_sample(host, "line", "text_message").body)
    first = describe_request(host, "line", delivery(json.dumps(data).encode(), None))
    data["events"][0]["deliveryContext"]["isRedelivery"] = True
    again = describe_request(host, "line", delivery(json.dumps(data).encode(), None))
    assert first is not None and again is not None
    assert again.id == first.id and again.fields["redelivery"] is True


# -- models ------------------------------------------------------------------------------------


def test_models(host: PluginHost) -> None:
    hook = parse_payload(json.loads(get_sample(host, "line", "group_postback_redelivered").body))
    assert isinstance(hook, LineWebhook)
    postback, image = hook.events
    assert postback.is_redelivery and not image.is_redelivery
    assert postback.postback is not None and postback.postback.data == "action=buy&itemid=111"
    assert postback.source is not None and postback.source.group_id.startswith("Ca56")
    assert [e.webhook_event_id for e in hook.messages("image")] == ["01H81AX9QY2RWN3V6ZB4E2D5KC"]
    assert hook.messages("text") == []
    empty = parse_payload(json.loads(VERIFY_BODY))
    assert empty.events == [] and empty.destination is not None
    odd = parse_payload({"events": [{"type": "newKind", "brandNew": {"a": 1}}]})
    assert odd.events[0].model_extra == {"brandNew": {"a": 1}}
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload("x")


# -- through a running host --------------------------------------------------------------------


@pytest.fixture
async def http(hookpoint_database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    hp = Hookpoint(id="line-test")
    hp.define_http_endpoint(id="line", source="line.me", provider="line", secrets=[CHANNEL_SECRET])
    async with app_client(hp, database_url=hookpoint_database_url, lease_seconds=5) as client:
        yield client


async def test_the_console_verify_button_through_a_running_host(http: httpx.AsyncClient) -> None:
    good = {"x-line-signature": sign_hmac_base64(CHANNEL_SECRET, VERIFY_BODY)}
    reply = await http.post("/webhooks/line", content=VERIFY_BODY, headers=good)
    assert (reply.status_code, reply.content) == (200, b"")
    bad = {"x-line-signature": sign_hmac_base64("wrong", VERIFY_BODY)}
    refused = await http.post("/webhooks/line", content=VERIFY_BODY, headers=bad)
    assert refused.status_code == 401


async def test_a_message_is_accepted_once(http: httpx.AsyncClient, host: PluginHost) -> None:
    body = get_sample(host, "line", "text_message").body
    headers = {"x-line-signature": sign_hmac_base64(CHANNEL_SECRET, body)}
    first = await http.post("/webhooks/line", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["duplicate"] is False
    again = await http.post("/webhooks/line", content=body, headers=headers)
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("line")
    assert (record.distribution, record.module) == ("hookpoint-line", "hookpoint_line")
    assert "hookpoint_challenge_response" in record.hooks


def test_the_readme_filter_picks_text_messages(host: PluginHost) -> None:
    wanted = EventFilter({"message_types": [{"$includes": "text"}]})
    text = describe_request(host, "line", sign_sample(host, "line", "text_message"))
    image = describe_request(host, "line", sign_sample(host, "line", "group_postback_redelivered"))
    assert text is not None and image is not None
    assert wanted.matches(text.filter_view()) and not wanted.matches(image.filter_view())
