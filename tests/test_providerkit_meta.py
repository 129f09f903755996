"""providerkit's Meta building blocks: the signature, the verification handshake and the
settings every Meta Graph API webhook provider (WhatsApp, Messenger, Instagram, Pages) shares.

Known answers come from Meta's "Webhooks - Getting Started"
(https://developers.facebook.com/docs/graph-api/webhooks/getting-started): the sample
verification request (``meatyhamhock`` / ``1158201444``) and the signature algorithm
(``sha256=`` + hex HMAC-SHA256 of the raw payload keyed with the App Secret), computed here with
plain ``hmac`` as the independent implementation.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
from pydantic import ValidationError

from hookpoint import ChallengeResponse, Sample, WebhookRequest
from hookpoint.providerkit import (
    META_HANDSHAKE_SAMPLES,
    META_SIGNATURE,
    MetaSettings,
    meta_challenge,
)
from hookpoint.testing import request_from_sample

URL = "https://hooks.example.com/webhooks/meta"
APP_SECRET = "test_app_secret"
BODY = b'{"object":"page","entry":[{"id":"1","time":1,"messaging":[]}],"x":"caf\\u00e9 \\u0040"}'


def documented_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(signature: str | None, body: bytes = BODY) -> WebhookRequest:
    headers = {} if signature is None else {"X-Hub-Signature-256": signature}
    return WebhookRequest(method="POST", url=URL, headers=headers, body=body)


def get(query: str) -> WebhookRequest:
    return WebhookRequest(method="GET", url=f"{URL}?{query}" if query else URL)


def answer(query: str, token: str | None = "meatyhamhock") -> ChallengeResponse | None:
    settings = MetaSettings.model_validate({} if token is None else {"verify_token": token})
    return meta_challenge(get(query), settings, [APP_SECRET])


# -- META_SIGNATURE ------------------------------------------------------------------------------


def test_signature_verifies_the_documented_algorithm() -> None:
    assert META_SIGNATURE.header == "X-Hub-Signature-256"
    assert META_SIGNATURE.verify(post(documented_signature(APP_SECRET, BODY)), [APP_SECRET])


def test_sign_writes_what_the_documented_algorithm_computes() -> None:
    signed = META_SIGNATURE.sign(post("sha256=" + "0" * 64), APP_SECRET)
    assert signed.headers.getlist("x-hub-signature-256") == [documented_signature(APP_SECRET, BODY)]


@pytest.mark.parametrize(
    "signature",
    [
        documented_signature("other", BODY),
        documented_signature(APP_SECRET, BODY).removeprefix("sha256="),
        "sha1=" + hmac.new(APP_SECRET.encode(), BODY, hashlib.sha1).hexdigest(),
        "sha256=",
        None,
    ],
)
def test_signature_refuses_wrong_unprefixed_sha1_empty_and_missing(signature: str | None) -> None:
    result = META_SIGNATURE.verify(post(signature), [APP_SECRET])
    assert not result.success and result.reason


def test_signature_covers_the_raw_escaped_bytes_and_every_secret() -> None:
    signature = documented_signature(APP_SECRET, BODY)
    reserialized = BODY.replace(b"\\u00e9", "é".encode()).replace(b"\\u0040", b"@")
    assert not META_SIGNATURE.verify(post(signature, reserialized), [APP_SECRET])
    assert META_SIGNATURE.verify(post(signature), ["new_secret", APP_SECRET])
    assert not META_SIGNATURE.verify(post(signature), [])


# -- meta_challenge --------------------------------------------------------------------------------


def test_the_documented_verification_request_is_answered_with_the_challenge() -> None:
    reply = answer("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock")
    assert reply is not None
    assert (reply.status, reply.body) == (200, b"1158201444")
    assert reply.content_type == "text/plain" and reply.skip_triggering_runs


@pytest.mark.parametrize(
    ("query", "token", "status", "body"),
    [
        ("hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatyhamhocks", "meatyhamhock", 403,
         b"verify token mismatch"),
        ("hub.mode=subscribe&hub.challenge=1&hub.verify_token=", "meatyhamhock", 403,
         b"verify token mismatch"),
        ("hub.mode=subscribe&hub.challenge=1", "meatyhamhock", 403, b"verify token mismatch"),
        ("hub.mode=subscribe&hub.challenge=1&hub.verify_token=", "", 403,
         b"verify token mismatch"),
        ("hub.mode=subscribe&hub.challenge=1&hub.verify_token=x", None, 403,
         b"verify token mismatch"),
        ("hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=meatyhamhock", "meatyhamhock", 403,
         b"unsupported hub.mode"),
        ("hub.mode=subscribe&hub.verify_token=meatyhamhock", "meatyhamhock", 400,
         b"missing hub.challenge"),
    ],
)  # fmt: skip
def test_bad_handshakes_are_refused_in_plain_text(
    query: str, token: str | None, status: int, body: bytes
) -> None:
    reply = answer(query, token)
    assert reply is not None
    assert (reply.status, reply.body, reply.reason) == (status, body, body.decode())
    assert b"1158201444" not in reply.body


@pytest.mark.parametrize(
    "request_",
    [
        get(""),
        get("hub_mode=subscribe&hub_challenge=1&hub_verify_token=meatyhamhock"),
        WebhookRequest(
            method="POST", url=f"{URL}?hub.mode=subscribe&hub.verify_token=meatyhamhock"
        ),
    ],
)
def test_requests_that_are_not_handshakes_are_left_alone(request_: WebhookRequest) -> None:
    assert (
        meta_challenge(request_, MetaSettings.model_validate({"verify_token": "meatyhamhock"}), [])
        is None
    )


def test_the_app_secret_is_not_a_verify_token() -> None:
    query = f"hub.mode=subscribe&hub.challenge=1&hub.verify_token={APP_SECRET}"
    reply = meta_challenge(get(query), MetaSettings(), [APP_SECRET])
    assert reply is not None and reply.status == 403


# -- MetaSettings ----------------------------------------------------------------------------------


def test_settings_keep_the_token_secret_and_refuse_unknown_keys() -> None:
    settings = MetaSettings.model_validate({"verify_token": "meatyhamhock"})
    assert "meatyhamhock" not in repr(settings)
    with pytest.raises(ValidationError):
        MetaSettings.model_validate({"verify_tokn": "x"})

    class ProductSettings(MetaSettings):
        page_id: str | None = None

    derived = ProductSettings.model_validate({"verify_token": "t", "page_id": "1"})
    assert meta_challenge(get("hub.mode=subscribe&hub.challenge=7&hub.verify_token=t"), derived, [])


# -- META_HANDSHAKE_SAMPLES ------------------------------------------------------------------------


@pytest.mark.parametrize("sample", META_HANDSHAKE_SAMPLES, ids=lambda sample: sample.name)
def test_the_shared_handshake_samples_get_the_answer_they_expect(sample: Sample) -> None:
    assert sample.challenge and sample.method == "GET"
    reply = meta_challenge(
        request_from_sample(sample, "meta"), MetaSettings.model_validate(sample.settings), []
    )
    assert reply is not None and reply.status == sample.expect_status
    assert sample.expect_body is None or reply.body == sample.expect_body


def test_the_shared_handshake_samples_are_the_documented_request() -> None:
    right, wrong = META_HANDSHAKE_SAMPLES
    assert right.path_query == (
        "hub.mode=subscribe&hub.verify_token=meatyhamhock&hub.challenge=1158201444"
    )
    assert right.expect_body == b"1158201444" and wrong.expect_status == 403
