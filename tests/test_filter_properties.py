"""Property tests of EventFilter / RequestFilter (hypothesis)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hookpoint._errors import FilterError
from hookpoint._filter import (
    EventFilter,
    RequestFilter,
    build_operator_registry,
    builtin_operators,
)
from hookpoint._filtervalues import _strict_eq

settings.register_profile(
    "hookpoint-filter",
    database=None,
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("hookpoint-filter")

# -- strategies -----------------------------------------------------------------------------------

keys = st.text(max_size=6)
numbers = st.integers(min_value=-(2**60), max_value=2**60) | st.floats(
    allow_nan=False, allow_infinity=False
)
scalars = st.booleans() | numbers | st.text(max_size=8)
json_scalars = st.none() | scalars
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=25,
)
json_objects = st.dictionaries(keys, json_values, max_size=6)

# payload values including the odd ones a JSON parser may produce or a caller may pass
wild_values = st.recursive(
    json_scalars | st.floats() | st.binary(max_size=3) | st.complex_numbers(max_magnitude=10),
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children, children)
        | st.dictionaries(keys | st.integers(), children, max_size=3)
    ),
    max_leaves=15,
)


def _homogeneous(draw: st.DrawFn, min_size: int = 1) -> list[Any]:
    element = draw(st.sampled_from([st.text(max_size=5), numbers, st.booleans()]))
    return draw(st.lists(element, min_size=min_size, max_size=4))


@st.composite
def operands(draw: st.DrawFn, name: str) -> Any:
    if name in ("$endsWith", "$startsWith", "$ignoreCaseEquals"):
        return draw(st.text(max_size=5))
    if name in ("$exists", "$isNull"):
        return draw(st.booleans())
    if name in ("$gt", "$lt", "$gte", "$lte"):
        return draw(numbers)
    if name == "$between":
        return sorted(draw(st.lists(numbers, min_size=2, max_size=2)))
    assert name in ("$includes", "$not")
    return draw(scalars)


@st.composite
def anything_but_operands(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(scalars)
    return _homogeneous(draw)


@st.composite
def operator_objects(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(builtin_operators())))
    if name == "$anythingBut":
        return {name: draw(anything_but_operands())}
    return {name: draw(operands(name))}


@st.composite
def patterns(draw: st.DrawFn, nested: st.SearchStrategy[dict[str, Any]]) -> Any:
    kind = draw(st.sampled_from(["values", "operators", "nested", "empty"]))
    if kind == "values":
        return _homogeneous(draw)
    if kind == "operators":
        return draw(st.lists(operator_objects(), min_size=1, max_size=3))
    if kind == "nested":
        return draw(nested)
    return []


filters: st.SearchStrategy[dict[str, Any]] = st.recursive(
    st.just({}),
    lambda children: st.dictionaries(keys, patterns(children), max_size=4),
    max_leaves=12,
)


Draw = Callable[[st.SearchStrategy[Any]], Any]

# -- exact filters built from payloads ------------------------------------------------------------


def _exact_filter(draw: Draw, obj: dict[str, Any]) -> dict[str, Any]:
    """A filter the object ``obj`` satisfies: exact values at randomly chosen paths."""
    spec: dict[str, Any] = {}
    chosen = draw(st.lists(st.sampled_from(sorted(obj)), unique=True)) if obj else []
    for key in chosen:
        value = obj[key]
        if value is None:
            spec[key] = [{"$isNull": True}]
        elif isinstance(value, dict):
            spec[key] = _exact_filter(draw, value)
        elif isinstance(value, list):
            objects = [v for v in value if isinstance(v, dict)]
            plain = [v for v in value if not isinstance(v, dict | list) and v is not None]
            if objects and draw(st.booleans()):
                spec[key] = _exact_filter(draw, draw(st.sampled_from(objects)))  # any element
            elif plain:
                spec[key] = [{"$includes": draw(st.sampled_from(plain))}]
            else:
                spec[key] = [{"$exists": True}]
        else:
            spec[key] = [value]
    return spec


@st.composite
def payload_and_exact_filter(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    payload = draw(json_objects)
    return payload, _exact_filter(draw, payload)


@settings(PROFILE)
@given(payload_and_exact_filter())
def test_exact_filters_match_their_payload(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    payload, spec = case
    assert EventFilter(spec).matches(payload)
    assert RequestFilter({"body": spec}).matches({"body": payload})


@st.composite
def payload_with_leaf(draw: st.DrawFn) -> tuple[dict[str, Any], list[str], Any]:
    """A payload, a path of dict keys to a non-null scalar leaf, and a different value for it."""
    depth = draw(st.integers(min_value=1, max_value=4))
    path = draw(st.lists(keys, min_size=depth, max_size=depth))
    leaf = draw(scalars)
    payload: dict[str, Any] = draw(json_objects)
    node = payload
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = draw(st.dictionaries(keys, json_values, max_size=3))
            node[key] = child
        node = child
    node[path[-1]] = leaf
    changed = draw(json_values.filter(lambda v: not _strict_eq(v, leaf)))
    return payload, path, changed


def _dict_only_filter(obj: dict[str, Any], path: list[str] | None, draw: Draw) -> dict[str, Any]:
    """An exact filter of ``obj`` that always includes ``path`` and never crosses an array."""
    spec: dict[str, Any] = {}
    for key, value in obj.items():
        on_path = path is not None and key == path[0]
        if not on_path and not draw(st.booleans()):
            continue
        if on_path and path is not None and len(path) > 1:
            spec[key] = _dict_only_filter(value, path[1:], draw)
        elif isinstance(value, dict):
            spec[key] = _dict_only_filter(value, None, draw)
        elif value is None:
            spec[key] = [{"$isNull": True}]
        elif isinstance(value, list):
            spec[key] = [{"$exists": True}]
        else:
            spec[key] = [value]
    return spec


@settings(PROFILE)
@given(payload_with_leaf(), st.data())
def test_a_changed_leaf_makes_an_exact_filter_fail(
    case: tuple[dict[str, Any], list[str], Any], data: st.DataObject
) -> None:
    payload, path, changed = case
    spec = _dict_only_filter(payload, path, data.draw)
    flt = EventFilter(spec)
    assert flt.matches(payload)
    node = payload
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = changed
    assert not flt.matches(payload)
    del node[path[-1]]
    assert not flt.matches(payload)


# -- never raises ---------------------------------------------------------------------------------


@settings(PROFILE)
@given(filters, json_values)
def test_matches_never_raises_on_json(spec: dict[str, Any], payload: Any) -> None:
    flt = EventFilter(spec)
    assert flt.matches(payload) in (True, False)
    assert flt.matches({k: payload for k in spec}) in (True, False)
    assert flt.matches([payload, {k: payload for k in spec}]) in (True, False)


@settings(PROFILE)
@given(filters, wild_values)
def test_matches_never_raises_on_wild_values(spec: dict[str, Any], payload: Any) -> None:
    flt = EventFilter(spec)
    assert flt.matches(payload) in (True, False)
    assert flt.matches({k: payload for k in spec}) in (True, False)


@settings(PROFILE)
@given(json_values | st.dictionaries(keys, json_values, max_size=4), json_values)
def test_arbitrary_specs_either_compile_or_raise_filter_error(spec: Any, payload: Any) -> None:
    try:
        flt = EventFilter(spec)
    except FilterError as exc:
        assert isinstance(exc, ValueError)
        return
    assert flt.matches(payload) in (True, False)


@settings(PROFILE)
@given(filters)
def test_spec_round_trips(spec: dict[str, Any]) -> None:
    flt = EventFilter(spec)
    again = EventFilter(flt.spec)
    assert again == flt and hash(again) == hash(flt)
    assert EventFilter(flt) == flt


# -- the compiled operators agree with FilterOperator.match ---------------------------------------


@settings(PROFILE)
@given(operator_objects(), json_values, st.booleans())
def test_compiled_operator_agrees_with_generic_match(
    op: dict[str, Any], value: Any, present: bool
) -> None:
    ((name, operand),) = op.items()
    payload = {"k": value} if present else {}
    compiled = EventFilter({"k": [op]}).matches(payload)
    generic = builtin_operators()[name].match(value if present else None, present, operand)
    assert compiled is generic


# A plugin operator is a peer of the built-ins: each built-in again under another name
# (``$gt`` as ``$mirrorgt``), from a plugin, matches alike anywhere in any filter.
MIRRORS = build_operator_registry(
    ("mirror", op.model_copy(update={"name": "$mirror" + op.name[1:]}))
    for op in builtin_operators().values()
)


def _mirrored(spec: Any) -> Any:
    if isinstance(spec, dict):
        return {key: _mirrored(pattern) for key, pattern in spec.items()}
    if isinstance(spec, list):  # operator objects are the dicts of an array
        return [
            {"$mirror" + k[1:]: v for k, v in item.items()} if isinstance(item, dict) else item
            for item in spec
        ]
    return spec


@settings(PROFILE)
@given(filters, json_objects)
def test_plugin_operators_match_like_the_builtins(spec: dict[str, Any], payload: Any) -> None:
    mirrored = EventFilter(_mirrored(spec), operators=MIRRORS)
    assert mirrored.matches(payload) is EventFilter(spec).matches(payload)
    assert mirrored.matches([payload]) is EventFilter(spec).matches([payload])


@settings(PROFILE)
@given(payload_and_exact_filter())
def test_plugin_operators_match_exact_filters_like_the_builtins(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    payload, spec = case
    assert EventFilter(_mirrored(spec), operators=MIRRORS).matches(payload)


@settings(PROFILE)
@given(scalars, json_values)
def test_anything_but_is_the_negation_of_an_exact_value(operand: Any, value: Any) -> None:
    exact = EventFilter({"k": [operand]}).matches({"k": value})
    assert EventFilter({"k": [{"$anythingBut": operand}]}).matches({"k": value}) is not exact
    assert EventFilter({"k": [{"$anythingBut": [operand]}]}).matches({"k": value}) is not exact
    if value is not None and not isinstance(value, dict | list):
        assert EventFilter({"k": [{"$not": operand}]}).matches({"k": value}) is not exact


@settings(PROFILE)
@given(st.lists(scalars, max_size=5), scalars)
def test_includes_and_not_on_arrays(items: list[Any], operand: Any) -> None:
    expected = any(_strict_eq(operand, item) for item in items)
    assert EventFilter({"k": [{"$includes": operand}]}).matches({"k": items}) is expected
    assert EventFilter({"k": [{"$not": operand}]}).matches({"k": items}) is not expected


@settings(PROFILE)
@given(st.integers(min_value=-(2**53), max_value=2**53))
def test_ints_equal_floats_but_not_bools(n: int) -> None:
    assert EventFilter({"k": [n]}).matches({"k": float(n)})
    assert EventFilter({"k": [float(n)]}).matches({"k": n})
    assert not EventFilter({"k": [n]}).matches({"k": str(n)})
    if n in (0, 1):
        assert not EventFilter({"k": [n]}).matches({"k": bool(n)})


@settings(PROFILE)
@given(numbers, numbers, numbers)
def test_numeric_operators(lo: float, hi: float, value: float) -> None:
    assume(not (isinstance(value, float) and math.isnan(value)))

    def m(op: dict[str, Any]) -> bool:
        return EventFilter({"k": [op]}).matches({"k": value})

    assert m({"$gt": lo}) is (value > lo)
    assert m({"$gte": lo}) is (value >= lo)
    assert m({"$lt": hi}) is (value < hi)
    assert m({"$lte": hi}) is (value <= hi)
    assert m({"$between": [lo, hi]}) is (lo <= value <= hi)
    assert EventFilter({"k": [{"$gt": lo}, {"$lt": hi}]}).matches({"k": value}) is (lo < value < hi)


@settings(PROFILE)
@given(st.text(max_size=10))
def test_ignore_case_equals_is_reflexive(text: str) -> None:
    assert EventFilter({"k": [{"$ignoreCaseEquals": text}]}).matches({"k": text})
    assert EventFilter({"k": [{"$ignoreCaseEquals": text.upper()}]}).matches({"k": text.upper()})


@settings(PROFILE)
@given(st.text(min_size=1, max_size=10), st.text(max_size=10))
def test_starts_and_ends_with(prefix: str, rest: str) -> None:
    value = prefix + rest
    assert EventFilter({"k": [{"$startsWith": prefix}]}).matches({"k": value})
    assert EventFilter({"k": [{"$endsWith": rest}]}).matches({"k": value})
    assert not EventFilter({"k": [{"$startsWith": prefix}]}).matches({"k": [value]})


# -- RequestFilter --------------------------------------------------------------------------------

header_names = st.from_regex(r"\A[A-Za-z][A-Za-z0-9-]{0,15}\Z")


@settings(PROFILE)
@given(header_names, st.text(max_size=10), st.data())
def test_header_names_are_case_insensitive(name: str, value: str, data: st.DataObject) -> None:
    spelled = "".join(c.upper() if data.draw(st.booleans()) else c.lower() for c in name)
    view = {"headers": {name.lower(): value}}
    assert RequestFilter({"headers": {spelled: [value]}}).matches(view)
    assert RequestFilter({"headers": {spelled: [{"$exists": True}]}}).matches(view)
