"""Sentry provider: every payload example of Sentry's webhook docs (verbatim, in
``hookpoint_sentry/examples``) signed as Sentry's own ``build_signature`` does (hex HMAC-SHA256
of the JSON text with the Client Secret, recomputed here with the standard library), verified,
described as ``<resource>.<action>`` with the Request-ID as dedupe id, and parsed (Sentry
publishes no Python webhook verifier)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from importlib import resources
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
    DOCS_PAGES,
    DOCUMENTED_EXAMPLES,
    PUBLISHED_EXAMPLES,
    RESOURCES,
    CommentData,
    Installation,
    Issue,
    SentryWebhook,
    parse_payload,
    published_example,
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


# Printed with trailing commas (not JSON); Sentry's json.dumps never sends them.
TRAILING_COMMAS = {"seer.solution_completed", "seer.coding_completed"}
# The issue each published example is about, as its page prints it.
ISSUE_IDS = {
    "issue.created": "1170820242",
    "comment.created": "100",
    "event_alert.triggered": "1117540176",
    "error.created": "1170820242",
    **{f"seer.{action}": "1170820242" for action in RESOURCES["seer"]},
}


def payload_of(name: str) -> dict[str, Any]:
    """The published example as the dict Sentry serialises (trailing commas dropped)."""
    text = published_example(name)
    if name in TRAILING_COMMAS:
        text = re.sub(r",(\s*[}\]])", r"\1", text)
    payload: dict[str, Any] = json.loads(text)
    return payload


def test_every_published_example_is_kept_and_named_after_its_event() -> None:
    folder = resources.files("hookpoint_sentry") / "examples"
    files = {p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")}
    assert files == set(PUBLISHED_EXAMPLES)
    for name in PUBLISHED_EXAMPLES:
        resource, _, action = name.partition(".")
        assert resource in DOCS_PAGES and action in RESOURCES[resource]
        assert payload_of(name)["action"] == action
    invalid = set()
    for name in PUBLISHED_EXAMPLES:
        try:
            json.loads(published_example(name))
        except ValueError:
            invalid.add(name)
    assert invalid == TRAILING_COMMAS
    assert set(DOCUMENTED_EXAMPLES) == set(PUBLISHED_EXAMPLES) - TRAILING_COMMAS
    assert {name.partition(".")[0] for name in PUBLISHED_EXAMPLES} == set(RESOURCES)


@pytest.mark.parametrize("name", PUBLISHED_EXAMPLES)
def test_published_example_verifies_describes_and_parses(host: PluginHost, name: str) -> None:
    request_id, payload = f"req-{name}", payload_of(name)
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
    assert info.fields["actor_type"] == payload["actor"]["type"]
    assert info.fields["issue_id"] == ISSUE_IDS.get(name)
    event = parse_payload(json.loads(body))
    assert isinstance(event, SentryWebhook) and event.action == action
    assert event.actor is not None and event.actor.type in {"user", "application"}
    assert event.data is not None and event.installation is not None


def test_samples_are_the_documented_examples(host: PluginHost) -> None:
    assert [s.name for s in hookpoint_sentry.PROVIDER.samples] == list(DOCUMENTED_EXAMPLES)
    for sample in hookpoint_sentry.PROVIDER.samples:
        signed = sign_sample(host, "sentry", sample)
        expected = build_signature(CLIENT_SECRET, signed.body.decode())
        assert signed.headers["Sentry-Hook-Signature"] == expected
        assert json.loads(signed.body) == json.loads(published_example(sample.name))


def test_typed_data_per_resource() -> None:
    issue = parse_payload(DOCUMENTED_EXAMPLES["issue.created"][1])
    assert isinstance(issue, SentryWebhook) and issue.data is not None
    assert isinstance(issue.data.issue, Issue)
    assert (issue.data.issue.short_id, issue.data.issue.user_count) == ("FRONT-END-9", 1)
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
    assert alert.data.event is not None and alert.data.event["issue_id"] == "1117540176"
    assert alert.data.issue_alert == {
        "title": "Very Important Alert Rule!",
        "settings": [{"name": "channel", "value": "#general"}],
    }
    metric = parse_payload(DOCUMENTED_EXAMPLES["metric_alert.resolved"][1])
    assert metric.data is not None and metric.data.metric_alert is not None
    assert metric.data.description_title == "Resolved: Too many errors"
    error = parse_payload(DOCUMENTED_EXAMPLES["error.created"][1])
    assert error.data is not None and error.data.error is not None
    assert error.data.error["event_id"] == "bb78c1407cea4519aa397afc059c793d"
    seer = parse_payload(payload_of("seer.pr_created"))
    assert seer.data is not None and (seer.data.run_id, seer.data.group_id) == (12345, 1170820242)
    build = parse_payload(DOCUMENTED_EXAMPLES["preprod_artifact.size_analysis_completed"][1])
    assert build.data is not None and (build.data.build_id, build.data.state) == ("72", "COMPLETED")


def test_fields_follow_each_resource(host: PluginHost) -> None:
    def fields(name: str) -> dict[str, Any]:
        body = json.dumps(payload_of(name))
        req = delivery(body, None, name.partition(".")[0])
        info = describe_request(host, "sentry", req)
        assert info is not None
        return dict(info.fields)

    issue = fields("issue.created")
    assert (issue["project"], issue["level"]) == ("front-end", "error")
    assert fields("event_alert.triggered")["alert_rule"] == "Very Important Alert Rule!"
    assert fields("event_alert.triggered")["level"] == "error"
    assert fields("comment.created")["project"] == "sentry"
    assert fields("preprod_artifact.build_distribution_completed")["project"] == "my-project"
    assert fields("metric_alert.resolved")["issue_id"] is None


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
