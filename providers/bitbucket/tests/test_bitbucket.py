"""Bitbucket provider: the documented sha256= signature in X-Hub-Signature, event description
by X-Event-Key and X-Request-UUID, and models of every sample."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

import hookpoint_bitbucket
from hookpoint import Sample, WebhookRequest
from hookpoint.testing import (
    PluginHost,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_bitbucket import (
    SAMPLES,
    CommitStatusEvent,
    PullRequestEvent,
    PushEvent,
    parse_payload,
)

URL = "https://hooks.example.com/webhooks/bitbucket"
SECRET = "bitbucket-secret"
BODY = SAMPLES[0].body
# Whole Bitbucket Cloud deliveries (tests/examples/README.md says where from) and the event key
# each arrived under, as drone/go-scm's webhook_test.go pairs them.
EXAMPLES = Path(__file__).parent / "examples"
EVENT_KEYS = {
    "push": "repo:push",
    "push_tag_create": "repo:push",
    "push_tag_delete": "repo:push",
    "push_branch_create": "repo:push",
    "push_branch_delete": "repo:push",
    "pr_created": "pullrequest:created",
    "pr_updated": "pullrequest:updated",
    "pr_fulfilled": "pullrequest:fulfilled",
    "pr_declined": "pullrequest:rejected",
    "pr_comment_created": "pullrequest:comment_created",
    "pr_comment_deleted": "pullrequest:comment_deleted",
    "pipeline_hook_created": "repo:commit_status_created",
    "pipeline_hook_update": "repo:commit_status_updated",
}


def documented(secret: str, body: bytes) -> str:
    """https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/, by hand."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_bitbucket.PLUGIN)


def verify(
    host: PluginHost,
    headers: dict[str, str],
    body: bytes = BODY,
    secrets: tuple[str, ...] = (SECRET,),
) -> bool:
    req = WebhookRequest(method="POST", url=URL, headers=headers, body=body)
    return bool(verify_request(host, "bitbucket", req, secrets).success)


def test_documented_signature_verifies(host: PluginHost) -> None:
    good = {"X-Hub-Signature": documented(SECRET, BODY)}
    assert verify(host, good)
    assert verify(host, good, secrets=("rotated", SECRET))
    assert not verify(host, good, secrets=("other",))
    assert not verify(host, good, body=BODY.replace(b"Emma", b"Emmb"))


def test_only_sha256_in_x_hub_signature_counts(host: PluginHost) -> None:
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    sha1 = hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest()
    assert not verify(host, {"X-Hub-Signature": digest})
    assert not verify(host, {"X-Hub-Signature": f"sha1={sha1}"})
    assert not verify(host, {"X-Hub-Signature-256": f"sha256={digest}"})
    assert not verify(host, {})


def test_same_encoding_as_githubs_published_vector(host: PluginHost) -> None:
    """GitHub's documented example (secret "It's a Secret to Everybody", body "Hello, World!"),
    which Bitbucket's sha256= hex encoding shares."""
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    headers = {"X-Hub-Signature": expected}
    assert verify(host, headers, body=b"Hello, World!", secrets=("It's a Secret to Everybody",))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_every_sample_is_signed_described_and_parsed(host: PluginHost, sample: Sample) -> None:
    req = WebhookRequest(method="POST", url=URL, headers=sample.headers, body=sample.body)
    signed = sign_request(host, "bitbucket", req, sample.secret)
    assert signed is not None
    assert signed.headers["X-Hub-Signature"] == documented(sample.secret, sample.body)
    info = describe_request(host, "bitbucket", req)
    assert info.type == sample.event_type == sample.headers["X-Event-Key"]
    assert info.id == sample.headers["X-Request-UUID"]
    assert info.time is None
    assert info.fields["repository"] == "team_name/repo_name"
    assert info.fields["workspace"] == "team_name"
    assert info.fields["actor"] == "Emma"
    assert info.fields["attempt"] == "1"
    assert parse_payload(json.loads(sample.body)).repository is not None


def test_dedupe_id_is_the_unsigned_request_uuid(host: PluginHost) -> None:
    """Documented limitation: a replay under a new X-Request-UUID is a new delivery."""
    sample = SAMPLES[0]
    replay = sample.headers | {"X-Request-UUID": "00000000-0000-4000-8000-000000000000"}
    first = describe_request(
        host, "bitbucket", WebhookRequest(method="POST", url=URL, headers=sample.headers, body=BODY)
    )
    again = describe_request(
        host, "bitbucket", WebhookRequest(method="POST", url=URL, headers=replay, body=BODY)
    )
    assert first.id != again.id
    bare = WebhookRequest(method="POST", url=URL, headers={"X-Event-Key": "repo:push"}, body=BODY)
    assert describe_request(host, "bitbucket", bare).id.startswith("sha256:")


def test_every_kept_delivery_has_its_event_key() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.json")} == set(EVENT_KEYS)


@pytest.mark.parametrize("name", sorted(EVENT_KEYS))
def test_real_delivery_verifies_describes_and_parses(host: PluginHost, name: str) -> None:
    body = (EXAMPLES / f"{name}.json").read_bytes()
    payload: dict[str, Any] = json.loads(body)
    headers = {
        "X-Event-Key": EVENT_KEYS[name],
        "X-Hook-UUID": "{d2a4a4d8-6c7f-4f71-9a3c-7c6d1e2f3a4b}",
        "X-Request-UUID": f"{{{name}}}",
        "X-Attempt-Number": "1",
        "X-Hub-Signature": documented(SECRET, body),
    }
    assert verify(host, headers, body)
    assert not verify(host, headers, body.replace(b"{", b" {", 1))
    req = WebhookRequest(method="POST", url=URL, headers=headers, body=body)
    info = describe_request(host, "bitbucket", req)
    assert (info.type, info.id, info.time) == (EVENT_KEYS[name], f"{{{name}}}", None)
    assert info.fields["attempt"] == "1"
    assert info.fields["repository"] == payload["repository"]["full_name"]
    assert info.fields["actor"] == payload["actor"]["display_name"]
    model = parse_payload(payload)
    assert model.repository is not None and model.actor is not None
    assert model.repository.full_name == payload["repository"]["full_name"]
    if "pullrequest" in payload:
        assert isinstance(model, PullRequestEvent) and model.pullrequest is not None
        assert model.pullrequest.id == info.fields["pullrequest_id"] == payload["pullrequest"]["id"]
        assert model.pullrequest.state == info.fields["pullrequest_state"]
    elif "push" in payload:
        assert isinstance(model, PushEvent) and model.push is not None
        assert len(model.push.changes) == len(payload["push"]["changes"])
    else:
        assert isinstance(model, CommitStatusEvent) and model.commit_status is not None
        assert model.commit_status.state == payload["commit_status"]["state"]


def test_real_deliveries_are_typed_in_depth() -> None:
    def load(name: str) -> Any:
        return parse_payload(json.loads((EXAMPLES / f"{name}.json").read_bytes()))

    merged = load("pr_fulfilled")
    assert merged.pullrequest.state == "MERGED" and merged.pullrequest.merge_commit is not None
    declined = load("pr_declined")
    assert declined.pullrequest.state == "DECLINED"
    created = load("push_branch_create").push.changes[0]
    assert created.created is True and created.old is None and created.new is not None
    deleted = load("push_tag_delete").push.changes[0]
    assert deleted.closed is True and deleted.new is None and deleted.old.type == "tag"
    comment = load("pr_comment_created")
    assert comment.comment is not None and comment.comment["content"]["raw"]


def test_push_and_pull_request_bodies_are_typed() -> None:
    push = parse_payload(json.loads(SAMPLES[0].body))
    assert isinstance(push, PushEvent) and push.push is not None
    change = push.push.changes[0]
    assert change.new is not None and change.new.name == "main"
    assert change.commits[0].hash == "709d658dc5b6d6afcd46049c2f332ee3f515a67d"
    pr = parse_payload(json.loads(SAMPLES[1].body))
    assert isinstance(pr, PullRequestEvent) and pr.pullrequest is not None
    assert pr.pullrequest.id == 1 and pr.pullrequest.state == "OPEN"
    assert pr.pullrequest.source is not None and pr.pullrequest.source.branch == {
        "name": "fix-build"
    }
    with pytest.raises(ValueError):
        parse_payload([])
