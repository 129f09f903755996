"""Request and run ids: 26 characters, time-ordered, unique, in one fixed encoding."""

from __future__ import annotations

import base64

import pytest

from hookpoint.store import _base, new_id

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def _reference(ms: int, rand: int) -> str:
    """The encoding ids have always had: RFC 4648 base32 of the 128 bits, first 26 characters,
    mapped onto an alphabet in ASCII order (databases written earlier sort the same way)."""
    raw = base64.b32encode(((ms << 80) | rand).to_bytes(16, "big"))[:26]
    table = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _ALPHABET.encode())
    return raw.translate(table).decode("ascii")


@pytest.mark.parametrize(
    ("ms", "rand"),
    [(0, 0), (1, 1), (2**48 - 1, 2**80 - 1), (1_795_000_000_000, 0x1234_5678_9ABC_DEF0_1234)],
)
def test_encoding_is_base32_of_time_and_randomness(
    monkeypatch: pytest.MonkeyPatch, ms: int, rand: int
) -> None:
    monkeypatch.setattr(_base, "_id_last", [-1, 0])
    monkeypatch.setattr(_base.time, "time", lambda: ms / 1000)
    monkeypatch.setattr(_base.os, "urandom", lambda n: rand.to_bytes(n, "big"))
    assert new_id() == _reference(ms, rand)


def test_ids_sort_in_creation_order_and_are_unique() -> None:
    ids = [new_id() for _ in range(20_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 26 and set(i) <= set(_ALPHABET) for i in ids)
