"""Sentry provider: every payload example of Sentry's webhook docs signed as Sentry's own
``build_signature`` does (hex HMAC-SHA256 of the JSON text with the Client Secret, recomputed
here with the standard library), verified, described as ``<resource>.<action>`` with the
Request-ID as dedupe id, and parsed (Sentry publishes no Python webhook verifier)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

import hookpoint_sentry
from hookpoint import WebhookRequest
from hookpoint.testing import (
    PluginHost,
    describe_request,
    load_plugins,
    plugin_host,
    sign_request,
    sign_sample,
    verify_request,
)
from hookpoint_sentry import (
    CLIENT_SECRET,
    DOCUMENTED_EXAMPLES,
    CommentData,
    Installation,
    Issue,
    SentryWebhook,
    parse_payload,
)

URL = "https://hooks.example.com/webhooks/sentry"


def build_signature(secret: str, body: str) -> str:
    """Sentry's algorithm as documented: hex HMAC-SHA256 of the body, keyed with the secret."""
    return hmac.new(secret.encode("utf-8"), body.encode("utf-8"), hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_sentry.PLUGIN)


def delivery(
    body: str, signature: str | None, resource: str = "issue", request_id: str | None = "r1"
) -> WebhookRequest:
    headers = {"Content-Type": "application/json", "Sentry-Hook-Resource": resource}
    headers["Sentry-Hook-Timestamp"] = "1700000000"
    if request_id is not None:
        headers["Request-ID"] = request_id
    if signature is not None:
        headers["Sentry-Hook-Signature"] = signature
    return WebhookRequest(url=URL, headers=headers, body=body.encode())


def verify(
    host: PluginHost, req: WebhookRequest, secrets: tuple[str, ...] = (CLIENT_SECRET,)
) -> Any:
    return verify_request(host, "sentry", req, secrets, now=1700000000)


@pytest.mark.parametrize("name", list(DOCUMENTED_EXAMPLES))
def test_documented_example_verifies_describes_and_parses(host: PluginHost, name: str) -> None:
    request_id, payload = DOCUMENTED_EXAMPLES[name]
    resource, _, action = name.partition(".")
    body = json.dumps(payload)  # what Sentry sends: json.dumps of the payload
    req = delivery(body, build_signature(CLIENT_SECRET, body), resource, request_id)
    assert verify(host, req).success
    assert not verify(host, delivery(body + " ", req.headers["Sentry-Hook-Signature"])).success
    assert not verify(host, req, secrets=("another secret",)).success
    info = describe_request(host, "sentry", req)
    assert info is not None
    assert (info.type, info.id) == (name, request_id)
    assert info.time is not None and info.time.timestamp() == 1700000000
    assert info.fields["resource"] == resource and info.fields["action"] == action
    assert info.fields["installation"] == payload["installation"]["uuid"]
    event = parse_payload(json.loads(body))
    assert isinstance(event, SentryWebhook) and event.action == action
    assert event.actor is not None and event.actor.type in {"user", "application"}


def test_samples_are_the_documented_examples(host: PluginHost) -> None:
    assert [s.name for s in hookpoint_sentry.PROVIDER.samples] == list(DOCUMENTED_EXAMPLES)
    for sample in hookpoint_sentry.PROVIDER.samples:
        signed = sign_sample(host, "sentry", sample)
        expected = build_signature(CLIENT_SECRET, signed.body.decode())
        assert signed.headers["Sentry-Hook-Signature"] == expected
        assert json.loads(signed.body) == DOCUMENTED_EXAMPLES[sample.name][1]


def test_typed_data_per_resource() -> None:
    issue = parse_payload(DOCUMENTED_EXAMPLES["issue.created"][1])
    assert isinstance(issue, SentryWebhook) and issue.data is not None
    assert isinstance(issue.data.issue, Issue)
    assert (issue.data.issue.short_id, issue.data.issue.user_count) == ("SENTRY-1", 1)
    install = parse_payload(DOCUMENTED_EXAMPLES["installation.created"][1])
    assert isinstance(install, SentryWebhook) and install.data is not None
    assert isinstance(install.data.installation, Installation)
    assert install.data.installation.code == "f3c71b491e3949b6b033ae45312a4fcb"
    comment = parse_payload(DOCUMENTED_EXAMPLES["comment.created"][1])
    assert isinstance(comment, SentryWebhook) and isinstance(comment.data, CommentData)
    assert (comment.data.comment_id, comment.data.issue_id) == (1234, 100)
    alert = parse_payload(DOCUMENTED_EXAMPLES["event_alert.triggered"][1])
    assert isinstance(alert, SentryWebhook) and alert.data is not None
    assert alert.data.triggered_rule == "Very Important Alert Rule!"


def test_sign_hook_signs_the_raw_body(host: PluginHost) -> None:
    body = '{"action": "resolved", "data": {"issue": {"id": "1"}}}'
    signed = sign_request(host, "sentry", delivery(body, None), CLIENT_SECRET, now=0)
    assert signed is not None
    assert signed.headers["Sentry-Hook-Signature"] == build_signature(CLIENT_SECRET, body)


def test_body_is_not_reserialised(host: PluginHost) -> None:
    # the same JSON without json.dumps' spaces is a different body: its signature must not pass
    payload = DOCUMENTED_EXAMPLES["comment.created"][1]
    compact = json.dumps(payload, separators=(",", ":"))
    signature = build_signature(CLIENT_SECRET, json.dumps(payload))
    assert not verify(host, delivery(compact, signature, "comment")).success


def test_unsigned_timestamp_is_not_a_replay_check(host: PluginHost) -> None:
    body = json.dumps(DOCUMENTED_EXAMPLES["issue.created"][1])
    req = delivery(body, build_signature(CLIENT_SECRET, body))
    late = verify_request(host, "sentry", req, (CLIENT_SECRET,), now=1700000000 + 86400 * 30)
    assert late.success


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "zz", "0" * 64])
def test_missing_or_wrong_signatures_fail(host: PluginHost, signature: str | None) -> None:
    result = verify(host, delivery('{"action": "created"}', signature))
    assert not result.success and result.reason


def test_dedupe_without_request_id_falls_back_to_a_digest(host: PluginHost) -> None:
    one = describe_request(host, "sentry", delivery('{"action": "created"}', None, request_id=None))
    two = describe_request(
        host, "sentry", delivery('{"action": "resolved"}', None, request_id=None)
    )
    assert one is not None and two is not None and one.id and two.id and one.id != two.id
    assert (one.type, two.type) == ("issue.created", "issue.resolved")
    odd = describe_request(host, "sentry", delivery("not json", None, resource="", request_id=None))
    assert odd is not None and odd.type is None


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("sentry")
    assert (record.distribution, record.module) == ("hookpoint-sentry", "hookpoint_sentry")
