"""Built-in EventFilter operators (the 13 of Trigger.dev's language), registered as a plugin."""

from __future__ import annotations

from .._filter import BUILTIN_OPERATORS
from .._models import FilterOperator
from ..hookspecs import hookimpl


@hookimpl
def hookpoint_filter_operators() -> list[FilterOperator]:
    return list(BUILTIN_OPERATORS.values())
