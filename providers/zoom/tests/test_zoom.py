"""Zoom provider: known-answer vectors, tolerance both ways, the signed url_validation handshake
(and why unsigned ones are refused), event description and models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

import hookpoint_zoom
from hookpoint import WebhookRequest
from hookpoint.testing import (
    PluginHost,
    challenge_request,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_request,
    sign_sample,
    verify_request,
)
from hookpoint_zoom import Meeting, Recording, UrlValidation, ZoomObject, parse_payload

# Known-answer vectors ("zoom-event", "zoom-url-validation").
SECRET = "zoom_secret_token"
TS = 1700000000
EVENT_BODY = (
    b'{"event":"meeting.started","payload":{"account_id":"AAAAAA","object":{"id":'
    b'"123456789","uuid":"4444AAAiAAAAAiAiAiiAii==","topic":"Test"}},'
    b'"event_ts":1700000000000}'
)
EVENT_SIGNATURE = "v0=f3fb8b3446e119bb00b77d8d0a926de2686492c7e2ba3e90d1d6de0a3826594c"
VALIDATION = (
    b'{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,'
    b'"event":"endpoint.url_validation"}'
)
EXPECTED_ANSWER = {
    "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
    "encryptedToken": "bd48235863f4a6323ccc4963c594908b7c97f88b4a6a95278f4f093690b12726",
}
URL = "https://hooks.example.com/webhooks/zoom"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_zoom.PLUGIN)


def delivery(
    body: bytes = EVENT_BODY,
    signature: str | None = EVENT_SIGNATURE,
    ts: int = TS,
    received: float = TS,
) -> WebhookRequest:
    headers = {"x-zm-request-timestamp": str(ts), "Content-Type": "application/json"}
    if signature is not None:
        headers["x-zm-signature"] = signature
    return WebhookRequest(
        url=URL, headers=headers, body=body, received_at=datetime.fromtimestamp(received, tz=UTC)
    )


def verify(
    host: PluginHost,
    req: WebhookRequest,
    now: float = TS,
    secrets: tuple[str, ...] = (SECRET,),
    **settings: Any,
) -> Any:
    return verify_request(host, "zoom", req, secrets, now=now, settings=settings)


def signed(host: PluginHost, body: bytes, secret: str = SECRET, now: float = TS) -> WebhookRequest:
    req = sign_request(host, "zoom", delivery(body, None), secret, now=now)
    assert req is not None
    return req


def test_event_vector_verifies_and_fails_with_one_byte_changed(host: PluginHost) -> None:
    assert verify(host, delivery()).success
    assert not verify(host, delivery(EVENT_BODY.replace(b'"Test"', b'"Tesu"'))).success
    assert not verify(host, delivery(ts=TS + 1)).success
    assert signed(host, EVENT_BODY).headers["x-zm-signature"] == EVENT_SIGNATURE


@pytest.mark.parametrize(
    ("offset", "ok"), [(-301, False), (-300, True), (0, True), (300, True), (301, False)]
)
def test_tolerance_applies_both_ways(host: PluginHost, offset: int, ok: bool) -> None:
    assert verify(host, delivery(), now=TS - offset).success is ok
    assert verify(host, delivery(), now=TS - offset, tolerance=1000).success


# -- url_validation ---------------------------------------------------------------------------


def answer(host: PluginHost, req: WebhookRequest, secrets: tuple[str, ...] = (SECRET,)) -> Any:
    return challenge_request(host, "zoom", req, secrets)


def test_signed_url_validation_gets_the_vector_answer(host: PluginHost) -> None:
    reply = answer(host, signed(host, VALIDATION))
    assert reply is not None and reply.status == 200
    assert reply.content_type == "application/json"
    assert json.loads(reply.body) == EXPECTED_ANSWER
    assert (
        hookpoint_zoom.encrypted_token(SECRET, "qgg8vlvZRS6UYooatFL8Aw")
        == EXPECTED_ANSWER["encryptedToken"]
    )


def test_rotation_answers_with_the_secret_that_signed(host: PluginHost) -> None:
    reply = answer(host, signed(host, VALIDATION, "old-token"), ("new-token", "old-token"))
    assert reply is not None and reply.status == 200
    assert json.loads(reply.body)["encryptedToken"] == hookpoint_zoom.encrypted_token(
        "old-token", "qgg8vlvZRS6UYooatFL8Aw"
    )


def test_unsigned_url_validation_is_not_an_hmac_oracle(host: PluginHost) -> None:
    """Answering it would sign any string: a plainToken of 'v0:<ts>:<body>' would come back
    as a valid x-zm-signature for a forged event."""
    forged = json.dumps(
        {
            "event": "endpoint.url_validation",
            "event_ts": 1,
            "payload": {"plainToken": f"v0:{TS}:" + EVENT_BODY.decode()},
        }
    )
    reply = answer(host, delivery(forged.encode(), None))
    assert reply is not None and reply.status == 401
    assert json.loads(reply.body) == {
        "error": "unauthorized",
        "message": "missing signature header",
    }


@pytest.mark.parametrize(
    ("received", "reason"),
    [(TS + 301, "timestamp too old"), (TS - 301, "timestamp in the future")],
)
def test_stale_url_validation_is_refused(host: PluginHost, received: int, reason: str) -> None:
    req = signed(host, VALIDATION)
    stale = delivery(VALIDATION, req.headers["x-zm-signature"], TS, received)
    reply = answer(host, stale)
    assert reply is not None and (reply.status, reply.reason) == (401, reason)
    assert json.loads(reply.body) == {"error": "unauthorized", "message": reason}


def test_other_bodies_are_not_handshakes(host: PluginHost) -> None:
    assert answer(host, delivery()) is None
    assert answer(host, delivery(b'{"event":"endpoint.url_validation","payload":{}}')) is None
    assert answer(host, delivery(b"not json")) is None


# -- events and models ---------------------------------------------------------------------


def test_describe(host: PluginHost) -> None:
    info = describe_request(host, "zoom", delivery())
    assert info is not None
    assert info.type == "meeting.started"
    assert info.id == "meeting.started:1700000000000:4444AAAiAAAAAiAiAiiAii=="
    assert info.time == datetime.fromtimestamp(TS, tz=UTC)
    assert (info.fields["account_id"], info.fields["topic"]) == ("AAAAAA", "Test")
    sample = describe_request(host, "zoom", sign_sample(host, "zoom", "recording.completed"))
    assert sample is not None and sample.fields["tracking_id"] == "v=2.0&s=1714662000&rid=A3"


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("meeting.started", Meeting),
        ("meeting.participant_joined", Meeting),
        ("recording.completed", Recording),
    ],
)
def test_samples_parse_into_their_models(host: PluginHost, name: str, model: type) -> None:
    data = json.loads(get_sample(host, "zoom", name).body)
    data["payload"]["object"]["brand_new"] = True
    event = parse_payload(data)
    assert event.payload is not None and type(event.payload.object) is model
    assert event.payload.object.model_extra == {"brand_new": True}


def test_model_fields(host: PluginHost) -> None:
    rec = parse_payload(json.loads(get_sample(host, "zoom", "recording.completed").body))
    assert rec.payload is not None and isinstance(rec.payload.object, Recording)
    assert rec.payload.object.recording_files[0].file_type == "MP4"
    assert rec.time == datetime(2024, 5, 2, 15, 0, 0, 789000, tzinfo=UTC)
    assert isinstance(parse_payload(json.loads(VALIDATION)), UrlValidation)
    other = parse_payload({"event": "user.created", "payload": {"object": {"id": "u1"}}})
    assert other.payload is not None and type(other.payload.object) is ZoomObject


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("zoom")
    assert (record.distribution, record.module) == ("hookpoint-zoom", "hookpoint_zoom")


def test_participants_joining_at_once_are_two_events(host: PluginHost) -> None:
    """Every participant event of a meeting names the meeting; two people joining in the same
    millisecond must not be taken for one delivery repeated."""

    def joined(name: str, uuid: str) -> bytes:
        return json.dumps(
            {
                "event": "meeting.participant_joined",
                "event_ts": 1714641165123,
                "payload": {
                    "account_id": "acc",
                    "object": {
                        "uuid": "meeting-uuid==",
                        "id": "85746065432",
                        "participant": {"participant_uuid": uuid, "user_name": name},
                    },
                },
            }
        ).encode()

    settings = host.settings_for("zoom", {})
    alice = host.describe("zoom", delivery(joined("alice", "p-1"), None), settings)
    bob = host.describe("zoom", delivery(joined("bob", "p-2"), None), settings)
    assert alice is not None and bob is not None and alice.id != bob.id
    assert alice.id == "meeting.participant_joined:1714641165123:meeting-uuid==:p-1"
