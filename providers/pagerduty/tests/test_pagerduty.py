"""PagerDuty provider: the documented v1 signature (rotation lists included), event description
and models of every sample."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import hookpoint_pagerduty
from hookpoint import Sample, WebhookRequest
from hookpoint.testing import (
    PluginHost,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_pagerduty import (
    SAMPLES,
    Incident,
    IncidentNote,
    IncidentResponder,
    IncidentStatusUpdate,
    IncidentWebhook,
    Service,
    parse_payload,
)

SECRET = "pd-secret"
BODY = b'{"event":{"id":"5ac64822-4adc-4fda-ade0-410becf0de4f","event_type":"incident.triggered"}}'
URL = "https://hooks.example.com/webhooks/pagerduty"
# Every example of PagerDuty's webhooks overview (docs/webhooks/01-Overview.md of
# PagerDuty/developer-docs): two whole deliveries and the five event data types.
PUBLISHED = json.loads((Path(__file__).parent / "published_examples.json").read_text())


def documented(secret: str, body: bytes) -> str:
    """The algorithm of https://developer.pagerduty.com/docs/verifying-signatures, by hand."""
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_pagerduty.PLUGIN)


def verify(
    host: PluginHost, signature: str, body: bytes = BODY, secrets: tuple[str, ...] = (SECRET,)
) -> Any:
    headers = {"X-PagerDuty-Signature": signature}
    req = WebhookRequest(method="POST", url=URL, headers=headers, body=body)
    return verify_request(host, "pagerduty", req, secrets)


def test_documented_signature_verifies_and_a_changed_byte_fails(host: PluginHost) -> None:
    assert verify(host, documented(SECRET, BODY)).success
    assert not verify(host, documented(SECRET, BODY), body=BODY.replace(b"ered", b"erad")).success
    assert not verify(host, documented("other", BODY)).success
    bare = documented(SECRET, BODY).removeprefix("v1=")
    assert not verify(host, bare).success


def test_rotation_any_v1_value_in_the_comma_list_matches(host: PluginHost) -> None:
    good, old = documented(SECRET, BODY), documented("old-secret", BODY)
    assert verify(host, f"{old},{good}").success
    assert verify(host, f"{good}, {old}").success
    assert not verify(host, f"{old},{documented('older', BODY)}").success
    assert verify(host, old, secrets=("new-secret", "old-secret")).success


def test_missing_or_empty_header_is_refused(host: PluginHost) -> None:
    req = WebhookRequest(method="POST", url=URL, headers={}, body=BODY)
    result = verify_request(host, "pagerduty", req, [SECRET])
    assert not result.success and result.reason == "missing signature header"
    assert not verify(host, " , ").success


def test_sign_hook_writes_the_documented_header(host: PluginHost) -> None:
    req = WebhookRequest(method="POST", url=URL, headers={}, body=BODY)
    signed = sign_request(host, "pagerduty", req, SECRET)
    assert signed is not None
    assert signed.headers["X-PagerDuty-Signature"] == documented(SECRET, BODY)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_every_sample_is_described_and_parsed(host: PluginHost, sample: Sample) -> None:
    req = WebhookRequest(method="POST", url=URL, headers=sample.headers, body=sample.body)
    info = describe_request(host, "pagerduty", req)
    event = json.loads(sample.body)["event"]
    assert info.type == sample.event_type == event["event_type"]
    assert info.id == event["id"]
    assert info.time == datetime(2020, 10, 2, 18, 45, 22, 169000, tzinfo=UTC)
    assert info.fields["resource_type"] == event["resource_type"]
    assert info.fields["subscription"] == "PY1OZDP"
    model = parse_payload(json.loads(sample.body))
    assert model.event is not None and model.event.id == event["id"]
    signed = sign_request(host, "pagerduty", req, sample.secret or "")
    assert signed is not None
    header = signed.headers["X-PagerDuty-Signature"]
    assert header == documented(sample.secret or "", sample.body)


def test_incident_and_service_data_are_typed() -> None:
    triggered = parse_payload(json.loads(SAMPLES[0].body))
    assert isinstance(triggered, IncidentWebhook)
    assert triggered.event is not None and isinstance(triggered.event.data, Incident)
    assert triggered.event.data.urgency == "high"
    assert triggered.event.data.service is not None
    assert triggered.event.data.service.id == "PF9KMXH"
    service = parse_payload(json.loads(SAMPLES[2].body))
    assert service.event is not None and isinstance(service.event.data, Service)
    assert service.event.data.name == "API Service"
    assert parse_payload({"event": {"id": "x", "extra": 1}}).event is not None
    with pytest.raises(ValueError):
        parse_payload([])


@pytest.mark.parametrize("payload", PUBLISHED["webhooks"], ids=lambda p: p["event"]["event_type"])
def test_published_deliveries_are_described_and_parsed(host: PluginHost, payload: Any) -> None:
    body = json.dumps(payload).encode()
    signature = documented(SECRET, body)
    assert verify(host, signature, body=body).success
    req = WebhookRequest(method="POST", url=URL, headers={}, body=body)
    info = describe_request(host, "pagerduty", req)
    event = payload["event"]
    assert (info.type, info.id) == (event["event_type"], event["id"])
    assert info.time == datetime.fromisoformat(event["occurred_at"])
    assert info.fields["resource_type"] == event["resource_type"]
    assert info.fields["resource_id"] == "PGR0VU2" or event["resource_type"] == "service"
    model = parse_payload(payload)
    assert model.event is not None and model.event.id == event["id"]
    expected = Incident if event["resource_type"] == "incident" else Service
    assert isinstance(model.event.data, expected)


@pytest.mark.parametrize(
    ("kind", "model"),
    [
        ("incident", Incident),
        ("incident_note", IncidentNote),
        ("incident_status_update", IncidentStatusUpdate),
        ("incident_responder", IncidentResponder),
    ],
)
def test_published_event_data_types_are_typed(kind: str, model: type[Any]) -> None:
    data = PUBLISHED["data"][kind]
    parsed = parse_payload({"event": {"id": "e1", "resource_type": "incident", "data": data}})
    assert parsed.event is not None and isinstance(parsed.event.data, model)
    assert parsed.event.data.id == data.get("id")
    incident = getattr(parsed.event.data, "incident", None)
    assert kind == "incident" or incident.id == "PGR0VU2"
