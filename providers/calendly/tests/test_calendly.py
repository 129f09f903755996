"""Calendly provider: Calendly's documented signature algorithm recomputed independently with the
standard library, the three-minute tolerance both ways, the '<event>:<payload.uri>' dedupe id and
the models, over every sample (Calendly publishes no official Python SDK)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import hookpoint_calendly
from hookpoint import WebhookRequest
from hookpoint.testing import (
    PluginHost,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_request,
    sign_sample,
    verify_request,
)
from hookpoint_calendly import SIGNING_KEY, Invitee, RoutingFormSubmission, parse_payload

TS = 1700000000
URL = "https://hooks.example.com/webhooks/calendly"
BODY = b'{"event":"invitee.created","payload":{"uri":"https://api.calendly.com/x"}}'
# Calendly's published webhook examples (tests/examples/README.md says where from).
EXAMPLES = {p.stem: p.read_bytes() for p in (Path(__file__).parent / "examples").glob("*.json")}


def documented_signature(key: str, t: int, body: bytes) -> str:
    """The signature as Calendly's docs describe it: hex HMAC-SHA256 of "t.body"."""
    return hmac.new(key.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_calendly.PLUGIN)


def delivery(signature: str | None, body: bytes = BODY) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Calendly-Webhook-Signature"] = signature
    return WebhookRequest(url=URL, headers=headers, body=body)


def verify(host: PluginHost, req: WebhookRequest, now: float = TS, **settings: Any) -> Any:
    secrets = settings.pop("secrets", (SIGNING_KEY,))
    return verify_request(host, "calendly", req, secrets, now=now, settings=settings)


def test_documented_algorithm_verifies_and_one_byte_breaks_it(host: PluginHost) -> None:
    header = f"t={TS},v1={documented_signature(SIGNING_KEY, TS, BODY)}"
    assert verify(host, delivery(header)).success
    assert not verify(host, delivery(header, BODY.replace(b"/x", b"/y"))).success
    assert not verify(host, delivery(header), secrets=("another key",)).success
    assert verify(host, delivery(header), secrets=("old key", SIGNING_KEY)).success


def test_sign_hook_produces_the_documented_signature(host: PluginHost) -> None:
    signed = sign_request(host, "calendly", delivery(None), SIGNING_KEY, now=TS)
    assert signed is not None
    expected = f"t={TS},v1={documented_signature(SIGNING_KEY, TS, BODY)}"
    assert signed.headers["Calendly-Webhook-Signature"] == expected


@pytest.mark.parametrize(
    ("offset", "ok"), [(-181, False), (-180, True), (0, True), (180, True), (181, False)]
)
def test_three_minute_tolerance_both_ways(host: PluginHost, offset: int, ok: bool) -> None:
    header = f"t={TS},v1={documented_signature(SIGNING_KEY, TS, BODY)}"
    assert verify(host, delivery(header), now=TS - offset).success is ok
    assert hookpoint_calendly.CalendlySettings().tolerance == 180


def test_tolerance_is_a_setting(host: PluginHost) -> None:
    header = f"t={TS},v1={documented_signature(SIGNING_KEY, TS, BODY)}"
    assert verify(host, delivery(header), now=TS + 500, tolerance=600).success


@pytest.mark.parametrize("header", ["", "t=1700000000", "v1=" + "0" * 64, "t=x,v1=ab", "junk"])
def test_malformed_headers_fail(host: PluginHost, header: str) -> None:
    result = verify(host, delivery(header))
    assert not result.success and result.reason
    assert not verify(host, delivery(None)).success


@pytest.mark.parametrize("name", [s.name for s in hookpoint_calendly.PROVIDER.samples])
def test_every_sample_verifies_describes_and_parses(host: PluginHost, name: str) -> None:
    sample = get_sample(host, "calendly", name)
    signed = sign_sample(host, "calendly", sample, now=TS)
    header = signed.headers["Calendly-Webhook-Signature"]
    assert header == f"t={TS},v1={documented_signature(SIGNING_KEY, TS, signed.body)}"
    assert verify(host, signed).success
    body = json.loads(signed.body)
    info = describe_request(host, "calendly", signed)
    assert info is not None
    assert info.type == body["event"] == sample.event_type
    assert info.id == f"{body['event']}:{body['payload']['uri']}"
    assert info.time is not None and info.time.isoformat().startswith("2019-08-24T14:15:23")
    assert info.fields["email"] == "test@example.com"
    assert info.fields["scheduled_event"] == body["payload"]["scheduled_event"]["uri"]
    event = parse_payload(body)
    assert isinstance(event.payload, Invitee)
    assert event.payload.scheduled_event is not None
    assert event.payload.scheduled_event.name == "15 Minute Meeting"


def test_published_examples_are_all_here() -> None:
    assert set(EXAMPLES) == {
        "invitee.created",
        "invitee.canceled",
        "routing_form_submission.created",
    }


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_published_example_verifies_describes_and_parses(host: PluginHost, name: str) -> None:
    body = EXAMPLES[name]
    payload = json.loads(body)
    header = f"t={TS},v1={documented_signature(SIGNING_KEY, TS, body)}"
    assert verify(host, delivery(header, body)).success
    assert not verify(host, delivery(header, body.replace(b"AAAA", b"AAAB", 1))).success
    info = describe_request(host, "calendly", delivery(None, body))
    assert info is not None
    assert info.type == name == payload["event"]
    assert info.id == f"{name}:{payload['payload']['uri']}"
    assert info.time == datetime.fromisoformat(payload["created_at"])
    assert info.fields["created_by"] == "https://api.calendly.com/users/AAAAAAAAAAAAAAAA"
    event = parse_payload(payload)
    assert event.event == name and event.payload is not None
    if name.startswith("invitee."):
        assert isinstance(event.payload, Invitee)
        assert event.payload.status == ("active" if name == "invitee.created" else "canceled")
        # the older shape names the scheduled event by URI only
        scheduled = "https://api.calendly.com/scheduled_events/AAAAAAAAAAAAAAAA"
        assert event.payload.event == info.fields["scheduled_event"] == scheduled
        assert info.fields["email"] == "test@example.com"
    else:
        assert isinstance(event.payload, RoutingFormSubmission)
        assert event.payload.submitter_type == "Invitee"
        assert event.payload.questions_and_answers[0].answer == "IT & Software"
        assert info.fields["scheduled_event"] is None


def test_published_created_and_canceled_of_one_invitee_stay_two_events(host: PluginHost) -> None:
    created, canceled = (
        describe_request(host, "calendly", delivery(None, EXAMPLES[name]))
        for name in ("invitee.created", "invitee.canceled")
    )
    assert created is not None and canceled is not None and created.id != canceled.id
    payload = parse_payload(json.loads(EXAMPLES["invitee.canceled"])).payload
    assert isinstance(payload, Invitee) and payload.cancellation is not None
    assert payload.cancellation.reason == "Meeting Conflict"


def test_dedupe_id_tells_created_from_canceled_and_reschedules(host: PluginHost) -> None:
    ids = {
        name: describe_request(host, "calendly", sign_sample(host, "calendly", name, now=TS))
        for name in ("invitee.created", "invitee.canceled", "invitee.rescheduled")
    }
    assert len({info.id for info in ids.values() if info is not None}) == 3
    canceled = parse_payload(json.loads(get_sample(host, "calendly", "invitee.canceled").body))
    assert isinstance(canceled.payload, Invitee) and canceled.payload.cancellation is not None
    assert canceled.payload.cancellation.reason == "Schedule conflict"


def test_body_without_uri_falls_back_to_a_digest(host: PluginHost) -> None:
    one = describe_request(host, "calendly", delivery(None, b'{"event":"invitee.created"}'))
    two = describe_request(host, "calendly", delivery(None, b'{"event":"invitee.canceled"}'))
    assert one is not None and two is not None and one.id and two.id and one.id != two.id
    assert describe_request(host, "calendly", delivery(None, b"not json")) is not None


def test_unknown_events_keep_extra_fields() -> None:
    event = parse_payload({"event": "invitee_no_show.created", "payload": {"uri": "u", "new": 1}})
    assert event.payload is not None and event.payload.model_extra == {"new": 1}


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("calendly")
    assert (record.distribution, record.module) == ("hookpoint-calendly", "hookpoint_calendly")
