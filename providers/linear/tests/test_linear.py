"""Linear provider: a known-answer vector, the signed-body timestamp window both ways, event
description and models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

import hookpoint_linear
from hookpoint import WebhookRequest
from hookpoint.testing import (
    PluginHost,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_hmac_hex,
    sign_sample,
    verify_request,
)
from hookpoint_linear import Comment, Issue, LinearEntity, parse_payload

# Known-answer vector ("linear-hmac").
SECRET = "lin_wh_test_secret"
BODY = (
    b'{"action":"create","type":"Issue","data":{"id":"2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9",'
    b'"title":"Test issue"},"url":"https://linear.app/acme/issue/ENG-1","createdAt":'
    b'"2023-11-14T22:13:20.000Z","organizationId":"org-1","webhookTimestamp":1700000000000,'
    b'"webhookId":"wh-1"}'
)
SIGNATURE = "d40e6cd49b138ad6abd7d416f71b61153e9e7f3b6a08a5e8429947eba47b3343"
NOW = 1700000000.0


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_linear.PLUGIN)


def verify(
    host: PluginHost,
    body: bytes = BODY,
    signature: str | None = SIGNATURE,
    now: float = NOW,
    secrets: tuple[str, ...] = (SECRET,),
    **settings: Any,
) -> Any:
    headers = {"Linear-Delivery": "d1", "Linear-Event": "Issue"}
    if signature is not None:
        headers["Linear-Signature"] = signature
    req = WebhookRequest(
        url="https://hooks.example.com/webhooks/linear", headers=headers, body=body
    )
    return verify_request(host, "linear", req, secrets, now=now, settings=settings)


def test_vector_verifies_and_fails_with_one_byte_changed(host: PluginHost) -> None:
    assert verify(host).success
    assert not verify(host, BODY.replace(b"Test issue", b"Test issuf")).success
    assert not verify(host, signature="sha256=" + SIGNATURE).success
    assert verify(host, secrets=("rotated", SECRET)).success
    assert sign_hmac_hex(SECRET, BODY) == SIGNATURE


@pytest.mark.parametrize(
    ("offset", "ok", "reason"),
    [
        (-61, False, "timestamp in the future"),
        (-60, True, ""),
        (0, True, ""),
        (60, True, ""),
        (61, False, "timestamp too old"),
        (3600, False, "timestamp too old"),
    ],
)
def test_webhook_timestamp_window_both_ways(
    host: PluginHost, offset: float, ok: bool, reason: str
) -> None:
    result = verify(host, now=NOW + offset)
    assert (result.success, result.reason) == (ok, reason)


def test_tolerance_setting_and_missing_timestamp(host: PluginHost) -> None:
    assert verify(host, now=NOW + 300, tolerance=600).success
    assert hookpoint_linear.LinearSettings().tolerance == 60
    body = BODY.replace(b',"webhookTimestamp":1700000000000', b"")
    result = verify(host, body, sign_hmac_hex(SECRET, body))
    assert (result.success, result.reason) == (False, "missing timestamp")
    # a forged timestamp does not help: the body is signed
    moved = BODY.replace(b"1700000000000", b"1700000900000")
    assert verify(host, moved, now=NOW + 900).reason == "signature mismatch"


def test_describe(host: PluginHost) -> None:
    info = describe_request(host, "linear", sign_sample(host, "linear", "issue.update"))
    assert info is not None
    assert (info.type, info.id) == ("Issue", "9f3b5c2d-3b7a-4f1c-8b4e-6a8d0f2c4e6a")
    assert info.time == datetime.fromtimestamp(NOW, tz=UTC)
    assert (info.fields["action"], info.fields["identifier"], info.fields["team"]) == (
        "update",
        "ENG-1",
        "ENG",
    )


@pytest.mark.parametrize(
    ("name", "model"),
    [("issue.create", Issue), ("issue.update", Issue), ("comment.create", Comment)],
)
def test_samples_parse_into_their_models(host: PluginHost, name: str, model: type) -> None:
    data = json.loads(get_sample(host, "linear", name).body)
    data["data"]["brandNew"] = 1
    event = parse_payload(data)
    assert type(event.data) is model and event.data.model_extra == {"brandNew": 1}


def test_model_fields(host: PluginHost) -> None:
    update = parse_payload(json.loads(get_sample(host, "linear", "issue.update").body))
    assert isinstance(update.data, Issue) and update.data.state is not None
    assert (update.data.identifier, update.data.priority_label) == ("ENG-1", "Urgent")
    assert update.updated_from == {"priority": 2, "updatedAt": "2023-11-14T22:13:19.421Z"}
    assert update.actor is not None and update.actor.name == "Ada Lovelace"
    other = parse_payload({"type": "Project", "action": "create", "data": {"id": "p1"}})
    assert type(other.data) is LinearEntity


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("linear")
    assert (record.distribution, record.module) == ("hookpoint-linear", "hookpoint_linear")
