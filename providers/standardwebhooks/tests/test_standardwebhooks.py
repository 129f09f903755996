"""Standard Webhooks provider: the spec's vector, the standardwebhooks and svix libraries both
ways, several signatures, tolerance both ways, v1a Ed25519, event description and models."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import standardwebhooks
import svix.webhooks

import hookpoint_standardwebhooks as stdwh
from hookpoint import WebhookRequest
from hookpoint.providerkit import ed25519_sign
from hookpoint.testing import (
    PluginHost,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_sample,
    verify_request,
)

# Known-answer vector ("stdwh-sign").
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TS = 1614265330
BODY = b'{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
URL = "https://hooks.example.com/webhooks/standardwebhooks"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(stdwh.PLUGIN)


def delivery(
    signature: str | None = SIGNATURE,
    *,
    body: bytes = BODY,
    ts: int = TS,
    prefix: str = "webhook",
    msg_id: str = MSG_ID,
) -> WebhookRequest:
    headers = {f"{prefix}-id": msg_id, f"{prefix}-timestamp": str(ts)}
    if signature is not None:
        headers[f"{prefix}-signature"] = signature
    return WebhookRequest(url=URL, headers=headers, body=body)


def verify(
    host: PluginHost,
    req: WebhookRequest,
    *,
    now: float = TS,
    secrets: tuple[str, ...] = (SECRET,),
    **settings: Any,
) -> Any:
    return verify_request(host, "standardwebhooks", req, secrets, now=now, settings=settings)


@pytest.mark.parametrize("prefix", ["webhook", "svix"])
def test_vector_verifies_under_both_header_names(host: PluginHost, prefix: str) -> None:
    assert verify(host, delivery(prefix=prefix)).success
    assert not verify(host, delivery(prefix=prefix, body=b'{"test": 2432232315}')).success
    assert not verify(host, delivery(prefix=prefix, msg_id=MSG_ID + "x")).success
    assert not verify(host, delivery(prefix=prefix, ts=TS + 1), now=TS).success


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    unsigned = delivery(None).with_context(headers={"webhook-id": MSG_ID})
    settings = host.settings_for("standardwebhooks", {})
    signed = host.sign("standardwebhooks", unsigned, settings, SECRET, TS)
    assert signed is not None
    assert signed.headers["webhook-signature"] == SIGNATURE
    assert signed.headers["webhook-timestamp"] == str(TS)
    assert signed.headers["webhook-id"] == MSG_ID


def test_several_signatures_and_unknown_versions(host: PluginHost) -> None:
    other = "v1," + base64.b64encode(b"x" * 32).decode()
    assert verify(host, delivery(f"{other} v2,abc {SIGNATURE}")).success
    assert verify(host, delivery(f"v1a,{'A' * 86}== {SIGNATURE}")).success
    assert not verify(host, delivery(other)).success
    assert not verify(host, delivery("v2," + SIGNATURE[3:])).success


def test_secret_forms_and_rotation(host: PluginHost) -> None:
    bare = SECRET.removeprefix("whsec_")
    assert verify(host, delivery(), secrets=(bare,)).success  # the libraries accept it too
    unpadded = "whsec_" + base64.b64encode(b"k" * 24).decode().rstrip("=")
    assert verify(host, delivery(), secrets=(unpadded, SECRET)).success
    assert verify(host, delivery(), secrets=("not base64!", SECRET)).success
    result = verify(host, delivery(), secrets=("not base64!",))
    assert not result.success and result.reason == "invalid key configured"


@pytest.mark.parametrize(
    ("offset", "ok"), [(-301, False), (-300, True), (0, True), (300, True), (301, False)]
)
def test_tolerance_applies_both_ways(host: PluginHost, offset: int, ok: bool) -> None:
    assert verify(host, delivery(), now=TS - offset).success is ok


def test_tolerance_setting_and_missing_headers(host: PluginHost) -> None:
    assert not verify(host, delivery(), now=TS + 31, tolerance=30).success
    no_id = delivery().with_context(
        headers={"webhook-timestamp": str(TS), "webhook-signature": SIGNATURE}
    )
    assert verify(host, no_id).reason == "missing message id"
    assert verify(host, delivery(None)).reason == "missing signature header"


# -- the reference libraries ------------------------------------------------------------------


@pytest.mark.parametrize("library", [standardwebhooks.Webhook, svix.webhooks.Webhook])
def test_library_signatures_verify_with_the_provider(host: PluginHost, library: Any) -> None:
    now = int(time.time())
    header = library(SECRET).sign(MSG_ID, datetime.fromtimestamp(now, tz=UTC), BODY.decode())
    prefix = "svix" if library is svix.webhooks.Webhook else "webhook"
    assert verify(host, delivery(header, ts=now, prefix=prefix), now=now).success


@pytest.mark.parametrize("name", ["contact.created", "svix.contact.created"])
def test_provider_signatures_verify_with_the_libraries(host: PluginHost, name: str) -> None:
    sample = get_sample(host, "standardwebhooks", name)
    signed = sign_sample(host, "standardwebhooks", sample, now=time.time())
    headers = dict(signed.headers.items())
    if sample.settings["header_style"] == "svix":
        svix.webhooks.Webhook(SECRET).verify(signed.body, headers)
        with pytest.raises(svix.webhooks.WebhookVerificationError):
            svix.webhooks.Webhook(SECRET).verify(signed.body + b" ", headers)
    else:
        assert standardwebhooks.Webhook(SECRET).verify(signed.body, headers) is not None
    webhook_headers = {k.replace("svix-", "webhook-"): v for k, v in headers.items()}
    standardwebhooks.Webhook(SECRET).verify(signed.body, webhook_headers, json_parse=False)


# -- v1a (Ed25519) ---------------------------------------------------------------------------


def test_v1a_signature_from_the_algorithm(host: PluginHost) -> None:
    seed = base64.b64decode(stdwh.ED25519_PRIVATE_KEY.removeprefix("whsk_"))
    raw = ed25519_sign(seed, f"{MSG_ID}.{TS}.".encode() + BODY)
    header = "v1a," + base64.b64encode(raw).decode()
    assert verify(host, delivery(header), secrets=(stdwh.ED25519_PUBLIC_KEY,)).success
    assert not verify(
        host, delivery(header, body=BODY + b" "), secrets=(stdwh.ED25519_PUBLIC_KEY,)
    ).success
    # a v1a signature is never checked against a symmetric secret, nor v1 against a public key
    assert not verify(host, delivery(header)).success
    assert not verify(host, delivery(), secrets=(stdwh.ED25519_PUBLIC_KEY,)).success


def test_v1a_and_v1_side_by_side(host: PluginHost) -> None:
    signed = sign_sample(host, "standardwebhooks", "ed25519.v1a")
    value = signed.headers["webhook-signature"]
    assert value.startswith("v1a,")
    mixed = delivery(
        f"{SIGNATURE} {value}",
        ts=int(signed.headers["webhook-timestamp"]),
        body=signed.body,
        msg_id=signed.headers["webhook-id"],
    )
    assert verify(
        host, mixed, now=1_700_000_000, secrets=("whsec_" + "A" * 32, stdwh.ED25519_PUBLIC_KEY)
    ).success


# -- events and models -----------------------------------------------------------------------


def test_dedupe_id_and_time_come_from_the_verified_headers(host: PluginHost) -> None:
    """A svix-signed request (verified with the svix-* set) cannot bring unsigned webhook-id /
    webhook-timestamp headers as its dedupe id and time: a replay under fresh ids would run
    again inside the tolerance."""
    signed = delivery(prefix="svix", signature=delivery().headers["webhook-signature"])
    assert verify(host, signed).success
    forged = signed.with_context(
        headers={
            **dict(signed.headers.items()),
            "webhook-id": "msg_forged",
            "webhook-timestamp": "0",
        }
    )
    assert verify(host, forged).success  # the svix set still verifies
    info = describe_request(host, "standardwebhooks", forged)
    assert info is not None and info.id == MSG_ID
    assert info.time is not None and info.time.timestamp() == TS


def test_describe(host: PluginHost) -> None:
    signed = sign_sample(host, "standardwebhooks", "svix.contact.created")
    info = describe_request(host, "standardwebhooks", signed)
    assert info is not None
    assert (info.type, info.id) == ("contact.created", "msg_2ZwA0dRHc3fFhFj8Yc5QY9zxX1b")
    assert info.time == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    assert info.fields == {"object": None, "data_id": "1f81eb52-5198-4599-803e-771906343485"}


def test_models(host: PluginHost) -> None:
    body = json.loads(get_sample(host, "standardwebhooks", "contact.created").body)
    spec = stdwh.parse_payload({**body, "extra": 1})
    assert type(spec) is stdwh.StandardWebhookEvent and spec.model_extra == {"extra": 1}
    assert spec.timestamp == datetime(2022, 11, 3, 20, 26, 10, 344522, tzinfo=UTC)
    assert spec.data is not None and spec.data["name"] == "Jane Doe"
    with pytest.raises(ValueError):
        stdwh.parse_payload([body])


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("standardwebhooks")
    assert (record.distribution, record.module) == (
        "hookpoint-standardwebhooks",
        "hookpoint_standardwebhooks",
    )
