"""RequestFilter: an EventFilter over a request's filter view (docs/event-filters.md, "What a
request filter sees").

Most tests use a stand-in request whose ``filter_view()`` returns a fixed view; the last ones use
the real ``WebhookRequest`` when ``hookpoint._request`` is available.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from hookpoint._errors import FilterError
from hookpoint._filter import (
    REQUEST_FILTER_KEYS,
    EventFilter,
    RequestFilter,
    build_operator_registry,
)
from hookpoint._models import FilterOperator


@dataclass
class StandIn:
    """The smallest object RequestFilter needs: ``filter_view()``."""

    view: dict[str, Any]
    calls: int = field(default=0)

    def filter_view(self) -> dict[str, Any]:
        self.calls += 1
        return self.view


def cal_request(**overrides: Any) -> StandIn:
    view: dict[str, Any] = {
        "method": "POST",
        "path": "/webhooks/caldotcom",
        "headers": {
            "content-type": "application/json",
            "x-cal-webhook-version": "2021-10-20",
            "x-cal-signature-256": "abc123",
            "accept": "text/html, application/json",
        },
        "query": {"source": "cal", "page": "2"},
        "body": {
            "triggerEvent": "BOOKING_CANCELLED",
            "createdAt": "2024-01-01T00:00:00.000Z",
            "payload": {
                "title": "30 min meeting",
                "attendees": [
                    {"email": "a@example.com", "name": "Ann"},
                    {"email": "b@example.com", "name": "Bob"},
                ],
                "length": 30,
            },
        },
        "event": {"type": "BOOKING_CANCELLED", "id": "evt_1"},
    }
    view.update(overrides)
    return StandIn({k: v for k, v in view.items() if v is not None})


CAL_FILTER = {
    "body": {"triggerEvent": ["BOOKING_CANCELLED"]},
    "method": ["POST"],
    "headers": {"x-cal-webhook-version": ["2021-10-20"]},
}


def test_cal_example() -> None:
    flt = RequestFilter(CAL_FILTER)
    assert flt.matches(cal_request())
    assert not flt.matches(cal_request(method="PUT"))
    assert not flt.matches(cal_request(body={"triggerEvent": "BOOKING_CREATED"}))
    assert not flt.matches(cal_request(headers={"x-cal-webhook-version": "2023-01-01"}))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, True),
        ({"method": ["POST"]}, True),
        ({"method": ["GET", "POST"]}, True),
        ({"method": ["GET"]}, False),
        ({"method": ["post"]}, True),  # exact method values are upper-cased
        ({"method": [{"$ignoreCaseEquals": "post"}]}, True),
        ({"path": ["/webhooks/caldotcom"]}, True),
        ({"path": [{"$startsWith": "/webhooks/"}]}, True),
        ({"path": [{"$endsWith": "/other"}]}, False),
        ({"headers": {"X-Cal-Webhook-Version": ["2021-10-20"]}}, True),
        ({"headers": {"X-CAL-WEBHOOK-VERSION": ["2021-10-20"]}}, True),
        ({"headers": {"x-cal-webhook-version": ["2021-10-20"]}}, True),
        ({"headers": {"x-cal-webhook-version": ["2021-10-21"]}}, False),
        ({"headers": {"Accept": ["text/html, application/json"]}}, True),  # joined with ", "
        ({"headers": {"accept": [{"$startsWith": "text/html"}]}}, True),
        ({"headers": {"x-missing": [{"$exists": False}]}}, True),
        ({"headers": {"x-missing": [{"$exists": True}]}}, False),
        ({"headers": {"X-Missing": [{"$exists": False}]}}, True),
        ({"query": {"source": ["cal"]}}, True),
        ({"query": {"page": ["2"]}}, True),
        ({"query": {"page": [2]}}, False),  # query values are strings: no coercion
        ({"query": {"page": [{"$gt": 1}]}}, False),  # numeric operators never match strings
        ({"query": {"nope": [{"$exists": False}]}}, True),
        ({"body": {"triggerEvent": ["BOOKING_CANCELLED"]}}, True),
        ({"body": {"payload": {"length": [{"$between": [15, 45]}]}}}, True),
        ({"body": {"payload": {"attendees": {"name": ["Bob"]}}}}, True),  # any element
        ({"body": {"payload": {"attendees": {"name": ["Cy"]}}}}, False),
        (
            {"body": {"payload": {"attendees": {"name": ["Bob"], "email": ["a@example.com"]}}}},
            False,
        ),
        ({"event": {"type": ["BOOKING_CANCELLED"]}}, True),
        ({"event": {"id": [{"$startsWith": "evt_"}]}}, True),
        ({"event": {"type": ["BOOKING_CREATED"]}}, False),
        ({"method": ["POST"], "path": [{"$exists": True}], "event": {"type": ["X"]}}, False),
    ],
)
def test_keys(spec: dict[str, Any], expected: bool) -> None:
    assert RequestFilter(spec).matches(cal_request()) is expected


def test_non_json_request_is_filterable_by_method_headers_and_query() -> None:
    plain = cal_request(body=None, event=None)  # the view has no body and no event
    assert "body" not in plain.view
    assert RequestFilter({"method": ["POST"], "query": {"source": ["cal"]}}).matches(plain)
    assert RequestFilter({"headers": {"Content-Type": ["application/json"]}}).matches(plain)
    assert not RequestFilter({"body": {"triggerEvent": ["BOOKING_CANCELLED"]}}).matches(plain)
    assert not RequestFilter({"body": [{"$exists": True}]}).matches(plain)
    assert RequestFilter({"body": [{"$exists": False}]}).matches(plain)
    assert not RequestFilter({"event": {"type": ["BOOKING_CANCELLED"]}}).matches(plain)
    assert RequestFilter({"body": {}}).matches(plain)  # an empty nested filter always passes


def test_array_and_scalar_bodies() -> None:
    array_body = cal_request(body=[{"kind": "a"}, {"kind": "b"}])
    assert RequestFilter({"body": {"kind": ["b"]}}).matches(array_body)
    assert not RequestFilter({"body": {"kind": ["c"]}}).matches(array_body)
    assert RequestFilter({"body": [{"$includes": "x"}]}).matches(cal_request(body=["x"]))
    assert RequestFilter({"body": ["hello"]}).matches(cal_request(body="hello"))
    assert not RequestFilter({"body": {"kind": ["a"]}}).matches(cal_request(body="hello"))
    assert RequestFilter({"body": [{"$isNull": True}]}).matches(StandIn({"body": None}))


def test_empty_filter_does_not_build_the_view() -> None:
    request = cal_request()
    assert RequestFilter({}).matches(request)
    assert RequestFilter.empty().matches(request)
    assert request.calls == 0
    assert RequestFilter({"method": ["POST"]}).matches(request)
    assert request.calls == 1


def test_a_view_dict_can_be_matched_directly() -> None:
    flt = RequestFilter(CAL_FILTER)
    assert flt.matches(cal_request().view)
    assert not flt.matches({"method": "POST"})
    assert flt(cal_request())


class BrokenRequest:
    def filter_view(self) -> dict[str, Any]:
        raise RuntimeError("cannot build the view")


class AttributeBomb:
    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("no attributes for you")


def test_matches_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    flt = RequestFilter(CAL_FILTER)
    with caplog.at_level(logging.WARNING, logger="hookpoint"):
        assert flt.matches(BrokenRequest()) is False
    assert "filter_view" in caplog.text
    assert flt.matches(AttributeBomb()) is False
    for junk in (None, 1, "x", [], object(), {"method": object()}, {"headers": "x"}):
        assert flt.matches(junk) is False
    assert RequestFilter({}).matches(None) is True


# -- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["bogus", "Method", "BODY", "url", "payload", "header"])
def test_unknown_top_level_key(key: str) -> None:
    with pytest.raises(FilterError, match=f"unknown request filter key '{key}'") as info:
        RequestFilter({key: ["x"]})
    assert info.value.path == key
    for allowed in REQUEST_FILTER_KEYS:
        assert allowed in str(info.value)


def test_allowed_keys() -> None:
    assert set(REQUEST_FILTER_KEYS) == {"method", "path", "headers", "query", "body", "event"}


def test_non_string_top_level_key() -> None:
    with pytest.raises(FilterError) as info:
        RequestFilter({1: ["x"]})  # type: ignore[dict-item]
    assert info.value.path == "1"


@pytest.mark.parametrize("headers", [["x"], "x-a", None, 1, [{"$exists": True}]])
def test_headers_must_be_an_object(headers: Any) -> None:
    with pytest.raises(FilterError, match="headers must be an object") as info:
        RequestFilter({"headers": headers})
    assert info.value.path == "headers"


def test_duplicate_header_names() -> None:
    with pytest.raises(FilterError, match="appears twice") as info:
        RequestFilter({"headers": {"X-A": ["1"], "x-a": ["2"]}})
    assert info.value.path == "headers.x-a"


def test_non_string_header_name() -> None:
    with pytest.raises(FilterError, match="keys must be strings") as info:
        RequestFilter({"headers": {1: ["x"]}})
    assert info.value.path == "headers.1"


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        ([], ""),
        ("method", ""),
        ({"method": "POST"}, "method"),
        ({"method": ["POST", 1]}, "method[1]"),
        ({"body": {"age": [1, "a"]}}, "body.age[1]"),
        ({"body": {"n": ["a", 1]}}, "body.n[1]"),
        ({"body": {"address": {"street": [{"$gt": "x"}]}}}, "body.address.street[0].$gt"),
        ({"headers": {"X-Hook-Secret": "s3cret"}}, "headers.x-hook-secret"),
        ({"query": {"a": [{"$contains": "x"}]}}, "query.a[0].$contains"),
        ({"event": {"type": [{"$gt": 1, "$lt": 2}]}}, "event.type[0]"),
    ],
)
def test_errors_name_the_path(spec: Any, path: str) -> None:
    with pytest.raises(FilterError) as info:
        RequestFilter(spec)
    assert info.value.path == path


# -- the object -----------------------------------------------------------------------------------


def test_spec_is_normalised_and_copied() -> None:
    original: dict[str, Any] = {"headers": {"X-Hook-Secret": ["s"]}, "method": ["post"]}
    flt = RequestFilter(original)
    assert flt.spec == {"headers": {"x-hook-secret": ["s"]}, "method": ["POST"]}
    original["headers"]["X-Hook-Secret"].append("t")
    assert flt.spec["headers"]["x-hook-secret"] == ["s"]
    flt.spec["method"].append("GET")
    assert flt.spec["method"] == ["POST"]
    assert original["method"] == ["post"]


def test_equality_hash_repr() -> None:
    a = RequestFilter({"headers": {"X-Hook-Secret": ["s"]}, "method": ["POST"]})
    b = RequestFilter({"method": ["post"], "headers": {"x-hook-secret": ["s"]}})
    assert a == b and hash(a) == hash(b)
    assert a != RequestFilter({"method": ["GET"]})
    assert a != EventFilter(a.spec)
    assert repr(a) == 'RequestFilter({"headers":{"x-hook-secret":["s"]},"method":["POST"]})'
    assert RequestFilter(a) == a
    assert RequestFilter(EventFilter({"path": ["/x"]})) == RequestFilter({"path": ["/x"]})
    assert a.event_filter == EventFilter(a.spec)
    assert RequestFilter.empty().is_empty and not a.is_empty


def test_event_filter_with_bad_top_level_key_is_rejected() -> None:
    with pytest.raises(FilterError, match="unknown request filter key"):
        RequestFilter(EventFilter({"name": ["x"]}))


def test_plugin_operators() -> None:
    def validate(operand: Any) -> None:
        if not isinstance(operand, int) or isinstance(operand, bool):
            raise TypeError("needs an int")

    op = FilterOperator(
        name="$len",
        description="length",
        validate_operand=validate,
        match=lambda v, present, n: present and isinstance(v, list | str) and len(v) == n,
    )
    registry = build_operator_registry([("acme", op)])
    flt = RequestFilter({"body": {"payload": {"attendees": [{"$len": 2}]}}}, operators=registry)
    assert flt.matches(cal_request())
    with pytest.raises(FilterError, match="unknown operator"):
        RequestFilter({"body": {"x": [{"$len": 2}]}})
    with pytest.raises(FilterError, match="needs an int") as info:
        RequestFilter({"body": {"x": [{"$len": "2"}]}}, operators=registry)
    assert info.value.path == "body.x[0].$len"
    # a RequestFilter built from another keeps its registry
    assert RequestFilter(flt).matches(cal_request())


# -- the real WebhookRequest (when available) -----------------------------------------------------

HAS_REQUEST = importlib.util.find_spec("hookpoint._request") is not None
needs_request = pytest.mark.skipif(not HAS_REQUEST, reason="hookpoint._request not written yet")


def _real(method: str, url: str, headers: Any, body: bytes) -> Any:
    from hookpoint._request import WebhookRequest

    return WebhookRequest(method=method, url=url, headers=headers, body=body)


@needs_request
def test_real_request_json_body_and_headers() -> None:
    request = _real(
        "POST",
        "http://host/webhooks/caldotcom?source=cal&source=other",
        {"Content-Type": "application/json", "X-Cal-Webhook-Version": "2021-10-20"},
        b'{"triggerEvent": "BOOKING_CANCELLED", "payload": {"length": 30}}',
    )
    assert RequestFilter(CAL_FILTER).matches(request)
    assert RequestFilter({"headers": {"X-CAL-Webhook-Version": ["2021-10-20"]}}).matches(request)
    assert RequestFilter({"query": {"source": ["other"]}}).matches(request)  # last value wins
    assert RequestFilter({"path": ["/webhooks/caldotcom"]}).matches(request)
    assert RequestFilter({"body": {"payload": {"length": [{"$gte": 30}]}}}).matches(request)
    assert not RequestFilter({"method": ["GET"]}).matches(request)


@needs_request
def test_real_request_non_json_body() -> None:
    request = _real(
        "put", "http://host/webhooks/plain", {"content-type": "text/plain"}, b"not json"
    )
    assert RequestFilter({"method": ["PUT"]}).matches(request)
    assert not RequestFilter({"body": [{"$exists": True}]}).matches(request)
    assert RequestFilter({"body": [{"$exists": False}], "method": ["put"]}).matches(request)


@needs_request
def test_real_request_form_body() -> None:
    request = _real(
        "POST",
        "http://host/webhooks/form",
        {"content-type": "application/x-www-form-urlencoded"},
        b"a=1&b=two&a=3",
    )
    assert RequestFilter({"body": {"a": ["3"], "b": ["two"]}}).matches(request)


@needs_request
def test_real_request_repeated_headers_and_event() -> None:
    from hookpoint._models import EventInfo

    request = _real(
        "POST",
        "http://host/webhooks/x",
        [("X-Tag", "a"), ("x-tag", "b"), ("Content-Type", "application/json")],
        b"[]",
    )
    assert RequestFilter({"headers": {"X-Tag": ["a, b"]}}).matches(request)
    assert RequestFilter({"body": [{"$exists": True}]}).matches(request)
    assert not RequestFilter({"event": {"type": ["order.paid"]}}).matches(request)
    described = request.with_context(event=EventInfo(type="order.paid", id="e1"))
    assert RequestFilter({"event": {"type": ["order.paid"], "id": ["e1"]}}).matches(described)


def test_request_filters_pickle() -> None:
    import pickle

    flt = RequestFilter({"headers": {"X-A": ["1"]}, "method": ["post"]})
    again = pickle.loads(pickle.dumps(flt))
    assert again == flt and again.matches({"headers": {"x-a": "1"}, "method": "POST"})
