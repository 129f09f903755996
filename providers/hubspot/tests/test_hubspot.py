"""HubSpot provider: hubspot-api-client's Signature cross-checks both ways (v3), HubSpot's
published v1/v2 vectors, the signed URI (escapes, proxies, target_url), the tolerance in
milliseconds, batch description and models."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pytest
from hubspot.exceptions import InvalidSignatureTimestampError
from hubspot.utils.signature import Signature

import hookpoint_hubspot
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
from hookpoint_hubspot import CLIENT_SECRET, HubSpotBatch, HubSpotEvent, parse_payload

V3 = "X-HubSpot-Signature-v3"
TS = "X-HubSpot-Request-Timestamp"
URL = "https://hooks.example.com/webhooks/hubspot"
NOW = 1_700_000_000.0
BODY = get_sample(plugin_host(hookpoint_hubspot.PLUGIN), "hubspot", "contact.creation").body

# HubSpot's published examples (validating-requests): the client secret, the v1 request body
# and the v2 GET, with the hashes HubSpot gives for them.
DOC_SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
DOC_V1 = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
DOC_V2_GET = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_hubspot.PLUGIN)


def request(
    headers: dict[str, str], body: bytes = BODY, url: str = URL, method: str = "POST"
) -> WebhookRequest:
    return WebhookRequest(method=method, url=url, headers=headers, body=body)


def verify(
    host: PluginHost,
    req: WebhookRequest,
    now: float = NOW,
    secrets: tuple[str, ...] = (CLIENT_SECRET,),
    **settings: Any,
) -> Any:
    return verify_request(host, "hubspot", req, secrets, now=now, settings=settings)


def sdk_headers(body: bytes, uri: str, now: float, method: str = "POST") -> dict[str, str]:
    timestamp = str(int(now * 1000))
    signature = Signature.get_signature(CLIENT_SECRET, body.decode(), "v3", uri, method, timestamp)
    return {V3: signature, TS: timestamp}


# -- hubspot-api-client, both ways -----------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_an_sdk_signature_verifies_with_the_provider(host: PluginHost, method: str) -> None:
    signed = request(sdk_headers(BODY, URL, NOW, method), method=method)
    assert verify(host, signed).success
    assert not verify(host, request(signed.headers, BODY + b" ", method=method)).success
    assert not verify(host, request(signed.headers, url=URL + "x", method=method)).success
    assert not verify(host, signed, secrets=("other",)).success


@pytest.mark.parametrize("name", [s.name for s in hookpoint_hubspot.SAMPLES])
def test_the_sdk_verifies_what_the_provider_signs(host: PluginHost, name: str) -> None:
    now = time.time()
    signed = sign_sample(host, "hubspot", name, now=now)
    args = (CLIENT_SECRET, signed.body.decode(), signed.url, "POST", "v3", signed.headers[TS])
    assert Signature.is_valid(signed.headers[V3], *args)
    changed = (CLIENT_SECRET, signed.body.decode() + " ", *args[2:])
    assert not Signature.is_valid(signed.headers[V3], *changed)


def test_the_sdk_and_the_provider_refuse_a_stale_timestamp(host: PluginHost) -> None:
    now = time.time()
    stale = sign_sample(host, "hubspot", "contact.creation", now=now - 301)
    with pytest.raises(InvalidSignatureTimestampError):
        Signature.is_valid(
            stale.headers[V3], CLIENT_SECRET, stale.body.decode(), stale.url, "POST", "v3",
            stale.headers[TS],
        )  # fmt: skip
    assert verify(host, stale, now=now).reason == "timestamp too old"


# -- the signed URI ----------------------------------------------------------------------------


def test_hubspots_escapes_are_decoded_in_the_signed_uri(host: PluginHost) -> None:
    received = URL + "?tag=a%3Ab%2Cc&q=%20x%2f"
    decoded = URL + "?tag=a:b,c&q=%20x/"  # %20 is not one HubSpot decodes
    assert hookpoint_hubspot.signed_uris(request({}, url=received), _settings()) == [
        decoded,
        received,
    ]
    assert verify(host, request(sdk_headers(BODY, decoded, NOW), url=received)).success
    # a sender that signed the URL as sent verifies too
    assert verify(host, request(sdk_headers(BODY, received, NOW), url=received)).success
    signed = sign_request(host, "hubspot", request({}, url=received), CLIENT_SECRET, now=NOW)
    assert signed is not None
    assert (
        Signature.get_signature(
            CLIENT_SECRET, BODY.decode(), "v3", decoded, "POST", signed.headers[TS]
        )
        == signed.headers[V3]
    )


def test_target_url_is_what_hubspot_signed_behind_a_rewriting_proxy(host: PluginHost) -> None:
    headers = sdk_headers(BODY, URL, NOW)
    internal = request(headers, url="http://10.0.0.5:8000/hooks/hubspot")
    assert verify(host, internal).reason == "signature mismatch"
    assert verify(host, internal, target_url=URL).success


# -- time --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "ok"), [(-301, False), (-300, True), (0, True), (300, True), (300.5, False)]
)
def test_tolerance_is_five_minutes_both_ways_in_milliseconds(
    host: PluginHost, offset: float, ok: bool
) -> None:
    signed = request(sdk_headers(BODY, URL, NOW))
    assert signed.headers[TS] == "1700000000000"
    assert verify(host, signed, now=NOW + offset).success is ok


def test_tolerance_is_a_setting(host: PluginHost) -> None:
    signed = request(sdk_headers(BODY, URL, NOW))
    assert not verify(host, signed, now=NOW + 61, tolerance=60).success
    assert verify(host, signed, now=NOW + 599, tolerance=600).success


@pytest.mark.parametrize("timestamp", [None, "", "abc", "1700000000", "-1"])
def test_bad_timestamps_fail(host: PluginHost, timestamp: str | None) -> None:
    headers = sdk_headers(BODY, URL, NOW)
    if timestamp is None:
        del headers[TS]
    else:
        headers[TS] = timestamp
    result = verify(host, request(headers))
    assert not result.success and "timestamp" in (result.reason or "")


# -- v1/v2 ---------------------------------------------------------------------------------------


def legacy(signature: str, version: str | None) -> dict[str, str]:
    headers = {"X-HubSpot-Signature": signature}
    if version:
        headers["X-HubSpot-Signature-Version"] = version
    return headers


def test_hubspots_published_v1_and_v2_vectors(host: PluginHost) -> None:
    # hubspot-api-client computes the same hashes HubSpot publishes
    assert Signature.get_signature(DOC_SECRET, BODY.decode(), "v1") == DOC_V1
    uri = "https://www.example.com/webhook_uri"
    assert Signature.get_signature(DOC_SECRET, "", "v2", uri, "GET") == DOC_V2_GET
    v1 = request(legacy(DOC_V1, "v1"))
    v2 = request(legacy(DOC_V2_GET, "v2"), body=b"", url=uri, method="GET")
    for req in (v1, v2):
        assert verify(host, req, secrets=(DOC_SECRET,), legacy_signatures=True).success
        off = verify(host, req, secrets=(DOC_SECRET,))
        assert not off.success and off.reason == "missing signature header"
        assert not verify(host, req, secrets=("other",), legacy_signatures=True).success
    assert verify(
        host, request(legacy(DOC_V1, None)), secrets=(DOC_SECRET,), legacy_signatures=True
    )
    changed = request(legacy(DOC_V1, "v1"), body=BODY + b" ")
    assert not verify(host, changed, secrets=(DOC_SECRET,), legacy_signatures=True).success
    v3 = request(legacy(DOC_V1, "v3"))
    assert verify(host, v3, secrets=(DOC_SECRET,), legacy_signatures=True).reason == (
        "unsupported signature version"
    )


def test_a_v3_signature_is_never_bypassed_by_a_legacy_one(host: PluginHost) -> None:
    headers = {**sdk_headers(BODY, URL, NOW - 3600), **legacy(DOC_V1, "v1")}
    result = verify(
        host, request(headers), secrets=(CLIENT_SECRET, DOC_SECRET), legacy_signatures=True
    )
    assert not result.success and result.reason == "timestamp too old"


# -- events and models -------------------------------------------------------------------------


def test_describe_a_single_event(host: PluginHost) -> None:
    info = describe_request(host, "hubspot", sign_sample(host, "hubspot", "contact.creation"))
    assert info is not None
    assert (info.type, info.id) == ("contact.creation", "1")
    assert info.time is not None and info.time.timestamp() == 1564113600
    assert info.fields["count"] == 1 and info.fields["object_ids"] == ["123"]
    assert info.fields["portal_ids"] == ["62515"] and info.fields["change_sources"] == ["CRM"]


def test_describe_batches(host: PluginHost) -> None:
    same = describe_request(
        host, "hubspot", sign_sample(host, "hubspot", "contact.property_change")
    )
    assert same is not None and same.type == "contact.propertyChange"
    assert same.id == "batch:" + hashlib.sha256(b"3816279340,3816279341").hexdigest()
    assert same.fields["property_names"] == ["lifecyclestage", "email"]
    assert same.fields["object_ids"] == ["1246965"] and same.fields["count"] == 2
    mixed = describe_request(host, "hubspot", sign_sample(host, "hubspot", "mixed_batch"))
    assert mixed is not None and mixed.type is None
    assert mixed.fields["event_types"] == [
        "deal.creation",
        "deal.propertyChange",
        "contact.deletion",
    ]
    assert mixed.time is not None and mixed.time.timestamp() == 1714659000


def test_a_retry_has_the_same_dedupe_id(host: PluginHost) -> None:
    events = json.loads(get_sample(host, "hubspot", "mixed_batch").body)
    retry = [{**event, "attemptNumber": 1} for event in events]
    first = describe_request(host, "hubspot", request({}, json.dumps(events).encode()))
    again = describe_request(host, "hubspot", request({}, json.dumps(retry).encode()))
    assert first is not None and again is not None and first.id == again.id


def test_samples_parse_into_batches_of_typed_events(host: PluginHost) -> None:
    data = json.loads(get_sample(host, "hubspot", "contact.property_change").body)
    data[0]["brandNew"] = 1
    batch = parse_payload(data)
    assert isinstance(batch, HubSpotBatch) and len(batch) == 2
    first = batch[0]
    assert isinstance(first, HubSpotEvent) and first.model_extra == {"brandNew": 1}
    assert (first.subscription_type, first.property_name, first.property_value) == (
        "contact.propertyChange",
        "lifecyclestage",
        "customer",
    )
    assert first.occurred_at is not None and first.occurred_at.timestamp() == 1714658591.123
    assert batch.subscription_types == ["contact.propertyChange"]
    mixed = parse_payload(json.loads(get_sample(host, "hubspot", "mixed_batch").body))
    assert [e.object_id for e in mixed] == [9876543210, 9876543210, 1246978]
    with pytest.raises(ValueError):
        parse_payload({"subscriptionType": "contact.creation"})


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("hubspot")
    assert (record.distribution, record.module) == ("hookpoint-hubspot", "hookpoint_hubspot")


def _settings() -> hookpoint_hubspot.HubSpotSettings:
    return hookpoint_hubspot.HubSpotSettings()
