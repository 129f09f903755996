"""Provider-kit building blocks shared by several senders: millisecond timestamps in the
timestamped signers, the signer's pair separator, and :class:`BatchSpec` with the options of a
body that is a JSON array of events whose shared type, order and first time matter (SendGrid,
HubSpot; the defaults are in test_providerkit_batch.py)."""

from __future__ import annotations

import hashlib
import json

import pytest

from hookpoint import EventInfo, WebhookRequest
from hookpoint.providerkit import (
    BatchSpec,
    PairHeaderSignature,
    PayloadBatch,
    PayloadModel,
    SignedTemplate,
    SplitHeaderSignature,
)
from hookpoint.signing import sign_hex

NOW = 1_700_000_000.25
BODY = b'{"event":"x"}'
SECRET = "s3cret"


def request(body: bytes = BODY, headers: dict[str, str] | None = None) -> WebhookRequest:
    return WebhookRequest(url="https://hooks.example/w", headers=headers or {}, body=body)


@pytest.mark.parametrize(("unit", "text"), [("s", "1700000000"), ("ms", "1700000000250")])
def test_stamp_writes_the_templates_unit(unit: str, text: str) -> None:
    assert SignedTemplate("{timestamp}.{body}", unit=unit).stamp(NOW) == text  # type: ignore[arg-type]


def test_pair_header_in_milliseconds_with_a_spaced_separator() -> None:
    scheme = PairHeaderSignature(
        "X-Sig", SignedTemplate("{timestamp}.{body}", unit="ms"), sign_sep=", ", tolerance=180
    )
    signed = scheme.sign(request(), SECRET, NOW)
    expected = sign_hex(SECRET, b"1700000000250." + BODY)
    assert signed.headers["X-Sig"] == f"t=1700000000250, v1={expected}"
    assert scheme.verify(signed, [SECRET], NOW, 180).success
    # the tolerance is in seconds although the timestamp is in milliseconds
    assert scheme.verify(signed, [SECRET], NOW + 180, 180).success
    late = scheme.verify(signed, [SECRET], NOW + 181, 180)
    assert not late.success and late.reason == "timestamp too old"
    # parsing still accepts the pairs without the space
    bare = signed.with_context(headers={"X-Sig": f"t=1700000000250,v1={expected}"})
    assert scheme.verify(bare, [SECRET], NOW, 180).success


def test_pair_header_default_separator_is_unchanged() -> None:
    scheme = PairHeaderSignature("X-Sig", SignedTemplate("{timestamp}.{body}"))
    value = scheme.sign(request(), SECRET, NOW).headers["X-Sig"]
    assert value == f"t=1700000000,v1={sign_hex(SECRET, b'1700000000.' + BODY)}"


def test_split_headers_sign_milliseconds() -> None:
    scheme = SplitHeaderSignature("X-Sig", "X-Time", SignedTemplate("{body}{timestamp}", unit="ms"))
    signed = scheme.sign(request(), SECRET, NOW)
    assert signed.headers["X-Time"] == "1700000000250"
    assert signed.headers["X-Sig"] == sign_hex(SECRET, BODY + b"1700000000250")
    assert scheme.verify(signed, [SECRET], NOW, 300).success
    assert not scheme.verify(signed, [SECRET], NOW + 301, 300).success


def test_split_headers_fill_other_parts_of_the_template() -> None:
    template = SignedTemplate("{method}{uri}{body}{timestamp}", unit="ms")
    scheme = SplitHeaderSignature("X-Sig", "X-Time", template)
    signed = scheme.sign(request(), SECRET, NOW, method="POST", uri="https://h.example/w?a=1")
    message = b"POSThttps://h.example/w?a=1" + BODY + b"1700000000250"
    assert signed.headers["X-Sig"] == sign_hex(SECRET, message)
    assert scheme.verify(signed, [SECRET], NOW, 300, method="POST", uri="https://h.example/w?a=1")
    other = scheme.verify(signed, [SECRET], NOW, 300, method="PUT", uri="https://h.example/w?a=1")
    assert not other.success and other.reason == "signature mismatch"


# SendGrid's and HubSpot's way of describing a batch (their tests pin the real specs).
BATCH = BatchSpec(
    type="kind",
    id="id",
    time="at",
    time_unit="ms",
    items="",
    mixed_type="none",
    id_scheme="hash",
    time_of="first",
    types_field="event_types",
    ids_field="event_ids",
    item_fields={"object_ids": "object.id"},
    max_values=2,
)


def describe(data: object) -> EventInfo:
    return BATCH.describe(request(json.dumps(data).encode()))


def test_batch_of_one_event_is_that_event() -> None:
    info = describe([{"kind": "a.created", "id": 7, "at": 1700000000123, "object": {"id": "o1"}}])
    assert (info.type, info.id) == ("a.created", "7")
    assert info.time is not None and info.time.timestamp() == pytest.approx(1700000000.123)
    assert info.fields == {
        "event_types": ["a.created"],
        "count": 1,
        "event_ids": ["7"],
        "object_ids": ["o1"],
    }


def test_a_batch_shares_a_type_or_has_none_and_gets_a_stable_batch_id() -> None:
    same = [
        {"kind": "a", "id": i, "at": 1000 * i, "object": {"id": f"o{i % 3}"}} for i in (1, 2, 3)
    ]
    info = describe(same)
    assert info.type == "a"
    assert info.id == "batch:" + hashlib.sha256(b"1,2,3").hexdigest()
    assert info.time is not None and info.time.timestamp() == 1
    assert info.fields["object_ids"] == ["o1", "o2"]  # max_values
    assert info.fields["event_ids"] == ["1", "2"]
    mixed = describe([{"kind": "a", "id": 1}, {"kind": "b", "id": 2}, {"kind": "a", "id": 3}])
    assert mixed.type is None and mixed.fields["event_types"] == ["a", "b"]
    reordered = describe([{"kind": "a", "id": 2}, {"kind": "a", "id": 1}])
    assert reordered.id != describe([{"kind": "a", "id": 1}, {"kind": "a", "id": 2}]).id


@pytest.mark.parametrize(
    "body",
    [b"", b"{}", b"[]", b"[1, null, []]", b'[{"id": {}}]', b"[" * 50_000 + b"]" * 50_000, b"\xff"],
)
def test_odd_bodies_describe_as_an_empty_batch_with_a_body_digest(body: bytes) -> None:
    info = BATCH.describe(request(body))
    assert info.type is None and info.time is None
    assert info.id == "sha256:" + hashlib.sha256(body).hexdigest()
    assert info.fields["event_ids"] == []


class Item(PayloadModel):
    kind: str | None = None


class Items(PayloadBatch[Item]):
    pass


def test_payload_batch_is_a_typed_list_and_refuses_other_bodies() -> None:
    batch = Items.parse([{"kind": "a", "x": 1}, {}])
    assert len(batch) == 2 and [i.kind for i in batch] == ["a", None]
    assert type(batch[0]) is Item and batch[0].model_extra == {"x": 1}
    for body in ({"kind": "a"}, "a", None):
        with pytest.raises(ValueError, match="JSON array"):
            Items.parse(body)
    with pytest.raises(ValueError):
        Items.parse([1])
