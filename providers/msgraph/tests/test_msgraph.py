"""Microsoft Graph provider: the validation vector, clientState checks, description, models."""

from __future__ import annotations

import json
from typing import Any

import pytest

import hookpoint_msgraph
from hookpoint import WebhookRequest
from hookpoint.testing import (
    TEST_NOW,
    PluginHost,
    challenge_request,
    describe_request,
    plugin_host,
    verify_request,
)
from hookpoint_msgraph import ChangeNotificationCollection, parse_payload
from hookpoint_msgraph._samples import LIFECYCLE, MESSAGE_CREATED

# Known-answer vector "graph-validation".
VALIDATION_QUERY = (
    "validationToken=Validation%3A%20Testing%20client%20application%20reachability%20for"
    "%20subscription%20Request-Id%3A%2000000000-0000-0000-0000-000000000000"
)
VALIDATION_BODY = (
    b"Validation: Testing client application reachability for subscription Request-Id: "
    b"00000000-0000-0000-0000-000000000000"
)
CLIENT_STATE = "secretClientValue"
URL = "https://hooks.example.com/webhooks/msgraph"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_msgraph.PLUGIN)


def request(body: bytes = MESSAGE_CREATED, query: str = "", method: str = "POST") -> WebhookRequest:
    return WebhookRequest(
        method=method,
        url=f"{URL}?{query}" if query else URL,
        headers={"Content-Type": "application/json"},
        body=body,
    )


def verify(host: PluginHost, req: WebhookRequest, secrets: list[str] | None = None) -> Any:
    return verify_request(host, "msgraph", req, [CLIENT_STATE] if secrets is None else secrets)


def challenge(host: PluginHost, req: WebhookRequest) -> Any:
    return challenge_request(host, "msgraph", req, [CLIENT_STATE])


def test_validation_vector(host: PluginHost) -> None:
    req = WebhookRequest(
        method="POST",
        url=f"{URL}?{VALIDATION_QUERY}",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    reply = challenge(host, req)
    assert reply.status == 200 and reply.body == VALIDATION_BODY
    assert reply.content_type == "text/plain"
    assert reply.skip_triggering_runs


def test_validation_needs_no_secret(host: PluginHost) -> None:
    req = request(b"", "validationToken=abc")
    reply = challenge_request(host, "msgraph", req, [])
    assert reply is not None and reply.body == b"abc"


def test_notifications_are_not_handshakes(host: PluginHost) -> None:
    assert challenge(host, request()) is None
    assert challenge(host, request(query="validationToken=x", method="PUT")) is None


def test_client_state_verifies(host: PluginHost) -> None:
    assert verify(host, request()).success
    assert verify(host, request(LIFECYCLE)).success
    assert verify(host, request(), ["rotated", CLIENT_STATE]).success


def test_wrong_or_missing_client_state(host: PluginHost) -> None:
    wrong = MESSAGE_CREATED.replace(b"secretClientValue", b"secretClientValuf")
    assert verify(host, request(wrong)).reason == "clientState mismatch"
    assert verify(host, request(), ["other"]).reason == "clientState mismatch"
    assert verify(host, request(), []).reason == "no secret configured"
    assert verify(host, request(b'{"value":[]}')).reason == "not a change notification collection"
    assert verify(host, request(b'{"value":[{"changeType":"created"}]}')).reason == (
        "missing clientState"
    )


def test_every_item_must_carry_a_secret(host: PluginHost) -> None:
    data = json.loads(MESSAGE_CREATED)
    data["value"].append({**data["value"][0], "clientState": "attacker"})
    assert not verify(host, request(json.dumps(data).encode())).success


def test_sign_sets_the_client_state(host: PluginHost) -> None:
    settings = host.settings_for("msgraph", {})
    same = request()
    assert host.sign("msgraph", same, settings, CLIENT_STATE, TEST_NOW) is same
    signed = host.sign("msgraph", same, settings, "new-state", TEST_NOW)
    assert signed is not None and json.loads(signed.body)["value"][0]["clientState"] == "new-state"
    assert verify(host, signed, ["new-state"]).success


def describe(host: PluginHost, body: bytes) -> Any:
    return describe_request(host, "msgraph", request(body))


def test_describe(host: PluginHost) -> None:
    info = describe(host, MESSAGE_CREATED)
    assert info.type == "created"
    assert info.id is None  # see test_identical_notifications_are_not_duplicates
    assert info.fields["subscription_ids"] == ["a8f7b1c2-3d4e-4f5a-8b9c-0d1e2f3a4b5c"]
    assert info.fields["tenant_ids"] == ["84bd8158-6d4d-4958-8b9f-9d6445542f95"]
    assert info.fields["count"] == 1
    lifecycle = describe(host, LIFECYCLE)
    assert lifecycle.type == "reauthorizationRequired"
    assert lifecycle.fields["lifecycle_events"] == ["reauthorizationRequired"]


def test_model() -> None:
    event = parse_payload(json.loads(MESSAGE_CREATED))
    assert isinstance(event, ChangeNotificationCollection)
    item = event.value[0]
    assert item.change_type == "created" and item.client_state == CLIENT_STATE
    assert item.resource_data is not None and item.resource_data.odata_type == (
        "#Microsoft.Graph.Message"
    )
    rich = parse_payload(
        {
            "value": [{"encryptedContent": {"dataKey": "k"}, "sequenceNumber": 3}],
            "validationTokens": ["jwt"],
        }
    )
    assert rich.validation_tokens == ["jwt"]
    assert rich.value[0].encrypted_content is not None
    assert rich.value[0].encrypted_content.data_key == "k"
    assert rich.value[0].model_extra == {"sequenceNumber": 3}
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload([])


def test_identical_notifications_are_not_duplicates(host: PluginHost) -> None:
    """Two changes to a drive give byte-identical notifications (nothing per change in them):
    with a body-hash id the second would be dropped as a duplicate. No id, no dedupe."""
    drive = json.dumps(
        {
            "value": [
                {
                    "subscriptionId": "sub-1",
                    "clientState": CLIENT_STATE,
                    "changeType": "updated",
                    "resource": "drives/b!abc/root",
                    "resourceData": {"@odata.type": "#Microsoft.Graph.DriveItem"},
                    "subscriptionExpirationDateTime": "2026-12-01T00:00:00Z",
                    "tenantId": "t-1",
                }
            ]
        }
    ).encode()
    assert describe(host, drive).id is None


def test_a_large_body_without_the_client_state_is_refused_before_parsing(host: PluginHost) -> None:
    settings = host.settings_for("msgraph", {})
    bomb = b'{"value":[' + b"{}," * 90_000 + b"{}]}" + b" " * 5_000_000
    verdict = host.verify("msgraph", request(bomb), settings, [CLIENT_STATE], TEST_NOW)
    assert verdict.reason == "clientState mismatch"
    from hookpoint_msgraph._provider import _may_carry_a_secret

    assert _may_carry_a_secret(b'..."clientState":"' + CLIENT_STATE.encode() + b'"', [CLIENT_STATE])
    assert _may_carry_a_secret(b"anything", ["needs/escaping"])  # JSON may write it as \/
