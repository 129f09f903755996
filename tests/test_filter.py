"""EventFilter: the language of docs/event-filters.md, operator by operator.

Every operator case is checked twice: through a compiled EventFilter (the fast path) and through
the built-in ``FilterOperator.match(value, present, operand)`` (what the plugin host exposes), so
the two implementations cannot drift apart.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from hookpoint._errors import ConfigError, FilterError, HookpointError
from hookpoint._filter import (
    EventFilter,
    build_operator_registry,
    builtin_operators,
)
from hookpoint._filtervalues import _strict_eq
from hookpoint._models import FilterOperator

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "event_filter_cases.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def match(pattern: Any, value: Any) -> bool:
    """``{"k": pattern}`` against ``{"k": value}`` (or ``{}`` when value is MISSING)."""
    payload = {} if value is MISSING else {"k": value, "other": 1}
    return EventFilter({"k": pattern}).matches(payload)


# -- the 34 cases of tests/data/event_filter_cases.jsonl -------------------------------------------


def test_all_spec_rows_are_present() -> None:
    assert [c["id"] for c in CASES] == [f"T{i:02d}" for i in range(1, 35)]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_spec_table(case: dict[str, Any]) -> None:
    assert EventFilter(case["filter"]).matches(case["payload"]) is case["match"]


# -- every operator (docs/event-filters.md, "Operators") ------------------------------------------

NAN = float("nan")
INF = float("inf")
PAYLOAD_ARRAY = ["reading", "swimming"]

OPERATOR_CASES: list[tuple[str, Any, Any, bool]] = [
    # $endsWith
    ("$endsWith", "hn", "John", True),
    ("$endsWith", "hn", "john", True),
    ("$endsWith", "hn", "JOHN", False),
    ("$endsWith", "hn", "hn", True),
    ("$endsWith", "hn", "h", False),
    ("$endsWith", "hn", MISSING, False),
    ("$endsWith", "hn", None, False),
    ("$endsWith", "hn", 30, False),
    ("$endsWith", "0", 30, False),
    ("$endsWith", "e", True, False),
    ("$endsWith", "hn", ["John"], False),
    ("$endsWith", "hn", {"a": "John"}, False),
    ("$endsWith", "", "", True),
    ("$endsWith", "", "anything", True),
    ("$endsWith", "", 0, False),
    ("$endsWith", "", None, False),
    ("$endsWith", "", MISSING, False),
    ("$endsWith", "é", "café", True),
    ("$endsWith", "é", "cafe\u0301", False),  # no normalisation outside $ignoreCaseEquals
    # $startsWith
    ("$startsWith", "Jo", "John", True),
    ("$startsWith", "Jo", "jo", False),
    ("$startsWith", "Jo", "J", False),
    ("$startsWith", "Jo", "", False),
    ("$startsWith", "Jo", MISSING, False),
    ("$startsWith", "Jo", None, False),
    ("$startsWith", "Jo", ["John"], False),
    ("$startsWith", "1", 12, False),
    ("$startsWith", "t", True, False),
    ("$startsWith", "", "", True),
    ("$startsWith", "", "abc", True),
    ("$startsWith", "", 0, False),
    ("$startsWith", "", False, False),
    ("$startsWith", "", None, False),
    ("$startsWith", "", MISSING, False),
    ("$startsWith", "", [], False),
    # $anythingBut (scalar)
    ("$anythingBut", "Jane", "John", True),
    ("$anythingBut", "Jane", "Jane", False),
    ("$anythingBut", "Jane", "jane", True),
    ("$anythingBut", "Jane", MISSING, True),
    ("$anythingBut", "Jane", None, True),
    ("$anythingBut", "Jane", 5, True),
    ("$anythingBut", "Jane", ["Jane"], True),  # no element-wise test
    ("$anythingBut", "Jane", {"name": "Jane"}, True),
    ("$anythingBut", 1, 1, False),
    ("$anythingBut", 1, 1.0, False),
    ("$anythingBut", 1.0, 1, False),
    ("$anythingBut", 1, True, True),  # bool is not a number
    ("$anythingBut", 0, False, True),
    ("$anythingBut", 1, "1", True),
    ("$anythingBut", 1, 2, True),
    ("$anythingBut", 1, [1], True),
    ("$anythingBut", 1, MISSING, True),
    ("$anythingBut", 1, NAN, True),
    ("$anythingBut", True, True, False),
    ("$anythingBut", True, 1, True),
    ("$anythingBut", True, False, True),
    ("$anythingBut", True, "true", True),
    ("$anythingBut", False, False, False),
    ("$anythingBut", False, 0, True),
    ("$anythingBut", False, None, True),
    ("$anythingBut", "", "", False),
    ("$anythingBut", "", None, True),
    # $anythingBut (list)
    ("$anythingBut", ["Jane", "Joe"], "Joe", False),
    ("$anythingBut", ["Jane", "Joe"], "Jane", False),
    ("$anythingBut", ["Jane", "Joe"], "John", True),
    ("$anythingBut", ["Jane", "Joe"], MISSING, True),
    ("$anythingBut", ["Jane", "Joe"], None, True),
    ("$anythingBut", ["Jane", "Joe"], ["Jane", "Joe"], True),
    ("$anythingBut", [1, 2.5], 2.5, False),
    ("$anythingBut", [1, 2.5], 1.0, False),
    ("$anythingBut", [1, 2.5], 2, True),
    ("$anythingBut", [1, 2.5], True, True),
    ("$anythingBut", [0], False, True),
    ("$anythingBut", [False], False, False),
    ("$anythingBut", [False], 0, True),
    ("$anythingBut", [True, False], True, False),
    ("$anythingBut", [True, False], 1, True),
    ("$anythingBut", [True], "x", True),
    # $exists
    ("$exists", True, "x", True),
    ("$exists", True, "", True),
    ("$exists", True, None, True),  # null counts as existing
    ("$exists", True, False, True),
    ("$exists", True, 0, True),
    ("$exists", True, [], True),
    ("$exists", True, {}, True),
    ("$exists", True, MISSING, False),
    ("$exists", False, MISSING, True),
    ("$exists", False, None, False),
    ("$exists", False, 0, False),
    ("$exists", False, False, False),
    ("$exists", False, "", False),
    # $gt
    ("$gt", 20, 30, True),
    ("$gt", 20, 20, False),
    ("$gt", 20, 20.0, False),
    ("$gt", 20, 20.5, True),
    ("$gt", 20.5, 21, True),
    ("$gt", 20, 19, False),
    ("$gt", 20, INF, True),
    ("$gt", 20, NAN, False),
    ("$gt", 20, "30", False),
    ("$gt", 20, [30], False),
    ("$gt", 20, {"v": 30}, False),
    ("$gt", 20, None, False),
    ("$gt", 20, MISSING, False),
    ("$gt", 0, True, False),  # bool is not a number
    ("$gt", -1, False, False),
    ("$gt", -1, 0, True),
    ("$gt", 10**20, 10**20 + 1, True),
    # $lt
    ("$lt", 40, 30, True),
    ("$lt", 40, 40, False),
    ("$lt", 40, -1, True),
    ("$lt", 40, -INF, True),
    ("$lt", 40, 39.999, True),
    ("$lt", 40, "3", False),
    ("$lt", 40, None, False),
    ("$lt", 40, MISSING, False),
    ("$lt", 1, False, False),
    ("$lt", 2, True, False),
    ("$lt", 40, [1], False),
    # $gte
    ("$gte", 30, 30, True),
    ("$gte", 30, 30.0, True),
    ("$gte", 30.0, 30, True),
    ("$gte", 30, 29.9, False),
    ("$gte", 30, 31, True),
    ("$gte", 30, "30", False),
    ("$gte", 0, False, False),
    ("$gte", 1, True, False),
    ("$gte", 30, None, False),
    ("$gte", 30, MISSING, False),
    # $lte
    ("$lte", 30, 30, True),
    ("$lte", 30, 31, False),
    ("$lte", 30, -30, True),
    ("$lte", 30, "1", False),
    ("$lte", 5, True, False),
    ("$lte", 5, False, False),
    ("$lte", 30, None, False),
    ("$lte", 30, MISSING, False),
    ("$lte", 30, [1], False),
    # $between
    ("$between", [90, 110], 100, True),
    ("$between", [90, 110], 90, True),  # inclusive
    ("$between", [90, 110], 110, True),  # inclusive
    ("$between", [90, 110], 90.0, True),
    ("$between", [90, 110], 89.99, False),
    ("$between", [90, 110], 110.01, False),
    ("$between", [90, 110], "100", False),
    ("$between", [90, 110], [100], False),
    ("$between", [90, 110], None, False),
    ("$between", [90, 110], MISSING, False),
    ("$between", [0, 2], True, False),
    ("$between", [0, 2], False, False),
    ("$between", [-1.5, 1.5], 0, True),
    ("$between", [5, 1], 3, False),  # an empty range matches nothing
    ("$between", [3, 3], 3, True),
    ("$between", [90, 110], NAN, False),
    # $includes
    ("$includes", "reading", PAYLOAD_ARRAY, True),
    ("$includes", "swimming", PAYLOAD_ARRAY, True),
    ("$includes", "gaming", PAYLOAD_ARRAY, False),
    ("$includes", "Reading", PAYLOAD_ARRAY, False),
    ("$includes", "reading", "reading", False),  # strings are not arrays
    ("$includes", "read", "reading", False),
    ("$includes", "reading", MISSING, False),
    ("$includes", "reading", None, False),
    ("$includes", "reading", [], False),
    ("$includes", "reading", [["reading"]], False),  # not flattened
    ("$includes", "reading", {"reading": True}, False),
    ("$includes", "1", [1], False),
    ("$includes", 1, [1], True),
    ("$includes", 1, [2, 1.0], True),
    ("$includes", 1.0, [1], True),
    ("$includes", 1, [True], False),
    ("$includes", 1, ["1"], False),
    ("$includes", 0, [False, None], False),
    ("$includes", True, [True], True),
    ("$includes", True, [1], False),
    ("$includes", True, ["true"], False),
    ("$includes", False, [0], False),
    ("$includes", False, [False], True),
    ("$includes", False, [None], False),
    ("$includes", "", [""], True),
    ("$includes", "a", [{"a": 1}, "a"], True),
    # $ignoreCaseEquals
    ("$ignoreCaseEquals", "john", "John", True),
    ("$ignoreCaseEquals", "john", "JOHN", True),
    ("$ignoreCaseEquals", "JOHN", "john", True),
    ("$ignoreCaseEquals", "john", "jane", False),
    ("$ignoreCaseEquals", "john", " john", False),  # whitespace counts
    ("$ignoreCaseEquals", "john", "john ", False),
    ("$ignoreCaseEquals", "john", "jo hn", False),
    ("$ignoreCaseEquals", "john", "johnny", False),
    ("$ignoreCaseEquals", "john", MISSING, False),
    ("$ignoreCaseEquals", "john", None, False),
    ("$ignoreCaseEquals", "john", ["john"], False),
    ("$ignoreCaseEquals", "1", 1, False),
    ("$ignoreCaseEquals", "true", True, False),
    ("$ignoreCaseEquals", "", "", True),
    ("$ignoreCaseEquals", "", " ", False),
    ("$ignoreCaseEquals", "SS", "ß", False),  # ß is not SS
    ("$ignoreCaseEquals", "ß", "SS", False),
    ("$ignoreCaseEquals", "ss", "ß", False),
    ("$ignoreCaseEquals", "straße", "STRASSE", False),
    ("$ignoreCaseEquals", "ß", "ß", True),
    ("$ignoreCaseEquals", "FILE", "ﬁle", True),  # compatibility ligature
    ("$ignoreCaseEquals", "ﬁle", "FILE", True),
    ("$ignoreCaseEquals", "ﬁle", "file", True),
    ("$ignoreCaseEquals", "a", "Ａ", True),  # full-width
    ("$ignoreCaseEquals", "Ａ", "a", True),
    ("$ignoreCaseEquals", "abc", "ＡＢＣ", True),
    ("$ignoreCaseEquals", "é", "e\u0301", True),  # decomposed vs precomposed
    ("$ignoreCaseEquals", "e\u0301", "é", True),
    ("$ignoreCaseEquals", "É", "e\u0301", True),
    ("$ignoreCaseEquals", "résumé", "resume", False),  # accents count
    ("$ignoreCaseEquals", "resume", "résumé", False),
    ("$ignoreCaseEquals", "résumé", "RÉSUMÉ", True),
    ("$ignoreCaseEquals", "résumé", "Re\u0301sume\u0301", True),
    ("$ignoreCaseEquals", "Ωmega", "ωMEGA", True),
    ("$ignoreCaseEquals", "привет", "ПРИВЕТ", True),
    ("$ignoreCaseEquals", "naïve", "naive", False),
    # $isNull
    ("$isNull", True, None, True),
    ("$isNull", True, MISSING, False),
    ("$isNull", True, 0, False),
    ("$isNull", True, "", False),
    ("$isNull", True, False, False),
    ("$isNull", True, "null", False),
    ("$isNull", True, [], False),
    ("$isNull", True, [None], False),
    ("$isNull", True, {}, False),
    ("$isNull", False, None, False),
    ("$isNull", False, MISSING, True),  # a missing value is not null
    ("$isNull", False, "x", True),
    ("$isNull", False, 0, True),
    ("$isNull", False, False, True),
    ("$isNull", False, [], True),
    ("$isNull", False, {}, True),
    # $not
    ("$not", "gaming", PAYLOAD_ARRAY, True),
    ("$not", "reading", PAYLOAD_ARRAY, False),
    ("$not", "reading", [], True),
    ("$not", "John", "John", False),
    ("$not", "Test", "John", True),
    ("$not", "John", "john", True),
    ("$not", "John", MISSING, False),
    ("$not", "John", None, False),
    ("$not", "John", {"name": "John"}, False),
    ("$not", "John", {}, False),
    ("$not", 30, 30, False),
    ("$not", 30, 30.0, False),
    ("$not", 30.0, 30, False),
    ("$not", 39, 30, True),
    ("$not", 30, "30", True),
    ("$not", 30, [30], False),
    ("$not", 30, [1, 30.0], False),
    ("$not", 30, ["30"], True),
    ("$not", 30, NAN, True),
    ("$not", 1, True, True),  # bool is not a number
    ("$not", 0, False, True),
    ("$not", 1, [True], True),
    ("$not", True, True, False),
    ("$not", True, False, True),
    ("$not", True, 1, True),
    ("$not", True, [True], False),
    ("$not", True, [1], True),
    ("$not", False, False, False),
    ("$not", False, 0, True),
    ("$not", False, "false", True),
    ("$not", False, None, False),
    ("$not", False, MISSING, False),
    ("$not", "", "", False),
    ("$not", "", "x", True),
]


def _case_id(case: tuple[str, Any, Any, bool]) -> str:
    op, operand, value, expected = case
    return f"{op}:{operand!r}|{value!r}->{expected}"


@pytest.mark.parametrize("case", OPERATOR_CASES, ids=[_case_id(c) for c in OPERATOR_CASES])
def test_operator(case: tuple[str, Any, Any, bool]) -> None:
    op, operand, value, expected = case
    assert match([{op: operand}], value) is expected
    present = value is not MISSING
    generic = builtin_operators()[op].match(value if present else None, present, operand)
    assert generic is expected


def test_every_builtin_operator_is_covered() -> None:
    assert {c[0] for c in OPERATOR_CASES} == set(builtin_operators())
    for op in builtin_operators():
        values = [c[2] for c in OPERATOR_CASES if c[0] == op]
        assert any(v is MISSING for v in values), f"{op}: no missing-value case"
        assert any(v is None for v in values), f"{op}: no null case"


def test_builtin_registry() -> None:
    assert sorted(builtin_operators()) == sorted(
        [
            "$endsWith",
            "$startsWith",
            "$ignoreCaseEquals",
            "$exists",
            "$isNull",
            "$anythingBut",
            "$gt",
            "$lt",
            "$gte",
            "$lte",
            "$between",
            "$includes",
            "$not",
        ]
    )
    for name, op in builtin_operators().items():
        assert isinstance(op, FilterOperator)
        assert op.name == name and op.kind == "builtin" and op.description


@pytest.mark.parametrize(
    ("op", "operand"),
    [
        ("$endsWith", "x"),
        ("$startsWith", ""),
        ("$ignoreCaseEquals", "ß"),
        ("$exists", True),
        ("$exists", False),
        ("$isNull", True),
        ("$isNull", False),
        ("$anythingBut", "x"),
        ("$anythingBut", 1.5),
        ("$anythingBut", False),
        ("$anythingBut", ["a", "b"]),
        ("$anythingBut", [1, 2]),
        ("$anythingBut", [True]),
        ("$gt", 0),
        ("$lt", -2.5),
        ("$gte", INF),
        ("$lte", 10**30),
        ("$between", [1, 2]),
        ("$between", (1.5, 2)),
        ("$includes", "x"),
        ("$includes", 0),
        ("$includes", False),
        ("$not", "x"),
        ("$not", 3),
        ("$not", True),
    ],
)
def test_valid_operands(op: str, operand: Any) -> None:
    builtin_operators()[op].validate_operand(operand)
    EventFilter({"k": [{op: operand}]})


BAD_OPERANDS: list[tuple[str, Any, str]] = [
    ("$gt", "3", "number"),
    ("$gt", True, "boolean is not a number"),
    ("$gt", False, "number"),
    ("$gt", None, "number"),
    ("$gt", [1], "number"),
    ("$gt", NAN, "NaN"),
    ("$lt", "3", "number"),
    ("$lt", True, "number"),
    ("$gte", {}, "number"),
    ("$lte", "", "number"),
    ("$between", [1], "exactly 2"),
    ("$between", [1, 2, 3], "exactly 2"),
    ("$between", [], "exactly 2"),
    ("$between", 5, "exactly 2"),
    ("$between", "1,2", "exactly 2"),
    ("$between", None, "exactly 2"),
    ("$between", [1, "2"], "number"),
    ("$between", [True, 2], "number"),
    ("$between", [1, None], "number"),
    ("$between", [NAN, 1], "NaN"),
    ("$exists", "yes", "boolean"),
    ("$exists", 1, "boolean"),
    ("$exists", None, "boolean"),
    ("$isNull", 0, "boolean"),
    ("$isNull", "true", "boolean"),
    ("$startsWith", 1, "string"),
    ("$startsWith", None, "string"),
    ("$startsWith", ["a"], "string"),
    ("$endsWith", None, "string"),
    ("$endsWith", True, "string"),
    ("$ignoreCaseEquals", ["a"], "string"),
    ("$ignoreCaseEquals", 1, "string"),
    ("$includes", [1], "string, number or boolean"),
    ("$includes", None, "string, number or boolean"),
    ("$includes", {"a": 1}, "string, number or boolean"),
    ("$includes", NAN, "NaN"),
    ("$not", {}, "string, number or boolean"),
    ("$not", None, "string, number or boolean"),
    ("$not", ["a"], "string, number or boolean"),
    ("$anythingBut", [], "non-empty"),
    ("$anythingBut", ["a", 1], "one type"),
    ("$anythingBut", [True, 1], "one type"),
    ("$anythingBut", [1, False], "one type"),
    ("$anythingBut", None, "string, number or boolean"),
    ("$anythingBut", [None], "string, number or boolean"),
    ("$anythingBut", [["a"]], "string, number or boolean"),
    ("$anythingBut", {"a": 1}, "string, number or boolean"),
    ("$anythingBut", NAN, "NaN"),
]


@pytest.mark.parametrize(
    ("op", "operand", "message"), BAD_OPERANDS, ids=[f"{o}:{v!r}" for o, v, _ in BAD_OPERANDS]
)
def test_bad_operands(op: str, operand: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        builtin_operators()[op].validate_operand(operand)
    with pytest.raises(FilterError, match=message) as info:
        EventFilter({"address": {"street": [{op: operand}]}})
    assert info.value.path == f"address.street[0].{op}"
    assert op in str(info.value)


# -- exact-value arrays ---------------------------------------------------------------------------

VALUE_CASES: list[tuple[list[Any], Any, bool]] = [
    (["John"], "John", True),
    (["John"], "john", False),
    (["John"], "John ", False),
    (["John"], MISSING, False),
    (["John"], None, False),
    (["John"], ["John"], False),  # exact arrays are not applied element-wise
    (["John"], {"John": 1}, False),
    (["John", "Jane"], "Jane", True),
    (["John", "Jane"], "Joe", False),
    ([""], "", True),
    ([""], None, False),
    ([""], MISSING, False),
    (["30"], 30, False),
    (["true"], True, False),
    (["null"], None, False),
    ([30], 30, True),
    ([30], 30.0, True),
    ([30.0], 30, True),
    ([30], "30", False),
    ([30], [30], False),
    ([30], MISSING, False),
    ([30], None, False),
    ([1], True, False),  # bool is not a number
    ([0], False, False),
    ([0], 0.0, True),
    ([0], -0.0, True),
    ([1, 2, 3], 2, True),
    ([1, 2, 3], 4, False),
    ([1.5], 1.5, True),
    ([1.5], 1, False),
    ([10**20], 10**20, True),
    ([1], NAN, False),
    ([True], 1, False),
    ([True], True, True),
    ([True], False, False),
    ([True], "true", False),
    ([False], 0, False),
    ([False], False, True),
    ([False], None, False),
    ([False], MISSING, False),
    ([False], "false", False),
    ([False], [False], False),
    ([True, False], True, True),
    ([True, False], False, True),
    ([True, False], 0, False),
    ([True, False], None, False),
    ([True, False], MISSING, False),
]


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    VALUE_CASES,
    ids=[f"{p!r}|{v!r}->{e}" for p, v, e in VALUE_CASES],
)
def test_exact_values(pattern: list[Any], value: Any, expected: bool) -> None:
    assert match(pattern, value) is expected


@pytest.mark.parametrize(
    "value", [MISSING, None, 0, "", "x", True, [], ["a"], {}, {"a": 1}, NAN, [[1]]]
)
def test_empty_array_always_passes(value: Any) -> None:
    assert match([], value) is True
    assert EventFilter({"k": [], "n": [1]}).matches({"k": value, "n": 1})


def test_strict_eq() -> None:
    assert _strict_eq(1, 1.0) and _strict_eq(1.0, 1)
    assert _strict_eq(True, True) and _strict_eq(False, False)
    assert not _strict_eq(True, 1) and not _strict_eq(1, True)
    assert not _strict_eq(False, 0) and not _strict_eq(0, False)
    assert not _strict_eq(0.0, False)
    assert not _strict_eq("1", 1) and not _strict_eq(1, "1")
    assert _strict_eq("a", "a") and not _strict_eq("a", "A")
    assert _strict_eq(None, None) and not _strict_eq(None, 0) and not _strict_eq(0, None)
    assert not _strict_eq(NAN, NAN)
    a: list[Any] = [1]
    assert _strict_eq(a, a) and not _strict_eq(a, [1]) and not _strict_eq({}, {})


# -- combinations ---------------------------------------------------------------------------------


def test_and_across_keys() -> None:
    flt = EventFilter({"a": ["x"], "b": [1]})
    assert flt.matches({"a": "x", "b": 1})
    assert not flt.matches({"a": "x", "b": 2})
    assert not flt.matches({"a": "y", "b": 1})
    assert not flt.matches({"a": "x"})


def test_operators_in_one_array_are_and() -> None:
    flt = EventFilter({"age": [{"$gt": 20}, {"$lt": 40}]})
    assert flt.matches({"age": 30})
    assert not flt.matches({"age": 50})
    assert not flt.matches({"age": 10})
    three = EventFilter({"s": [{"$startsWith": "a"}, {"$endsWith": "z"}, {"$anythingBut": "az"}]})
    assert three.matches({"s": "abz"})
    assert not three.matches({"s": "az"})
    assert not three.matches({"s": "abc"})
    exists_and_null = EventFilter({"v": [{"$exists": True}, {"$isNull": False}]})
    assert exists_and_null.matches({"v": 0})
    assert not exists_and_null.matches({"v": None})
    assert not exists_and_null.matches({})


def test_missing_under_anything_but_and_exists() -> None:
    assert EventFilter({"a": [{"$anythingBut": "x"}]}).matches({})
    assert EventFilter({"a": [{"$anythingBut": "x"}, {"$exists": True}]}).matches({}) is False


# -- nested filters and arrays --------------------------------------------------------------------

ORDER = {
    "id": "o1",
    "customer": {"name": "Eric Allam", "tier": "gold", "tags": ["vip", "beta"]},
    "items": [
        {"sku": "A", "qty": 1, "options": [{"color": "red"}]},
        {"sku": "B", "qty": 2, "options": [{"color": "blue"}, {"color": "green"}]},
    ],
    "matrix": [[{"sku": "A"}]],
    "note": None,
    "count": 3,
}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"customer": {"name": ["Eric Allam"]}}, True),
        ({"customer": {"name": ["eric allam"]}}, False),
        ({"customer": {"name": ["Eric Allam"], "tier": ["gold"]}}, True),
        ({"customer": {"name": ["Eric Allam"], "tier": ["silver"]}}, False),
        ({"customer": {"missing": [{"$exists": False}]}}, True),
        ({"customer": {"tags": ["vip"]}}, False),  # exact arrays are not element-wise
        ({"customer": {"tags": [{"$includes": "vip"}]}}, True),
        ({"items": {"sku": ["B"]}}, True),  # any element
        ({"items": {"sku": ["C"]}}, False),
        ({"items": {"sku": ["A"], "qty": [1]}}, True),
        ({"items": {"sku": ["A"], "qty": [2]}}, False),  # both keys on the same element
        ({"items": {"qty": [{"$gt": 1}]}}, True),
        ({"items": {"qty": [{"$gt": 2}]}}, False),
        ({"items": {"options": {"color": ["green"]}}}, True),  # arrays within arrays
        ({"items": {"sku": ["A"], "options": {"color": ["green"]}}}, False),
        ({"items": {"sku": ["B"], "options": {"color": ["green"]}}}, True),
        ({"matrix": {"sku": ["A"]}}, False),  # nested arrays are not flattened
        ({"matrix": [{"$exists": True}]}, True),
        ({"items": [{"$exists": True}], "customer": {"tier": [{"$anythingBut": "x"}]}}, True),
        ({"note": {"x": ["y"]}}, False),  # null under a non-empty nested filter
        ({"nothing": {"x": ["y"]}}, False),  # missing under a non-empty nested filter
        ({"id": {"x": ["y"]}}, False),  # a string under a non-empty nested filter
        ({"count": {"x": ["y"]}}, False),  # a number under a non-empty nested filter
        ({"note": {}}, True),  # an empty nested filter always passes
        ({"nothing": {}}, True),
        ({"id": {}}, True),
        ({"items": {}}, True),
        ({"customer": {}}, True),
        ({"customer": {"name": {}}}, True),
        ({"customer": {"name": {"first": ["Eric"]}}}, False),
        ({"a": {"b": {"c": {"d": ["e"]}}}}, False),
    ],
)
def test_nested(spec: dict[str, Any], expected: bool) -> None:
    assert EventFilter(spec).matches(ORDER) is expected


def test_deeply_nested_paths() -> None:
    payload = {"a": {"b": {"c": {"d": [{"e": {"f": [1, 2]}}, {"e": {"f": [3]}}]}}}}
    assert EventFilter({"a": {"b": {"c": {"d": {"e": {"f": [{"$includes": 3}]}}}}}}).matches(
        payload
    )
    assert not EventFilter({"a": {"b": {"c": {"d": {"e": {"f": [{"$includes": 4}]}}}}}}).matches(
        payload
    )


def test_empty_nested_filter_on_an_empty_array() -> None:
    # as Trigger.dev: an array value matches a nested filter when *some* element does
    assert not EventFilter({"a": {}}).matches({"a": []})
    assert EventFilter({"a": {}}).matches({"a": [{}]})
    assert EventFilter({"a": {}}).matches({"a": "x"})
    assert EventFilter({"a": {}}).matches({})
    assert not EventFilter({"a": {"b": ["x"]}}).matches({"a": []})


def test_array_elements_that_are_not_objects() -> None:
    flt = EventFilter({"a": {"b": ["x"]}})
    assert not flt.matches({"a": ["x", 1, None, True, ["b"]]})
    assert flt.matches({"a": ["x", None, {"b": "x"}]})
    # primitives are indexed like objects: every key is missing
    absent = EventFilter({"a": {"b": [{"$exists": False}]}})
    assert absent.matches({"a": [1]})
    assert absent.matches({"a": "text"})
    assert not absent.matches({"a": [None]})  # null under a non-empty filter fails
    assert not absent.matches({"a": None})
    assert not absent.matches({})


# -- top-level payloads ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "payload", "expected"),
    [
        ({}, None, True),
        ({}, {}, True),
        ({}, [], True),
        ({}, "x", True),
        ({}, 0, True),
        ({"a": ["x"]}, None, False),
        ({"a": []}, None, False),  # the filter has a key
        ({"a": {}}, None, False),
        ({"a": [{"$exists": False}]}, None, False),
        ({"a": ["x"]}, {}, False),
        ({"a": ["x"]}, ["x"], False),
        ({"a": ["x"]}, [{"a": "x"}], False),  # a top-level array is not searched
        ({"a": ["x"]}, "a", False),
        ({"a": ["x"]}, 1, False),
        ({"a": [{"$exists": False}]}, ["x"], True),  # a top-level array has no keys
        ({"a": [{"$anythingBut": "x"}]}, 5, True),
        ({"a": [{"$isNull": False}]}, "text", True),
        ({"a": []}, "text", True),
        ({"a": {}}, True, True),
        ({"0": ["x"]}, ["x"], False),
        ({"a": ["x"]}, {"a": "x"}, True),
    ],
)
def test_top_level_payloads(spec: dict[str, Any], payload: Any, expected: bool) -> None:
    assert EventFilter(spec).matches(payload) is expected


# -- matches never raises -------------------------------------------------------------------------


class Explosive:
    """A non-JSON object whose every comparison and conversion raises."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("boom")

    __hash__ = object.__hash__

    def __lt__(self, other: object) -> bool:
        raise RuntimeError("boom")

    def __str__(self) -> str:
        raise RuntimeError("boom")


class ExplodingMapping(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("boom")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("boom")

    def __len__(self) -> int:
        raise RuntimeError("boom")


class LyingStr(str):
    def endswith(self, *args: Any) -> bool:
        raise RuntimeError("boom")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("boom")

    __hash__ = str.__hash__


ALL_OPERATORS_SPEC: dict[str, Any] = {
    "a": ["x", "y"],
    "b": [1, 2],
    "c": [True],
    "d": [{"$endsWith": "x"}],
    "e": [{"$startsWith": "x"}],
    "f": [{"$anythingBut": ["x"]}],
    "g": [{"$exists": True}],
    "h": [{"$gt": 1}, {"$lt": 5}, {"$gte": 1}, {"$lte": 5}],
    "i": [{"$between": [1, 5]}],
    "j": [{"$includes": 1}],
    "k": [{"$ignoreCaseEquals": "x"}],
    "l": [{"$isNull": True}],
    "m": [{"$not": "x"}],
    "n": {"o": ["p"], "q": {"r": [{"$includes": "s"}]}},
}

WEIRD_VALUES: list[Any] = [
    None,
    0,
    -1.5,
    NAN,
    INF,
    True,
    "",
    "x",
    "\x00\udcff",
    [],
    [None],
    [[[]]],
    {},
    {"o": {"x": 1}},
    b"bytes",
    {1, 2},
    (1, "x"),
    object(),
    Explosive(),
    [Explosive()],
    ExplodingMapping(),
    {"o": Explosive()},
    LyingStr("x"),
    1j,
    type,
]


@pytest.mark.parametrize("value", WEIRD_VALUES, ids=[type(v).__name__ for v in WEIRD_VALUES])
def test_matches_never_raises(value: Any) -> None:
    flt = EventFilter(ALL_OPERATORS_SPEC)
    for payload in (value, {k: value for k in ALL_OPERATORS_SPEC}, [value], {"n": [value]}):
        assert flt.matches(payload) in (True, False)
    for spec in ALL_OPERATORS_SPEC.items():
        single = EventFilter(dict([spec]))
        assert single.matches({spec[0]: value}) in (True, False)
        assert single.matches(value) in (True, False)


def test_dict_subclasses_and_other_mappings_are_objects() -> None:
    class MyDict(dict[str, Any]):
        pass

    flt = EventFilter({"a": ["x"], "b": {"c": [1]}})
    assert flt.matches(MyDict(a="x", b=MyDict(c=1)))
    assert not flt.matches(MyDict(a="x", b=MyDict(c=2)))
    from types import MappingProxyType

    assert flt.matches(MappingProxyType({"a": "x", "b": {"c": 1}}))


def test_tuples_are_arrays_in_payloads() -> None:
    assert EventFilter({"t": [{"$includes": "a"}]}).matches({"t": ("a", "b")})
    assert EventFilter({"t": {"x": [1]}}).matches({"t": ({"x": 2}, {"x": 1})})


# -- FilterError: validated when defined ----------------------------------------------------------

BAD_SPECS: list[tuple[Any, str, str]] = [
    ([], "", "must be an object"),
    ("name", "", "must be an object"),
    (None, "", "must be an object"),
    (42, "", "must be an object"),
    ({1: ["a"]}, "1", "keys must be strings"),
    ({"body": {2: ["a"]}}, "body.2", "keys must be strings"),
    ({None: ["a"]}, "None", "keys must be strings"),
    ({"name": "John"}, "name", "array of values or operators"),
    ({"name": 1}, "name", "array of values or operators"),
    ({"name": None}, "name", "array of values or operators"),
    ({"name": True}, "name", "array of values or operators"),
    ({"a": {"b": 5}}, "a.b", "array of values or operators"),
    ({"a": {"b": {"c": "d"}}}, "a.b.c", "array of values or operators"),
    ({"body": {"age": [1, "a"]}}, "body.age[1]", "mixed array"),
    ({"body": {"age": ["a", 1]}}, "body.age[1]", "mixed array"),
    ({"a": ["a", "b", 3]}, "a[2]", "mixed array"),
    ({"a": [True, 1]}, "a[1]", "mixed array"),
    ({"a": [1, False]}, "a[1]", "mixed array"),
    ({"a": ["true", True]}, "a[1]", "mixed array"),
    ({"a": ["a", {"$startsWith": "b"}]}, "a[1]", "mixed array"),
    ({"a": [{"$startsWith": "b"}, "a"]}, "a[1]", "mixed array"),
    ({"a": [{"$gt": 1}, 2]}, "a[1]", "mixed array"),
    ({"a": ["a", None]}, "a[1]", "got null"),
    ({"a": [None]}, "a[0]", "got null"),
    ({"a": [["a"]]}, "a[0]", "got array"),
    ({"a": [1, [2]]}, "a[1]", "got array"),
    ({"a": [NAN]}, "a[0]", "NaN"),
    ({"a": [1, NAN]}, "a[1]", "NaN"),
    ({"a": [{"$contains": "x"}]}, "a[0].$contains", "unknown operator '\\$contains'"),
    ({"a": [{"$regex": "x"}]}, "a[0].$regex", "known operators: .*\\$startsWith"),
    ({"a": [{"$or": [["x"]]}]}, "a[0].$or", "unknown operator"),
    ({"a": [{"$in": ["x"]}]}, "a[0].$in", "unknown operator"),
    ({"a": [{"$STARTSWITH": "x"}]}, "a[0].$STARTSWITH", "unknown operator"),
    ({"a": [{"name": ["x"]}]}, "a[0].name", "use an object, not an array"),
    ({"a": [{1: "x"}]}, "a[0].1", "unknown operator"),
    ({"a": [{}]}, "a[0]", "exactly one operator, got 0"),
    ({"a": [{"$gt": 10, "$lt": 5}]}, "a[0]", "exactly one operator, got 2"),
    ({"a": [{"$gt": 1}, {"$gt": 10, "$lt": 5}]}, "a[1]", "exactly one operator"),
    ({"age": [{"$gt": 1}, {"$lt": "x"}]}, "age[1].$lt", "needs a number"),
    ({"address": {"street": [{"$gt": "3"}]}}, "address.street[0].$gt", "needs a number"),
    ({"a": [{"$between": [1]}]}, "a[0].$between", "exactly 2"),
    ({"a": {"b": [{"$exists": "yes"}]}}, "a.b[0].$exists", "boolean"),
]


@pytest.mark.parametrize(
    ("spec", "path", "message"), BAD_SPECS, ids=[f"{p or 'root'}:{m}" for _, p, m in BAD_SPECS]
)
def test_filter_errors(spec: Any, path: str, message: str) -> None:
    with pytest.raises(FilterError, match=message) as info:
        EventFilter(spec)
    err = info.value
    assert err.path == path
    assert isinstance(err, ValueError) and isinstance(err, ConfigError)
    assert isinstance(err, HookpointError)
    if path:
        assert str(err).startswith(f"{path}: ")


def test_unknown_operator_lists_the_known_ones() -> None:
    with pytest.raises(FilterError) as info:
        EventFilter({"a": [{"$contains": "x"}]})
    for name in builtin_operators():
        assert name in str(info.value)


def test_self_referencing_spec_is_an_error() -> None:
    spec: dict[str, Any] = {}
    spec["a"] = spec
    with pytest.raises(FilterError, match="nested too deeply"):
        EventFilter(spec)


def test_tuples_are_accepted_as_arrays_in_specs() -> None:
    flt = EventFilter({"a": ("x", "y"), "n": [{"$between": (1, 2)}]})
    assert flt.matches({"a": "y", "n": 1.5})
    assert flt.spec == {"a": ["x", "y"], "n": [{"$between": [1, 2]}]}


# -- the EventFilter object -----------------------------------------------------------------------


def test_spec_is_a_deep_copy() -> None:
    original: dict[str, Any] = {"a": {"b": ["x"]}, "c": [{"$anythingBut": ["y"]}]}
    flt = EventFilter(original)
    original["a"]["b"].append("z")
    original["c"][0]["$anythingBut"].append("q")
    assert flt.spec == {"a": {"b": ["x"]}, "c": [{"$anythingBut": ["y"]}]}
    assert not flt.matches({"a": {"b": "z"}})
    assert not flt.matches({"a": {"b": "x"}, "c": "y"})
    assert flt.matches({"a": {"b": "x"}, "c": "q"})
    got = flt.spec
    got["a"]["b"].append("w")
    assert flt.spec["a"]["b"] == ["x"]


def test_equality_hash_repr() -> None:
    a = EventFilter({"x": ["1"], "y": {"z": [{"$gt": 1}]}})
    b = EventFilter({"y": {"z": [{"$gt": 1}]}, "x": ["1"]})
    c = EventFilter({"x": ["2"]})
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2
    assert a != {"x": ["1"], "y": {"z": [{"$gt": 1}]}}
    assert repr(EventFilter({"b": [1], "a": ["é"]})) == 'EventFilter({"a":["é"],"b":[1]})'
    assert EventFilter(a) == a and EventFilter(a).spec == a.spec
    assert copy.deepcopy(a) is a and copy.copy(a) is a


def test_empty() -> None:
    flt = EventFilter.empty()
    assert flt == EventFilter({}) and flt.is_empty
    assert not EventFilter({"a": []}).is_empty
    payloads: list[Any] = [None, {}, [], "x", 1, {"a": 1}]
    for payload in payloads:
        assert flt.matches(payload)


def test_callable() -> None:
    flt = EventFilter({"a": [1]})
    assert flt({"a": 1}) and not flt({"a": 2})


# -- plugin operators -----------------------------------------------------------------------------


def _len_operator(name: str = "$len") -> FilterOperator:
    def validate(operand: Any) -> None:
        if not isinstance(operand, int) or isinstance(operand, bool) or operand < 0:
            raise ValueError("needs a non-negative integer")

    def match_len(value: Any, present: bool, operand: Any) -> bool:
        return present and isinstance(value, list | str) and len(value) == operand

    return FilterOperator(
        name=name, description="length equals", validate_operand=validate, match=match_len
    )


def test_plugin_operator_works() -> None:
    registry = build_operator_registry([("acme", _len_operator())])
    assert registry["$len"].kind == "plugin"
    assert registry["$gt"] is builtin_operators()["$gt"]
    flt = EventFilter({"tags": [{"$len": 2}, {"$includes": "a"}]}, operators=registry)
    assert flt.matches({"tags": ["a", "b"]})
    assert not flt.matches({"tags": ["a"]})
    assert not flt.matches({"tags": ["c", "b"]})
    assert not flt.matches({})
    assert flt.spec == {"tags": [{"$len": 2}, {"$includes": "a"}]}


def test_plugin_operator_is_unknown_without_the_registry() -> None:
    with pytest.raises(FilterError, match="unknown operator '\\$len'") as info:
        EventFilter({"tags": [{"$len": 2}]})
    assert info.value.path == "tags[0].$len"


def test_plugin_operator_is_validated_at_construction() -> None:
    registry = build_operator_registry([("acme", _len_operator())])
    with pytest.raises(FilterError, match="non-negative integer") as info:
        EventFilter({"body": {"tags": [{"$len": "2"}]}}, operators=registry)
    assert info.value.path == "body.tags[0].$len"
    with pytest.raises(FilterError, match=r"known operators: .*\$len"):
        EventFilter({"tags": [{"$nope": 1}]}, operators=registry)


def test_plugin_operator_sees_missing_and_present() -> None:
    seen: list[tuple[Any, bool]] = []

    def record(value: Any, present: bool, operand: Any) -> bool:
        seen.append((value, present))
        return True

    op = FilterOperator(
        name="$spy", description="spy", validate_operand=lambda operand: None, match=record
    )
    flt = EventFilter({"a": [{"$spy": None}]}, operators=build_operator_registry([("p", op)]))
    assert flt.matches({})
    assert flt.matches({"a": None})
    assert flt.matches({"a": 3})
    assert seen == [(None, False), (None, True), (3, True)]


def test_raising_plugin_operator_is_no_match_but_other_elements_still_count() -> None:
    def explode(value: Any, present: bool, operand: Any) -> bool:
        if value == "boom":
            raise RuntimeError("plugin bug")
        return bool(value == operand)

    op = FilterOperator(
        name="$eq", description="eq", validate_operand=lambda operand: None, match=explode
    )
    registry = build_operator_registry([("p", op)])
    flt = EventFilter({"items": {"v": [{"$eq": "ok"}]}}, operators=registry)
    assert flt.matches({"items": [{"v": "boom"}, {"v": "ok"}]})
    assert not flt.matches({"items": [{"v": "boom"}]})


def test_a_raising_plugin_operator_logs_its_traceback_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A broken operator raises on every request; the log gets the traceback the first time
    and one line after that, not a traceback per request."""

    def explode(value: Any, present: bool, operand: Any) -> bool:
        raise RuntimeError("plugin bug")

    op = FilterOperator(
        name="$brokenonce", description="x", validate_operand=lambda operand: None, match=explode
    )
    flt = EventFilter({"a": [{"$brokenonce": 1}]}, operators=build_operator_registry([("p", op)]))
    for _ in range(3):
        assert not flt.matches({"a": 1})
    records = [r for r in caplog.records if "$brokenonce" in r.getMessage()]
    assert len(records) == 3
    assert records[0].exc_info is not None
    assert all(r.exc_info is None and "plugin bug" in r.getMessage() for r in records[1:])


def test_plugin_validate_raising_anything_is_a_filter_error() -> None:
    def bad_validate(operand: Any) -> None:
        raise KeyError("weird")

    op = FilterOperator(
        name="$odd", description="odd", validate_operand=bad_validate, match=lambda v, p, o: True
    )
    with pytest.raises(FilterError) as info:
        EventFilter({"a": [{"$odd": 1}]}, operators=build_operator_registry([("p", op)]))
    assert info.value.path == "a[0].$odd"


def test_custom_registry_without_builtins() -> None:
    only = {"$len": _len_operator()}
    assert EventFilter({"a": [{"$len": 1}]}, operators=only).matches({"a": "x"})
    with pytest.raises(FilterError, match="unknown operator"):
        EventFilter({"a": [{"$gt": 1}]}, operators=only)


def test_registry_operator_replacing_builtin_match_is_used() -> None:
    # a registry may hold a copy of a built-in: the compiled fast path is still exact
    registry = {**builtin_operators(), "$gt": builtin_operators()["$gt"].model_copy()}
    assert EventFilter({"a": [{"$gt": 1}]}, operators=registry).matches({"a": 2})
    assert not EventFilter({"a": [{"$gt": 1}]}, operators=registry).matches({"a": True})


def test_registry_cannot_redefine_a_builtin() -> None:
    with pytest.raises(ConfigError, match="acme") as info:
        build_operator_registry([("acme", _len_operator("$gt"))])
    assert "built-in" in str(info.value) and "$gt" in str(info.value)


def test_registry_cannot_define_an_operator_twice() -> None:
    with pytest.raises(ConfigError, match=r"'second'.*'first'"):
        build_operator_registry([("first", _len_operator()), ("second", _len_operator())])
    with pytest.raises(ConfigError, match="same plugin"):
        build_operator_registry([("first", _len_operator()), ("first", _len_operator())])


def test_registry_rejects_non_operators() -> None:
    with pytest.raises(ConfigError, match="acme"):
        build_operator_registry([("acme", {"name": "$x"})])  # type: ignore[list-item]


def test_registry_marks_plugin_operators() -> None:
    op = _len_operator().model_copy(update={"kind": "builtin"})
    assert build_operator_registry([("p", op)])["$len"].kind == "plugin"
    assert build_operator_registry([]) == builtin_operators()
    assert build_operator_registry() is not builtin_operators()


def test_nan_and_infinity_in_payloads() -> None:
    assert not match([{"$between": [-INF, INF]}], NAN)
    assert match([{"$between": [-INF, INF]}], 1e308)
    assert match([{"$lt": INF}], 1)
    assert math.isnan(NAN)


def test_nested_filter_whose_keys_always_pass() -> None:
    # {"x": []} has a key, so null / missing fail; anything else passes (arrays: any element)
    flt = EventFilter({"a": {"x": []}})
    assert flt.matches({"a": {}})
    assert flt.matches({"a": 5})
    assert flt.matches({"a": [1]})
    assert flt.matches({"a": [None, {}]})
    assert not flt.matches({"a": []})
    assert not flt.matches({"a": [None]})
    assert not flt.matches({"a": None})
    assert not flt.matches({})


def test_every_builtin_operator_is_documented() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "event-filters.md").read_text()
    for name in builtin_operators():
        assert f"`{name}`" in page, f"{name} is not documented on docs/event-filters.md"


def test_filters_pickle() -> None:
    import pickle

    flt = EventFilter({"a": [{"$gt": 1}], "b": {"c": ["x"]}})
    again = pickle.loads(pickle.dumps(flt))
    assert again == flt and again.matches({"a": 2, "b": {"c": "x"}})
    assert not again.matches({"a": 0, "b": {"c": "x"}})


def test_unusual_plugin_operands_still_compare() -> None:
    op = FilterOperator(
        name="$any", description="any", validate_operand=lambda o: None, match=lambda v, p, o: p
    )
    registry = build_operator_registry([("p", op)])
    odd = EventFilter({"a": [{"$any": {1: "x", "b": object}}]}, operators=registry)
    assert odd == EventFilter(odd) and isinstance(hash(odd), int) and repr(odd)
    assert odd.matches({"a": None}) and not odd.matches({})
