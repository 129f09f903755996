"""EventFilter and RequestFilter: Trigger.dev v2's filter language, validated and compiled.

A filter is a dict of ``key -> pattern``; every key must pass (AND). A pattern is

* an **array of values** (all strings, all numbers or all booleans): the payload value must be
  strictly equal to one of them (OR); an empty array always passes;
* an **array of operator objects** such as ``[{"$gt": 20}, {"$lt": 40}]``: every operator must
  pass (AND);
* a **nested filter** (a dict): applied to the value; when the value is an array, to each element
  until one matches.

The semantics are those of docs/event-filters.md (Trigger.dev's
``eventFilterMatches``) with Hookpoint's deliberate differences: a filter is validated when it is
defined (a malformed one raises :class:`~hookpoint.FilterError` naming the path of the bad part),
Python types are respected (``bool`` is not a number, ``1 == 1.0``, no coercion) and
``$ignoreCaseEquals`` compares ``unicodedata.normalize("NFKC", s).lower()``.

A filter is compiled once into a tree of closures, so ``matches`` does no work on the spec per
call. ``matches`` never raises: an unexpected error while matching (only possible with non-JSON
payload objects or a misbehaving plugin operator) counts as "no match".
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import math
import operator
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, TypeAlias

from ._errors import ConfigError, FilterError
from ._models import FilterOperator
from ._request import WebhookRequest

__all__ = [
    "BUILTIN_OPERATORS",
    "REQUEST_FILTER_KEYS",
    "EventFilter",
    "RequestFilter",
    "build_operator_registry",
]

log = logging.getLogger("hookpoint")

Check: TypeAlias = Callable[[Any], bool]
"""A compiled test of one payload value (``_MISSING`` when the key is absent)."""

REQUEST_FILTER_KEYS: Final = ("body", "event", "headers", "method", "path", "query")
"""The top-level keys a :class:`RequestFilter` accepts."""


class _Missing:
    """The value of a key the payload does not have (JavaScript's ``undefined``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Final = _Missing()
_NUMBER: Final = (int, float)
_ARRAY: Final = (list, tuple)


# -- typing helpers -------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    """True for an int or float that is not a bool (JSON numbers)."""
    return isinstance(value, _NUMBER) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    """A short type name for messages: the JSON name when there is one."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, _NUMBER):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, _ARRAY):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _scalar_kind(value: Any) -> str | None:
    """``"string"``, ``"number"`` or ``"boolean"`` for a filter scalar, else None."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, _NUMBER):
        return "number"
    return None


def _strict_eq(a: Any, b: Any) -> bool:
    """JavaScript's ``===`` on JSON values, the Python way.

    A bool equals only a bool, a number (int or float, never bool) only a number (numerically:
    ``1 == 1.0``), a string only a string, null only null. Arrays and objects are equal only to
    themselves (identity), as in JavaScript. Never equal across these kinds.
    """
    if isinstance(a, bool):
        return isinstance(b, bool) and a == b
    if isinstance(a, _NUMBER):
        return isinstance(b, _NUMBER) and not isinstance(b, bool) and a == b
    if isinstance(a, str):
        return isinstance(b, str) and a == b
    if a is None:
        return b is None
    return a is b


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

BUILTIN_OPERATORS: Final[dict[str, FilterOperator]] = {
    name: FilterOperator(
        name=name,
        description=description,
        validate_operand=validate,
        match=match,
        kind="builtin",
    )
    for name, description, validate, match, _ in _DEFINITIONS
}
"""The 13 operators of the language, by name (``$endsWith`` … ``$not``)."""

_BUILTIN_COMPILERS: Final[dict[str, tuple[Callable[..., bool], Callable[[Any], Check]]]] = {
    name: (match, compiler) for name, _, _, match, compiler in _DEFINITIONS
}


def build_operator_registry(
    extra: Iterable[tuple[str, FilterOperator]] = (),
) -> dict[str, FilterOperator]:
    """The built-in operators plus ``extra`` ``(plugin name, operator)`` pairs.

    Raises :class:`~hookpoint.ConfigError` naming the plugin when an operator is not a
    ``FilterOperator``, or its name is a built-in's or another (or the same) plugin's.
    Added operators are marked ``kind="plugin"``.
    """
    registry: dict[str, FilterOperator] = dict(BUILTIN_OPERATORS)
    owners: dict[str, str] = {}
    for plugin, op in extra:
        if not isinstance(op, FilterOperator):
            raise ConfigError(
                f"plugin {plugin!r} returned {type(op).__name__!r} as a filter operator; "
                "expected a hookpoint.FilterOperator"
            )
        if op.name in BUILTIN_OPERATORS:
            raise ConfigError(
                f"filter operator {op.name} from plugin {plugin!r} redefines a built-in "
                "operator; built-in operators cannot be redefined"
            )
        if op.name in owners:
            other = owners[op.name]
            who = "the same plugin" if other == plugin else f"plugin {other!r}"
            raise ConfigError(
                f"filter operator {op.name} from plugin {plugin!r} is already defined by "
                f"{who}; operators cannot be redefined"
            )
        if op.kind != "plugin":
            op = op.model_copy(update={"kind": "plugin"})
        registry[op.name] = op
        owners[op.name] = plugin
    return registry


# -- compiling ------------------------------------------------------------------------------------


def _key_path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


_RAISED_BEFORE: set[str] = set()
"""Plugin operators whose raising was logged with a traceback already (once per process)."""


def _plugin_check(op: FilterOperator, operand: Any) -> Check:
    match = op.match

    def check(v: Any) -> bool:
        try:
            if v is _MISSING:
                return bool(match(None, False, operand))
            return bool(match(v, True, operand))
        except Exception as exc:
            # A broken operator raises on every request it sees: the traceback once, then a
            # line each time (the log must not drown in copies of it).
            if op.name in _RAISED_BEFORE:
                log.warning("filter operator %s raised %r; treated as no match", op.name, exc)
            else:
                _RAISED_BEFORE.add(op.name)
                log.warning(
                    "filter operator %s raised; treated as no match", op.name, exc_info=True
                )
            return False

    return check


def _all_of(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    frozen = tuple(checks)

    def check(v: Any) -> bool:
        for c in frozen:  # noqa: SIM110 - a plain loop is faster than all() on the hot path
            if not c(v):
                return False
        return True

    return check


def _values_check(kind: str, values: list[Any]) -> Check:
    allowed = frozenset(values)
    if kind == "string":
        if len(values) == 1:
            # str == x is True only for strings; a C-level call is faster than a lambda
            return functools.partial(operator.eq, values[0])
        return lambda v: isinstance(v, str) and v in allowed
    if kind == "number":
        return lambda v: isinstance(v, _NUMBER) and not isinstance(v, bool) and v in allowed
    if len(allowed) == 2:
        return lambda v: isinstance(v, bool)
    return functools.partial(operator.is_, bool(values[0]))  # True and False are singletons


def _runner(checks: tuple[tuple[Any, Check], ...], fallback: Check) -> Check:
    """Apply every ``(key, check)`` to a dict (unrolled for up to 3 keys); else ``fallback``."""
    if len(checks) == 1:
        ((k1, c1),) = checks

        def run1(obj: Any) -> bool:
            if obj.__class__ is dict:
                return c1(obj.get(k1, _MISSING))
            return fallback(obj)

        return run1

    if len(checks) == 2:
        (k1, c1), (k2, c2) = checks

        def run2(obj: Any) -> bool:
            if obj.__class__ is dict:
                get = obj.get
                return c1(get(k1, _MISSING)) and c2(get(k2, _MISSING))
            return fallback(obj)

        return run2

    if len(checks) == 3:
        (k1, c1), (k2, c2), (k3, c3) = checks

        def run3(obj: Any) -> bool:
            if obj.__class__ is dict:
                get = obj.get
                return c1(get(k1, _MISSING)) and c2(get(k2, _MISSING)) and c3(get(k3, _MISSING))
            return fallback(obj)

        return run3

    def run(obj: Any) -> bool:
        if obj.__class__ is dict:
            get = obj.get
            for key, check in checks:  # noqa: SIM110 - faster than all() on the hot path
                if not check(get(key, _MISSING)):
                    return False
            return True
        return fallback(obj)

    return run


def _object_matcher(checks: tuple[tuple[Any, Check], ...], empty: bool) -> tuple[Check, Check]:
    """The compiled filter, twice: applied to one payload object, and as the check of a key whose
    pattern is this (nested) filter, where an array value matches when some element does."""

    def other(obj: Any) -> bool:
        if obj is None or obj is _MISSING:
            return empty
        if isinstance(obj, Mapping):
            for key, check in checks:
                try:
                    value = obj.get(key, _MISSING)
                except Exception:
                    value = _MISSING
                if not check(value):
                    return False
            return True
        # a string, number, boolean or array indexed by key: every key is missing
        return all(check(_MISSING) for _, check in checks)

    if checks:
        flat = _runner(checks, other)
    else:  # only keys that always pass (``{"a": []}``): fails only for null / missing

        def flat(obj: Any) -> bool:
            return empty if obj is None or obj is _MISSING else True

    def other_or_any(obj: Any) -> bool:
        if isinstance(obj, _ARRAY):
            for item in obj:  # noqa: SIM110 - faster than any() on the hot path
                if flat(item):
                    return True
            return False
        return other(obj)

    return flat, (_runner(checks, other_or_any) if checks else other_or_any)


class _Compiler:
    def __init__(self, operators: Mapping[str, FilterOperator]) -> None:
        self.operators = operators

    def filter(self, spec: Any, path: str) -> tuple[Check, Check, dict[str, Any]]:
        """Validate ``spec`` (a filter object); return its matcher of one object, its check as a
        nested pattern (arrays: any element) and its normalised copy."""
        if not isinstance(spec, Mapping):
            raise FilterError(
                f"a filter must be an object (dict) of key -> pattern, got {_json_type(spec)}",
                path,
            )
        checks: list[tuple[Any, Check]] = []
        normal: dict[str, Any] = {}
        for key, pattern in spec.items():
            if not isinstance(key, str):
                raise FilterError(
                    f"filter keys must be strings, got {_json_type(key)} {key!r}",
                    _key_path(path, str(key)),
                )
            check, normal[key] = self.pattern(pattern, _key_path(path, key))
            if check is not None:
                checks.append((key, check))
        flat, nested = _object_matcher(tuple(checks), empty=not normal)
        return flat, nested, normal

    def pattern(self, pattern: Any, path: str) -> tuple[Check | None, Any]:
        """One key's pattern; the check is None when it always passes."""
        if isinstance(pattern, Mapping):
            _, nested, normal = self.filter(pattern, path)
            # An empty nested filter passes for any value except an empty array, where, as in
            # Trigger.dev's matcher, "some element matches" is false (docs/event-filters.md).
            return nested, normal
        if isinstance(pattern, _ARRAY):
            return self.array(pattern, path)
        raise FilterError(
            'a pattern must be an array of values or operators (e.g. ["a", "b"] or '
            f'[{{"$gt": 1}}]) or a nested filter object, got {_json_type(pattern)}',
            path,
        )

    def array(self, pattern: Any, path: str) -> tuple[Check | None, list[Any]]:
        if not pattern:
            return None, []
        first_kind: str | None = None
        for index, item in enumerate(pattern):
            kind: str | None = "operator" if isinstance(item, Mapping) else _scalar_kind(item)
            if kind != "operator":
                if kind is None:
                    raise FilterError(
                        "array items must be strings, numbers, booleans or operator objects "
                        f'(e.g. {{"$gt": 1}}), got {_json_type(item)}',
                        f"{path}[{index}]",
                    )
                if isinstance(item, float) and math.isnan(item):
                    raise FilterError("NaN cannot be matched", f"{path}[{index}]")
            if first_kind is None:
                first_kind = kind
            elif kind != first_kind:
                raise FilterError(
                    f"mixed array: {_plural(kind)} and {_plural(first_kind)} cannot be combined; "
                    "an array holds only strings, only numbers, only booleans or only operators",
                    f"{path}[{index}]",
                )
        assert first_kind is not None
        if first_kind != "operator":
            values = list(pattern)
            return _values_check(first_kind, values), values
        checks: list[Check] = []
        normal: list[Any] = []
        for index, item in enumerate(pattern):
            check, normal_item = self.operator(item, f"{path}[{index}]")
            checks.append(check)
            normal.append(normal_item)
        return _all_of(checks), normal

    def operator(self, item: Mapping[Any, Any], path: str) -> tuple[Check, dict[str, Any]]:
        if len(item) != 1:
            names = ", ".join(str(k) for k in item) or "none"
            raise FilterError(
                f"an operator object must have exactly one operator, got {len(item)} ({names}); "
                'use one object per operator, e.g. [{"$gt": 20}, {"$lt": 40}]',
                path,
            )
        ((name, operand),) = item.items()
        op = self.operators.get(name) if isinstance(name, str) else None
        if op is None:
            known = ", ".join(sorted(self.operators))
            hint = ""
            if not (isinstance(name, str) and name.startswith("$")):
                hint = " (to filter the fields of a nested object use an object, not an array)"
            raise FilterError(
                f"unknown operator {name!r}{hint}; known operators: {known}",
                f"{path}.{name}",
            )
        try:
            op.validate_operand(operand)
        except Exception as exc:
            raise FilterError(f"{name} {exc}".strip(), f"{path}.{name}") from exc
        builtin = _BUILTIN_COMPILERS.get(name)
        if builtin is not None and op.match is builtin[0]:
            normal_operand = list(operand) if isinstance(operand, _ARRAY) else operand
            return builtin[1](normal_operand), {name: normal_operand}
        return _plugin_check(op, operand), {name: _copy_operand(operand)}


def _plural(kind: str) -> str:
    return {
        "string": "strings",
        "number": "numbers",
        "boolean": "booleans",
        "operator": "operator objects",
    }.get(kind, kind)


def _copy_operand(operand: Any) -> Any:
    try:
        return copy.deepcopy(operand)
    except Exception:
        return operand


def _copy_spec(spec: Any) -> Any:
    if isinstance(spec, dict):
        return {k: _copy_spec(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_copy_spec(v) for v in spec]
    return _copy_operand(spec)


def _canonical(spec: Mapping[str, Any]) -> str:
    """The spec as canonical JSON (for equality, hashing and repr)."""
    try:
        return json.dumps(
            spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr
        )
    except (TypeError, ValueError):  # a plugin operand with unsortable keys, say
        return repr(spec)


def _rebuild(
    cls: type[EventFilter] | type[RequestFilter],
    spec: dict[str, Any],
    operators: Mapping[str, FilterOperator] | None,
) -> EventFilter | RequestFilter:
    """Unpickle a filter (its compiled closures are rebuilt from the spec)."""
    return cls(spec, operators=operators)


def _compile(spec: Any, operators: Mapping[str, FilterOperator]) -> tuple[Check, dict[str, Any]]:
    try:
        flat, _, normal = _Compiler(operators).filter(spec, "")
        return flat, normal
    except RecursionError:
        raise FilterError("the filter is nested too deeply (or contains itself)") from None


# -- the public classes ---------------------------------------------------------------------------


class EventFilter:
    """A compiled EventFilter: ``EventFilter({"body": {"type": ["paid"]}}).matches(payload)``.

    ``spec`` is a dict (or another EventFilter); ``operators`` is the full operator registry
    (built-ins and plugin operators; None means :data:`BUILTIN_OPERATORS`). The spec is validated
    and compiled here: a malformed one raises :class:`~hookpoint.FilterError` naming the path of
    the bad part. Filters are immutable; equality and hashing follow the spec's canonical JSON.
    """

    __slots__ = ("_canonical", "_match", "_operators", "_spec")

    _spec: dict[str, Any]
    _match: Check
    _operators: Mapping[str, FilterOperator]
    _canonical: str

    def __init__(
        self,
        spec: Mapping[str, Any] | EventFilter,
        *,
        operators: Mapping[str, FilterOperator] | None = None,
    ) -> None:
        if isinstance(spec, EventFilter):
            if operators is None:
                operators = spec._operators
            spec = spec._spec
        registry = BUILTIN_OPERATORS if operators is None else operators
        self._match, self._spec = _compile(spec, registry)
        self._operators = registry
        self._canonical = _canonical(self._spec)

    @classmethod
    def empty(cls) -> EventFilter:
        """The filter that matches everything (``{}``)."""
        return cls({})

    @property
    def spec(self) -> dict[str, Any]:
        """A deep copy of the (validated) spec."""
        result: dict[str, Any] = _copy_spec(self._spec)
        return result

    @property
    def is_empty(self) -> bool:
        """True for ``{}``, which matches every payload (even a missing one)."""
        return not self._spec

    def matches(self, payload: Any) -> bool:
        """True when ``payload`` (parsed JSON: dict, list, str, number, bool or None) matches.

        Never raises: an error while matching a non-JSON object counts as no match.
        """
        try:
            return self._match(payload) is True
        except Exception:
            log.debug("EventFilter.matches raised; treated as no match", exc_info=True)
            return False

    __call__ = matches

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._canonical})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, EventFilter)
        return self._canonical == other._canonical

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._canonical))

    def __copy__(self) -> EventFilter:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        operators = None if self._operators is BUILTIN_OPERATORS else dict(self._operators)
        return (_rebuild, (type(self), self._spec, operators))

    def __deepcopy__(self, memo: dict[int, Any]) -> EventFilter:
        return self


class RequestFilter:
    """A filter over a request's filterable view (``request.filter_view()``).

    Top-level keys: ``method``, ``path``, ``headers``, ``query``, ``body``, ``event``. Header
    names are matched case-insensitively (they are lower-cased here, as in the view); exact
    ``method`` values are upper-cased. Everything else is EventFilter semantics.
    """

    __slots__ = ("_filter", "_keys")

    _filter: EventFilter
    _keys: tuple[str, ...]

    def __init__(
        self,
        spec: Mapping[str, Any] | RequestFilter | EventFilter,
        *,
        operators: Mapping[str, FilterOperator] | None = None,
    ) -> None:
        if isinstance(spec, RequestFilter):
            spec = spec._filter
        if isinstance(spec, EventFilter):
            if operators is None:
                operators = spec._operators
            spec = spec._spec
        self._filter = EventFilter(_normalise_request_spec(spec), operators=operators)
        spec_keys = self._filter._spec
        self._keys = tuple(spec_keys) if isinstance(spec_keys, dict) else REQUEST_FILTER_KEYS

    @classmethod
    def empty(cls) -> RequestFilter:
        """The filter that matches every request."""
        return cls({})

    @property
    def spec(self) -> dict[str, Any]:
        """A deep copy of the normalised spec (header names lower-cased, methods upper-cased)."""
        return self._filter.spec

    @property
    def event_filter(self) -> EventFilter:
        """The compiled filter applied to the request's filter view."""
        return self._filter

    @property
    def is_empty(self) -> bool:
        return self._filter.is_empty

    def matches(self, request: Any) -> bool:
        """True when ``request`` (a ``WebhookRequest``, or its filter view as a dict) matches.

        Never raises: a request whose view cannot be built counts as no match (logged).
        """
        if request.__class__ is dict:  # already a view
            return self._filter.matches(request)
        try:
            build_view = getattr(request, "filter_view", None)
            if build_view is None:  # a view of another type
                view = request
            elif not self._filter._spec:
                return True  # matches every request: skip building the view
            elif request.__class__ is WebhookRequest:
                view = build_view(self._keys)  # only the parts this filter looks at
            else:
                view = build_view()
        except Exception:
            log.warning("request.filter_view() raised; the filter does not match", exc_info=True)
            return False
        return self._filter.matches(view)

    __call__ = matches

    def __repr__(self) -> str:
        return f"RequestFilter({self._filter._canonical})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RequestFilter):
            return NotImplemented
        return self._filter._canonical == other._filter._canonical

    def __hash__(self) -> int:
        return hash(("RequestFilter", self._filter._canonical))

    def __copy__(self) -> RequestFilter:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        inner = self._filter
        operators = None if inner._operators is BUILTIN_OPERATORS else dict(inner._operators)
        return (_rebuild, (RequestFilter, inner._spec, operators))

    def __deepcopy__(self, memo: dict[int, Any]) -> RequestFilter:
        return self


def _normalise_request_spec(spec: Any) -> Any:
    if not isinstance(spec, Mapping):
        return spec  # EventFilter reports it
    allowed = ", ".join(REQUEST_FILTER_KEYS)
    normal: dict[Any, Any] = {}
    for key, pattern in spec.items():
        if key not in REQUEST_FILTER_KEYS:
            raise FilterError(
                f"unknown request filter key {key!r}; allowed keys: {allowed}", str(key)
            )
        if key == "headers":
            pattern = _normalise_headers(pattern)
        elif key == "method" and isinstance(pattern, _ARRAY):
            pattern = [p.upper() if isinstance(p, str) else p for p in pattern]
        normal[key] = pattern
    return normal


def _normalise_headers(pattern: Any) -> dict[Any, Any]:
    if not isinstance(pattern, Mapping):
        raise FilterError(
            "headers must be an object of header name -> pattern, e.g. "
            f'{{"x-github-event": ["push"]}}, got {_json_type(pattern)}',
            "headers",
        )
    headers: dict[Any, Any] = {}
    for name, sub in pattern.items():
        if not isinstance(name, str):
            continue  # EventFilter reports the non-string key below
        lower = name.lower()
        if lower in headers:
            raise FilterError(
                f"header {name!r} appears twice (header names are case-insensitive)",
                f"headers.{name}",
            )
        headers[lower] = sub
    for name, sub in pattern.items():
        if not isinstance(name, str):
            headers[name] = sub
    return headers
