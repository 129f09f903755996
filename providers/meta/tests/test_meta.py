"""Meta provider: the documented signature and handshake, event types across objects and
messaging kinds, dedupe ids and times, the models, and a whole app.

Meta ships no official Python library for its webhooks, so the known answers are computed with
Python's ``hmac`` from Meta's documented algorithm ("Webhooks - Getting Started",
https://developers.facebook.com/docs/graph-api/webhooks/getting-started) over Meta's published
example payloads (the package's samples).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import hookpoint_meta
from hookpoint import Hookpoint, ProviderConfigError, WebhookRequest
from hookpoint.providerkit import MetaSettings
from hookpoint.testing import (
    PluginHost,
    app_client,
    challenge_request,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_meta import (
    FeedChange,
    InstagramComment,
    MetaWebhook,
    MetaWebhookSettings,
    messaging_field,
    parse_payload,
)
from hookpoint_meta._samples import (
    INSTAGRAM_COMMENT,
    INSTAGRAM_MESSAGE,
    MESSENGER_ECHO,
    MESSENGER_TEXT,
    PAGE_FEED_COMMENT,
    USER_PHOTOS,
)

URL = "https://hooks.example.com/webhooks/meta"
APP_SECRET = "test_app_secret"
VERIFY_TOKEN = "meatyhamhock"  # Meta's documented sample token


def documented_signature(body: bytes, secret: str = APP_SECRET) -> str:
    """Meta's algorithm: ``sha256=`` + hex HMAC-SHA256 of the payload keyed with the App Secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_meta.PLUGIN)


def post(body: bytes, signature: str | None = "documented", **extra: str) -> WebhookRequest:
    headers = {"Content-Type": "application/json", **extra}
    if signature is not None:
        headers["X-Hub-Signature-256"] = (
            documented_signature(body) if signature == "documented" else signature
        )
    return WebhookRequest(method="POST", url=URL, headers=headers, body=body)


def verify(host: PluginHost, request: WebhookRequest, secrets: list[str] | None = None) -> Any:
    return verify_request(host, "meta", request, [APP_SECRET] if secrets is None else secrets)


def describe(host: PluginHost, data: dict[str, Any] | bytes) -> Any:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return describe_request(host, "meta", post(body))


# -- verification ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [MESSENGER_TEXT, MESSENGER_ECHO, INSTAGRAM_COMMENT, PAGE_FEED_COMMENT, USER_PHOTOS]
)
def test_published_examples_signed_with_the_documented_algorithm_verify(
    host: PluginHost, body: bytes
) -> None:
    result = verify(host, post(body))
    assert result.success and not result.unsigned


def test_sign_hook_writes_the_documented_signature(host: PluginHost) -> None:
    signed = sign_request(host, "meta", post(MESSENGER_TEXT, signature=None), APP_SECRET)
    assert signed is not None and signed.body == MESSENGER_TEXT
    assert signed.headers.getlist("X-Hub-Signature-256") == [documented_signature(MESSENGER_TEXT)]


def test_escaped_bytes_are_signed_as_sent(host: PluginHost) -> None:
    assert b"\\u00fc" in MESSENGER_ECHO
    reserialized = json.dumps(json.loads(MESSENGER_ECHO), ensure_ascii=False).encode()
    assert not verify(host, post(reserialized, documented_signature(MESSENGER_ECHO))).success
    assert verify(host, post(reserialized)).success  # only the bytes that were signed


@pytest.mark.parametrize(
    "headers",
    [
        {"signature": None},
        {"signature": documented_signature(MESSENGER_TEXT, "another_app")},
        {"signature": documented_signature(MESSENGER_TEXT).removeprefix("sha256=")},
        {"signature": "sha256=00"},
        {
            "signature": None,
            "X-Hub-Signature": "sha1="
            + hmac.new(APP_SECRET.encode(), MESSENGER_TEXT, hashlib.sha1).hexdigest(),
        },
    ],
    ids=["missing", "other-secret", "no-prefix", "malformed", "legacy-sha1-only"],
)
def test_bad_signatures_are_refused_with_a_reason(
    host: PluginHost, headers: dict[str, Any]
) -> None:
    result = verify(host, post(MESSENGER_TEXT, **headers))
    assert not result.success and result.reason


def test_every_app_secret_is_tried(host: PluginHost) -> None:
    assert verify(host, post(MESSENGER_TEXT), ["new_secret", APP_SECRET]).success
    assert not verify(host, post(MESSENGER_TEXT), ["new_secret"]).success
    assert not verify(host, post(MESSENGER_TEXT), []).success


# -- handshake and settings ------------------------------------------------------------------------


def handshake(host: PluginHost, query: str, **settings: Any) -> Any:
    request = WebhookRequest(method="GET", url=f"{URL}?{query}")
    return challenge_request(host, "meta", request, [APP_SECRET], settings=settings)


def test_the_documented_verification_request_is_answered(host: PluginHost) -> None:
    query = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock"
    reply = handshake(host, query, verify_token=VERIFY_TOKEN)
    assert (reply.status, reply.body, reply.skip_triggering_runs) == (200, b"1158201444", True)
    assert handshake(host, query, verify_token="another").status == 403
    assert handshake(host, query).status == 403  # no verify token configured
    assert handshake(host, "foo=bar", verify_token=VERIFY_TOKEN) is None


def test_settings_are_metas_with_a_secret_token(host: PluginHost) -> None:
    settings = host.settings_for("meta", {"verify_token": VERIFY_TOKEN})
    assert isinstance(settings, MetaWebhookSettings) and isinstance(settings, MetaSettings)
    assert VERIFY_TOKEN not in repr(settings)
    with pytest.raises(ProviderConfigError, match="app_secret"):
        host.settings_for("meta", {"app_secret": "x"})


# -- event types -----------------------------------------------------------------------------------


def messaging(meta_object: str, *items: dict[str, Any], time: int = 1458692752478) -> Any:
    entry = {"id": "682498302938465", "time": time, "messaging": list(items)}
    return {"object": meta_object, "entry": [entry]}


def item(**content: Any) -> dict[str, Any]:
    return {"sender": {"id": "1254459154682919"}, "recipient": {"id": "682498302938465"},
            "timestamp": 1458692752478, **content}  # fmt: skip


@pytest.mark.parametrize(
    ("meta_object", "content", "expected"),
    [
        ("page", {"message": {"mid": "m1", "text": "hi"}}, "page.messages"),
        ("page", {"message": {"mid": "m1", "is_echo": True}}, "page.message_echoes"),
        ("instagram", {"message": {"mid": "m1", "is_echo": True}}, "instagram.messages"),
        ("page", {"postback": {"payload": "GET_STARTED"}}, "page.messaging_postbacks"),
        ("page", {"delivery": {"mids": ["m1"], "watermark": 1}}, "page.message_deliveries"),
        ("page", {"read": {"watermark": 1}}, "page.message_reads"),
        ("instagram", {"read": {"mid": "m1"}}, "instagram.messaging_seen"),
        ("page", {"reaction": {"mid": "m1", "action": "react"}}, "page.message_reactions"),
        ("page", {"referral": {"ref": "ad"}}, "page.messaging_referrals"),
        ("instagram", {"referral": {"ref": "ad"}}, "instagram.messaging_referral"),
        ("page", {"optin": {"type": "notification_messages"}}, "page.messaging_optins"),
        ("page", {"message_edit": {"mid": "m1", "num_edit": 1}}, "page.message_edits"),
        ("page", {"pass_thread_control": {"new_owner_app_id": "1"}}, "page.messaging_handovers"),
        ("page", {"account_linking": {"status": "linked"}}, "page.messaging_account_linking"),
        ("page", {"something_new": {"x": 1}}, "page.messaging"),
    ],
)
def test_messaging_items_are_typed_by_the_field_that_delivers_them(
    host: PluginHost, meta_object: str, content: dict[str, Any], expected: str
) -> None:
    info = describe(host, messaging(meta_object, item(**content)))
    assert info.type == expected
    assert info.fields["object"] == meta_object
    assert info.fields["fields"] == [expected.split(".", 1)[1]]
    assert messaging_field(item(**content), meta_object) == info.fields["fields"][0]


def test_standby_items_are_standby(host: PluginHost) -> None:
    data = {"object": "page", "entry": [{"id": "1", "time": 1, "standby": [item(message={})]}]}
    assert describe(host, data).type == "page.standby"


@pytest.mark.parametrize(
    ("body", "expected", "fields"),
    [
        (INSTAGRAM_COMMENT, "instagram.comments", {"items": [], "verbs": []}),
        (PAGE_FEED_COMMENT, "page.feed", {"items": ["comment"], "verbs": ["add"]}),
        (USER_PHOTOS, "user.photos", {"items": [], "verbs": ["update"]}),
    ],
)
def test_changes_are_typed_object_dot_field(
    host: PluginHost, body: bytes, expected: str, fields: dict[str, list[str]]
) -> None:
    info = describe(host, body)
    assert info.type == expected
    assert {key: info.fields[key] for key in fields} == fields


def test_a_batch_is_typed_by_its_first_item_and_lists_every_field(host: PluginHost) -> None:
    data = {
        "object": "page",
        "entry": [
            {"id": "1", "time": 1458692752478, "messaging": [item(read={"watermark": 1})]},
            {"id": "2", "time": 1458692752999, "messaging": [item(message={"mid": "m2"})]},
            {"id": "2", "time": 1717062345, "changes": [{"field": "feed", "value": {}}]},
        ],
    }
    info = describe(host, data)
    assert info.type == "page.message_reads"
    assert info.fields["fields"] == ["message_reads", "messages", "feed"]
    assert info.fields["entry_ids"] == ["1", "2"]
    assert info.fields["sender_ids"] == ["1254459154682919"]


def test_echo_flag_and_sender_ids(host: PluginHost) -> None:
    echo = describe(host, MESSENGER_ECHO)
    assert echo.fields["echo"] is True and echo.fields["sender_ids"] == ["682498302938465"]
    assert describe(host, MESSENGER_TEXT).fields["echo"] is False
    assert describe(host, INSTAGRAM_COMMENT).fields["sender_ids"] == ["1914016008693418"]


# -- dedupe id and time ----------------------------------------------------------------------------


def test_one_message_is_identified_by_its_mid_in_any_envelope(host: PluginHost) -> None:
    first = describe(host, messaging("page", item(message={"mid": "mid.1:a", "text": "x"})))
    retried = describe(
        host, messaging("page", item(message={"mid": "mid.1:a", "text": "x"}), time=1458692799999)
    )
    assert first.id == retried.id == "mid.1:a"
    assert describe(host, INSTAGRAM_MESSAGE).id.startswith("aWdfZAG1faXRlbT")


def test_anything_else_is_identified_by_its_bytes(host: PluginHost) -> None:
    read = messaging("page", item(read={"watermark": 1}))
    body = json.dumps(read).encode()
    info = describe(host, body)
    assert info.id == "sha256:" + hashlib.sha256(body).hexdigest()
    assert describe(host, body).id == info.id
    later = messaging("page", item(read={"watermark": 2}))
    assert describe(host, later).id != info.id
    two = messaging("page", item(message={"mid": "a"}), item(message={"mid": "b"}))
    assert describe(host, two).id.startswith("sha256:")  # a batch: its bytes
    mixed = messaging("page", item(message={"mid": "a"}), item(read={"watermark": 1}))
    assert describe(host, mixed).id.startswith("sha256:")


def test_time_is_the_latest_entry_time_in_ms_or_seconds(host: PluginHost) -> None:
    assert describe(host, MESSENGER_TEXT).time == datetime(2016, 3, 23, 0, 25, 52, 478000, UTC)
    assert describe(host, USER_PHOTOS).time == datetime.fromtimestamp(1520383571, UTC)
    data = {
        "object": "page",
        "entry": [
            {"id": "1", "time": 1717062345, "changes": []},
            {"id": "1", "time": 1717062400000, "changes": []},
        ],
    }
    assert describe(host, data).time == datetime.fromtimestamp(1717062400, UTC)


def test_time_falls_back_to_the_messaging_timestamp(host: PluginHost) -> None:
    data = {"object": "page", "entry": [{"id": "1", "messaging": [item(message={"mid": "m"})]}]}
    assert describe(host, data).time == datetime(2016, 3, 23, 0, 25, 52, 478000, UTC)


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'"page"',
        b'{"object": 7, "entry": {"id": 1}}',
        b'{"object": "page", "entry": [1, null, {"time": true, "messaging": {"a": 1}}]}',
        b'{"object": "page", "entry": [{"time": -5, "changes": [{"field": 3, "value": []}]}]}',
        b'{"object": "page", "entry": [{"time": 1e400, "messaging": [{"message": []}]}]}',
        b'{"object": "page", "entry": [{"time": 99999999999999999999, "standby": [null]}]}',
        b'{"entry": [{"messaging": [{"sender": "x", "message": {"mid": 5}}]}]}',
    ],
)
def test_describe_never_raises_on_odd_shapes(host: PluginHost, body: bytes) -> None:
    info = describe(host, body)
    assert info is None or (info.id is not None and info.time is None)


# -- models ----------------------------------------------------------------------------------------


def test_messenger_models() -> None:
    webhook = parse_payload(json.loads(MESSENGER_TEXT))
    assert isinstance(webhook, MetaWebhook) and webhook.object == "page"
    (entry, event), *_ = webhook.iter_messaging()
    assert entry.id == "682498302938465" and entry.time == 1458692752478
    assert event.sender is not None and event.sender.id == "1254459154682919"
    assert event.message is not None and event.message.text == "hello, world!"
    assert event.message.quick_reply is not None
    assert event.message.quick_reply.payload == "DEVELOPER_DEFINED_PAYLOAD"
    echo = parse_payload(json.loads(MESSENGER_ECHO))
    assert isinstance(echo, MetaWebhook)
    assert [(m.is_echo, m.text) for m in echo.messages()] == [(True, "Grüße aus München")]


def test_instagram_comment_model() -> None:
    webhook = parse_payload(json.loads(INSTAGRAM_COMMENT))
    assert isinstance(webhook, MetaWebhook)
    (comment,) = webhook.instagram_comments()
    assert isinstance(comment, InstagramComment)
    assert comment.from_ is not None and comment.from_.username == "sunny.travels"
    assert comment.media is not None and comment.media.media_product_type == "FEED"
    assert comment.text == "Love this \u2764\ufe0f @bakery"
    assert webhook.feed_changes() == []


def test_page_feed_model() -> None:
    webhook = parse_payload(json.loads(PAGE_FEED_COMMENT))
    assert isinstance(webhook, MetaWebhook)
    (change,) = webhook.feed_changes()
    assert isinstance(change, FeedChange)
    assert (change.item, change.verb, change.created_time) == ("comment", "add", 1717062345)
    assert change.from_ is not None and change.from_.name == "Jane Doe"
    assert webhook.instagram_comments() == []


def test_models_keep_unknown_keys_and_read_numeric_ids_as_text() -> None:
    data = messaging("page", item(message={"mid": "m", "brand_new": 1}))
    data["entry"][0]["messaging"][0]["sender"] = {"id": 1254459154682919}
    webhook = parse_payload(data)
    assert isinstance(webhook, MetaWebhook)
    (message,) = webhook.messages()
    assert message.model_extra == {"brand_new": 1}
    sender = next(webhook.iter_messaging())[1].sender
    assert sender is not None and sender.id == "1254459154682919"


def test_parse_payload_rejects_non_objects() -> None:
    with pytest.raises(ValueError):
        parse_payload([])


# -- a whole app -----------------------------------------------------------------------------------


@pytest.fixture
async def client(hookpoint_database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, list[Any]]]:
    hp = Hookpoint(id="meta-test")
    seen: list[Any] = []
    endpoint = hp.define_http_endpoint(
        id="meta",
        source="facebook.com",
        provider="meta",
        secrets=[APP_SECRET],
        settings={"verify_token": VERIFY_TOKEN},
    )

    @hp.job(
        id="inbox",
        name="Inbox",
        version="1.0.0",
        trigger=endpoint.on_request(
            filter={"event": {"type": ["page.messages", "instagram.messages"], "echo": [False]}}
        ),
    )
    async def inbox(request: WebhookRequest, io: Any, ctx: Any) -> None:
        seen.append([m.text for m in request.event_model().messages()])

    async with app_client(hp, database_url=hookpoint_database_url) as http:
        yield http, seen


async def test_an_app_answers_the_handshake_and_runs_messages_only(
    client: tuple[httpx.AsyncClient, list[Any]],
) -> None:
    http, _ = client
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
    reply = await http.get("/webhooks/meta", params=query)
    assert (reply.status_code, reply.text) == (200, "42")
    wrong = await http.get("/webhooks/meta", params={**query, "hub.verify_token": "nope"})
    assert wrong.status_code == 403

    async def send(body: bytes, signature: str | None = None) -> httpx.Response:
        headers = {"X-Hub-Signature-256": signature or documented_signature(body)}
        return await http.post("/webhooks/meta", content=body, headers=headers)

    first = await send(MESSENGER_TEXT)
    assert first.status_code == 200 and first.json()["runs"] == 1
    again = await send(MESSENGER_TEXT)
    assert again.json()["duplicate"] is True
    assert (await send(MESSENGER_ECHO)).json()["runs"] == 0  # an echo is filtered out
    assert (await send(INSTAGRAM_MESSAGE)).json()["runs"] == 1
    assert (await send(PAGE_FEED_COMMENT)).json()["runs"] == 0
    forged = await send(INSTAGRAM_COMMENT, documented_signature(INSTAGRAM_COMMENT, "x"))
    assert forged.status_code == 401
