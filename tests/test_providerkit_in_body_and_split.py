"""Provider kit building blocks for senders that sign inside the body (``with_body``, the
conformance kit's ``signature_in_body``/``signs_whole_body``) and for ``SplitHeaderSignature``
with more signed headers and RFC 3339 timestamps (Twitch EventSub)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from hookpoint import ProviderInfo, Sample, Verification, WebhookRequest, signing
from hookpoint.providerkit import (
    HmacScheme,
    ProviderPlugin,
    ProviderSettings,
    SignedTemplate,
    SplitHeaderSignature,
    with_body,
)
from hookpoint.testing import TEST_NOW, ProviderConformance

# -- SignedTemplate units ----------------------------------------------------------------------

RFC = SignedTemplate("{id}{timestamp}{body}", HmacScheme(prefix="sha256="), unit="rfc3339")


def test_stamp_writes_each_unit() -> None:
    assert SignedTemplate("{timestamp}").stamp(1700000000.9) == "1700000000"
    assert SignedTemplate("{timestamp}", unit="ms").stamp(1700000000.25) == "1700000000250"
    assert RFC.stamp(1700000000.5) == "2023-11-14T22:13:20.500000Z"


@pytest.mark.parametrize(
    ("value", "now", "reason"),
    [
        ("2023-11-14T22:13:20.123456789Z", TEST_NOW, None),
        ("2023-11-14T23:13:20+01:00", TEST_NOW + 300, None),
        ("2023-11-14t22:13:20z", TEST_NOW, None),
        ("2023-11-14T22:13:20Z", TEST_NOW + 301, "timestamp too old"),
        ("2023-11-14T22:13:20Z", TEST_NOW - 301, "timestamp in the future"),
        (None, TEST_NOW, "missing timestamp"),
        ("", TEST_NOW, "missing timestamp"),
        ("1700000000", TEST_NOW, "malformed timestamp"),
        ("2023-11-14 22:13:20Z", TEST_NOW, "malformed timestamp"),
        ("2023-11-14T22:13:20", TEST_NOW, "malformed timestamp"),
        ("2023-13-45T22:13:20Z", TEST_NOW, "malformed timestamp"),
        ("２０２３-11-14T22:13:20Z", TEST_NOW, "malformed timestamp"),
    ],
)
def test_rfc3339_check(value: str | None, now: float, reason: str | None) -> None:
    assert RFC.check(value, now, 300) == reason


# -- SplitHeaderSignature with a signed id header ------------------------------------------------

SCHEME = SplitHeaderSignature(
    "X-Sig", "X-Time", RFC, tolerance=600, part_headers={"id": "X-Message-Id"}
)


def request(headers: dict[str, str] | None = None, body: bytes = b'{"a":1}') -> WebhookRequest:
    return WebhookRequest(url="https://h.test/w", headers=headers or {}, body=body)


def test_the_id_header_is_signed_and_kept() -> None:
    signed = SCHEME.sign(request({"X-Message-Id": "msg-1"}), "k", TEST_NOW)
    assert signed.headers["X-Message-Id"] == "msg-1"
    expected = "msg-1" + signed.headers["X-Time"] + '{"a":1}'
    assert signed.headers["X-Sig"] == signing.sign_hex("k", expected.encode(), prefix="sha256=")
    assert SCHEME.verify(signed, ["k"], TEST_NOW, 600).success
    other = signed.with_context(headers={**signed.headers.to_dict(), "X-Message-Id": "msg-2"})
    assert SCHEME.verify(other, ["k"], TEST_NOW, 600).reason == "signature mismatch"
    dropped = signed.with_context(
        headers={k: v for k, v in signed.headers.items() if k != "X-Message-Id"}
    )
    assert SCHEME.verify(dropped, ["k"], TEST_NOW, 600).reason == "missing X-Message-Id header"


def test_a_missing_id_is_derived_from_the_body() -> None:
    first = SCHEME.sign(request(), "k", TEST_NOW).headers["X-Message-Id"]
    assert first == SCHEME.sign(request(), "k", TEST_NOW + 9).headers["X-Message-Id"]
    assert uuid.UUID(first)
    assert first != SCHEME.sign(request(body=b"{}"), "k", TEST_NOW).headers["X-Message-Id"]


# -- with_body -----------------------------------------------------------------------------------


def test_with_body_changes_only_the_body() -> None:
    at = datetime(2026, 1, 2, tzinfo=UTC)
    original = WebhookRequest(
        method="PUT",
        url="https://h.test/w?x=1",
        headers={"Content-Type": "application/json", "X-A": "1"},
        body=b'{"a":1}',
        client="10.0.0.1",
        received_at=at,
    )
    assert original.json() == {"a": 1}  # parse once, so a stale cache would show
    copy = with_body(original, b'{"b":2}')
    assert copy.body == b'{"b":2}' and copy.json() == {"b": 2}
    assert (copy.method, copy.url, copy.client, copy.received_at) == (
        "PUT",
        "https://h.test/w?x=1",
        "10.0.0.1",
        at,
    )
    assert copy.headers == original.headers
    assert original.body == b'{"a":1}'


# -- the conformance kit for a sender that signs inside the body ------------------------------

_MARK = b"\nsig="
_HMAC = HmacScheme()


def _verify(
    request: WebhookRequest, settings: BaseModel, secrets: Sequence[str], now: float
) -> Verification:
    head, found, signature = request.body.rpartition(_MARK)
    if not found:
        return Verification.refused(signing.REASON_MISSING)
    if signature != signature.strip():  # verify_hmac forgives whitespace; this sender does not
        return Verification.refused(signing.REASON_MALFORMED)
    return _HMAC.verify(head, signature.decode("latin-1"), secrets)


def _sign(request: WebhookRequest, settings: BaseModel, secret: str, now: float) -> WebhookRequest:
    return with_body(request, request.body + _MARK + _HMAC.sign(secret, request.body).encode())


class _Settings(ProviderSettings):
    pass


BODY_SIGNED = ProviderPlugin(
    ProviderInfo(
        name="bodysigned",
        title="Body-signed test sender",
        docs_url="https://example.com/docs",
        settings_model=_Settings,
        verification="hex HMAC-SHA256 of the body, appended as a last line 'sig=<hex>'",
        event_types=("thing",),
        samples=(Sample(name="thing", body=b'{"thing":1}'),),
    ),
    verify=_verify,
    sign=_sign,
)


class TestBodySignedConformance(ProviderConformance):
    """The whole suite passes for a sender whose signature is in the body."""

    provider = "bodysigned"
    plugin = BODY_SIGNED
    check_entry_point = False
    signature_in_body = True


def _sample() -> Sample:
    return BODY_SIGNED.info.samples[0]


def test_a_body_signed_provider_fails_the_header_expectations() -> None:
    class HeaderSigned(TestBodySignedConformance):
        signature_in_body = False

    with pytest.raises(AssertionError, match="must not change the body bytes"):
        HeaderSigned().test_sample_verifies(_sample())


def test_signature_in_body_still_catches_a_sender_that_verifies_unsigned_bodies() -> None:
    lax = ProviderPlugin(
        BODY_SIGNED.info,
        verify=lambda request, settings, secrets, now: Verification.verified(),
        sign=_sign,
    )

    class Lax(TestBodySignedConformance):
        plugin = lax

    with pytest.raises(AssertionError, match="verified without its signature"):
        Lax().test_sample_fails_without_signature(_sample())
    with pytest.raises(AssertionError, match="still verified with appended byte"):
        Lax().test_sample_fails_when_body_changes(_sample())


def test_signs_whole_body_false_skips_only_the_byte_flips() -> None:
    class Fields(TestBodySignedConformance):
        signs_whole_body = False

    with pytest.raises(pytest.skip.Exception, match="chosen fields"):
        Fields().test_sample_fails_when_body_changes(_sample())
    Fields().test_sample_fails_without_signature(_sample())
