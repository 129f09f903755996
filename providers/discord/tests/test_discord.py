"""Discord provider: the RFC 8032 PING vector, Ed25519 keys, PING handling, tolerance,
deferred responses, event description and models."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import hookpoint_discord
from hookpoint import WebhookRequest
from hookpoint.testing import TEST_NOW, PluginHost, plugin_host
from hookpoint_discord import Interaction, WebhookEventBody, parse_payload
from hookpoint_discord._samples import APPLICATION_AUTHORIZED, APPLICATION_COMMAND

# Known-answer vector "discord-ping" (RFC 8032 §7.1 TEST 1 key).
PRIVATE_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
PUBLIC_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
PING = b'{"type":1,"id":"1","application_id":"2","token":"t","version":1}'
PING_HEADERS = {
    "X-Signature-Timestamp": "1700000000",
    "X-Signature-Ed25519": (
        "3433fec544f1726578c1e22addb495066aa1528416997cee1dee09ef294cf150"
        "f43312e342de8386ba27ae08ab02dbe61bde8536c9fbdef921397ba3481a820f"
    ),
}
URL = "https://hooks.example.com/webhooks/discord"
RECEIVED = datetime.fromtimestamp(TEST_NOW, UTC)


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_discord.PLUGIN)


def request(
    body: bytes = PING, headers: dict[str, str] | None = None, received_at: datetime = RECEIVED
) -> WebhookRequest:
    merged = {"Content-Type": "application/json", **(PING_HEADERS if headers is None else headers)}
    return WebhookRequest(url=URL, headers=merged, body=body, received_at=received_at)


def settings(host: PluginHost, **values: Any) -> Any:
    return host.settings_for("discord", values)


def verify(
    host: PluginHost,
    req: WebhookRequest,
    keys: list[str] | None = None,
    now: float = TEST_NOW,
    **values: Any,
) -> Any:
    return host.verify(
        "discord", req, settings(host, **values), [PUBLIC_KEY] if keys is None else keys, now
    )


def challenge(
    host: PluginHost, req: WebhookRequest, keys: list[str] | None = None, **values: Any
) -> Any:
    return host.challenge(
        "discord", req, settings(host, **values), [PUBLIC_KEY] if keys is None else keys
    )


def sign(
    host: PluginHost, body: bytes, secret: str = PRIVATE_SEED, now: float = TEST_NOW
) -> WebhookRequest:
    signed = host.sign("discord", request(body, {}), settings(host), secret, now)
    assert signed is not None
    return signed


# -- the published vector ------------------------------------------------------------------------


def test_vector_verifies(host: PluginHost) -> None:
    assert verify(host, request()).success


def test_vector_rejected_with_one_byte_changed(host: PluginHost) -> None:
    assert verify(host, request(PING.replace(b'"t"', b'"u"'))).reason == "signature mismatch"
    headers = {**PING_HEADERS, "X-Signature-Timestamp": "1700000001"}
    assert not verify(host, request(headers=headers)).success


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    signed = sign(host, PING)
    assert signed.headers["X-Signature-Timestamp"] == PING_HEADERS["X-Signature-Timestamp"]
    assert signed.headers["X-Signature-Ed25519"] == PING_HEADERS["X-Signature-Ed25519"]


def test_public_key_forms(host: PluginHost) -> None:
    raw = bytes.fromhex(PUBLIC_KEY)
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(PRIVATE_SEED)).public_key()
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    for form in (PUBLIC_KEY.upper(), base64.b64encode(raw).decode(), pem):
        assert verify(host, request(), [form]).success, form


def test_bad_keys_and_signatures(host: PluginHost) -> None:
    assert verify(host, request(), ["not-a-key"]).reason == "no valid public key configured"
    assert verify(host, request(), []).reason == "no valid public key configured"
    assert verify(host, request(), ["not-a-key", PUBLIC_KEY]).success  # rotation skips bad ones
    short = {**PING_HEADERS, "X-Signature-Ed25519": "abcd"}
    assert verify(host, request(headers=short)).reason == "malformed signature"
    assert verify(host, request(headers={})).reason == "missing signature header"


# -- computed vectors ----------------------------------------------------------------------------


def test_computed_vector_with_a_fresh_key(host: PluginHost) -> None:
    private = Ed25519PrivateKey.generate()
    public_hex = (
        private.public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        .hex()
    )
    signature = private.sign(b"1700000100" + APPLICATION_COMMAND).hex()
    req = request(
        APPLICATION_COMMAND,
        {"X-Signature-Timestamp": "1700000100", "X-Signature-Ed25519": signature},
    )
    assert verify(host, req, [public_hex]).success
    assert verify(host, req, [PUBLIC_KEY, public_hex]).success
    assert not verify(host, req, [PUBLIC_KEY]).success
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    assert verify(host, sign(host, APPLICATION_COMMAND, pem), [public_hex]).success


@pytest.mark.parametrize(
    ("offset", "ok"), [(-301, False), (-299, True), (0, True), (299, True), (301, False)]
)
def test_tolerance_both_directions(host: PluginHost, offset: int, ok: bool) -> None:
    signed = sign(host, APPLICATION_COMMAND)
    assert verify(host, signed, now=TEST_NOW + offset, tolerance=300).success is ok


def test_no_time_check_by_default_like_discord(host: PluginHost) -> None:
    signed = sign(host, APPLICATION_COMMAND)
    assert verify(host, signed, now=TEST_NOW + 86400 * 365).success
    assert verify(host, signed, now=TEST_NOW - 86400).success
    assert verify(host, signed, now=TEST_NOW + 90, tolerance=60).reason == "timestamp too old"
    assert verify(host, signed, now=TEST_NOW - 90, tolerance=60).reason == (
        "timestamp in the future"
    )
    no_time = request(APPLICATION_COMMAND, {"X-Signature-Ed25519": "00" * 64})
    assert verify(host, no_time).reason == "missing timestamp"
    bad_time = request(
        APPLICATION_COMMAND, {"X-Signature-Ed25519": "00" * 64, "X-Signature-Timestamp": "soon"}
    )
    assert verify(host, bad_time).reason == "malformed timestamp"


# -- PING and deferred responses -----------------------------------------------------------------


def test_signed_ping_gets_pong(host: PluginHost) -> None:
    reply = challenge(host, request())
    assert reply.status == 200 and reply.content_type == "application/json"
    assert json.loads(reply.body) == {"type": 1}


@pytest.mark.parametrize("signature", ["00" * 64, "zz", ""])
def test_badly_signed_ping_is_refused(host: PluginHost, signature: str) -> None:
    headers = {**PING_HEADERS, "X-Signature-Ed25519": signature}
    reply = challenge(host, request(headers=headers))
    assert reply.status == 401 and b"type" not in reply.body


def test_ping_checks_keys_and_time(host: PluginHost) -> None:
    assert challenge(host, request(), keys=["0" * 64]).status == 401
    assert challenge(host, request(PING + b" ")).status == 401
    late = datetime.fromtimestamp(TEST_NOW + 3600, UTC)
    assert challenge(host, request(received_at=late)).status == 200  # no tolerance set
    assert challenge(host, request(received_at=late), tolerance=300).status == 401
    assert challenge(host, request(), tolerance=300).status == 200


def test_webhook_events_ping_gets_204(host: PluginHost) -> None:
    body = b'{"version":1,"application_id":"1213142125567172608","type":0}'
    reply = challenge(host, sign(host, body).with_context())
    assert reply is not None
    assert reply.status == 204 and reply.body == b""


def test_other_interactions_are_not_handshakes(host: PluginHost) -> None:
    assert challenge(host, sign(host, APPLICATION_COMMAND)) is None
    assert challenge(host, request(b"not json")) is None
    # a webhook event only gets its answer chosen (204, no body): it is verified and run
    event = challenge(host, sign(host, APPLICATION_AUTHORIZED))
    assert event is not None and (event.status, event.body) == (204, b"")
    assert not event.skip_triggering_runs


def test_defer_interactions(host: PluginHost) -> None:
    reply = challenge(host, sign(host, APPLICATION_COMMAND), defer_interactions=True)
    assert json.loads(reply.body) == {"type": 5} and not reply.skip_triggering_runs
    component = json.loads(APPLICATION_COMMAND)
    component["type"] = 3
    body = json.dumps(component).encode()
    assert json.loads(challenge(host, sign(host, body), defer_interactions=True).body) == {
        "type": 6
    }
    forged = request(
        APPLICATION_COMMAND,
        {"X-Signature-Timestamp": "1700000000", "X-Signature-Ed25519": "00" * 64},
    )
    assert challenge(host, forged, defer_interactions=True) is None  # left to verification: 401


# -- event description and models ----------------------------------------------------------------


def describe(host: PluginHost, body: bytes) -> Any:
    return host.describe("discord", request(body), settings(host))


def test_describe_interaction(host: PluginHost) -> None:
    info = describe(host, APPLICATION_COMMAND)
    assert info.type == "APPLICATION_COMMAND" and info.id == "1235561286034227200"
    assert info.time == datetime(2024, 5, 2, 11, 59, 26, 209000, tzinfo=UTC)
    assert info.fields["command"] == "weather"
    assert info.fields["user_id"] == "246080946385469441"
    assert describe(host, PING).type == "PING"
    assert describe(host, b'{"type":99,"id":"x"}').type is None


def test_describe_webhook_event(host: PluginHost) -> None:
    info = describe(host, APPLICATION_AUTHORIZED)
    assert info.type == "APPLICATION_AUTHORIZED"
    assert info.time == datetime(2024, 5, 2, 9, 12, 45, 123000, tzinfo=UTC)
    assert info.id.startswith("sha256:")
    assert describe(host, b'{"version":1,"type":0}').type == "PING"


def test_snowflake_time() -> None:
    assert hookpoint_discord.snowflake_time("175928847299117063") == datetime(
        2016, 4, 30, 11, 18, 25, 796000, tzinfo=UTC
    )
    assert hookpoint_discord.snowflake_time("x") is None


def test_models() -> None:
    command = parse_payload(json.loads(APPLICATION_COMMAND))
    assert isinstance(command, Interaction) and command.data is not None
    assert command.data.options[0]["value"] == "München"
    assert command.invoker is not None and command.invoker.username == "ada"
    assert command.model_extra is not None and "authorizing_integration_owners" in (
        command.model_extra
    )
    event = parse_payload(json.loads(APPLICATION_AUTHORIZED))
    assert isinstance(event, WebhookEventBody) and event.event is not None
    assert event.event.type == "APPLICATION_AUTHORIZED"
    assert isinstance(parse_payload({"type": 0, "version": 1}), WebhookEventBody)
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload([])
