"""Telegram provider: the secret token (required, exactly once, compared in constant time),
the samples and models proven against python-telegram-bot's ``Update.de_json``, and the event
description checked against what the SDK reads from the same update."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
import telegram

import hookpoint_telegram as tg
from hookpoint import WebhookRequest, signing
from hookpoint.testing import (
    PluginHost,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_sample,
    verify_request,
)

URL = "https://hooks.example.com/webhooks/telegram"
TOKEN = tg.SECRET_TOKEN
NAMES = [sample.name for sample in tg.SAMPLES]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(tg.PLUGIN)


def delivery(body: bytes, *tokens: str) -> WebhookRequest:
    headers = [("Content-Type", "application/json")]
    headers += [(tg.TOKEN_HEADER, token) for token in tokens]
    return WebhookRequest(url=URL, headers=headers, body=body)


def verify(host: PluginHost, req: WebhookRequest, secrets: Sequence[str] = (TOKEN,)) -> Any:
    return verify_request(host, "telegram", req, list(secrets))


def sample_body(name: str) -> bytes:
    return next(sample.body for sample in tg.SAMPLES if sample.name == name)


# -- the secret token ----------------------------------------------------------------------------


def test_the_token_is_required(host: PluginHost) -> None:
    body = sample_body("message.start")
    assert verify(host, delivery(body, TOKEN)).success
    assert verify(host, delivery(body)).reason == "missing signature header"
    assert verify(host, delivery(body, "")).reason == "token mismatch"
    assert verify(host, delivery(body, TOKEN), secrets=[]).reason == "no secret configured"
    assert verify(host, delivery(body, ""), secrets=[""]).reason == "no secret configured"


@pytest.mark.parametrize(
    "body", [b"", b"{}", b"[]", b'{"update_id":"10000"}', b'{"update_id":true}', b"\xff"]
)
def test_a_body_that_is_not_an_update_is_refused(host: PluginHost, body: bytes) -> None:
    """The token does not cover the body: the body must at least be an Update."""
    assert verify(host, delivery(body, TOKEN)).reason == "not a Telegram update"


@pytest.mark.parametrize(
    "token", [TOKEN[:-1], TOKEN + "x", TOKEN.upper(), "x" + TOKEN[1:], TOKEN[:-1] + "2", "a"]
)
def test_other_tokens_are_refused_without_echoing_the_secret(host: PluginHost, token: str) -> None:
    result = verify(host, delivery(sample_body("message.start"), token))
    assert not result.success and result.reason == "token mismatch"
    assert TOKEN not in result.reason


def test_a_repeated_header_is_refused(host: PluginHost) -> None:
    twice = delivery(sample_body("message.start"), TOKEN, TOKEN)
    assert verify(host, twice).reason == "malformed signature"


def test_token_change_accepts_either(host: PluginHost) -> None:
    body = sample_body("message.start")
    assert verify(host, delivery(body, "new-token"), secrets=["new-token", TOKEN]).success
    assert verify(host, delivery(body, TOKEN), secrets=["new-token", TOKEN]).success


def test_the_token_is_compared_in_constant_time(
    host: PluginHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every configured token is compared with signing.constant_time_equals (which is
    hmac.compare_digest), all of them, also after a match: the time a refusal takes does not
    depend on how much of a guess was right."""
    seen: list[tuple[str, str]] = []
    real = signing.constant_time_equals

    def recording(a: str | bytes, b: str | bytes) -> bool:
        seen.append((str(a), str(b)))
        return real(a, b)

    monkeypatch.setattr(signing, "constant_time_equals", recording)
    secrets = [TOKEN, "other-token"]
    assert verify(host, delivery(sample_body("message.start"), TOKEN), secrets).success
    assert seen == [(TOKEN, TOKEN), (TOKEN, "other-token")]
    seen.clear()
    assert not verify(host, delivery(sample_body("message.start"), "guess"), secrets).success
    assert seen == [("guess", TOKEN), ("guess", "other-token")]


def test_the_token_does_not_cover_the_body(host: PluginHost) -> None:
    """Documented limitation: Telegram signs nothing, so any Update with the right token passes
    (the conformance kit's changed-body check is replaced by this statement)."""
    changed = sample_body("message.start").replace(b"/start", b"/stop!")
    assert verify(host, delivery(changed, TOKEN)).success


def test_sign_sets_the_token_header_as_telegram_does(host: PluginHost) -> None:
    signed = sign_sample(host, "telegram", "message.start")
    assert signed.headers.getlist(tg.TOKEN_HEADER) == [TOKEN]
    assert signed.body == sample_body("message.start")


# -- the samples and models against python-telegram-bot -----------------------------------------


def known_to_the_sdk(obj: telegram.TelegramObject, data: dict[str, Any], path: str) -> None:
    """Every key of ``data`` is a field python-telegram-bot knows (PTB keeps unknown ones in
    ``api_kwargs``), recursively; ``from`` is PTB's ``from_user``."""
    assert not obj.api_kwargs, f"{path}: not Bot API fields: {sorted(obj.api_kwargs)}"
    for key, value in data.items():
        attr = getattr(obj, "from_user" if key == "from" else key)
        pairs: list[tuple[Any, Any]] = [(attr, value)]
        while pairs:
            sdk, raw = pairs.pop()
            if isinstance(raw, dict):
                assert isinstance(sdk, telegram.TelegramObject), f"{path}.{key} is not an object"
                known_to_the_sdk(sdk, raw, f"{path}.{key}")
            elif isinstance(raw, list):
                assert len(sdk) == len(raw), f"{path}.{key}"
                pairs.extend(zip(sdk, raw, strict=True))


@pytest.mark.parametrize("name", NAMES)
def test_samples_are_real_updates(name: str) -> None:
    data = json.loads(sample_body(name))
    update = telegram.Update.de_json(data)  # raises on a missing required field
    known_to_the_sdk(update, data, "update")
    kinds = [kind for kind in telegram.Update.ALL_TYPES if getattr(update, kind) is not None]
    sample = next(s for s in tg.SAMPLES if s.name == name)
    assert kinds == [sample.event_type]


def test_the_sdk_refuses_a_shape_that_is_not_an_update() -> None:
    """The check above can fail: PTB refuses an update whose chat has no type."""
    data = json.loads(sample_body("message.start"))
    del data["message"]["chat"]["type"]
    with pytest.raises(TypeError):
        telegram.Update.de_json(data)


def test_event_types_are_the_sdks_update_types() -> None:
    assert sorted(tg.EVENT_TYPES) == sorted(str(kind) for kind in telegram.Update.ALL_TYPES)


@pytest.mark.parametrize("name", NAMES)
def test_description_agrees_with_the_sdk(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, "telegram", name)
    info = describe_request(host, "telegram", signed)
    update = telegram.Update.de_json(json.loads(signed.body))
    assert info is not None
    assert info.id == str(update.update_id)
    assert info.type == next(k for k in telegram.Update.ALL_TYPES if getattr(update, k))
    assert info.fields["user_id"] == update.effective_user.id  # type: ignore[union-attr]
    assert info.fields["chat_id"] == update.effective_chat.id  # type: ignore[union-attr]
    message = update.effective_message
    if name == "my_chat_member":
        assert info.time == update.my_chat_member.date  # type: ignore[union-attr]
    elif name == "callback_query":
        assert info.time is None  # a button press has no date of its own
    else:
        assert message is not None
        assert info.time == (message.edit_date or message.date)


def test_describe_fields(host: PluginHost) -> None:
    start = describe_request(host, "telegram", sign_sample(host, "telegram", "message.start"))
    assert start is not None
    assert (start.type, start.id) == ("message", "10000")
    assert start.time == datetime(2015, 9, 7, 17, 5, 32, tzinfo=UTC)
    assert start.fields == {
        "chat_id": 1111111,
        "chat_type": "private",
        "user_id": 1111111,
        "command": "/start",
    }
    group = delivery(
        b'{"update_id":7,"message":{"message_id":1,"date":1,"chat":{"id":-5,"type":"group"},'
        b'"text":"/help@ExampleBot me"}}',
        TOKEN,
    )
    info = describe_request(host, "telegram", group)
    assert info is not None and info.fields["command"] == "/help"
    assert info.fields["chat_type"] == "group"
    future = describe_request(host, "telegram", delivery(b'{"update_id":8,"new_kind":{}}', TOKEN))
    assert future is not None and (future.type, future.id) == ("new_kind", "8")


@pytest.mark.parametrize("name", NAMES)
def test_models_agree_with_the_sdk(host: PluginHost, name: str) -> None:
    data = json.loads(get_sample(host, "telegram", name).body)
    ours = tg.parse_payload(data)
    sdk = telegram.Update.de_json(data)
    assert isinstance(ours, tg.TelegramUpdate)
    assert ours.update_id == sdk.update_id
    assert ours.kind == next(k for k in telegram.Update.ALL_TYPES if getattr(sdk, k))
    mine, theirs = ours.effective_message, sdk.effective_message
    if theirs is None:
        assert mine is None
        return
    assert mine is not None and mine.chat is not None
    assert (mine.message_id, mine.date, mine.text) == (theirs.message_id, theirs.date, theirs.text)
    assert mine.chat.id == theirs.chat.id and mine.chat.type == theirs.chat.type
    assert (mine.from_.id if mine.from_ else None) == (
        theirs.from_user.id if theirs.from_user else None
    )


def test_models_keep_unknown_fields(host: PluginHost) -> None:
    data = json.loads(get_sample(host, "telegram", "callback_query").body)
    data["callback_query"]["brand_new"] = 1
    update = tg.parse_payload(data)
    assert isinstance(update, tg.TelegramUpdate) and update.callback_query is not None
    assert update.callback_query.data == "answer:yes"
    assert update.callback_query.model_extra == {"brand_new": 1}
    with pytest.raises(ValueError):
        tg.parse_payload([data])


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("telegram")
    assert (record.distribution, record.module) == ("hookpoint-telegram", "hookpoint_telegram")
