"""JSON values as the filter language sees them: the mark of a missing key, type tests for
messages and matching, and JavaScript's strict equality. Shared by the filter compiler
(``_filter.py``) and core's built-in operators (``default_plugins/operators.py``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypeAlias

Check: TypeAlias = Callable[[Any], bool]
"""A compiled test of one payload value (``_MISSING`` when the key is absent)."""


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
