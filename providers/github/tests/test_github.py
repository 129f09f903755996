"""GitHub provider: known-answer vectors, tampering, rotation, event description and models."""

from __future__ import annotations

import json

import pytest

import hookpoint_github
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
from hookpoint_github import IssuesEvent, PingEvent, PullRequestEvent, PushEvent, parse_payload

# Known-answer vectors ("github-docs", "octokit-verify").
VECTORS = [
    (
        "It's a Secret to Everybody",
        b"Hello, World!",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    ),
    (
        "mysecret",
        b'{"foo":"bar"}',
        "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3",
    ),
]
URL = "https://hooks.example.com/webhooks/github"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_github.PLUGIN)


def delivery(body: bytes, **headers: str) -> WebhookRequest:
    return WebhookRequest(
        url=URL, body=body, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )


def check(host: PluginHost, req: WebhookRequest, secrets: list[str]) -> bool:
    return verify_request(host, "github", req, secrets).success


@pytest.mark.parametrize(("secret", "body", "signature"), VECTORS)
def test_vectors_verify_and_fail_with_one_byte_changed(
    host: PluginHost, secret: str, body: bytes, signature: str
) -> None:
    assert check(host, delivery(body, X_Hub_Signature_256=signature), [secret])
    tampered = bytes([body[0] ^ 1]) + body[1:]
    assert not check(host, delivery(tampered, X_Hub_Signature_256=signature), [secret])
    wrong_sig = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert not check(host, delivery(body, X_Hub_Signature_256=wrong_sig), [secret])


@pytest.mark.parametrize(("secret", "body", "signature"), VECTORS)
def test_sign_hook_reproduces_the_vectors(
    host: PluginHost, secret: str, body: bytes, signature: str
) -> None:
    signed = sign_request(host, "github", delivery(body), secret)
    assert signed is not None
    assert signed.headers["X-Hub-Signature-256"] == signature
    assert signed.headers["X-Hub-Signature"].startswith("sha1=")


def test_rotation_and_header_case(host: PluginHost) -> None:
    secret, body, signature = VECTORS[0]
    req = delivery(body, x_hub_signature_256=signature)
    assert check(host, req, ["new-secret", secret])
    assert not check(host, req, ["new-secret"])
    assert not check(host, req, [])


def test_legacy_sha1_alone_is_not_trusted(host: PluginHost) -> None:
    signed = sign_sample(host, "github", "push")
    legacy_only = signed.with_context(
        headers=[(k, v) for k, v in signed.headers.items() if k.lower() != "x-hub-signature-256"]
    )
    result = verify_request(host, "github", legacy_only, ["It's a Secret to Everybody"])
    assert not result.success and result.reason == "missing signature header"


def test_prefix_is_required(host: PluginHost) -> None:
    secret, body, signature = VECTORS[1]
    bare = signature.removeprefix("sha256=")
    assert not check(host, delivery(body, X_Hub_Signature_256=bare), [secret])


def test_describe_uses_the_github_headers(host: PluginHost) -> None:
    signed = sign_sample(host, "github", "pull_request.opened")
    info = describe_request(host, "github", signed)
    assert info is not None
    assert info.type == "pull_request"
    assert info.id == "292430182:a77e5c10-0876-11ef-93c4-0e6e9b2a1f20"  # hook id : delivery
    assert info.time is None
    assert info.fields["action"] == "opened"
    assert info.fields["repository"] == "octocat/Hello-World"
    assert info.fields["sender"] == "octocat"
    assert info.fields["hook_id"] == "292430182"
    assert info.fields["installation_id"] == 2311213


def test_one_event_sent_to_two_webhooks_is_two_deliveries(host: PluginHost) -> None:
    """GitHub sends the same X-GitHub-Delivery GUID to every hook/App the event concerns (with
    different payloads): the hook id keeps them apart, so neither is taken for a duplicate."""
    settings = host.settings_for("github", {})
    signed = sign_sample(host, "github", "pull_request.opened")
    other = signed.with_context(headers={**dict(signed.headers.items()), "X-GitHub-Hook-ID": "999"})
    first, second = (
        host.describe("github", signed, settings),
        host.describe("github", other, settings),
    )
    assert first is not None and second is not None and first.id != second.id
    assert second.id == "999:a77e5c10-0876-11ef-93c4-0e6e9b2a1f20"


def test_describe_without_delivery_header_hashes_the_body(host: PluginHost) -> None:
    info = describe_request(host, "github", delivery(b"{}", X_GitHub_Event="ping"))
    assert info is not None and info.type == "ping"
    assert info.id is not None and info.id.startswith("sha256:")


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("ping", PingEvent),
        ("push", PushEvent),
        ("pull_request.opened", PullRequestEvent),
        ("issues.opened", IssuesEvent),
    ],
)
def test_samples_parse_into_their_models(host: PluginHost, name: str, model: type) -> None:
    data = json.loads(get_sample(host, "github", name).body)
    data["brand_new_field"] = {"x": 1}
    parsed = parse_payload(data)
    assert type(parsed) is model
    assert parsed.model_extra == {"brand_new_field": {"x": 1}}


def test_model_fields() -> None:
    push = parse_payload(
        json.loads(get_sample(plugin_host(hookpoint_github.PLUGIN), "github", "push").body)
    )
    assert isinstance(push, PushEvent) and push.head_commit is not None
    assert push.ref == "refs/heads/main" and push.commits[0].modified == ["README.md"]
    assert push.repository is not None and push.repository.full_name == "octocat/Hello-World"
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload(["not", "an", "object"])


def test_plugin_is_installed() -> None:
    host = load_plugins()
    record = host.provider_record("github")
    assert record.distribution == "hookpoint-github"
    assert record.module == "hookpoint_github" and record.error is None
