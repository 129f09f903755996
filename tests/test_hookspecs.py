"""The hook contract is pinned: documented, docstring'd, tested, and owner-dispatched."""

from __future__ import annotations

import inspect
import json
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from hookpoint import (
    ChallengeResponse,
    EventInfo,
    FilterOperator,
    ProviderInfo,
    Sample,
    Verification,
    hookimpl,
    hookspecs,
)
from hookpoint._plugins import PluginHost
from hookpoint._request import WebhookRequest
from hookpoint.providerkit import refuse_handshake

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(n for n in vars(hookspecs) if n.startswith("hookpoint_"))


def test_there_are_hooks() -> None:
    assert set(HOOKS) >= {
        "hookpoint_register_providers",
        "hookpoint_filter_operators",
        "hookpoint_challenge_response",
        "hookpoint_verify_request",
        "hookpoint_describe_event",
        "hookpoint_sign_request",
    }


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_docstring(name: str) -> None:
    doc = getattr(hookspecs, name).__doc__
    assert doc and len(doc.strip()) > 40, f"no docstring for {name}"
    assert ":returns:" in doc, f"{name}'s docstring must state its result rule"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_documented(name: str) -> None:
    page = (ROOT / "docs" / "plugin-hooks.md").read_text()
    params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
    assert f"## {name}({params})" in page, f"missing from docs/plugin-hooks.md: {name}({params})"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_a_test(name: str) -> None:
    source = Path(__file__).read_text()
    assert f"def test_hook_{name}(" in source, f"no test_hook_{name} in {__file__}"


# -- one plugin exercising every hook, for two providers (dispatch must be by owner) ------------


class AcmeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = "tok"


class AcmePlugin:
    __name__ = "acme-plugin"

    def __init__(self) -> None:
        self.calls: list[str] = []

    @hookimpl
    def hookpoint_register_providers(self) -> list[ProviderInfo]:
        return [
            ProviderInfo(
                name="acme",
                title="Acme",
                settings_model=AcmeSettings,
                samples=(Sample(name="one", body=b"{}"),),
            )
        ]

    @hookimpl
    def hookpoint_challenge_response(
        self, provider: str, request: WebhookRequest, settings: Any
    ) -> ChallengeResponse | None:
        self.calls.append(f"challenge:{provider}")
        if request.method == "GET" and request.query.get("challenge"):
            return ChallengeResponse(body=request.query.get("challenge", "").encode())
        return None

    @hookimpl
    def hookpoint_verify_request(
        self, provider: str, request: WebhookRequest, secrets: Any
    ) -> Verification:
        self.calls.append(f"verify:{provider}")
        ok = request.headers.get("x-acme") in secrets
        return Verification(success=ok, reason="" if ok else "bad")

    @hookimpl
    def hookpoint_describe_event(self, provider: str, request: WebhookRequest) -> EventInfo:
        self.calls.append(f"describe:{provider}")
        return EventInfo(type="acme.thing", id="evt-1")

    @hookimpl
    def hookpoint_sign_request(
        self, provider: str, request: WebhookRequest, secret: str
    ) -> WebhookRequest:
        return request.with_context(headers=[*request.headers.items(), ("X-Acme", secret)])

    @hookimpl
    def hookpoint_filter_operators(self) -> list[FilterOperator]:
        def validate(operand: Any) -> None:
            if not isinstance(operand, int) or isinstance(operand, bool):
                raise TypeError("$len needs an int")

        def match(value: Any, present: bool, operand: Any) -> bool:
            return present and isinstance(value, list | str) and len(value) == operand

        return [
            FilterOperator(
                name="$len", description="length equals", validate_operand=validate, match=match
            )
        ]


class Hijacker:
    """Implements the owned hooks for everyone: must never be consulted for 'acme'."""

    __name__ = "hijacker"

    @hookimpl
    def hookpoint_register_providers(self) -> list[ProviderInfo]:
        return [ProviderInfo(name="other", title="Other")]

    @hookimpl
    def hookpoint_verify_request(self) -> Verification:
        return Verification.verified()

    @hookimpl
    def hookpoint_challenge_response(self) -> ChallengeResponse:
        return ChallengeResponse(status=418)

    @hookimpl
    def hookpoint_describe_event(self) -> EventInfo:
        return EventInfo(type="hijacked")

    @hookimpl
    def hookpoint_sign_request(self, request: WebhookRequest) -> WebhookRequest:
        return request


def _host() -> tuple[PluginHost, AcmePlugin]:
    acme = AcmePlugin()
    # the hijacker registers last, so pluggy (LIFO) would call it first without owner dispatch
    host = PluginHost.load(plugins=[acme, Hijacker()], load_entrypoints=False)
    return host, acme


def _req(**kw: Any) -> WebhookRequest:
    return WebhookRequest(
        method=kw.pop("method", "POST"),
        url=kw.pop("url", "http://h/webhooks/a"),
        headers=kw.pop("headers", {}),
        body=kw.pop("body", b"{}"),
    )


def test_hook_hookpoint_register_providers() -> None:
    host, _ = _host()
    assert host.providers["acme"].title == "Acme"
    assert host.providers["other"].title == "Other"
    record = host.provider_record("acme")
    assert record.providers == ["acme"]
    assert "hookpoint_verify_request" in record.hooks


def test_hook_hookpoint_filter_operators() -> None:
    host, _ = _host()
    assert "$len" in host.operators and host.operators["$len"].kind == "plugin"
    assert host.operators["$startsWith"].kind == "builtin"
    from hookpoint import RequestFilter

    flt = RequestFilter({"body": {"tags": [{"$len": 2}]}}, operators=host.operators)
    assert flt.matches(
        _req(body=b'{"tags":["a","b"]}', headers={"content-type": "application/json"})
    )
    assert not flt.matches(
        _req(body=b'{"tags":["a"]}', headers={"content-type": "application/json"})
    )


def test_hook_hookpoint_challenge_response() -> None:
    host, acme = _host()
    settings = host.settings_for("acme", {})
    reply = host.challenge("acme", _req(method="GET", url="http://h/w?challenge=abc"), settings, ())
    assert reply is not None and reply.status == 200 and reply.body == b"abc"
    assert host.challenge("acme", _req(), settings, ()) is None  # not 418 from the hijacker
    assert acme.calls == ["challenge:acme", "challenge:acme"]


def test_hook_hookpoint_verify_request() -> None:
    host, _ = _host()
    settings = host.settings_for("acme", {})
    assert host.verify("acme", _req(headers={"X-Acme": "s1"}), settings, ["s0", "s1"], 0.0)
    bad = host.verify("acme", _req(headers={"X-Acme": "nope"}), settings, ["s1"], 0.0)
    assert not bad and bad.reason == "bad"  # the hijacker's blanket success was not consulted


def test_hook_hookpoint_describe_event() -> None:
    host, _ = _host()
    info = host.describe("acme", _req(), host.settings_for("acme", {}))
    assert info is not None and info.type == "acme.thing" and info.id == "evt-1"


def test_hook_hookpoint_sign_request() -> None:
    host, _ = _host()
    settings = host.settings_for("acme", {})
    signed = host.sign("acme", _req(body=b"xyz"), settings, "s3", 0.0)
    assert signed is not None and signed.body == b"xyz" and signed.headers.get("x-acme") == "s3"
    assert host.verify("acme", signed, settings, ["s3"], 0.0)


def test_verify_exception_or_none_is_a_failure_never_a_crash(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        __name__ = "broken"

        @hookimpl
        def hookpoint_register_providers(self) -> list[ProviderInfo]:
            return [ProviderInfo(name="broken", title="Broken")]

        @hookimpl
        def hookpoint_verify_request(self, request: WebhookRequest) -> Verification | None:
            if request.body == b"boom":
                raise RuntimeError("secret-ish detail")
            return None

    host = PluginHost.load(plugins=[Broken()], load_entrypoints=False)
    settings = host.settings_for("broken", None)
    boom = host.verify("broken", _req(body=b"boom"), settings, ["s"], 0.0)
    assert not boom and "secret" not in boom.reason
    assert "provider broken raised while verifying" in caplog.text
    caplog.clear()
    none = host.verify("broken", _req(), settings, ["s"], 0.0)
    assert not none and none.reason == "provider did not verify the request"
    assert "provider broken returned None from its verify hook" in caplog.text  # a plugin bug


def test_settings_are_validated_with_a_clear_message() -> None:
    from hookpoint import ProviderConfigError

    host, _ = _host()
    with pytest.raises(ProviderConfigError, match=r"invalid settings for provider 'acme'.*nope"):
        host.settings_for("acme", {"nope": 1})
    with pytest.raises(ProviderConfigError, match=r"unknown provider 'zzz'.*acme"):
        host.settings_for("zzz", {})


def test_plugin_operators_cannot_redefine_builtins() -> None:
    from hookpoint import PluginError

    class Redefiner:
        __name__ = "redefiner"

        @hookimpl
        def hookpoint_filter_operators(self) -> list[FilterOperator]:
            return [
                FilterOperator(
                    name="$startsWith",
                    description="evil",
                    validate_operand=lambda operand: None,
                    match=lambda value, present, operand: True,
                )
            ]

    with pytest.raises(PluginError, match=r"\$startsWith.*redefiner"):
        PluginHost.load(plugins=[Redefiner()], load_entrypoints=False)


def test_refuse_handshake_speaks_the_hosts_error_shape() -> None:
    reply = refuse_handshake("verify token mismatch", status=403)
    assert (reply.status, reply.content_type, reply.reason) == (
        403,
        "application/json",
        "verify token mismatch",
    )
    assert json.loads(reply.body) == {"error": "forbidden", "message": "verify token mismatch"}
    assert json.loads(refuse_handshake("signature mismatch").body)["error"] == "unauthorized"
    with pytest.raises(ValueError, match="4xx or 5xx"):
        refuse_handshake("fine", status=200)


def test_hook_hookpoint_notify(caplog: pytest.LogCaptureFixture) -> None:
    """Broadcast to every plugin, each on its own: a plugin that raises is skipped (and named
    in the log), the others' notifications are kept; the built-in webhook notifier signs with
    Standard Webhooks when configured (checked with the standardwebhooks library)."""
    import base64
    from datetime import UTC, datetime

    from standardwebhooks import Webhook

    from hookpoint import Alert, Notification
    from hookpoint._settings import Settings

    class Pager:
        __name__ = "pager"

        @hookimpl
        def hookpoint_notify(self, alert: Alert, env: Any) -> list[Notification]:
            return [Notification.of_json(env["PAGER_URL"], {"says": alert.message})]

    class Raises:
        __name__ = "raises"

        @hookimpl
        def hookpoint_notify(self, alert: Alert) -> list[Notification]:
            raise ValueError("whsec_should-not-be-logged")

    class Garbage:
        __name__ = "garbage"

        @hookimpl
        def hookpoint_notify(self) -> list[object]:
            return [{"url": "file:///etc/passwd"}]

    host = PluginHost.load(plugins=[Pager(), Raises(), Garbage()], load_entrypoints=False)
    assert set(host.notifiers(builtin=False)) == {"pager", "raises", "garbage"}
    alert = Alert(
        id="alert-1",
        app="app",
        condition="dead_runs",
        key="job",
        state="firing",
        message="1 run of job 'job' failed",
        at=datetime(2025, 1, 2, tzinfo=UTC),
    )
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    settings = Settings(alert_url="https://alerts.example/in", alert_secret=secret)
    made = host.notify(alert, settings, {"PAGER_URL": "https://pager.example/x"}, 1700000000.0)
    by_notifier = {n.notifier: n for n in made}
    assert set(by_notifier) == {"pager", "webhook"}  # slack is not configured
    assert json.loads(by_notifier["pager"].body) == {"says": "1 run of job 'job' failed"}
    signed = by_notifier["webhook"]
    assert signed.url == "https://alerts.example/in"
    headers = dict(signed.headers)
    assert headers["webhook-id"] == "alert-1" and headers["webhook-timestamp"] == "1700000000"
    from standardwebhooks.webhooks import WebhookVerificationError

    with pytest.raises(WebhookVerificationError, match="too old"):  # signed at `now`, long ago
        Webhook(secret).verify(signed.body, headers)
    fresh = host.notify(alert, settings, {"PAGER_URL": "https://p.example"}, time.time())
    webhook = next(n for n in fresh if n.notifier == "webhook")
    payload = Webhook(secret).verify(webhook.body, dict(webhook.headers))
    assert payload["type"] == "hookpoint.alert.firing"
    assert payload["data"] == alert.model_dump(mode="json")
    assert "plugin raises failed in hookpoint_notify (ValueError)" in caplog.text
    assert "plugin garbage failed in hookpoint_notify (ValidationError)" in caplog.text
    assert "should-not-be-logged" not in caplog.text
