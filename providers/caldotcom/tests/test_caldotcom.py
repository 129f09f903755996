"""cal.com provider: known-answer vectors, unsigned deliveries, event description and models."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

import hookpoint_caldotcom
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
from hookpoint_caldotcom import (
    CalPayload,
    CalSettings,
    CalWebhook,
    FormSubmitted,
    MeetingEvent,
    parse_payload,
)

# Known-answer vectors ("calcom-signed", "calcom-no-secret").
VECTOR_SECRET = "my-secret"
VECTOR_BODY = (
    b'{"triggerEvent":"BOOKING_CREATED","createdAt":"2024-01-01T00:00:00.000Z","payload":'
    b'{"uid":"unique-booking-id","title":"Strategy Session between Organizer and Guest",'
    b'"bookingId":100,"status":"ACCEPTED"}}'
)
VECTOR_HEADERS = {
    "X-Cal-Signature-256": "d30be1341ec1d300a7e172ab8a9ff25905ae2708f32b2e6cc4245e152e3ae27e",
    "X-Cal-Webhook-Version": "2021-10-20",
    "Content-Type": "application/json",
}
NO_SECRET = "no-secret-provided"
URL = "https://hooks.example.com/webhooks/caldotcom"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_caldotcom.PLUGIN)


def request(body: bytes = VECTOR_BODY, **headers: str) -> WebhookRequest:
    merged = {**VECTOR_HEADERS, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return WebhookRequest(method="POST", url=URL, headers=merged, body=body)


def without_signature(body: bytes = VECTOR_BODY) -> WebhookRequest:
    headers = {k: v for k, v in VECTOR_HEADERS.items() if k != "X-Cal-Signature-256"}
    return WebhookRequest(method="POST", url=URL, headers=headers, body=body)


def verify(
    host: PluginHost, req: WebhookRequest, secrets: list[str] | None = None, **settings: Any
) -> Any:
    return verify_request(
        host, "caldotcom", req, [VECTOR_SECRET] if secrets is None else secrets, settings=settings
    )


def describe(host: PluginHost, req: WebhookRequest) -> Any:
    return describe_request(host, "caldotcom", req)


# -- signature vectors ---------------------------------------------------------------------------


def test_signed_vector_verifies(host: PluginHost) -> None:
    result = verify(host, request())
    assert result.success and not result.unsigned


def test_signed_vector_matches_the_documented_algorithm() -> None:
    expected = VECTOR_HEADERS["X-Cal-Signature-256"]
    assert sign_hmac_hex(VECTOR_SECRET, VECTOR_BODY) == expected


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    unsigned = without_signature()
    signed = sign_request(host, "caldotcom", unsigned, VECTOR_SECRET)
    assert signed is not None
    assert signed.headers.get("x-cal-signature-256") == VECTOR_HEADERS["X-Cal-Signature-256"]
    assert signed.body == VECTOR_BODY


@pytest.mark.parametrize("position", [0, 1, 57, len(VECTOR_BODY) // 2, len(VECTOR_BODY) - 1])
def test_signed_vector_fails_with_one_byte_changed(host: PluginHost, position: int) -> None:
    body = bytearray(VECTOR_BODY)
    body[position] ^= 0x01
    result = verify(host, request(bytes(body)))
    assert not result.success
    assert result.reason


def test_signed_vector_fails_with_one_signature_digit_changed(host: PluginHost) -> None:
    signature = VECTOR_HEADERS["X-Cal-Signature-256"]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    assert not verify(host, request(X_Cal_Signature_256=flipped)).success


def test_signed_vector_fails_with_wrong_secret(host: PluginHost) -> None:
    assert not verify(host, request(), secrets=["not-my-secret"]).success


def test_rotation_any_configured_secret_verifies(host: PluginHost) -> None:
    assert verify(host, request(), secrets=["new-secret", VECTOR_SECRET]).success
    assert verify(host, request(), secrets=[VECTOR_SECRET, "new-secret"]).success


def test_header_name_is_case_insensitive(host: PluginHost) -> None:
    headers = {k.lower(): v for k, v in VECTOR_HEADERS.items()}
    req = WebhookRequest(method="POST", url=URL, headers=headers, body=VECTOR_BODY)
    assert verify(host, req).success


def test_signature_present_but_no_secret_configured_fails(host: PluginHost) -> None:
    result = verify(host, request(), secrets=[])
    assert not result.success


# -- unsigned deliveries ("calcom-no-secret") ------------------------------------------------------


def test_no_secret_literal_is_unsigned_and_rejected_with_a_secret_configured(
    host: PluginHost,
) -> None:
    result = verify(host, request(X_Cal_Signature_256=NO_SECRET))
    assert not result.success
    assert result.reason == "unsigned delivery"


@pytest.mark.parametrize("header", [NO_SECRET, "", "   "])
def test_unsigned_header_values_are_rejected_by_default(host: PluginHost, header: str) -> None:
    for secrets in ([VECTOR_SECRET], []):
        result = verify(host, request(X_Cal_Signature_256=header), secrets=secrets)
        assert not result.success and result.reason == "unsigned delivery"


def test_missing_header_is_unsigned_and_rejected(host: PluginHost) -> None:
    for secrets in ([VECTOR_SECRET], []):
        result = verify(host, without_signature(), secrets=secrets)
        assert not result.success and result.reason == "unsigned delivery"


@pytest.mark.parametrize("header", [NO_SECRET, None])
def test_unsigned_accepted_only_when_allowed(host: PluginHost, header: str | None) -> None:
    req = without_signature() if header is None else request(X_Cal_Signature_256=header)
    result = verify(host, req, secrets=[], allow_unsigned=True)
    assert result.success and result.unsigned
    result = verify(host, req, secrets=[], allow_unsigned=False)
    assert not result.success


@pytest.mark.parametrize("header", [NO_SECRET, None])
def test_unsigned_is_rejected_once_a_secret_is_configured(
    host: PluginHost, header: str | None
) -> None:
    """Never accept an unsigned delivery once a secret is configured (a forger would simply
    drop the header)."""
    req = without_signature() if header is None else request(X_Cal_Signature_256=header)
    result = verify(host, req, secrets=[VECTOR_SECRET], allow_unsigned=True)
    assert not result.success and result.reason == "unsigned delivery"


def test_allow_unsigned_never_accepts_a_wrong_signature(host: PluginHost) -> None:
    """allow_unsigned lets unsigned deliveries in; a present, wrong signature stays rejected."""
    bad = request(X_Cal_Signature_256="0" * 64)
    assert not verify(host, bad, allow_unsigned=True).success
    assert not verify(host, bad, secrets=[], allow_unsigned=True).success
    tampered = request(VECTOR_BODY.replace(b"100", b"101"))
    assert not verify(host, tampered, allow_unsigned=True).success
    assert verify(host, request(), allow_unsigned=True).success
    assert not verify(host, request(), allow_unsigned=True).unsigned


def test_no_secret_literal_is_never_a_valid_signature(host: PluginHost) -> None:
    """A secret that happens to be the literal still does not make the literal a signature."""
    result = verify(host, request(X_Cal_Signature_256=NO_SECRET), secrets=[NO_SECRET])
    assert not result.success


# -- settings ------------------------------------------------------------------------------------


def test_settings_model(host: PluginHost) -> None:
    assert host.settings_for("caldotcom", None) == CalSettings()
    assert host.settings_for("caldotcom", {"allow_unsigned": True}) == CalSettings(
        allow_unsigned=True
    )
    with pytest.raises(ProviderConfigError, match="allow_unsignd"):
        host.settings_for("caldotcom", {"allow_unsignd": True})


# -- event description -----------------------------------------------------------------------------


def test_describe_vector(host: PluginHost) -> None:
    info = describe(host, request())
    assert info.type == "BOOKING_CREATED"
    expected_id = hashlib.sha256(
        b"BOOKING_CREATED|unique-booking-id|2024-01-01T00:00:00.000Z"
    ).hexdigest()
    assert info.id == expected_id
    assert info.time == datetime(2024, 1, 1, tzinfo=UTC)
    assert info.fields == {
        "webhook_version": "2021-10-20",
        "booking_uid": "unique-booking-id",
        "shape": "envelope",
    }


def test_describe_uses_the_same_id_for_a_redelivery(host: PluginHost) -> None:
    assert describe(host, request()).id == describe(host, request()).id
    other = VECTOR_BODY.replace(b"2024-01-01T00:00:00.000Z", b"2024-01-01T00:00:01.000Z")
    assert describe(host, request(other)).id != describe(host, request()).id


def test_describe_flat_meeting_started(host: PluginHost) -> None:
    body = hookpoint_caldotcom._samples.MEETING_STARTED
    info = describe(host, request(body))
    assert info.type == "MEETING_STARTED"
    assert info.fields["shape"] == "flat"
    assert info.fields["booking_uid"] == "kN3bq1UvQe2Hd9pRtGmZxA"
    # the flat shape's createdAt is the booking's; the id still separates started and ended
    ended = body.replace(b"MEETING_STARTED", b"MEETING_ENDED")
    assert describe(host, request(ended)).id != info.id


def test_describe_form_submitted(host: PluginHost) -> None:
    body = hookpoint_caldotcom._samples.FORM_SUBMITTED
    info = describe(host, request(body))
    assert info.type == "FORM_SUBMITTED"
    assert info.fields["shape"] == "envelope"
    assert info.fields["booking_uid"] is None
    assert info.id == hashlib.sha256(body).hexdigest()
    assert info.time == datetime(2024, 5, 1, 11, 45, 30, 221000, tzinfo=UTC)


def test_describe_no_show_uses_booking_uid(host: PluginHost) -> None:
    body = json.dumps(
        {
            "triggerEvent": "AFTER_GUESTS_CAL_VIDEO_NO_SHOW",
            "createdAt": "2024-01-15T10:05:00.000Z",
            "payload": {"bookingUid": "abc123", "bookingId": 123},
        }
    ).encode()
    info = describe(host, request(body))
    assert info.fields["booking_uid"] == "abc123"
    assert (
        info.id
        == hashlib.sha256(
            b"AFTER_GUESTS_CAL_VIDEO_NO_SHOW|abc123|2024-01-15T10:05:00.000Z"
        ).hexdigest()
    )


def test_describe_passes_unknown_triggers_through(host: PluginHost) -> None:
    body = b'{"triggerEvent":"BOOKING_TELEPORTED","createdAt":"nope","payload":{"bookingId":7}}'
    info = describe(host, request(body))
    assert info.type == "BOOKING_TELEPORTED"
    assert info.time is None
    assert info.id == hashlib.sha256(b"BOOKING_TELEPORTED|7|nope").hexdigest()


def test_describe_form_urlencoded_custom_template(host: PluginHost) -> None:
    body = b"triggerEvent=BOOKING_CANCELLED&uid=abc&createdAt=2024-02-03T04%3A05%3A06Z&x=%E2%9C%93"
    req = request(body, Content_Type="application/x-www-form-urlencoded")
    info = describe(host, req)
    assert info.type == "BOOKING_CANCELLED"
    assert info.fields["shape"] == "form"
    assert info.fields["booking_uid"] == "abc"
    assert info.time == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)


def test_describe_custom_json_template_without_trigger(host: PluginHost) -> None:
    body = b'{"content":"A new event has been scheduled","type":"30min","booker":"Grace"}'
    info = describe(host, request(body))
    assert info.type is None
    assert info.id == hashlib.sha256(body).hexdigest()
    assert info.fields["shape"] == "flat"


@pytest.mark.parametrize("body", [b"", b"plain text", b"\xff\xfe", b"[1,2]", b"null"])
def test_describe_never_raises(host: PluginHost, body: bytes) -> None:
    info = describe(host, request(body))
    assert info is not None and info.id == hashlib.sha256(body).hexdigest()
    assert info.fields["shape"] == "unknown"


def test_event_types_are_the_api_v2_enum() -> None:
    types = hookpoint_caldotcom.EVENT_TYPES
    assert len(types) == 28 and len(set(types)) == 28
    assert {"BOOKING_CREATED", "MEETING_ENDED", "CALENDAR_ENTRY_REJECTED"} <= set(types)
    # example-only values on cal.com's OpenAPI page, not enum members
    assert not {"BOOKING_CONFIRMED", "BOOKING_COMPLETED", "BOOKING_NO_SHOW"} & set(types)


# -- models --------------------------------------------------------------------------------------


def test_every_sample_parses_into_its_model() -> None:
    expected: dict[str, type[CalPayload]] = {
        "booking_created": CalWebhook,
        "booking_cancelled": CalWebhook,
        "booking_rescheduled": CalWebhook,
        "meeting_started": MeetingEvent,
        "form_submitted": FormSubmitted,
    }
    samples = {s.name: s for s in hookpoint_caldotcom.PROVIDER.samples}
    assert set(samples) == set(expected)
    for name, model in expected.items():
        parsed = parse_payload(json.loads(samples[name].body))
        assert type(parsed) is model, name
        assert parsed.trigger_event == samples[name].event_type


def test_booking_model_fields() -> None:
    event = parse_payload(json.loads(hookpoint_caldotcom._samples.BOOKING_CREATED))
    assert isinstance(event, CalWebhook) and event.payload is not None
    booking = event.payload
    assert event.created_at == datetime(2024, 4, 30, 9, 12, 45, 391000, tzinfo=UTC)
    assert booking.uid == "kN3bq1UvQe2Hd9pRtGmZxA" and booking.booking_id == 4711
    assert booking.start_time == datetime(2024, 5, 2, 14, tzinfo=UTC)
    assert booking.organizer is not None and booking.organizer.time_zone == "Europe/Berlin"
    assert booking.attendees[0].first_name == "Grace"
    assert booking.i_cal_uid == "kN3bq1UvQe2Hd9pRtGmZxA@Cal.com"
    assert booking.video_call_url == "https://app.cal.com/video/kN3bq1UvQe2Hd9pRtGmZxA"
    assert booking.video_call_data is not None and booking.video_call_data.type == "daily_video"


def test_cancelled_and_rescheduled_fields() -> None:
    cancelled = parse_payload(json.loads(hookpoint_caldotcom._samples.BOOKING_CANCELLED))
    assert isinstance(cancelled, CalWebhook) and cancelled.payload is not None
    assert cancelled.payload.cancellation_reason == "Conflict with an all-hands, sorry!"
    assert cancelled.payload.status == "CANCELLED"
    moved = parse_payload(json.loads(hookpoint_caldotcom._samples.BOOKING_RESCHEDULED))
    assert isinstance(moved, CalWebhook) and moved.payload is not None
    assert moved.payload.reschedule_uid == "kN3bq1UvQe2Hd9pRtGmZxA"


def test_flat_and_form_models() -> None:
    meeting = parse_payload(json.loads(hookpoint_caldotcom._samples.MEETING_STARTED))
    assert isinstance(meeting, MeetingEvent)
    assert meeting.id == 4711 and meeting.user is not None
    assert meeting.user.email == "ada@acme.example"
    assert meeting.attendees[0].no_show is False
    form = parse_payload(json.loads(hookpoint_caldotcom._samples.FORM_SUBMITTED))
    assert isinstance(form, FormSubmitted) and form.payload is not None
    assert form.payload.form_name == "Sales routing"
    assert form.model_extra is not None and form.model_extra["Company size"] == ["51-200"]


def test_models_tolerate_unknown_fields_and_odd_values() -> None:
    data = json.loads(hookpoint_caldotcom._samples.BOOKING_CREATED)
    data["brandNewTopLevel"] = {"x": 1}
    data["payload"]["brandNewField"] = [1, 2]
    data["payload"]["organizer"]["pronouns"] = "they/them"
    data["payload"]["attendees"][0]["favouriteColour"] = "teal"
    data["payload"]["startTime"] = "next tuesday"
    event = parse_payload(data)
    assert isinstance(event, CalWebhook) and event.payload is not None
    assert event.model_extra == {"brandNewTopLevel": {"x": 1}}
    assert event.payload.model_extra is not None
    assert event.payload.model_extra["brandNewField"] == [1, 2]
    assert event.payload.start_time == "next tuesday"
    assert event.payload.organizer is not None
    assert event.payload.organizer.model_extra == {"pronouns": "they/them"}


def test_enveloped_meeting_trigger_uses_the_envelope_model() -> None:
    data = {
        "triggerEvent": "MEETING_ENDED",
        "createdAt": "2024-01-01T00:00:00Z",
        "payload": {"uid": "u1"},
    }
    event = parse_payload(data)
    assert isinstance(event, CalWebhook) and event.payload is not None
    assert event.payload.uid == "u1"


def test_parse_payload_rejects_non_objects() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload([1, 2])


def test_event_model_on_the_request() -> None:
    req = WebhookRequest(
        method="POST",
        url=URL,
        headers=VECTOR_HEADERS,
        body=VECTOR_BODY,
        payload_model=hookpoint_caldotcom.PROVIDER.payload_model,
    )
    event = req.event_model()
    assert isinstance(event, CalWebhook) and event.payload is not None
    assert event.payload.booking_id == 100


def test_booking_created_sample_is_about_1_5_kb() -> None:
    sample = next(s for s in hookpoint_caldotcom.PROVIDER.samples if s.name == "booking_created")
    assert 1300 <= len(sample.body) <= 1800
    assert sample.body.startswith(b'{"triggerEvent":"BOOKING_CREATED","createdAt":')
    assert b" " not in sample.body.split(b'"title"')[0]  # compact, as JSON.stringify sends it
    assert sample.headers == {
        "Content-Type": "application/json",
        "X-Cal-Webhook-Version": "2021-10-20",
    }


# -- installation --------------------------------------------------------------------------------


def test_plugin_is_installed() -> None:
    host = load_plugins()
    assert "caldotcom" in host.providers
    record = host.provider_record("caldotcom")
    assert record.distribution == "hookpoint-caldotcom"
    assert record.module == "hookpoint_caldotcom"
    assert record.entry_point == "caldotcom = hookpoint_caldotcom:PLUGIN"
    assert host.provider_plugin("caldotcom") is hookpoint_caldotcom.PLUGIN
    assert record.hooks == [
        "hookpoint_describe_event",
        "hookpoint_register_providers",
        "hookpoint_sign_request",
        "hookpoint_verify_request",
    ]
    assert record.error is None


def test_describe_keeps_a_lone_surrogate_without_raising(
    host: PluginHost, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"triggerEvent": "BOOKING_\\ud800", "createdAt": "2024-01-01T00:00:00Z", ' + (
        b'"payload": {"uid": "u\\udfff"}}'
    )
    info = describe(host, request(body))
    assert info is not None and info.type == "BOOKING_\ud800" and info.id
    assert describe(host, request(body)).id == info.id  # still stable for dedupe
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
