"""Core's built-in EventFilter operators (the 13 of Trigger.dev's language), as a plugin.

The result of this module's ``hookpoint_filter_operators`` hook is what defines the built-ins: an
app's ``PluginHost`` collects it like every other plugin's (first, so a plugin cannot take a
built-in's name), and :func:`hookpoint._filter.builtin_operators` calls it for filters built
without an app. Each operator is a ``FilterOperator`` like a plugin's; what each one does is
listed in docs/event-filters.md and follows Trigger.dev v2's ``contentFilterMatches``
(https://github.com/triggerdotdev/trigger.dev, ``packages/core/src/eventFilterMatches.ts``).

:data:`FAST_PATHS` gives each operator a compiled form of its ``match`` for one operand; the
filter compiler uses it when a registry entry's ``match`` is this module's own, so matching a
built-in costs no generic call per value. Tests pin that both forms agree.
"""

from __future__ import annotations

import functools
import math
import operator
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, Final

from .._filtervalues import (
    _ARRAY,
    _MISSING,
    _NUMBER,
    Check,
    _is_number,
    _json_type,
    _scalar_kind,
    _strict_eq,
)
from .._models import FilterOperator
from ..hookspecs import hookimpl

__all__ = ["FAST_PATHS", "OPERATORS", "hookpoint_filter_operators"]


def _fold(text: str) -> str:
    """The ``$ignoreCaseEquals`` key: NFKC, then lower-case (``ß`` stays ``ß``)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).lower()


# -- operand validation ---------------------------------------------------------------------------


def _need_string(operand: Any) -> None:
    if not isinstance(operand, str):
        raise TypeError(f"needs a string, got {_json_type(operand)}")


def _need_bool(operand: Any) -> None:
    if not isinstance(operand, bool):
        raise TypeError(f"needs a boolean (true or false), got {_json_type(operand)}")


def _need_number(operand: Any) -> None:
    if not _is_number(operand):
        hint = " (a boolean is not a number)" if isinstance(operand, bool) else ""
        raise TypeError(f"needs a number, got {_json_type(operand)}{hint}")
    if isinstance(operand, float) and math.isnan(operand):
        raise ValueError("needs a number, got NaN")


def _need_scalar(operand: Any) -> None:
    if _scalar_kind(operand) is None:
        raise TypeError(f"needs a string, number or boolean, got {_json_type(operand)}")
    if isinstance(operand, float) and math.isnan(operand):
        raise ValueError("needs a string, number or boolean, got NaN")


def _need_between(operand: Any) -> None:
    if not isinstance(operand, _ARRAY) or len(operand) != 2:
        got = f"{len(operand)} items" if isinstance(operand, _ARRAY) else _json_type(operand)
        raise TypeError(f"needs [low, high], exactly 2 numbers, got {got}")
    for bound in operand:
        _need_number(bound)


def _need_anything_but(operand: Any) -> None:
    if not isinstance(operand, _ARRAY):
        _need_scalar(operand)
        return
    if not operand:
        raise ValueError("needs a non-empty list")
    kinds: set[str | None] = set()
    for item in operand:
        _need_scalar(item)
        kinds.add(_scalar_kind(item))
    if len(kinds) > 1:
        raise TypeError(
            "needs a list of one type (all strings, all numbers or all booleans), got "
            + " and ".join(sorted(str(k) for k in kinds))
        )


# -- the built-in operators: generic match(value, present, operand) -------------------------------


def _m_ends_with(value: Any, present: bool, operand: Any) -> bool:
    return present and isinstance(value, str) and value.endswith(operand)


def _m_starts_with(value: Any, present: bool, operand: Any) -> bool:
    return present and isinstance(value, str) and value.startswith(operand)


def _m_ignore_case_equals(value: Any, present: bool, operand: Any) -> bool:
    return present and isinstance(value, str) and _fold(value) == _fold(operand)


def _m_anything_but(value: Any, present: bool, operand: Any) -> bool:
    if not present:
        return True
    if isinstance(operand, _ARRAY):
        return not any(_strict_eq(item, value) for item in operand)
    return not _strict_eq(operand, value)


def _m_exists(value: Any, present: bool, operand: Any) -> bool:
    return present if operand else not present


def _m_gt(value: Any, present: bool, operand: Any) -> bool:
    return present and _is_number(value) and value > operand


def _m_lt(value: Any, present: bool, operand: Any) -> bool:
    return present and _is_number(value) and value < operand


def _m_gte(value: Any, present: bool, operand: Any) -> bool:
    return present and _is_number(value) and value >= operand


def _m_lte(value: Any, present: bool, operand: Any) -> bool:
    return present and _is_number(value) and value <= operand


def _m_between(value: Any, present: bool, operand: Any) -> bool:
    return present and _is_number(value) and operand[0] <= value <= operand[1]


def _m_includes(value: Any, present: bool, operand: Any) -> bool:
    return (
        present and isinstance(value, _ARRAY) and any(_strict_eq(operand, item) for item in value)
    )


def _m_is_null(value: Any, present: bool, operand: Any) -> bool:
    is_null = present and value is None
    return is_null if operand else not is_null


def _m_not(value: Any, present: bool, operand: Any) -> bool:
    if not present:
        return False
    if isinstance(value, _ARRAY):
        return not any(_strict_eq(operand, item) for item in value)
    if _scalar_kind(value) is not None:
        return not _strict_eq(operand, value)
    return False


# -- the built-in operators: compiled checks of one value (fast path) -----------------------------


def _c_ends_with(operand: str) -> Check:
    def check(v: Any) -> bool:
        return isinstance(v, str) and v.endswith(operand)

    return check


def _c_starts_with(operand: str) -> Check:
    def check(v: Any) -> bool:
        return isinstance(v, str) and v.startswith(operand)

    return check


def _c_ignore_case_equals(operand: str) -> Check:
    folded = _fold(operand)

    def check(v: Any) -> bool:
        return isinstance(v, str) and _fold(v) == folded

    return check


def _c_anything_but(operand: Any) -> Check:
    items = operand if isinstance(operand, _ARRAY) else (operand,)
    kind = _scalar_kind(items[0])
    excluded = frozenset(items)
    if kind == "string":

        def check(v: Any) -> bool:
            return not (isinstance(v, str) and v in excluded)

    elif kind == "number":

        def check(v: Any) -> bool:
            return not (isinstance(v, _NUMBER) and not isinstance(v, bool) and v in excluded)

    else:

        def check(v: Any) -> bool:
            return not (isinstance(v, bool) and v in excluded)

    return check


def _c_exists(operand: bool) -> Check:
    return functools.partial(operator.is_not if operand else operator.is_, _MISSING)


def _c_is_null(operand: bool) -> Check:
    return functools.partial(operator.is_ if operand else operator.is_not, None)


def _c_gt(n: float) -> Check:
    return lambda v: isinstance(v, _NUMBER) and not isinstance(v, bool) and v > n


def _c_lt(n: float) -> Check:
    return lambda v: isinstance(v, _NUMBER) and not isinstance(v, bool) and v < n


def _c_gte(n: float) -> Check:
    return lambda v: isinstance(v, _NUMBER) and not isinstance(v, bool) and v >= n


def _c_lte(n: float) -> Check:
    return lambda v: isinstance(v, _NUMBER) and not isinstance(v, bool) and v <= n


def _c_between(operand: Any) -> Check:
    lo, hi = operand
    return lambda v: isinstance(v, _NUMBER) and not isinstance(v, bool) and lo <= v <= hi


def _c_includes(operand: Any) -> Check:
    if isinstance(operand, str):
        # ``in`` compares with ==, which for a str needle only matches strings
        return lambda v: isinstance(v, _ARRAY) and operand in v

    def check(v: Any) -> bool:
        if not isinstance(v, _ARRAY):
            return False
        return any(_strict_eq(operand, item) for item in v)

    return check


def _c_not(operand: Any) -> Check:
    def check(v: Any) -> bool:
        if isinstance(v, _ARRAY):
            return not any(_strict_eq(operand, item) for item in v)
        if isinstance(v, (str, int, float)):  # bool is an int
            return not _strict_eq(operand, v)
        return False  # null, objects, missing

    return check


_OperatorDef = tuple[
    str, str, Callable[[Any], None], Callable[[Any, bool, Any], bool], Callable[[Any], Check]
]
_DEFINITIONS: Final[tuple[_OperatorDef, ...]] = (
    (
        "$endsWith",
        "the value is a string ending with the operand",
        _need_string,
        _m_ends_with,
        _c_ends_with,
    ),
    (
        "$startsWith",
        'the value is a string starting with the operand ("" matches any string)',
        _need_string,
        _m_starts_with,
        _c_starts_with,
    ),
    (
        "$anythingBut",
        "the value is not strictly equal to the operand (or to any item of the "
        "operand list); true when the value is missing",
        _need_anything_but,
        _m_anything_but,
        _c_anything_but,
    ),
    (
        "$exists",
        "true: the key is present (null counts as present); false: it is missing",
        _need_bool,
        _m_exists,
        _c_exists,
    ),
    (
        "$gt",
        "the value is a number (not a boolean) greater than the operand",
        _need_number,
        _m_gt,
        _c_gt,
    ),
    (
        "$lt",
        "the value is a number (not a boolean) less than the operand",
        _need_number,
        _m_lt,
        _c_lt,
    ),
    (
        "$gte",
        "the value is a number (not a boolean) greater than or equal to the operand",
        _need_number,
        _m_gte,
        _c_gte,
    ),
    (
        "$lte",
        "the value is a number (not a boolean) less than or equal to the operand",
        _need_number,
        _m_lte,
        _c_lte,
    ),
    (
        "$between",
        "the value is a number with low <= value <= high (operand [low, high])",
        _need_between,
        _m_between,
        _c_between,
    ),
    (
        "$includes",
        "the value is an array containing an item strictly equal to the operand",
        _need_scalar,
        _m_includes,
        _c_includes,
    ),
    (
        "$ignoreCaseEquals",
        "the value is a string equal to the operand ignoring case "
        "(NFKC-normalised, lower-cased; accents count)",
        _need_string,
        _m_ignore_case_equals,
        _c_ignore_case_equals,
    ),
    (
        "$isNull",
        "true: the value is null; false: it is not null (a missing value is not null)",
        _need_bool,
        _m_is_null,
        _c_is_null,
    ),
    (
        "$not",
        "an array value does not include the operand; a string/number/boolean value is "
        "not strictly equal to it; false for null, objects and missing values",
        _need_scalar,
        _m_not,
        _c_not,
    ),
)


OPERATORS: Final[tuple[FilterOperator, ...]] = tuple(
    FilterOperator(
        name=name,
        description=description,
        validate_operand=validate,
        match=match,
        kind="builtin",
    )
    for name, description, validate, match, _ in _DEFINITIONS
)
"""The 13 built-in operators (``$endsWith`` … ``$not``)."""

FAST_PATHS: Final[Mapping[str, tuple[Callable[..., bool], Callable[[Any], Check]]]] = {
    name: (match, compiler) for name, _, _, match, compiler in _DEFINITIONS
}
"""By operator name: its ``match`` and a compiler of an operand into a check of one value."""


@hookimpl
def hookpoint_filter_operators() -> list[FilterOperator]:
    return list(OPERATORS)
