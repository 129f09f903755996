"""Slack provider: a known-answer vector, slack_sdk both ways, tolerance both ways, the signed
url_verification handshake, event description of the three body shapes, and models."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from slack_sdk.signature import Clock, SignatureVerifier

import hookpoint_slack
from hookpoint import Hookpoint, WebhookRequest
from hookpoint.testing import (
    PluginHost,
    app_client,
    challenge_request,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_request,
    sign_sample,
    verify_request,
)
from hookpoint_slack import EventCallback, InteractionPayload, UrlVerification, parse_payload

# Known-answer vectors ("slack-slash-command",
# "slack-url-verification").
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TS = 1531420618
BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmi"
    b"bIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
CHALLENGE = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
URL_VERIFICATION = (
    b'{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"'
    + CHALLENGE.encode()
    + b'","type":"url_verification"}'
)
URL = "https://hooks.example.com/webhooks/slack"


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self.fixed = now

    def now(self) -> float:
        return self.fixed


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_slack.PLUGIN)


def delivery(
    body: bytes = BODY,
    signature: str | None = SIGNATURE,
    ts: int = TS,
    received: float | None = None,
) -> WebhookRequest:
    headers = {"X-Slack-Request-Timestamp": str(ts)}
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    at = datetime.fromtimestamp(received, tz=UTC) if received is not None else None
    return WebhookRequest(url=URL, headers=headers, body=body, received_at=at)


def verify(
    host: PluginHost,
    req: WebhookRequest,
    now: float = TS,
    secrets: tuple[str, ...] = (SECRET,),
    **settings: Any,
) -> Any:
    return verify_request(host, "slack", req, secrets, now=now, settings=settings)


def sign(host: PluginHost, body: bytes, now: float) -> WebhookRequest:
    signed = sign_request(host, "slack", delivery(body, None, 0, received=now), SECRET, now=now)
    assert signed is not None
    return signed


def test_vector_verifies_and_fails_with_one_byte_changed(host: PluginHost) -> None:
    assert verify(host, delivery()).success
    assert not verify(host, delivery(BODY.replace(b"text=&", b"text=x&"))).success
    assert not verify(host, delivery(ts=TS + 1), now=TS).success
    assert not verify(host, delivery(signature=SIGNATURE.removeprefix("v0="))).success


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    signed = sign(host, BODY, TS)
    assert signed.headers["X-Slack-Signature"] == SIGNATURE
    assert signed.headers["X-Slack-Request-Timestamp"] == str(TS)


@pytest.mark.parametrize(
    ("offset", "ok"), [(-301, False), (-300, True), (0, True), (300, True), (301, False)]
)
def test_tolerance_applies_both_ways(host: PluginHost, offset: int, ok: bool) -> None:
    assert verify(host, delivery(), now=TS - offset).success is ok


def test_tolerance_setting_and_rotation(host: PluginHost) -> None:
    assert not verify(host, delivery(), now=TS + 11, tolerance=10).success
    assert verify(host, delivery(), secrets=("rotated-in", SECRET)).success
    assert not verify(host, delivery(), secrets=("rotated-in",)).success


# -- slack_sdk cross-checks --------------------------------------------------------------------


def test_sdk_signature_verifies_with_the_provider(host: PluginHost) -> None:
    sdk = SignatureVerifier(SECRET, clock=FixedClock(TS))
    signature = sdk.generate_signature(timestamp=str(TS), body=BODY)
    assert signature == SIGNATURE
    assert verify(host, delivery(signature=signature)).success


@pytest.mark.parametrize("name", ["slash_command", "event_callback.app_mention", "block_actions"])
def test_provider_signature_verifies_with_the_sdk(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, "slack", name, now=TS + 5)
    sdk = SignatureVerifier(SECRET, clock=FixedClock(TS + 100))
    assert sdk.is_valid_request(signed.body, dict(signed.headers.items()))
    assert not sdk.is_valid_request(signed.body + b"&x=1", dict(signed.headers.items()))
    assert not SignatureVerifier(SECRET, clock=FixedClock(TS + 400)).is_valid_request(
        signed.body, dict(signed.headers.items())
    )


# -- handshakes -------------------------------------------------------------------------------


def handshake(host: PluginHost, req: WebhookRequest) -> Any:
    return challenge_request(host, "slack", req, (SECRET,))


def test_signed_url_verification_is_answered(host: PluginHost) -> None:
    reply = handshake(host, sign(host, URL_VERIFICATION, TS))
    assert reply is not None and reply.status == 200
    assert reply.body == CHALLENGE.encode()
    assert reply.content_type.startswith("text/plain")


def test_url_verification_signed_by_the_sdk_is_answered(host: PluginHost) -> None:
    sdk = SignatureVerifier(SECRET, clock=FixedClock(TS))
    signature = sdk.generate_signature(timestamp=str(TS), body=URL_VERIFICATION)
    reply = handshake(host, delivery(URL_VERIFICATION, signature, received=TS + 3))
    assert reply is not None and (reply.status, reply.body) == (200, CHALLENGE.encode())


@pytest.mark.parametrize(
    ("signature", "received", "reason"),
    [
        (None, TS, "missing signature header"),
        ("v0=" + "0" * 64, TS, "signature mismatch"),
        ("sign", TS + 301, "timestamp too old"),
        ("sign", TS - 301, "timestamp in the future"),
    ],
)
def test_forged_or_stale_url_verification_is_refused(
    host: PluginHost, signature: str | None, received: int, reason: str
) -> None:
    if signature == "sign":
        signature = sign(host, URL_VERIFICATION, TS).headers["X-Slack-Signature"]
    reply = handshake(host, delivery(URL_VERIFICATION, signature, received=received))
    # refused like a forged delivery: the host's JSON error shape, the reason kept for the store
    assert reply is not None and reply.status == 401
    assert reply.content_type == "application/json"
    assert json.loads(reply.body) == {"error": "unauthorized", "message": reason}
    assert reply.reason == reason


def test_ssl_check_and_non_handshakes(host: PluginHost) -> None:
    reply = handshake(host, delivery(b"ssl_check=1&token=x", None))
    assert reply is not None and (reply.status, reply.body) == (200, b"")
    assert reply.skip_triggering_runs
    assert handshake(host, delivery(b"ssl_check=0&token=x", None)) is None
    assert handshake(host, delivery(b'{"type":"url_verification","challenge":7}', None)) is None
    event = b'{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention"}}'
    assert handshake(host, delivery(event)) is None


# -- events and models -----------------------------------------------------------------------


def describe(host: PluginHost, name: str) -> Any:
    return describe_request(host, "slack", sign_sample(host, "slack", name))


def test_describe_events_api(host: PluginHost) -> None:
    retry = sign_sample(host, "slack", "event_callback.app_mention")
    retry = retry.with_context(
        headers=[
            *retry.headers.items(),
            ("X-Slack-Retry-Num", "1"),
            ("X-Slack-Retry-Reason", "http_timeout"),
        ]
    )
    info = describe_request(host, "slack", retry)
    assert info is not None
    assert (info.type, info.id) == ("app_mention", "Ev0LAN670R")
    assert info.time == datetime.fromtimestamp(1515449522, tz=UTC)
    assert info.fields["envelope_type"] == "event_callback"
    assert (info.fields["retry_num"], info.fields["retry_reason"]) == ("1", "http_timeout")
    assert info.fields["channel"] == "C123ABC456"


def test_describe_slash_command_and_interaction(host: PluginHost) -> None:
    command = describe(host, "slash_command")
    assert command.type == "slash_command"
    assert command.id == "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    assert (command.fields["command"], command.fields["user"]) == ("/webhook-collect", "U2CERLKJA")
    click = describe(host, "block_actions")
    assert click.type == "block_actions"
    assert click.id == "12466734323.1395872398.8e2bd6f0c2b9b4f8f6b1"
    assert (click.fields["team_id"], click.fields["channel"]) == ("T9TK3CUKW", "C0CA5")


def test_models(host: PluginHost) -> None:
    data = json.loads(get_sample(host, "slack", "event_callback.message").body)
    data["event"]["brand_new"] = 1
    event = parse_payload(data)
    assert isinstance(event, EventCallback) and event.event is not None
    assert event.event.text == "Live long and prospect."
    assert event.event.model_extra == {"brand_new": 1}
    assert isinstance(parse_payload(json.loads(URL_VERIFICATION)), UrlVerification)
    sample = sign_sample(host, "slack", "block_actions")
    interaction = parse_payload(json.loads(sample.form()["payload"]))
    assert isinstance(interaction, InteractionPayload)
    assert interaction.actions[0]["action_id"] == "approve"
    command = hookpoint_slack.SlashCommand.model_validate(
        dict(sign_sample(host, "slack", "slash_command").form())
    )
    assert command.command == "/webhook-collect" and command.text == ""


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("slack")
    assert (record.distribution, record.module) == ("hookpoint-slack", "hookpoint_slack")


@pytest.mark.parametrize("body", [BODY, b"payload=" + quote(b'{"type":"block_actions"}').encode()])
def test_commands_and_interactions_are_acknowledged_with_an_empty_200(
    host: PluginHost, body: bytes
) -> None:
    """Slack shows a response body to the user (or reads it as a response_action): the plain
    acknowledgement is an empty 200, and the request still runs (the host verifies it)."""
    reply = handshake(host, delivery(body))
    assert reply is not None and (reply.status, reply.body) == (200, b"")
    assert not reply.skip_triggering_runs


async def test_a_slash_command_through_the_host(hookpoint_database_url: str) -> None:
    hp = Hookpoint(id="slack-ack")
    slack = hp.define_http_endpoint(
        id="slack", source="slack.com", provider="slack", secrets=[SECRET]
    )
    hp.define_job(id="all", name="all", version="1", trigger=slack.on_request(), run=print)
    async with app_client(hp, database_url=hookpoint_database_url) as client:
        now = int(time.time())
        signed = sign(host_plugins(), BODY, now)
        headers = {**signed.headers, "Content-Type": "application/x-www-form-urlencoded"}
        reply = await client.post("/webhooks/slack", content=BODY, headers=headers)
        assert reply.status_code == 200 and reply.content == b""
        forged = {k: v for k, v in headers.items() if k.lower() != "x-slack-signature"}
        forged["X-Slack-Signature"] = "v0=" + "0" * 64
        refused = await client.post("/webhooks/slack", content=BODY, headers=forged)
        assert refused.status_code == 401
        stored = (await client.get("/api/requests")).json()["items"]
        assert sorted(r["status"] for r in stored) == ["accepted", "rejected"]
        runs = (await client.get("/api/runs")).json()["items"]
        assert len(runs) == 1


def host_plugins() -> PluginHost:
    return plugin_host(hookpoint_slack.PLUGIN)
