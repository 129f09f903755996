"""GitLab provider: the token vector, the signing token, event description and models."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

import hookpoint_gitlab
from hookpoint import WebhookRequest
from hookpoint.testing import (
    TEST_NOW,
    PluginHost,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_gitlab import MergeRequestEvent, PipelineEvent, PushEvent, parse_payload
from hookpoint_gitlab._samples import MERGE_REQUEST, PIPELINE, PUSH

# Known-answer vector "gitlab-token": valid iff constant-time equal.
TOKEN = "s3cr3t-token"
SIGNING_KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
URL = "https://hooks.example.com/webhooks/gitlab"
HEADERS = {
    "Content-Type": "application/json",
    "X-Gitlab-Event": "Push Hook",
    "X-Gitlab-Event-UUID": "7c1e1e8e-1f4b-4bd8-9a30-4a3b7c1b0a01",
    "Idempotency-Key": "1d9d7c4a-3a70-4f0c-8c6b-2a4a1a9e7f01",
}


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_gitlab.PLUGIN)


def request(body: bytes = PUSH, **headers: str) -> WebhookRequest:
    merged = {**HEADERS, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return WebhookRequest(method="POST", url=URL, headers=merged, body=body)


def verify(
    host: PluginHost,
    req: WebhookRequest,
    secrets: list[str] | None = None,
    now: float = TEST_NOW,
    **settings: Any,
) -> Any:
    return verify_request(
        host, "gitlab", req, [TOKEN] if secrets is None else secrets, now=now, settings=settings
    )


def signed(
    host: PluginHost, secret: str, body: bytes = PUSH, now: float = TEST_NOW, **headers: str
) -> WebhookRequest:
    result = sign_request(host, "gitlab", request(body, **headers), secret, now=now)
    assert result is not None
    return result


# -- the secret token ----------------------------------------------------------------------------


def test_token_vector_verifies(host: PluginHost) -> None:
    assert verify(host, request(X_Gitlab_Token=TOKEN)).success


@pytest.mark.parametrize("token", ["s3cr3t-tokeN", "s3cr3t-toke", "s3cr3t-token ", "", "x" * 500])
def test_other_tokens_are_refused(host: PluginHost, token: str) -> None:
    result = verify(host, request(X_Gitlab_Token=token))
    assert not result.success and TOKEN not in result.reason


def test_missing_token_and_no_secret(host: PluginHost) -> None:
    assert verify(host, request()).reason == "missing signature header"
    assert verify(host, request(X_Gitlab_Token=TOKEN), secrets=[]).reason == "no secret configured"


def test_repeated_token_header_is_refused(host: PluginHost) -> None:
    req = WebhookRequest(
        url=URL, body=PUSH, headers=[("X-Gitlab-Token", TOKEN), ("X-Gitlab-Token", "other")]
    )
    assert verify(host, req).reason == "malformed signature"


def test_rotation_accepts_either_token(host: PluginHost) -> None:
    assert verify(host, request(X_Gitlab_Token=TOKEN), secrets=["new-token", TOKEN]).success
    assert verify(host, request(X_Gitlab_Token="new-token"), secrets=["new-token", TOKEN]).success


def test_token_does_not_cover_the_body(host: PluginHost) -> None:
    """Documented limitation: any GitLab event body with the right token verifies."""
    assert verify(host, request(MERGE_REQUEST, X_Gitlab_Token=TOKEN)).success
    assert not verify(host, request(b'{"hello":"world"}', X_Gitlab_Token=TOKEN)).success
    assert not verify(host, request(b"[]", X_Gitlab_Token=TOKEN)).success


def test_sign_sets_the_token_header(host: PluginHost) -> None:
    req = signed(host, TOKEN)
    assert req.headers.getlist("X-Gitlab-Token") == [TOKEN]
    assert req.body == PUSH


# -- the signing token (Standard Webhooks headers) ----------------------------------------------


def test_signing_token_signature_matches_the_standard(host: PluginHost) -> None:
    import base64
    import hmac

    req = signed(host, SIGNING_KEY)
    assert req.headers["webhook-id"] == HEADERS["Idempotency-Key"]
    assert req.headers["webhook-timestamp"] == "1700000000"
    key = base64.b64decode(SIGNING_KEY.removeprefix("whsec_"))
    message = f"{HEADERS['Idempotency-Key']}.1700000000.".encode() + PUSH
    expected = base64.b64encode(hmac.digest(key, message, "sha256")).decode()
    assert req.headers["webhook-signature"] == f"v1,{expected}"
    assert verify(host, req, secrets=[SIGNING_KEY], require_signature=True).success


def test_signing_token_rejects_tampering_and_stale(host: PluginHost) -> None:
    req = signed(host, SIGNING_KEY)
    tampered = WebhookRequest(url=URL, headers=req.headers, body=PUSH.replace(b"main", b"mainx"))
    assert verify(host, tampered, secrets=[SIGNING_KEY]).reason == "signature mismatch"
    stale = verify(host, req, secrets=[SIGNING_KEY], now=TEST_NOW + 301)
    assert stale.reason == "timestamp too old"
    assert not verify(host, req, secrets=[SIGNING_KEY], now=TEST_NOW - 301).success
    assert verify(host, req, secrets=[SIGNING_KEY], now=TEST_NOW + 299).success
    assert verify(host, req, secrets=[SIGNING_KEY], now=TEST_NOW + 1000, tolerance=1200).success


def test_signature_wins_over_a_token_when_both_are_configured(host: PluginHost) -> None:
    both = [TOKEN, SIGNING_KEY]
    req = signed(host, SIGNING_KEY, X_Gitlab_Token=TOKEN)
    assert verify(host, req, secrets=both).success
    bad = WebhookRequest(url=URL, headers=req.headers, body=PUSH + b" ")
    assert not verify(host, bad, secrets=both).success  # a present, wrong signature is final


def test_require_signature_refuses_token_only(host: PluginHost) -> None:
    req = request(X_Gitlab_Token=TOKEN)
    result = verify(host, req, secrets=[TOKEN, SIGNING_KEY], require_signature=True)
    assert result.reason == "missing signature header"


# -- event description ---------------------------------------------------------------------------


def describe(host: PluginHost, req: WebhookRequest) -> Any:
    return describe_request(host, "gitlab", req)


def test_describe_push(host: PluginHost) -> None:
    info = describe(host, request())
    assert info.type == "Push Hook"
    assert info.id == HEADERS["Idempotency-Key"]
    assert info.time == datetime(2024, 5, 2, 7, 12, 45, tzinfo=UTC)
    assert info.fields["project"] == "mike/diaspora"
    assert info.fields["ref"] == "refs/heads/main"
    assert info.fields["object_kind"] == "push"


def test_describe_merge_request_with_gitlab_time_format(host: PluginHost) -> None:
    info = describe(host, request(MERGE_REQUEST, X_Gitlab_Event="Merge Request Hook"))
    assert info.type == "Merge Request Hook"
    assert info.fields["action"] == "open"
    assert info.time == datetime(2024, 5, 2, 10, 1, 12, tzinfo=UTC)


def test_describe_id_fallbacks(host: PluginHost) -> None:
    uuid_only = WebhookRequest(url=URL, body=PIPELINE, headers={"X-Gitlab-Event-UUID": "u-1"})
    info = describe(host, uuid_only)
    assert info.id == "u-1"
    assert info.type == "Pipeline Hook"  # derived from object_kind without the header
    bare = WebhookRequest(url=URL, body=PIPELINE)
    assert describe(host, bare).id == "sha256:" + hashlib.sha256(PIPELINE).hexdigest()


def test_describe_offset_time(host: PluginHost) -> None:
    body = json.dumps(
        {"object_kind": "issue", "object_attributes": {"updated_at": "2024-05-02 11:00:00 +0200"}}
    ).encode()
    assert describe(host, request(body)).time == datetime(2024, 5, 2, 9, tzinfo=UTC)


# -- models --------------------------------------------------------------------------------------


def test_models_parse_by_object_kind() -> None:
    push = parse_payload(json.loads(PUSH))
    assert isinstance(push, PushEvent) and push.branch == "main"
    assert push.commits[0].added == ["CHANGELOG"]
    mr = parse_payload(json.loads(MERGE_REQUEST))
    assert isinstance(mr, MergeRequestEvent) and mr.object_attributes is not None
    assert mr.object_attributes.source_branch == "ms-viewport"
    assert mr.object_attributes.created_at == "2024-05-02 09:12:45 UTC"  # kept as sent
    pipeline = parse_payload(json.loads(PIPELINE))
    assert isinstance(pipeline, PipelineEvent) and pipeline.object_attributes is not None
    assert pipeline.object_attributes.status == "failed"


def test_models_tolerate_unknown_fields() -> None:
    data = json.loads(PUSH)
    data["brand_new"] = {"x": 1}
    data["project"]["topics"] = ["a"]
    push = parse_payload(data)
    assert push.model_extra is not None and push.model_extra["brand_new"] == {"x": 1}
    assert push.project is not None and push.project.model_extra == {"topics": ["a"]}
    other = parse_payload({"event_name": "project_create", "name": "x"})
    assert type(other) is hookpoint_gitlab.GitLabEvent


def test_parse_payload_rejects_non_objects() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload([1])
