"""providerkit.BatchSpec and batch_id: one description of a delivery that batches events (the
defaults, GoCardless's and LINE's, and what each option changes), and ArrayBatchSpec, the
defaults of a body that is itself an array (SendGrid's and HubSpot's)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hookpoint import WebhookRequest
from hookpoint.providerkit import MAX_BATCH_ID, ArrayBatchSpec, BatchSpec, batch_id, body_digest
from hookpoint.testing import GARBAGE_BODIES

SPEC = BatchSpec(
    type=lambda e: f"{e.get('kind')}.{e.get('action')}" if e.get("kind") else None,
    id="id",
    time="at",
    item_fields={"causes": "details.cause"},
    envelope={"webhook_id": "meta.webhook_id"},
)


def request(body: Any) -> WebhookRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return WebhookRequest(url="https://hooks.example.com/x", body=raw)


def test_batch_id_one_several_none() -> None:
    assert batch_id(["EV1"], b"x") == "EV1"
    assert batch_id(["EV2", "EV1", "EV2"], b"x") == "EV1,EV2"
    assert batch_id(["EV1", "EV2"], b"x") == batch_id(["EV2", "EV1"], b"y"), "order-free"
    assert batch_id([], b"x") == body_digest(b"x")
    many = [f"EV{i:012d}" for i in range(50)]
    hashed = batch_id(many, b"x")
    assert hashed.startswith("sha256:") and len(hashed) == 7 + 64
    assert batch_id(reversed(many), b"y") == hashed
    assert batch_id(["x" * (MAX_BATCH_ID + 1)], b"").startswith("sha256:")


def test_describe_a_mixed_batch() -> None:
    info = SPEC.describe(
        request(
            {
                "events": [
                    {"id": "EV1", "kind": "mandates", "action": "created", "at": "2024-01-01"},
                    {
                        "id": "EV2",
                        "kind": "payments",
                        "action": "failed",
                        "at": "2024-01-02T00:00:00Z",
                        "details": {"cause": "insufficient_funds"},
                    },
                    "not an event",
                    {"id": "EV3", "kind": "mandates", "action": "created", "at": "nonsense"},
                ],
                "meta": {"webhook_id": "WB1"},
            }
        )
    )
    assert info.type == "mandates.created"
    assert info.id == "EV1,EV2,EV3"
    assert info.time == datetime(2024, 1, 2, tzinfo=UTC)
    assert info.fields == {
        "count": 3,
        "types": ["mandates.created", "payments.failed"],
        "causes": ["insufficient_funds"],
        "webhook_id": "WB1",
    }


def test_top_level_array_and_ms_times() -> None:
    spec = BatchSpec(type="event", id="sg_event_id", time="ts", items="", time_unit="ms")
    info = spec.describe(request([{"event": "open", "sg_event_id": "a", "ts": 1700000000000}]))
    assert (info.type, info.id, info.time) == ("open", "a", datetime.fromtimestamp(1.7e9, UTC))


def test_empty_batch_and_extra_fields() -> None:
    info = SPEC.describe(request({"events": []}), extra={"redelivery": False})
    assert (info.type, info.time) == (None, None)
    assert info.id == body_digest(b'{"events": []}')
    assert info.fields["count"] == 0 and info.fields["redelivery"] is False


def test_limits() -> None:
    events = [{"id": f"EV{i}", "kind": f"k{i}", "action": "a"} for i in range(300)]
    spec = BatchSpec(type=SPEC.type, id="id", max_items=250, max_values=10)
    info = spec.describe(request({"events": events}))
    assert info.fields["count"] == 250
    assert len(info.fields["types"]) == 10


@pytest.mark.parametrize("body", list(GARBAGE_BODIES.values()), ids=list(GARBAGE_BODIES))
def test_never_raises_on_garbage(body: bytes) -> None:
    info = SPEC.describe(request(body))
    assert info.id == body_digest(body) and info.fields["count"] == 0


def test_envelope_keeps_only_scalars() -> None:
    info = SPEC.describe(request({"events": [], "meta": {"webhook_id": {"nested": 1}}}))
    assert info.fields["webhook_id"] is None


MIXED = {
    "events": [
        {"id": "EV2", "kind": "payments", "action": "failed", "at": "2024-01-01T00:00:00Z"},
        {"id": "EV1", "kind": "mandates", "action": "created", "at": "2024-01-03T00:00:00Z"},
        {"id": "EV2", "kind": "payments", "action": "failed", "at": "2024-01-02T00:00:00Z"},
    ]
}


def test_each_option_changes_only_its_own_part_of_the_description() -> None:
    base = SPEC.describe(request(MIXED))
    assert (base.type, base.id) == ("payments.failed", "EV1,EV2")
    assert base.time == datetime(2024, 1, 3, tzinfo=UTC)

    def with_(**options: Any) -> Any:
        spec = BatchSpec(type=SPEC.type, id="id", time="at", **options)
        return spec.describe(request(MIXED))

    assert with_(mixed_type="none").type is None
    assert with_(mixed_type="none").id == base.id
    ordered = hashlib.sha256(b"EV2,EV1,EV2").hexdigest()
    assert with_(id_scheme="hash").id == "batch:" + ordered, "in order, repeats kept"
    assert with_(id_scheme="hash").type == base.type
    assert with_(time_of="first").time == datetime(2024, 1, 1, tzinfo=UTC)
    renamed = with_(types_field="event_types", ids_field="event_ids").fields
    assert renamed == {
        "count": 3,
        "event_types": ["payments.failed", "mandates.created"],
        "event_ids": ["EV2", "EV1", "EV2"],
    }


def test_hash_scheme_single_id_and_no_ids() -> None:
    spec = BatchSpec(type="kind", id="id", items="", id_scheme="hash", mixed_type="none")
    assert spec.describe(request([{"kind": "a", "id": "only"}])).id == "only"
    same_twice = spec.describe(request([{"kind": "a", "id": "x"}, {"kind": "a", "id": "x"}]))
    assert same_twice.id == "batch:" + hashlib.sha256(b"x,x").hexdigest()
    assert same_twice.type == "a", "a shared type is the type"
    assert spec.describe(request([{"kind": "a"}])).id == body_digest(b'[{"kind": "a"}]')


def test_first_time_is_the_first_items_even_without_one() -> None:
    spec = BatchSpec(type="kind", id="id", time="at", time_of="first")
    info = spec.describe(request({"events": [{"id": "1"}, {"id": "2", "at": "2024-01-01"}]}))
    assert info.time is None


def test_max_items_none_reads_every_item() -> None:
    events = [{"id": f"EV{i}", "kind": "k", "action": "a"} for i in range(1200)]
    capped = BatchSpec(type="kind", id="id").describe(request({"events": events}))
    every = BatchSpec(type="kind", id="id", max_items=None).describe(request({"events": events}))
    assert (capped.fields["count"], every.fields["count"]) == (1000, 1200)
    assert capped.id != every.id


ARRAY = [
    {"id": "EV2", "kind": "bounce", "at": 1_700_000_000},
    {"id": "EV1", "kind": "open", "at": 1_700_000_100},
]


def test_array_batch_spec_is_a_batch_spec_with_an_array_bodys_defaults() -> None:
    spelled_out = BatchSpec(
        type="kind",
        id="id",
        time="at",
        items="",
        mixed_type="none",
        id_scheme="hash",
        time_of="first",
        types_field="event_types",
    )
    preset = ArrayBatchSpec(type="kind", id="id", time="at")
    assert isinstance(preset, BatchSpec)
    for body in (ARRAY, ARRAY[:1], [ARRAY[0], ARRAY[0]], [], {"events": ARRAY}, b"[{"):
        assert preset.describe(request(body)) == spelled_out.describe(request(body))
    mixed = preset.describe(request(ARRAY))
    assert mixed.type is None, "a mixed batch has no type"
    assert mixed.id == "batch:" + hashlib.sha256(b"EV2,EV1").hexdigest(), "ids in order"
    assert mixed.time == datetime.fromtimestamp(1_700_000_000, tz=UTC), "the first event's"
    assert mixed.fields["event_types"] == ["bounce", "open"]


def test_array_batch_spec_options_still_apply() -> None:
    spec = ArrayBatchSpec(type="kind", id="id", time="at", time_of="latest", mixed_type="first")
    info = spec.describe(request(ARRAY))
    assert (info.type, info.time) == ("bounce", datetime.fromtimestamp(1_700_000_100, tz=UTC))
    nested = ArrayBatchSpec(type="kind", id="id", items="events").describe(
        request({"events": ARRAY})
    )
    assert nested.fields["count"] == 2
