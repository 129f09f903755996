"""Typeform provider: a known-answer vector, computed vectors, event description and models."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

import hookpoint_typeform
from hookpoint import WebhookRequest
from hookpoint.testing import (
    PluginHost,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_typeform import TypeformWebhook, parse_payload
from hookpoint_typeform._samples import FORM_RESPONSE, PARTIAL_RESPONSE

# Known-answer vector "typeform-hmac".
VECTOR_SECRET = "abc123"
VECTOR_BODY = (
    b'{"event_id":"01HTEST","event_type":"form_response","form_response":{"form_id":"lT4Z3j",'
    b'"token":"a3a12ec67a1365927098a606107fac15"}}'
)
VECTOR_SIGNATURE = "sha256=3z4otolV/GHW/9Gmrhwg9mgmTRs2C7PGPYe8JUrkQuU="
URL = "https://hooks.example.com/webhooks/typeform"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_typeform.PLUGIN)


def request(body: bytes = VECTOR_BODY, signature: str | None = VECTOR_SIGNATURE) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Typeform-Signature"] = signature
    return WebhookRequest(method="POST", url=URL, headers=headers, body=body)


def verify(host: PluginHost, req: WebhookRequest, secrets: list[str] | None = None) -> Any:
    return verify_request(host, "typeform", req, [VECTOR_SECRET] if secrets is None else secrets)


def test_vector_verifies(host: PluginHost) -> None:
    assert verify(host, request()).success


def test_vector_rejected_with_one_byte_changed(host: PluginHost) -> None:
    body = VECTOR_BODY.replace(b"lT4Z3j", b"lT4Z3k")
    assert verify(host, request(body)).reason == "signature mismatch"


def test_sign_hook_reproduces_the_vector(host: PluginHost) -> None:
    signed = sign_request(host, "typeform", request(signature=None), VECTOR_SECRET)
    assert signed is not None and signed.headers["Typeform-Signature"] == VECTOR_SIGNATURE


def test_computed_vector_is_base64_not_hex(host: PluginHost) -> None:
    digest = hmac.digest(b"other-secret", FORM_RESPONSE, "sha256")
    good = "sha256=" + base64.b64encode(digest).decode()
    assert verify(host, request(FORM_RESPONSE, good), ["other-secret"]).success
    assert not verify(
        host, request(FORM_RESPONSE, "sha256=" + digest.hex()), ["other-secret"]
    ).success
    assert not verify(
        host, request(FORM_RESPONSE, good.removeprefix("sha256=")), ["other-secret"]
    ).success


def test_rotation_and_missing(host: PluginHost) -> None:
    assert verify(host, request(), ["new", VECTOR_SECRET]).success
    assert verify(host, request(signature=None)).reason == "missing signature header"
    assert verify(host, request(), []).reason == "no secret configured"


def describe(host: PluginHost, body: bytes) -> Any:
    return describe_request(host, "typeform", request(body))


def test_describe_form_response(host: PluginHost) -> None:
    info = describe(host, FORM_RESPONSE)
    assert (info.type, info.id) == ("form_response", "01HW5Q7BKJ0Z3V6X2Y9C4N8R1T")
    assert info.time == datetime(2024, 5, 2, 9, 12, 45, tzinfo=UTC)
    assert info.fields == {
        "form_id": "lT4Z3j",
        "response_token": "a3a12ec67a1365927098a606107fac15",
    }


def test_describe_partial_uses_landed_at(host: PluginHost) -> None:
    info = describe(host, PARTIAL_RESPONSE)
    assert info.type == "form_response_partial"
    assert info.time == datetime(2024, 5, 2, 9, 20, 11, tzinfo=UTC)


def test_describe_without_event_id_uses_the_body_hash(host: PluginHost) -> None:
    body = b'{"form_response":{}}'
    assert describe(host, body).id == "sha256:" + hashlib.sha256(body).hexdigest()


def test_model_fields_and_answers() -> None:
    event = parse_payload(json.loads(FORM_RESPONSE))
    assert isinstance(event, TypeformWebhook) and event.form_response is not None
    response = event.form_response
    assert response.submitted_at == datetime(2024, 5, 2, 9, 12, 45, tzinfo=UTC)
    assert response.hidden == {"user_id": "usr_4711"}
    city = response.answer("city")
    assert city is not None and city.value == {"id": "k10", "label": "München"}
    email = response.answer("JwWggjAKtOkA")
    assert email is not None and email.value == "laura@example.com"
    assert response.answer("nope") is None
    assert response.definition is not None and response.definition.fields[1].choices


def test_model_tolerates_unknown_fields() -> None:
    data = json.loads(FORM_RESPONSE)
    data["brand_new"] = 1
    data["form_response"]["answers"][0]["sentiment"] = "positive"
    event = parse_payload(data)
    assert event.model_extra == {"brand_new": 1}
    assert isinstance(event, TypeformWebhook) and event.form_response is not None
    assert event.form_response.answers[0].model_extra is not None
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload("x")
