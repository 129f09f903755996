"""Adyen provider: Adyen's published HMAC example, the Adyen SDK both ways, every signed field
and every item covered, basic auth, the [accepted] answer, description, models, a whole app."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from Adyen.util import generate_notification_sig, is_valid_hmac_notification
from pydantic import ValidationError

import hookpoint_adyen
from hookpoint import Hookpoint, ProviderConfigError, WebhookRequest
from hookpoint.testing import (
    PluginHost,
    app_client,
    challenge_request,
    describe_request,
    get_sample,
    plugin_host,
    request_from_sample,
    sign_sample,
    verify_request,
)
from hookpoint_adyen import HMAC_KEY, SIGNED_FIELDS, AdyenNotification, parse_payload

# Adyen's "Verify HMAC signatures" example: this key signs the example item as this signature.
DOCS_SIGNATURE = "coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0="
OTHER_KEY = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
AUTH = {"username": "adyen-webhooks", "password": "example-password"}


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_adyen.PLUGIN)


def body_of(request: WebhookRequest) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(request.body)
    return data


def with_data(request: WebhookRequest, data: dict[str, Any]) -> WebhookRequest:
    return WebhookRequest(url=request.url, headers=request.headers, body=json.dumps(data).encode())


def verify(
    host: PluginHost, request: WebhookRequest, keys: tuple[str, ...] = (HMAC_KEY,), **settings: Any
) -> Any:
    return verify_request(host, "adyen", request, keys, settings=settings)


def items(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [wrapper["NotificationRequestItem"] for wrapper in data["notificationItems"]]


# -- Adyen's published example -------------------------------------------------------------------


def test_signing_the_docs_example_gives_the_docs_signature(host: PluginHost) -> None:
    signed = sign_sample(host, "adyen", "authorisation")
    assert items(body_of(signed))[0]["additionalData"]["hmacSignature"] == DOCS_SIGNATURE
    assert hookpoint_adyen.signing_string(items(body_of(signed))[0]) == (
        "7914073381342284::TestMerchant:TestPayment-1407325143704:1130:EUR:AUTHORISATION:true"
    )
    assert verify(host, signed).success


def test_the_docs_example_as_adyen_formats_it_verifies(host: PluginHost) -> None:
    """Adyen's pretty-printed JSON, not our compact re-serialisation, verifies too."""
    data = body_of(sign_sample(host, "adyen", "authorisation"))
    pretty = WebhookRequest(url="https://h.test/adyen", body=json.dumps(data, indent=2).encode())
    assert verify(host, pretty).success


# -- the Adyen SDK, both ways ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["authorisation", "refund"])
def test_sdk_signatures_verify_with_the_provider(host: PluginHost, name: str) -> None:
    data = json.loads(get_sample(host, "adyen", name).body)
    for item in items(data):
        item["additionalData"]["hmacSignature"] = generate_notification_sig(
            {k: v for k, v in item.items() if k != "additionalData"}, HMAC_KEY
        ).decode()
    request = with_data(request_from_sample(get_sample(host, "adyen", name), "adyen"), data)
    assert verify(host, request).success
    assert verify(host, request, keys=(OTHER_KEY,)).reason == "signature mismatch"


@pytest.mark.parametrize("name", ["authorisation", "refund"])
def test_provider_signatures_verify_with_the_sdk(host: PluginHost, name: str) -> None:
    data = body_of(sign_sample(host, "adyen", name))
    assert is_valid_hmac_notification(data, HMAC_KEY)
    assert not is_valid_hmac_notification(data, OTHER_KEY)
    tampered = copy.deepcopy(data)
    items(tampered)[0]["amount"]["value"] += 1
    assert not is_valid_hmac_notification(tampered, HMAC_KEY)


def test_the_sdk_agrees_on_every_item_of_a_batch(host: PluginHost) -> None:
    """Adyen's helper checks only the first item; each item checked on its own agrees."""
    refund = items(json.loads(get_sample(host, "adyen", "refund").body))[0]
    data = json.loads(get_sample(host, "adyen", "authorisation").body)
    data["notificationItems"].append({"NotificationRequestItem": refund})
    signed = sign_sample(host, "adyen", "authorisation")
    signed = hookpoint_adyen.PLUGIN.hookpoint_sign_request(
        "adyen", with_data(signed, data), hookpoint_adyen.AdyenSettings(), HMAC_KEY, 0
    )
    assert signed is not None
    for item in items(body_of(signed)):
        assert is_valid_hmac_notification(item, HMAC_KEY)


# -- what the signature covers -------------------------------------------------------------------


@pytest.mark.parametrize("field", SIGNED_FIELDS)
def test_every_signed_field_is_covered(host: PluginHost, field: str) -> None:
    data = body_of(sign_sample(host, "adyen", "refund"))
    item = items(data)[0]
    if field in ("value", "currency"):
        item["amount"][field] = 1501 if field == "value" else "USD"
    else:
        item[field] = "changed"
    assert verify(host, with_data(sign_sample(host, "adyen", "refund"), data)).reason == (
        "signature mismatch"
    )


def test_every_item_must_verify(host: PluginHost) -> None:
    data = json.loads(get_sample(host, "adyen", "authorisation").body)
    data["notificationItems"] *= 2
    signed = hookpoint_adyen.PLUGIN.hookpoint_sign_request(
        "adyen",
        with_data(sign_sample(host, "adyen", "authorisation"), data),
        hookpoint_adyen.AdyenSettings(),
        HMAC_KEY,
        0,
    )
    assert signed is not None and verify(host, signed).success
    both = body_of(signed)
    items(both)[1]["success"] = "false"
    assert verify(host, with_data(signed, both)).reason == "signature mismatch"
    del items(both)[1]["additionalData"]["hmacSignature"]
    assert verify(host, with_data(signed, both)).reason == "missing signature header"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"live": "false", "notificationItems": []}, "not an Adyen notification"),
        ({"live": "false", "notificationItems": [{"x": {}}]}, "not an Adyen notification"),
        (
            {"notificationItems": [{"NotificationRequestItem": {"pspReference": {"a": 1}}}]},
            "malformed notification item",
        ),
    ],
)
def test_malformed_notifications_are_refused(
    host: PluginHost, body: dict[str, Any], reason: str
) -> None:
    request = WebhookRequest(url="https://h.test/adyen", body=json.dumps(body).encode())
    assert verify(host, request).reason == reason


def test_keys_are_hex_and_rotate(host: PluginHost) -> None:
    signed = sign_sample(host, "adyen", "authorisation")
    with pytest.raises(ValueError, match="HMAC key is hex"):
        sign_sample(host, "adyen", "authorisation", secret="not-hex")
    assert verify(host, signed, keys=("not-hex",)).reason == "invalid key configured"
    assert verify(host, signed, keys=("not-hex", OTHER_KEY, HMAC_KEY.lower())).success
    assert verify(host, signed, keys=()).reason == "no secret configured"


# -- basic auth ------------------------------------------------------------------------------------


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_basic_auth_when_configured(host: PluginHost) -> None:
    signed = sign_sample(host, "adyen", "authorisation.basic_auth")
    assert signed.headers["Authorization"] == basic(AUTH["username"], AUTH["password"])
    assert verify(host, signed, **AUTH).success
    assert verify(host, signed).success  # not configured: the HMAC alone decides

    def authorised(value: str | None) -> Any:
        headers = {k: v for k, v in signed.headers.items() if k != "Authorization"}
        if value is not None:
            headers["Authorization"] = value
        return verify(host, signed.with_context(headers=headers), **AUTH)

    assert authorised(None).reason == "missing basic auth"
    assert authorised(basic("adyen-webhooks", "wrong")).reason == "basic auth mismatch"
    assert authorised(basic("someone", AUTH["password"])).reason == "basic auth mismatch"
    assert authorised("Basic %%%").reason == "malformed basic auth"
    assert authorised("Bearer abc").reason == "missing basic auth"


def test_basic_auth_needs_both_settings(host: PluginHost) -> None:
    with pytest.raises(ProviderConfigError):
        host.settings_for("adyen", {"username": "only-a-user"})
    with pytest.raises(ValidationError):
        hookpoint_adyen.AdyenSettings(password="only-a-password")  # type: ignore[arg-type]
    assert "example-password" not in repr(host.settings_for("adyen", AUTH))


# -- the answer ------------------------------------------------------------------------------------


def test_notifications_are_answered_accepted(host: PluginHost) -> None:
    reply = challenge_request(host, "adyen", sign_sample(host, "adyen", "refund"), [HMAC_KEY])
    assert reply is not None
    assert (reply.status, reply.body, reply.skip_triggering_runs) == (200, b"[accepted]", False)
    other = WebhookRequest(url="https://h.test/adyen", body=b'{"type":"something.else"}')
    assert challenge_request(host, "adyen", other, [HMAC_KEY]) is None


# -- events and models -----------------------------------------------------------------------------


def test_describe(host: PluginHost) -> None:
    info = describe_request(host, "adyen", sign_sample(host, "adyen", "refund"))
    assert info is not None
    assert (info.type, info.id) == ("REFUND", "KHQC5N7G84BLNK43:REFUND:true")
    assert info.time is not None and info.time.isoformat() == "2021-01-01T01:00:00+01:00"
    assert info.fields["original_reference"] == "V4HZ4RBFJGXXGN82"
    assert (info.fields["live"], info.fields["success"]) == ("false", "true")
    assert info.fields["event_codes"] == ["REFUND"]


def test_describe_a_batch(host: PluginHost) -> None:
    first = body_of(sign_sample(host, "adyen", "authorisation"))
    second = body_of(sign_sample(host, "adyen", "refund"))
    first["notificationItems"] += second["notificationItems"]
    info = describe_request(host, "adyen", with_data(sign_sample(host, "adyen", "refund"), first))
    assert info is not None and info.type == "AUTHORISATION"
    assert info.fields["psp_references"] == ["7914073381342284", "KHQC5N7G84BLNK43"]
    assert info.id is not None and info.id.startswith("sha256:")


def test_models(host: PluginHost) -> None:
    notification = parse_payload(body_of(sign_sample(host, "adyen", "authorisation")))
    assert isinstance(notification, AdyenNotification) and notification.live is False
    (item,) = notification.items
    assert (item.event_code, item.success, item.psp_reference) == (
        "AUTHORISATION",
        True,
        "7914073381342284",
    )
    assert item.amount is not None and (item.amount.value, item.amount.currency) == (1130, "EUR")
    assert item.hmac_signature == DOCS_SIGNATURE
    assert item.operations == ["CANCEL", "CAPTURE", "REFUND"]
    with pytest.raises(ValueError):
        parse_payload([])


async def run_nothing(request: Any, io: Any, ctx: Any) -> None:
    return None


# -- a whole app -----------------------------------------------------------------------------------


async def test_an_app_answers_adyen(hookpoint_database_url: str) -> None:
    hp = Hookpoint(id="adyen-app")
    adyen = hp.define_http_endpoint(
        id="adyen", source="adyen.com", provider="adyen", secrets=[HMAC_KEY], settings=AUTH
    )
    payments = adyen.on_request(filter={"event": {"type": ["AUTHORISATION"]}})
    hp.job(id="authorised", name="Authorised", version="1.0.0", trigger=payments)(run_nothing)
    signed = sign_sample(plugin_host(hookpoint_adyen.PLUGIN), "adyen", "authorisation.basic_auth")
    async with app_client(hp, database_url=hookpoint_database_url) as http:

        async def send(request: WebhookRequest) -> Any:
            body, headers = request.body, request.headers.to_dict()
            return await http.post("/webhooks/adyen", content=body, headers=headers)

        first = await send(signed)
        assert (first.status_code, first.text) == (200, "[accepted]")
        again = await send(signed)
        assert (again.status_code, again.text) == (200, "[accepted]")
        stored = (await http.get("/api/requests")).json()["items"]
        assert sorted((r["status"], r["event_id"]) for r in stored) == [
            ("accepted", "7914073381342284:AUTHORISATION:true"),
            ("duplicate", "7914073381342284:AUTHORISATION:true"),
        ]
        forged = body_of(signed)
        items(forged)[0]["amount"]["value"] = 1
        refused = await send(with_data(signed, forged))
        assert refused.status_code == 401 and refused.text != "[accepted]"
        no_auth = signed.with_context(
            headers={k: v for k, v in signed.headers.items() if k != "Authorization"}
        )
        assert (await send(no_auth)).status_code == 401
