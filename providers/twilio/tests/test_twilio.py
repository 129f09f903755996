"""Twilio provider: known-answer vectors, twilio-python both ways, port variants, JSON bodies via
bodySHA256, the URL behind a proxy (through the real host), event description and models."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

import hookpoint_twilio
from hookpoint import Hookpoint, RespondWith, Response, WebhookRequest
from hookpoint.testing import (
    TEST_NOW,
    PluginHost,
    asgi_client,
    load_plugins,
    plugin_host,
    serve_app,
    sign_sample,
    verify_request,
)
from hookpoint_twilio import CallWebhook, MessageWebhook, parse_payload

# Known-answer vectors ("twilio-form", "twilio-multivalue",
# "twilio-json-body").
TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}
FORM_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
PORT_443_SIGNATURE = "kvajT1Ptam85bY51eRf/AJRuM3w="
HTTP_80_SIGNATURE = "0ZXoZLH/DfblKGATFgpif+LLRf4="
MULTI = [
    ("Sid", "CA123"),
    ("SidAccount", "AC123"),
    ("Digits", "5678"),
    ("Digits", "1234"),
    ("Digits", "1234"),
]
MULTI_SIGNATURE = "IK+Dwps556ElfBT0I3Rgjkr1wJU="
JSON_BODY = b'{"property": "value", "boolean": true}'
JSON_URL = URL + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
JSON_SIGNATURE = "a9nBmqA0ju/hNViExpshrM61xv4="


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_twilio.PLUGIN)


def delivery(
    url: str,
    body: bytes,
    signature: str | None,
    content_type: str = "application/x-www-form-urlencoded",
) -> WebhookRequest:
    headers = {"Content-Type": content_type}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return WebhookRequest(url=url, headers=headers, body=body)


def ok(host: PluginHost, req: WebhookRequest, **settings: Any) -> bool:
    return verify_request(host, "twilio", req, (TOKEN,), settings=settings).success


FORM = urlencode(PARAMS).encode()


@pytest.mark.parametrize(
    ("url", "signature"),
    [
        (URL, FORM_SIGNATURE),
        # Twilio signs with or without the default port; the request may arrive either way
        (URL, PORT_443_SIGNATURE),
        ("https://mycompany.com:443/myapp.php?foo=1&bar=2", FORM_SIGNATURE),
        ("http://mycompany.com/myapp.php?foo=1&bar=2", HTTP_80_SIGNATURE),
    ],
)
def test_form_vector_and_port_variants(host: PluginHost, url: str, signature: str) -> None:
    assert ok(host, delivery(url, FORM, signature))
    assert not ok(host, delivery(url, FORM.replace(b"1234", b"1235"), signature))
    assert not ok(host, delivery(url.replace("foo=1", "foo=2"), FORM, signature))


def test_multivalue_vector(host: PluginHost) -> None:
    body = urlencode(MULTI).encode()
    assert ok(host, delivery(URL, body, MULTI_SIGNATURE))
    assert not ok(host, delivery(URL, body.replace(b"5678", b"5679"), MULTI_SIGNATURE))


def test_json_vector_checks_the_body_hash(host: PluginHost) -> None:
    assert ok(host, delivery(JSON_URL, JSON_BODY, JSON_SIGNATURE, "application/json"))
    tampered = delivery(
        JSON_URL, JSON_BODY.replace(b"true", b"fals"), JSON_SIGNATURE, "application/json"
    )
    result = verify_request(host, "twilio", tampered, (TOKEN,), now=0)
    assert not result.success and result.reason == "body does not match bodySHA256"


def test_sign_hook_reproduces_the_vectors(host: PluginHost) -> None:
    settings = host.settings_for("twilio", {})
    signed = host.sign("twilio", delivery(URL, FORM, None), settings, TOKEN, TEST_NOW)
    assert signed is not None and signed.headers["X-Twilio-Signature"] == FORM_SIGNATURE
    signed = host.sign(
        "twilio", delivery(URL, JSON_BODY, None, "application/json"), settings, TOKEN, TEST_NOW
    )
    assert signed is not None and signed.url == JSON_URL
    assert signed.headers["X-Twilio-Signature"] == JSON_SIGNATURE


def test_sha256_shared_key_signatures(host: PluginHost) -> None:
    signature = RequestValidator(TOKEN).compute_signature(URL, PARAMS, "HMAC_SHA256")
    req = delivery(URL, FORM, signature).with_context(
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
            "X-Twilio-Webhooks-Signature-Settings": (
                "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"
            ),
        }
    )
    assert ok(host, req)
    assert not ok(host, delivery(URL, FORM, signature))


# -- twilio-python cross-checks -------------------------------------------------------------


@pytest.mark.parametrize("url", [URL, "https://example.com:8443/sms?x=%2F"])
def test_sdk_signature_verifies_with_the_provider(host: PluginHost, url: str) -> None:
    signature = RequestValidator(TOKEN).compute_signature(url, PARAMS)
    assert ok(host, delivery(url, FORM, signature))
    assert not ok(host, delivery(url, FORM + b"&Extra=1", signature))


@pytest.mark.parametrize(
    "name", ["message.received", "message.delivered", "call.ringing", "json_body"]
)
def test_provider_signature_validates_with_the_sdk(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, "twilio", name)
    signature = signed.headers["X-Twilio-Signature"]
    validator = RequestValidator(TOKEN)
    if name == "json_body":
        assert "bodySHA256=" in signed.url
        assert validator.validate(signed.url, signed.body.decode(), signature)
        assert not validator.validate(signed.url, signed.body.decode() + " ", signature)
    else:
        params = dict(signed.form().multi_items())
        assert validator.validate(signed.url, params, signature)
        assert not validator.validate(signed.url, {**params, "Body": "forged"}, signature)


# -- the URL behind a proxy ---------------------------------------------------------------------


@pytest.fixture
async def server(hookpoint_database_url: str) -> Any:
    hp = Hookpoint(id="twilio-proxy")
    hp.define_http_endpoint(id="twilio", source="twilio.com", provider="twilio", secrets=[TOKEN])
    hp.define_http_endpoint(
        id="twilio-pinned",
        source="twilio.com",
        provider="twilio",
        secrets=[TOKEN],
        settings={"public_url": "https://public.example.com/hooks/sms"},
    )
    async with serve_app(
        hp, database_url=hookpoint_database_url, trusted_proxies="10.0.0.2"
    ) as srv:
        yield srv


async def post(
    server: Any, client_ip: str, path: str, headers: dict[str, str], body: bytes
) -> httpx.Response:
    async with asgi_client(server, client=(client_ip, 50000), base_url="http://10.0.0.5:8000") as c:
        return await c.post(path, headers=headers, content=body)


async def test_url_is_rebuilt_from_trusted_forwarded_headers(server: Any) -> None:
    public = "https://hooks.example.com/webhooks/twilio?tenant=a%2Fb"
    signature = RequestValidator(TOKEN).compute_signature(public, PARAMS)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "hooks.example.com",
    }
    path = "/webhooks/twilio?tenant=a%2Fb"
    assert (await post(server, "10.0.0.2", path, headers, FORM)).status_code == 200
    # the same headers from an untrusted peer are ignored: the URL is http://10.0.0.5:8000/…
    assert (await post(server, "203.0.113.7", path, headers, FORM)).status_code == 401
    # without the forwarded headers the internal URL does not match either
    bare = {k: v for k, v in headers.items() if not k.startswith("X-Forwarded")}
    assert (await post(server, "10.0.0.2", path, bare, FORM)).status_code == 401


async def test_public_url_setting_for_path_rewriting_proxies(server: Any) -> None:
    signature = RequestValidator(TOKEN).compute_signature(
        "https://public.example.com/hooks/sms?x=1", PARAMS
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    response = await post(server, "203.0.113.7", "/webhooks/twilio-pinned?x=1", headers, FORM)
    assert response.status_code == 200


# -- events and models ---------------------------------------------------------------------


def test_describe(host: PluginHost) -> None:
    settings = host.settings_for("twilio", {})
    info = host.describe("twilio", sign_sample(host, "twilio", "message.delivered"), settings)
    assert info is not None
    assert (info.type, info.id) == ("message.delivered", "0b6f8d2a-3c5e-4f71-8a9b-2c4d6e8f0a1b")
    assert info.fields["message_sid"] == "SM1f0e8ae6ade43cb3c0ce4525424e404f"
    no_token = delivery(
        URL, urlencode({"CallSid": "CA1", "CallStatus": "completed"}).encode(), None
    )
    info = host.describe("twilio", no_token, settings)
    assert info is not None and info.type == "call.completed"
    assert info.id == "sha256:" + hashlib.sha256(no_token.body).hexdigest()
    # two <Gather> actions of one call, both in-progress, are two events (not duplicates)
    gathers = [
        host.describe(
            "twilio",
            delivery(
                URL,
                urlencode(
                    {"CallSid": "CA1", "CallStatus": "in-progress", "Digits": digits}
                ).encode(),
                None,
            ),
            settings,
        )
        for digits in ("1", "2")
    ]
    assert gathers[0] is not None and gathers[1] is not None
    assert gathers[0].id != gathers[1].id
    odd = host.describe("twilio", delivery(URL, JSON_BODY, None), settings)
    assert odd is not None and odd.type is None
    assert odd.id == "sha256:" + hashlib.sha256(JSON_BODY).hexdigest()


def test_models(host: PluginHost) -> None:
    sms = parse_payload(dict(sign_sample(host, "twilio", "message.received").form()))
    assert isinstance(sms, MessageWebhook)
    assert (sms.from_, sms.body, sms.status) == ("+14155552671", "Hello from Twilio! ✓", "received")
    assert sms.media_urls[0].endswith("/Media/ME0a1b")
    ringing = dict(sign_sample(host, "twilio", "call.ringing").form())
    call = parse_payload({**ringing, "NewParam": "x"})
    assert isinstance(call, CallWebhook) and call.call_status == "ringing"
    assert call.model_extra is not None and call.model_extra["NewParam"] == "x"


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("twilio")
    assert (record.distribution, record.module) == ("hookpoint-twilio", "hookpoint_twilio")


EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


async def test_the_readme_twiml_reply_for_incoming_calls_and_messages(
    hookpoint_database_url: str,
) -> None:
    """README: Twilio reads the answer to "A call/message comes in" as TwiML, so the example
    endpoint answers every verified request with an empty <Response> and still runs jobs."""
    hp = Hookpoint(id="twilio-twiml")
    twilio = hp.define_http_endpoint(
        id="twilio",
        source="twilio.com",
        provider="twilio",
        secrets=[TOKEN],
        respond_with=RespondWith(
            filter={},
            handler=lambda request, verify: Response(
                EMPTY_TWIML, headers={"Content-Type": "text/xml"}
            ),
            skip_triggering_runs=False,
        ),
    )
    hp.define_job(id="all", name="all", version="1", trigger=twilio.on_request(), run=print)
    async with serve_app(hp, database_url=hookpoint_database_url) as server:
        url = "http://10.0.0.5:8000/webhooks/twilio"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, PARAMS),
        }
        reply = await post(server, "203.0.113.7", "/webhooks/twilio", headers, FORM)
        assert reply.status_code == 200 and reply.text == EMPTY_TWIML
        assert reply.headers["content-type"].startswith("text/xml")
        forged = {**headers, "X-Twilio-Signature": "AAAA"}
        assert (
            await post(server, "203.0.113.7", "/webhooks/twilio", forged, FORM)
        ).status_code == 401
        runs = (await post_get(server, "/api/runs")).json()["items"]
        assert len(runs) == 1  # the verified request was stored and queued its run


async def post_get(server: Any, path: str) -> httpx.Response:
    async with asgi_client(server, base_url="http://127.0.0.1") as c:
        return await c.get(path)


def test_forms_are_not_decoded_without_a_signature_or_past_256_kib(host: PluginHost) -> None:
    """Decoding 10 MiB of %XX took ~2 s for anyone who posted it; the header is checked first
    and a Twilio form is a few KiB."""
    settings = host.settings_for("twilio", {})
    big = b"a=" + b"%41" * 100_000
    unsigned = delivery(URL, big, None)
    assert host.verify("twilio", unsigned, settings, [TOKEN], TEST_NOW).reason == (
        "missing signature header"
    )
    forged = delivery(URL, big, "AAAA")
    assert host.verify("twilio", forged, settings, [TOKEN], TEST_NOW).reason == (
        "form body too large for a Twilio request"
    )
