"""Braintree provider: the braintree SDK's sample notifications verify, the SDK parses what the
provider signs, the bt_challenge answer equals the SDK's, key pairs and rotation, the handshake
oracle is closed, description, models, a whole app."""

from __future__ import annotations

import base64
import warnings
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

import hookpoint_braintree
from hookpoint import Hookpoint, WebhookRequest
from hookpoint.testing import (
    PluginHost,
    app_client,
    challenge_request,
    describe_request,
    plugin_host,
    sign_sample,
    verify_request,
)
from hookpoint_braintree import API_KEYS, BraintreeNotification, parse_payload

with warnings.catch_warnings():
    # the SDK warns about its own deprecated Dispute.ChargebackProtectionLevel while importing
    warnings.simplefilter("ignore", DeprecationWarning)
    import braintree
    from braintree.exceptions.invalid_signature_error import InvalidSignatureError

PUBLIC, PRIVATE = API_KEYS.split(":")
KINDS = ["subscription_went_past_due", "transaction_settled", "dispute_opened", "check"]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_braintree.PLUGIN)


def gateway(public: str = PUBLIC, private: str = PRIVATE) -> braintree.BraintreeGateway:
    config = braintree.Configuration(braintree.Environment.Sandbox, "merchant_id", public, private)
    return braintree.BraintreeGateway(config)


def form_request(fields: dict[str, Any] | list[tuple[str, str]]) -> WebhookRequest:
    return WebhookRequest(
        url="https://hooks.example.com/webhooks/braintree",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode(fields).encode(),
    )


def sdk_delivery(kind: str, object_id: str = "obj_1", **keys: str) -> WebhookRequest:
    sample = gateway(**keys).webhook_testing.sample_notification(kind, object_id)
    return form_request(
        {"bt_signature": sample["bt_signature"], "bt_payload": sample["bt_payload"].decode()}
    )


def fields(request: WebhookRequest) -> dict[str, str]:
    return dict(parse_qsl(request.body.decode()))


def verify(
    host: PluginHost, request: WebhookRequest, secrets: tuple[str, ...] = (API_KEYS,)
) -> Any:
    return verify_request(host, "braintree", request, secrets)


# -- the SDK's sample notifications ---------------------------------------------------------------


@pytest.mark.parametrize("kind", [*KINDS, "disbursement", "oauth_access_revoked"])
def test_sdk_sample_notifications_verify_and_describe(host: PluginHost, kind: str) -> None:
    request = sdk_delivery(kind, "obj_1")
    assert verify(host, request).success
    parsed = gateway().webhook_notification.parse(*fields(request).values())
    info = describe_request(host, "braintree", request)
    assert info is not None and info.type == parsed.kind == kind
    assert info.time is not None and info.time.replace(tzinfo=None) == parsed.timestamp
    assert verify(host, request, ("other_public_key:" + PRIVATE,)).reason == (
        "no signature for a configured public key"
    )
    assert verify(host, request, (PUBLIC + ":another_private_key",)).reason == "signature mismatch"


@pytest.mark.parametrize("kind", KINDS)
def test_provider_signed_samples_parse_with_the_sdk(host: PluginHost, kind: str) -> None:
    form = fields(sign_sample(host, "braintree", kind))
    notification = gateway().webhook_notification.parse(form["bt_signature"], form["bt_payload"])
    assert notification.kind == kind
    assert notification.timestamp.isoformat() == "2026-01-15T12:00:00"
    with pytest.raises(InvalidSignatureError):
        gateway(private="another_private_key").webhook_notification.parse(
            form["bt_signature"], form["bt_payload"]
        )


def test_our_samples_are_the_sdks_sample_xml(host: PluginHost) -> None:
    """The samples' XML is the SDK's sample for the kind: same layout and subject, a subset of
    its fields (the time and the ids are fixed here)."""
    for kind in KINDS:
        raw = gateway().webhook_testing.sample_notification(kind, "x")["bt_payload"].decode()
        sdk = hookpoint_braintree.decode_payload(raw)
        ours = hookpoint_braintree.decode_payload(
            base64.b64encode(hookpoint_braintree.notification_xml(kind).encode()).decode()
        )
        assert sdk is not None and ours is not None
        assert ours["kind"] == sdk["kind"] == kind
        assert ours["subject"].keys() == sdk["subject"].keys()
        for name, value in ours["subject"].items():
            if isinstance(value, dict):
                assert value.keys() <= sdk["subject"][name].keys()


def test_typed_subjects_match_the_sdk(host: PluginHost) -> None:
    form = fields(sign_sample(host, "braintree", "dispute_opened"))
    sdk = gateway().webhook_notification.parse(form["bt_signature"], form["bt_payload"])
    ours = parse_payload(form)
    assert isinstance(ours, BraintreeNotification) and ours.dispute is not None
    assert (ours.dispute.id, ours.dispute.status) == (sdk.dispute.id, sdk.dispute.status)
    assert ours.dispute.amount == sdk.dispute.amount
    assert ours.dispute.transaction is not None and ours.dispute.transaction.id == "txn_4f8b1c"
    settled = parse_payload(fields(sign_sample(host, "braintree", "transaction_settled")))
    assert settled.transaction is not None and settled.transaction.status == "settled"
    assert settled.subscription is None
    past_due = parse_payload(fields(sign_sample(host, "braintree", "subscription_went_past_due")))
    assert past_due.subscription is not None and past_due.subscription.transactions == []
    with pytest.raises(ValueError):
        parse_payload({"bt_payload": "bm90IHhtbA=="})


@pytest.mark.parametrize(
    "xml",
    [
        b'<!DOCTYPE n [<!ENTITY a "aaaa">]><notification><kind>&a;</kind></notification>',
        b"<notification>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</notification>",
        b"<other><kind>check</kind></other>",
        b"<notification><kind>check</kind>",
    ],
)
def test_hostile_or_foreign_xml_is_no_notification(xml: bytes) -> None:
    assert hookpoint_braintree.decode_payload(base64.b64encode(xml).decode()) is None


# -- the signature string -------------------------------------------------------------------------


def test_several_pairs_and_rotation(host: PluginHost) -> None:
    request = sdk_delivery("check")
    form = fields(request)
    several = form_request({**form, "bt_signature": "old_public|abc123&" + form["bt_signature"]})
    assert verify(host, several).success
    assert gateway().webhook_notification.parse(fields(several)["bt_signature"], form["bt_payload"])
    rotated = ("old_public:old_private", "not-a-pair", API_KEYS)
    assert verify(host, request, rotated).success
    assert verify(host, request, ("not-a-pair",)).reason == "invalid key configured"
    assert verify(host, request, ()).reason == "no secret configured"


def test_a_trailing_newline_is_forgiven_like_the_sdk(host: PluginHost) -> None:
    form = fields(sdk_delivery("check"))
    trimmed = form["bt_payload"].rstrip("\n")
    request = form_request({**form, "bt_payload": trimmed})
    assert verify(host, request).success
    assert gateway().webhook_notification.parse(form["bt_signature"], trimmed).kind == "check"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"bt_payload": "abc def"}, "malformed payload"),
        ({"bt_payload": ""}, "missing payload"),
        ({"bt_signature": ""}, "missing signature header"),
        ({"bt_signature": "no-pairs-here"}, "no signature for a configured public key"),
    ],
)
def test_malformed_deliveries_are_refused(
    host: PluginHost, change: dict[str, str], reason: str
) -> None:
    form = {**fields(sdk_delivery("check")), **change}
    assert verify(host, form_request(form)).reason == reason


# -- the handshake -------------------------------------------------------------------------------


def challenge(host: PluginHost, query: str, secrets: tuple[str, ...] = (API_KEYS,)) -> Any:
    request = WebhookRequest(method="GET", url=f"https://h.test/webhooks/braintree?{query}")
    return challenge_request(host, "braintree", request, secrets)


def test_the_challenge_answer_is_the_sdks(host: PluginHost) -> None:
    value = "0123456789abcdef0123"
    reply = challenge(host, f"bt_challenge={value}", ("not-a-pair", API_KEYS, "x:y"))
    assert reply is not None and reply.status == 200
    assert reply.body.decode() == gateway().webhook_notification.verify(value)
    assert reply.content_type.startswith("text/plain")


@pytest.mark.parametrize("value", ["XYZ", "0123456789ABCDEF0123", "0" * 19, "0" * 33])
def test_a_malformed_challenge_is_refused(host: PluginHost, value: str) -> None:
    reply = challenge(host, f"bt_challenge={value}")
    assert reply is not None and reply.status == 400 and reply.reason == "malformed challenge"


def test_other_requests_are_not_handshakes(host: PluginHost) -> None:
    assert challenge(host, "other=1") is None
    assert challenge_request(host, "braintree", sdk_delivery("check"), [API_KEYS]) is None
    reply = challenge(host, "bt_challenge=0123456789abcdef0123", ())
    assert reply is not None and reply.status == 401


def test_the_challenge_answer_cannot_forge_a_notification(host: PluginHost) -> None:
    """An answered challenge is a valid signature of 20-32 hex digits, which are base64: a
    payload that decodes to something other than XML is refused although its HMAC matches."""
    value = "0123456789abcdef0123456789abcdef"
    reply = challenge(host, f"bt_challenge={value}")
    assert reply is not None
    forged = form_request({"bt_signature": reply.body.decode(), "bt_payload": value})
    assert verify(host, forged).reason == "not a Braintree notification"


# -- a whole app ---------------------------------------------------------------------------------


async def test_an_app_answers_braintree(hookpoint_database_url: str) -> None:
    hp = Hookpoint(id="braintree-app")
    braintree_endpoint = hp.define_http_endpoint(
        id="braintree", source="braintree", provider="braintree", secrets=[API_KEYS]
    )
    disputes = braintree_endpoint.on_request(filter={"event": {"type": ["dispute_opened"]}})

    async def on_dispute(request: Any, io: Any, ctx: Any) -> None:
        return None

    hp.job(id="disputes", name="Disputes", version="1.0.0", trigger=disputes)(on_dispute)
    async with app_client(hp, database_url=hookpoint_database_url) as http:
        answered = await http.get("/webhooks/braintree", params={"bt_challenge": "ab" * 10})
        assert answered.text == gateway().webhook_notification.verify("ab" * 10)
        delivery = sdk_delivery("dispute_opened", "dp_1")
        first = await http.post(
            "/webhooks/braintree", content=delivery.body, headers=delivery.headers.to_dict()
        )
        assert first.status_code == 200 and first.json()["runs"] == 1
        again = await http.post(
            "/webhooks/braintree", content=delivery.body, headers=delivery.headers.to_dict()
        )
        assert again.json()["duplicate"] is True
        forged = form_request({**fields(delivery), "bt_signature": f"{PUBLIC}|{'0' * 40}"})
        refused = await http.post(
            "/webhooks/braintree", content=forged.body, headers=forged.headers.to_dict()
        )
        assert refused.status_code == 401
