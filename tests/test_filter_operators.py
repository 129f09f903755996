"""Filter operators are plugins: the built-ins are the ``hookpoint_filter_operators`` result of
core's operators plugin, and an operator from any other plugin is their peer: validated when a
filter is defined, matched (in nested keys, arrays of objects, next to other operators) and kept
apart from the others by the same rules."""

from __future__ import annotations

import math
from typing import Any

import pytest

from hookpoint import FilterError, FilterOperator, Hookpoint, PluginError, RequestFilter, hookimpl
from hookpoint._filter import BUILTIN_PLUGIN, EventFilter, builtin_operators
from hookpoint.default_plugins import operators as builtin_plugin


def _mirror_name(name: str) -> str:
    return "$mirror" + name[1].upper() + name[2:]


class Mirror:
    """A plugin offering every built-in again under another name (``$gt`` as ``$mirrorGt``) with
    the built-in's own functions: only the way the operator reaches a filter differs."""

    __name__ = "mirror"

    @hookimpl
    def hookpoint_filter_operators(self) -> list[FilterOperator]:
        return [
            FilterOperator(
                name=_mirror_name(op.name),
                description=op.description,
                validate_operand=op.validate_operand,
                match=op.match,
            )
            for op in builtin_plugin.hookpoint_filter_operators()
        ]


def _one_operator_plugin(label: str, name: str) -> object:
    class Plugin:
        __name__ = label

        @hookimpl
        def hookpoint_filter_operators(self) -> list[FilterOperator]:
            return [
                FilterOperator(
                    name=name,
                    description="always",
                    validate_operand=lambda operand: None,
                    match=lambda value, present, operand: True,
                )
            ]

    return Plugin()


def _app(*plugins: object) -> Hookpoint:
    return Hookpoint("operators", plugins=plugins, load_entrypoints=False)


def _compile(app: Hookpoint, body_spec: dict[str, Any]) -> RequestFilter:
    """A job filter over the request body, compiled the way an app compiles it."""
    endpoint = app.endpoints.get("e") or app.define_http_endpoint(
        id="e", source="acme.dev", verify="none"
    )
    return endpoint.on_request(filter={"body": body_spec}).filter


PLAIN = _app()
MIRRORED = _app(Mirror())

OPERANDS: list[Any] = [
    *(None, True, False, 0, 1, -2.5, math.inf, math.nan, "", "a", "Ab"),
    *([], [1], [1, 5], [5, 1], ["a", "b"], ["a", 1], [True], {"a": 1}),
]
_ABSENT = object()
VALUES: list[Any] = [
    *(_ABSENT, None, True, False, 0, 1, 3, -2.5, math.inf, "", "a", "ab", "AB", "Ab"),
    *([], ["a"], ["a", 1], [1, 5], [None], {"a": 1}, {}),
]


def _payloads(value: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    """``(context, where the operator goes, payload)`` for one payload value."""
    here: dict[str, Any] = {} if value is _ABSENT else {"v": value}
    return [
        ("top-level key", lambda o: {"v": [o]}, here),
        ("nested key", lambda o: {"a": {"b": {"v": [o]}}}, {"a": {"b": here}}),
        ("array of objects", lambda o: {"items": {"v": [o]}}, {"items": [{"w": 0}, here]}),
        ("with $exists", lambda o: {"v": [o, {"$exists": value is not _ABSENT}]}, here),
    ]


def test_builtins_are_the_operators_plugins_hook_result() -> None:
    returned = builtin_plugin.hookpoint_filter_operators()
    assert [op.name for op in returned] == list(builtin_operators())
    app = _app()
    for op in returned:
        assert builtin_operators()[op.name] is op and op.kind == "builtin"
        assert app.plugins.operators[op.name] is op
    assert set(app.plugins.operators) == set(builtin_operators())
    assert app.plugins.operators is not builtin_operators()


def test_an_apps_builtins_are_what_its_operators_plugin_returns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builtin_operators()  # cached already: filters built without an app keep all 13

    @hookimpl
    def only_gt() -> list[FilterOperator]:
        return [builtin_operators()["$gt"]]

    monkeypatch.setattr(builtin_plugin, "hookpoint_filter_operators", only_gt)
    app = _app()
    assert list(app.plugins.operators) == ["$gt"]
    assert _compile(app, {"n": [{"$gt": 1}]}).matches({"body": {"n": 2}})
    with pytest.raises(FilterError, match=r"unknown operator '\$lt'; known operators: \$gt$"):
        _compile(_app(), {"n": [{"$lt": 1}]})
    assert EventFilter({"n": [{"$lt": 1}]}).matches({"n": 0})


def test_filters_without_an_app_get_the_builtins_read_only() -> None:
    assert EventFilter({"n": [{"$between": [1, 3]}]}).matches({"n": 2})
    assert RequestFilter({"body": {"s": [{"$endsWith": ".png"}]}}).matches({"body": {"s": "a.png"}})
    with pytest.raises(TypeError):
        builtin_operators()["$len"] = builtin_operators()["$gt"]  # type: ignore[index]


def test_a_plugin_operator_is_validated_like_a_builtin() -> None:
    """Same operand, same verdict: accepted by both, or a FilterError with the same message and
    path (but for the operator's name) from both."""
    refused = 0
    for name in builtin_operators():
        mirror = _mirror_name(name)
        for operand in OPERANDS:
            errors: list[FilterError | None] = []
            for op_name, app in ((name, PLAIN), (mirror, MIRRORED)):
                try:
                    _compile(app, {"a": {"b": [{"$exists": True}, {op_name: operand}]}})
                    errors.append(None)
                except FilterError as exc:
                    errors.append(exc)
            builtin_error, plugin_error = errors
            if builtin_error is None:
                assert plugin_error is None, (name, operand)
                continue
            refused += 1
            assert plugin_error is not None, (name, operand)
            assert plugin_error.path == builtin_error.path.replace(name, mirror)
            assert plugin_error.path == f"body.a.b[1].{mirror}"
            assert str(plugin_error) == str(builtin_error).replace(name, mirror), operand
    assert refused > 100


def test_a_plugin_operator_matches_like_a_builtin() -> None:
    outcomes: set[bool] = set()
    for name in builtin_operators():
        mirror = _mirror_name(name)
        for operand in OPERANDS:
            try:
                EventFilter({"v": [{name: operand}]})
            except FilterError:
                continue  # refused by both (the test above)
            for value in VALUES:
                for context, place, payload in _payloads(value):
                    builtin = _compile(PLAIN, place({name: operand}))
                    plugin = _compile(MIRRORED, place({mirror: operand}))
                    expected = builtin.matches({"body": payload})
                    assert plugin.matches({"body": payload}) is expected, (
                        name,
                        operand,
                        context,
                        payload,
                    )
                    outcomes.add(expected)
    assert outcomes == {True, False}


def test_a_plugin_may_not_redefine_a_builtin_and_the_error_names_both() -> None:
    with pytest.raises(PluginError) as info:
        _app(_one_operator_plugin("acme", "$not"))
    message = str(info.value)
    assert "filter operator $not from plugin 'acme'" in message
    assert f"built-in operators plugin '{BUILTIN_PLUGIN}'" in message


def test_a_plugin_may_not_redefine_another_plugins_operator() -> None:
    with pytest.raises(PluginError) as info:
        _app(_one_operator_plugin("first", "$len"), _one_operator_plugin("second", "$len"))
    assert "filter operator $len from plugin 'second' is already defined by plugin 'first'" in str(
        info.value
    )
    # a plugin operator whose name is free sits next to the built-ins
    app = _app(_one_operator_plugin("first", "$len"))
    assert app.plugins.operators["$len"].kind == "plugin"
    assert _compile(app, {"tags": [{"$len": 2}, {"$includes": "a"}]}).matches(
        {"body": {"tags": ["a"]}}
    )
