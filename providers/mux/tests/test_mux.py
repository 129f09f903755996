"""Mux provider: the published known-answer vector of Mux's own SDK documentation, Mux's
documented algorithm recomputed with the standard library, the five-minute tolerance both ways,
the event description and models over every sample (Mux publishes no official Python webhook
verifier)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import hookpoint_mux
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
from hookpoint_mux import SIGNING_SECRET, Asset, LiveStream, MuxObject, Upload, parse_payload

# Published vector: Mux's Elixir SDK docs (Mux.Webhooks.TestUtils.generate_signature,
# https://hex.pm/packages/mux) sign the body "payload" with "SuperSecret123" at 1591664030.
VECTOR_BODY = b"payload"
VECTOR_SECRET = "SuperSecret123"
VECTOR_TS = 1591664030
VECTOR = "t=1591664030,v1=e43496b6aae982c4c2fd6f8e92935f1d90216f1f64d56024e72390acfb988272"
URL = "https://hooks.example.com/webhooks/mux"
# Whole deliveries from Mux, as published (tests/examples/README.md says where from).
EXAMPLES = {p.stem: p.read_bytes() for p in (Path(__file__).parent / "examples").glob("*.json")}


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_mux.PLUGIN)


def delivery(signature: str | None, body: bytes = VECTOR_BODY) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Mux-Signature"] = signature
    return WebhookRequest(url=URL, headers=headers, body=body)


def verify(host: PluginHost, req: WebhookRequest, now: float = VECTOR_TS, **settings: Any) -> Any:
    secrets = settings.pop("secrets", (VECTOR_SECRET,))
    return verify_request(host, "mux", req, secrets, now=now, settings=settings)


def test_published_vector_verifies_and_one_byte_breaks_it(host: PluginHost) -> None:
    assert verify(host, delivery(VECTOR)).success
    assert not verify(host, delivery(VECTOR, b"payloaD")).success
    assert not verify(host, delivery(VECTOR[:-1] + "3")).success
    assert not verify(host, delivery(VECTOR), secrets=("SuperSecret124",)).success
    assert verify(host, delivery(VECTOR), secrets=("rolled", VECTOR_SECRET)).success


def test_sign_hook_reproduces_the_published_vector(host: PluginHost) -> None:
    signed = sign_request(host, "mux", delivery(None), VECTOR_SECRET, now=VECTOR_TS)
    assert signed is not None and signed.headers["Mux-Signature"] == VECTOR


@pytest.mark.parametrize(
    ("offset", "ok"), [(-301, False), (-300, True), (0, True), (300, True), (301, False)]
)
def test_five_minute_tolerance_both_ways(host: PluginHost, offset: int, ok: bool) -> None:
    assert verify(host, delivery(VECTOR), now=VECTOR_TS - offset).success is ok
    assert hookpoint_mux.MuxSettings().tolerance == 300
    assert verify(host, delivery(VECTOR), now=VECTOR_TS + 900, tolerance=1000).success


@pytest.mark.parametrize("header", ["", "t=1591664030", "v1=" + "0" * 64, "t=,v1=00", "v1"])
def test_malformed_headers_fail(host: PluginHost, header: str) -> None:
    result = verify(host, delivery(header))
    assert not result.success and result.reason
    assert not verify(host, delivery(None)).success


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("video.asset.ready", Asset),
        ("video.upload.asset_created", Upload),
        ("video.live_stream.active", LiveStream),
    ],
)
def test_every_sample_verifies_describes_and_parses(
    host: PluginHost, name: str, model: type[MuxObject]
) -> None:
    signed = sign_sample(host, "mux", name, now=VECTOR_TS)
    digest = hmac.new(
        SIGNING_SECRET.encode(), f"{VECTOR_TS}.".encode() + signed.body, hashlib.sha256
    ).hexdigest()
    assert signed.headers["Mux-Signature"] == f"t={VECTOR_TS},v1={digest}"
    assert verify(host, signed, secrets=(SIGNING_SECRET,)).success
    body = json.loads(signed.body)
    info = describe_request(host, "mux", signed)
    assert info is not None
    assert (info.type, info.id) == (name, body["id"])
    assert info.time is not None and info.time.isoformat() == "2021-01-05T17:52:38+00:00"
    assert info.fields["object_id"] == body["data"]["id"]
    assert info.fields["environment"] == "j0863n"
    event = parse_payload(body)
    assert type(event.data) is model and event.object is not None
    assert event.object.type == body["object"]["type"]


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("video.asset.created", Asset),
        ("video.asset.ready", Asset),
        ("video.upload.asset_created", Upload),
    ],
)
def test_published_delivery_verifies_describes_and_parses(
    host: PluginHost, name: str, model: type[MuxObject]
) -> None:
    body = EXAMPLES[name]
    payload = json.loads(body)
    digest = hmac.new(b"whsec", f"{VECTOR_TS}.".encode() + body, hashlib.sha256).hexdigest()
    signed = delivery(f"t={VECTOR_TS},v1={digest}", body)
    assert verify(host, signed, secrets=("whsec",)).success
    assert not verify(host, delivery(signed.headers["Mux-Signature"], body + b" ")).success
    info = describe_request(host, "mux", signed)
    assert info is not None
    assert (info.type, info.id) == (name, payload["id"])
    assert info.time == datetime.fromisoformat(payload["created_at"])
    assert info.fields["object_type"] == payload["object"]["type"]
    assert info.fields["object_id"] == payload["object"]["id"] == payload["data"]["id"]
    assert info.fields["environment"] == "dvlv0o"
    assert info.fields["status"] == payload["data"]["status"]
    event = parse_payload(payload)
    assert type(event.data) is model and event.data.test is True
    assert event.environment is not None and event.environment.name == "Development"
    assert event.attempts == [] and event.request_id is None


def test_published_deliveries_are_all_here_and_typed() -> None:
    assert set(EXAMPLES) == {
        "video.asset.created",
        "video.asset.ready",
        "video.upload.asset_created",
    }
    ready = parse_payload(json.loads(EXAMPLES["video.asset.ready"])).data
    assert isinstance(ready, Asset)
    assert ready.created_at == datetime(2022, 6, 27, 20, 36, 33, tzinfo=UTC)
    assert (ready.duration, ready.aspect_ratio, ready.max_stored_resolution) == (
        2.976,
        "16:9",
        "HD",
    )
    assert ready.upload_id == "gjjg48rGLX4hBM9NVLzfTs13r8nr02CkYWE02Byd8jgV00"
    assert [track["type"] for track in ready.tracks] == ["video", "audio"]
    assert ready.non_standard_input_reasons == {"video_frame_rate": "-1.00", "audio_codec": "opus"}
    upload = parse_payload(json.loads(EXAMPLES["video.upload.asset_created"])).data
    assert isinstance(upload, Upload)
    assert upload.asset_id == ready.id and upload.timeout == 3600


def test_all_samples_are_covered() -> None:
    assert {s.name for s in hookpoint_mux.PROVIDER.samples} == {
        "video.asset.ready",
        "video.upload.asset_created",
        "video.live_stream.active",
    }


def test_asset_model_fields(host: PluginHost) -> None:
    data = json.loads(get_sample(host, "mux", "video.asset.ready").body)
    data["data"]["new_field"] = True
    event = parse_payload(data)
    assert isinstance(event.data, Asset)
    assert event.data.playback_ids[0].id == "Ryy8AR2x8ZLnqh9BH4nalTZL4G9ywoUw"
    assert event.data.duration == 23.872 and event.data.passthrough == "video-42"
    assert event.data.model_extra is not None and event.data.model_extra["new_field"] is True
    track = parse_payload({"type": "video.asset.track.ready", "data": {"id": "t1"}})
    assert type(track.data) is MuxObject


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("mux")
    assert (record.distribution, record.module) == ("hookpoint-mux", "hookpoint_mux")
