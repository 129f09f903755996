"""WebhookRequest: the immutable request snapshot (construction, parts, body accessors, views)."""

from __future__ import annotations

import contextlib
import copy
import json
import pickle
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hookpoint._errors import ConfigError
from hookpoint._models import EventInfo
from hookpoint._request import (
    MAX_JSON_DEPTH,
    FormData,
    Headers,
    JSONArray,
    JSONFloat,
    JSONInt,
    JSONLiteral,
    JSONObject,
    JSONString,
    QueryParams,
    Text,
    WebhookRequest,
)

URL = "https://hooks.example.test/webhooks/ep?x=1&x=2&hub.mode=subscribe"


def _req(body: bytes = b"", content_type: str | None = None, **kw: Any) -> WebhookRequest:
    headers = list(kw.pop("headers", []))
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    return WebhookRequest(url=kw.pop("url", URL), headers=headers, body=body, **kw)


# -- construction ---------------------------------------------------------------------------------


def test_construct_from_mapping() -> None:
    req = WebhookRequest(url=URL, headers={"X-A": "1", "Content-Type": "application/json"})
    assert req.method == "POST"
    assert req.headers["x-a"] == "1"
    assert req.headers.items() == (("X-A", "1"), ("Content-Type", "application/json"))
    assert req.body == b""
    assert req.client is None and req.event is None and req.endpoint_id is None


def test_construct_from_pairs_str_and_latin1_bytes() -> None:
    req = WebhookRequest(
        method="put",
        url=URL,
        headers=[(b"X-Bytes", b"caf\xe9"), ("X-Str", "v"), [b"X-List", "w"]],  # type: ignore[list-item]
    )
    assert req.method == "PUT"
    assert req.headers["x-bytes"] == "café"
    assert req.headers.items() == (("X-Bytes", "café"), ("X-Str", "v"), ("X-List", "w"))


def test_construct_copies_input_so_later_mutation_does_not_leak() -> None:
    headers = {"X-A": "1"}
    body = bytearray(b"abc")
    req = WebhookRequest(url=URL, headers=headers, body=body)  # type: ignore[arg-type]
    headers["X-A"] = "2"
    body[0] = ord("z")
    assert req.headers["X-A"] == "1"
    assert req.body == b"abc" and type(req.body) is bytes


def test_construct_rejects_developer_mistakes() -> None:
    with pytest.raises(TypeError, match="body must be bytes"):
        WebhookRequest(url=URL, body="text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="url"):
        WebhookRequest(url=b"https://x/")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="header"):
        WebhookRequest(url=URL, headers=[("X-A", 1)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="pairs"):
        WebhookRequest(url=URL, headers=[("a", "b", "c")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="event"):
        WebhookRequest(url=URL, event={"type": "x"})  # type: ignore[arg-type]


def test_received_at_defaults_to_now_utc_and_is_normalised() -> None:
    before = datetime.now(UTC)
    req = _req()
    assert req.received_at.tzinfo is not None
    assert before <= req.received_at <= datetime.now(UTC)
    naive = _req(received_at=datetime(2024, 1, 1, 12, 0))
    assert naive.received_at == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    cet = _req(received_at=datetime(2024, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=1))))
    assert cet.received_at == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert cet.received_at.utcoffset() == timedelta(0)


# -- immutability ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["method", "url", "headers", "body", "event", "path", "other"])
def test_setting_an_attribute_raises(name: str) -> None:
    req = _req(b"{}")
    with pytest.raises(AttributeError, match="immutable"):
        setattr(req, name, "x")
    with pytest.raises(AttributeError):
        delattr(req, "body")


def test_parts_are_read_only() -> None:
    req = _req(b"a=1", "application/x-www-form-urlencoded")
    with pytest.raises(AttributeError):
        req.headers._items = ()
    with pytest.raises(TypeError):
        req.query["x"] = "3"  # type: ignore[index]
    with pytest.raises(TypeError):
        req.form()["a"] = "2"  # type: ignore[index]
    assert not hasattr(req, "__dict__")


def test_copy_pickle_and_repr() -> None:
    event = EventInfo(type="push", id="d1")
    req = _req(b'{"a":1}', "application/json", event=event, endpoint_id="ep", client="10.0.0.1")
    assert copy.copy(req) is req and copy.deepcopy(req) is req
    clone = pickle.loads(pickle.dumps(req))
    assert (clone.url, clone.body, clone.headers, clone.event) == (
        req.url,
        req.body,
        req.headers,
        req.event,
    )
    assert clone.received_at == req.received_at


def test_repr_hides_header_values_and_secret_query_values() -> None:
    req = WebhookRequest(
        url="https://h/wa?hub.verify_token=topsecret&hub.mode=subscribe",
        headers={"X-Hub-Signature-256": "sha256=deadbeef", "Authorization": "Bearer abc"},
        body=b"12345",
    )
    text = repr(req)
    assert text.startswith("<WebhookRequest POST https://h/wa?")
    assert "(5 bytes)" in text
    for secret in ("deadbeef", "Bearer", "topsecret"):
        assert secret not in text
    assert "deadbeef" not in repr(req.headers)
    assert "topsecret" not in repr(req.query)


# -- headers --------------------------------------------------------------------------------------


def test_headers_are_case_insensitive_and_multi_valued() -> None:
    h = Headers([("X-Multi", "a"), ("Content-Type", "text/plain"), ("x-multi", "b")])
    assert h["X-MULTI"] == "a, b"
    assert h.get("x-multi") == "a, b"
    assert h.getlist("X-Multi") == ["a", "b"]
    assert h.get_all("x-multi") == ["a", "b"]
    assert h.get("missing") is None and h.get("missing", "d") == "d"
    assert h.getlist("missing") == []
    assert "CONTENT-TYPE" in h and "nope" not in h and 3 not in h
    assert list(h) == ["x-multi", "content-type"] == h.keys()
    assert h.values() == ["a, b", "text/plain"]
    assert len(h) == 2
    assert h.items() == (("X-Multi", "a"), ("Content-Type", "text/plain"), ("x-multi", "b"))
    assert h.to_dict() == {"x-multi": "a, b", "content-type": "text/plain"}
    assert dict(h) == h.to_dict()
    with pytest.raises(KeyError):
        h["missing"]


def test_getlist_returns_a_copy() -> None:
    h = Headers({"A": "1"})
    h.getlist("a").append("2")
    assert h.getlist("a") == ["1"]


def test_headers_equality_and_reuse() -> None:
    h = Headers({"A": "1"})
    assert h == Headers([("A", "1")]) and h != Headers([("a", "1")])
    assert hash(h) == hash(Headers({"A": "1"}))
    req = WebhookRequest(url=URL, headers=h)
    assert req.headers is h


# -- URL and query --------------------------------------------------------------------------------


def test_path_and_query() -> None:
    req = _req()
    assert req.url == URL
    assert req.path == "/webhooks/ep"
    assert req.query_string == "x=1&x=2&hub.mode=subscribe"
    assert req.query["x"] == "2"  # last value wins
    assert req.query.get("x") == "2"
    assert req.query.getlist("x") == ["1", "2"]
    assert req.query.get("hub.mode") == "subscribe"  # dotted names are kept
    assert list(req.query) == ["x", "hub.mode"]
    assert req.query.multi_items() == (("x", "1"), ("x", "2"), ("hub.mode", "subscribe"))
    assert req.query is req.query  # parsed once
    assert isinstance(req.query, QueryParams)


@pytest.mark.parametrize(
    ("url", "path", "query"),
    [
        ("https://h", "/", ""),
        ("https://h?a=1", "/", "a=1"),
        ("https://h:8443/a/b%2Fc?q=%20#frag", "/a/b%2Fc", "q=%20"),
        ("/relative/path?z=9", "/relative/path", "z=9"),
        ("http://[::1/broken?x=1", "/broken", "x=1"),  # urlsplit would raise here
    ],
)
def test_path_and_query_string_edge_cases(url: str, path: str, query: str) -> None:
    req = WebhookRequest(url=url)
    assert (req.path, req.query_string) == (path, query)


def test_query_parsing_is_lenient() -> None:
    req = WebhookRequest(method="GET", url="https://h/p?hub.mode=%ff&a&=b&plus=1+2")
    assert req.query.getlist("a") == [""]
    assert req.query[""] == "b"
    assert req.query["plus"] == "1 2"
    assert req.query["hub.mode"] == "\ufffd"


def test_query_params_constructors() -> None:
    assert QueryParams({"a": "1"})["a"] == "1"
    assert QueryParams([("a", "1"), ("a", "2")]).getlist("a") == ["1", "2"]
    assert QueryParams("a=1") == QueryParams([("a", "1")])
    assert QueryParams("a=1") != FormData("a=1")
    assert QueryParams("a=1&a=2") == {"a": "2"}


# -- content type ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, ""),
        ("application/json", "application/json"),
        ("Application/JSON; charset=UTF-8", "application/json"),
        ("  text/plain ;charset=latin-1", "text/plain"),
        ("", ""),
    ],
)
def test_content_type(header: str | None, expected: str) -> None:
    assert _req(content_type=header).content_type == expected


def test_content_type_uses_first_of_repeated_headers() -> None:
    req = _req(headers=[("Content-Type", "application/json"), ("Content-Type", "text/plain")])
    assert req.content_type == "application/json"


# -- json -----------------------------------------------------------------------------------------


def test_json_sync_types() -> None:
    assert isinstance(_req(b'{"a": [1, 2]}').json(), JSONObject)
    assert _req(b'{"a": [1, 2]}').json() == {"a": [1, 2]}
    assert isinstance(_req(b"[1]").json(), JSONArray)
    assert isinstance(_req(b'"s"').json(), JSONString) and _req(b'"s"').json() == "s"
    assert isinstance(_req(b"42").json(), JSONInt) and _req(b"42").json() == 42
    assert isinstance(_req(b"4.5").json(), JSONFloat) and _req(b"4.5").json() == 4.5


def test_json_is_fresh_each_call() -> None:
    req = _req(b'{"a": {"b": 1}}', "application/json")
    first = req.json()
    first["a"]["b"] = 2
    first["new"] = True
    assert req.json() == {"a": {"b": 1}}
    assert req.json() is not req.json()
    assert req.filter_view()["body"] == {"a": {"b": 1}}
    view_body = req.filter_view()["body"]
    assert req.json() is not view_body and req.json()["a"] is not view_body["a"]


def test_json_tolerates_bom_and_ignores_content_type() -> None:
    assert _req(b'\xef\xbb\xbf{"a":1}', "text/html").json() == {"a": 1}


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"", "invalid JSON body"),
        (b"{not json", "invalid JSON body"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"NaN", "invalid JSON body"),
        (b'{"a": Infinity}', "invalid JSON body"),
        (b"1" * 5000, "invalid JSON body"),  # over the int-digits limit
    ],
)
def test_json_errors_are_value_errors(body: bytes, match: str) -> None:
    req = _req(body, "application/json")
    for _ in range(2):  # the cached error is raised again
        with pytest.raises(ValueError, match=match):
            req.json()
    assert "body" not in req.filter_view()


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 500, 5_000, 200_000])
def test_deep_json_raises_value_error_never_recursion_error(depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    req = _req(body, "application/json")
    with pytest.raises(ValueError, match=r"nests deeper|arrays and objects"):
        req.json()
    view = req.filter_view()
    assert "body" not in view and view["method"] == "POST"
    with pytest.raises(ValueError):
        req.event_model()


def test_a_body_of_too_many_containers_is_refused_before_it_is_parsed() -> None:
    """A 10 MiB body of ``[],[],…`` took seconds of event-loop time and ~100 MB to parse, for
    any sender, before its signature was known: it is refused from a byte count."""
    from hookpoint._request import MAX_JSON_CONTAINERS

    flood = b'{"value":[' + b"[]," * 3_000_000 + b"[]]}"
    req = _req(flood, "application/json")
    with pytest.raises(ValueError, match="more than 100000 arrays and objects"):
        req.json()
    assert "body" not in req.filter_view()
    at_limit = b"[" + b"[]," * (MAX_JSON_CONTAINERS - 2) + b"[]]"
    assert len(_req(at_limit, "application/json").json()) == MAX_JSON_CONTAINERS - 1


def test_a_form_of_too_many_fields_is_refused() -> None:
    from hookpoint._request import MAX_FORM_FIELDS
    from hookpoint.providerkit import form_params

    flood = b"&".join([b"a"] * (MAX_FORM_FIELDS + 1))
    req = _req(flood, "application/x-www-form-urlencoded")
    with pytest.raises(ValueError, match="more than 10000 form fields"):
        req.form()
    assert form_params(flood) == []
    ok = b"&".join([b"a=1"] * MAX_FORM_FIELDS)
    assert len(_req(ok, "application/x-www-form-urlencoded").form().getlist("a")) == MAX_FORM_FIELDS


def test_json_at_the_depth_limit_and_brackets_in_strings() -> None:
    ok = b'{"a":' * (MAX_JSON_DEPTH - 1) + b"[1]" + b"}" * (MAX_JSON_DEPTH - 1)
    assert _req(ok).json() is not None
    many_brackets = b'{"s": "' + b"[" * 1000 + b'", "list": [[1], [2], [3]]}'
    assert _req(many_brackets).json()["list"] == [[1], [2], [3]]
    wide = b"[" + b",".join(b"[[]]" for _ in range(300)) + b"]"
    assert len(_req(wide).json()) == 300


@pytest.mark.parametrize(("body", "value"), [(b"true", True), (b"false", False), (b"null", None)])
def test_json_literals_sync(body: bytes, value: bool | None) -> None:
    result = _req(body).json()
    assert isinstance(result, JSONLiteral)
    assert result.value is value
    assert result == value and result == JSONLiteral(value)
    assert bool(result) is bool(value)
    assert repr(result) == f"JSONLiteral({value!r})"
    assert hash(result) == hash(value)
    with pytest.raises(AttributeError):
        result.value = True


async def test_json_awaited() -> None:
    req = _req(b'{"n": 21}', "application/json")
    body = await req.json()
    assert body == {"n": 21} and isinstance(body, dict)
    assert await _req(b"[1, 2]").json() == [1, 2]
    assert await _req(b'"s"').json() == "s"
    assert await _req(b"3").json() == 3
    assert await _req(b"3.5").json() == 3.5
    assert await _req(b"null").json() is None
    assert await _req(b"true").json() is True
    assert await _req(b"false").json() is False


async def test_text_and_form_awaited() -> None:
    req = _req(b"a=1&a=2&b=x+y", "application/x-www-form-urlencoded")
    form = await req.form()
    assert form.getlist("a") == ["1", "2"] and form["b"] == "x y"
    assert await req.text() == "a=1&a=2&b=x+y"


# -- text and form --------------------------------------------------------------------------------


def test_text_uses_charset_with_replacement() -> None:
    assert _req("café".encode()).text() == "café"
    assert isinstance(_req(b"x").text(), Text)
    assert _req("café".encode("latin-1"), "text/plain; charset=latin-1").text() == "café"
    assert _req(b"caf\xe9").text() == "caf\ufffd"
    assert _req("é".encode(), 'text/plain; charset="utf-8"').text() == "é"
    assert _req(b"ok", "text/plain; charset=no-such-codec").text() == "ok"
    assert _req(b"ok", "text/plain; charset=rot13").text() == "ok"


def test_form() -> None:
    req = _req(b"a=1&a=2&token=s&empty=", "application/x-www-form-urlencoded; charset=utf-8")
    form = req.form()
    assert isinstance(form, FormData)
    assert form["a"] == "2" and form.getlist("a") == ["1", "2"]
    assert form["empty"] == ""
    assert req.form() is form
    assert "s" not in repr(form).replace("token", "")
    assert _req(b"x=%C3%A9").form()["x"] == "é"  # no content type: parsed as a form
    with pytest.raises(ValueError, match="x-www-form-urlencoded"):
        _req(b"{}", "application/json").form()


# -- filter view (docs/event-filters.md, "What a request filter sees") ----------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/vnd.x+json",
        "application/cloudevents+json; charset=utf-8",
        None,
        "text/plain",
    ],
)
def test_filter_view_json_bodies(content_type: str | None) -> None:
    view = _req(b'{"type": "push", "n": [1, 2]}', content_type).filter_view()
    assert view["body"] == {"type": "push", "n": [1, 2]}
    assert type(view["body"]) is dict


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b"hello there"),
        (None, b"not json"),
        ("application/json", b"{broken"),
        ("application/octet-stream", b'{"a": 1}'),
        ("text/html", b'{"a": 1}'),
        ("multipart/form-data; boundary=x", b"a=1"),
        ("application/xml", b"<a/>"),
        ("+json", b'{"a": 1}'),
    ],
)
def test_filter_view_body_absent(content_type: str | None, body: bytes) -> None:
    view = _req(body, content_type).filter_view()
    assert "body" not in view
    assert view["method"] == "POST" and view["path"] == "/webhooks/ep"


def test_filter_view_form_body_last_value_wins() -> None:
    req = _req(b"a=1&a=2&b=%40", "application/x-www-form-urlencoded")
    assert req.filter_view()["body"] == {"a": "2", "b": "@"}


def test_filter_view_shape() -> None:
    event = EventInfo(type="messages", id="wamid.1", fields={"message_types": ["text"]})
    req = WebhookRequest(
        method="post",
        url=URL,
        headers=[("X-Multi", "a"), ("x-multi", "b"), ("X-Hook-Secret", "s")],
        body=b"",
        event=event,
    )
    view = req.filter_view()
    assert view == {
        "method": "POST",
        "path": "/webhooks/ep",
        "headers": {"x-multi": "a, b", "x-hook-secret": "s"},
        "query": {"x": "2", "hub.mode": "subscribe"},
        "event": {"message_types": ["text"], "type": "messages", "id": "wamid.1"},
    }
    assert req.filter_view() is view  # computed once


def test_filter_view_without_event_has_no_event_key() -> None:
    assert "event" not in _req(b"{}").filter_view()


def test_filter_view_never_raises_on_hostile_bodies() -> None:
    hostile = [b"\xff" * 100, b"[" * 100_000, b'{"a": NaN}', b"\x00", b"9" * 10_000]
    for body in hostile:
        for content_type in (None, "application/json", "text/plain"):
            assert "body" not in _req(body, content_type).filter_view()
    form = _req(b"\xff=\xfe&%zz=%", "application/x-www-form-urlencoded").filter_view()
    assert form["body"] == {"\ufffd": "\ufffd", "%zz": "%"}


# -- with_context and event_model -----------------------------------------------------------------


def test_with_context() -> None:
    req = _req(b'{"a":1}', "application/json", client="1.2.3.4")
    assert req.filter_view()["body"] == {"a": 1}
    event = EventInfo(type="t")
    signed = req.with_context(headers=[*req.headers.items(), ("X-Sig", "abc")], event=event)
    assert signed is not req
    assert signed.headers["x-sig"] == "abc" and "x-sig" not in req.headers
    assert signed.event is event and req.event is None
    assert signed.body is req.body and signed.received_at == req.received_at
    assert signed.client == "1.2.3.4" and signed.method == "POST"
    assert signed.filter_view()["event"] == {"type": "t"}
    assert "event" not in req.filter_view()
    moved = req.with_context(url="https://other/p?k=v", endpoint_id="ep2")
    assert moved.path == "/p" and moved.query["k"] == "v" and moved.endpoint_id == "ep2"
    assert req.path == "/webhooks/ep"
    with pytest.raises(TypeError, match="body"):
        req.with_context(body=b"x")


def test_with_context_header_change_resets_content_type() -> None:
    req = _req(b"a=1", "application/x-www-form-urlencoded")
    assert req.filter_view()["body"] == {"a": "1"}
    as_text = req.with_context(headers={"Content-Type": "text/plain"})
    assert as_text.content_type == "text/plain"
    assert "body" not in as_text.filter_view()


class _Payload(BaseModel):
    triggerEvent: str  # noqa: N815 - the sender's field name


def test_event_model() -> None:
    req = _req(b'{"triggerEvent": "BOOKING_CREATED"}', payload_model=_Payload.model_validate)
    model = req.event_model()
    assert isinstance(model, _Payload) and model.triggerEvent == "BOOKING_CREATED"
    with pytest.raises(ConfigError, match="payload model"):
        _req(b"{}", endpoint_id="ep").event_model()


def test_parts_pickle() -> None:
    h = Headers([("A", "1"), ("a", "2")])
    assert pickle.loads(pickle.dumps(h)) == h
    q = QueryParams("a=1&a=2")
    assert pickle.loads(pickle.dumps(q)).getlist("a") == ["1", "2"]
    f = FormData("b=1")
    assert type(pickle.loads(pickle.dumps(f))) is FormData
    lit = JSONLiteral(None)
    assert pickle.loads(pickle.dumps(lit)) == lit
    obj = _req(b'{"a": 1}').json()
    assert pickle.loads(pickle.dumps(obj)) == {"a": 1}


_content_types = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "text/plain; charset=utf-16",
            "application/a+json",
            "text/plain; charset=nope",
            "multipart/form-data",
        ]
    ),
    st.text(max_size=40),
)


@settings(max_examples=300)
@given(
    body=st.one_of(st.binary(max_size=512), st.text(max_size=200).map(str.encode)),
    content_type=_content_types,
    url=st.text(max_size=80),
    header_value=st.text(max_size=40),
)
def test_filter_view_and_accessors_never_raise(
    body: bytes, content_type: str | None, url: str, header_value: str
) -> None:
    headers = [("X-Any", header_value)]
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    req = WebhookRequest(url=url, headers=headers, body=body)
    view = req.filter_view()
    assert set(view) <= {"method", "path", "headers", "query", "body"}
    assert view["headers"]["x-any"] == header_value
    req.text()
    repr(req)
    for call in (req.json, req.form):
        with contextlib.suppress(ValueError):
            call()


def test_json_view_is_one_shared_parse() -> None:
    req = _req(b'{"a": {"b": 1}}', "application/json")
    view = req.json_view()
    assert view == {"a": {"b": 1}} and type(view) is dict
    assert req.json_view() is view  # parsed once
    assert req.filter_view()["body"] is view  # the filter view reuses it
    assert req.json() is not view and req.json() == view  # json() stays a private copy
    signed = req.with_context(headers=[*req.headers.items(), ("X-Sig", "s")])
    assert signed.json_view() is view  # same body bytes: the parse is carried over
    assert _req(b"null").json_view() is None


def test_json_view_errors_like_json() -> None:
    for body in (b"{bad", b"[" * 1000 + b"]" * 1000, b"\xff"):
        req = _req(body, "application/json")
        with pytest.raises(ValueError, match="invalid JSON body"):
            req.json_view()
        with pytest.raises(ValueError, match="invalid JSON body"):
            req.json_view()


# The body is parsed by orjson where that gives exactly what the standard library gives, and by
# json.loads otherwise: the two paths must never disagree on a value a filter or a job sees.
_JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
_JSON_DOC = st.recursive(
    _JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=20,
)


def _same_json(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and repr(a) == repr(b)  # -0.0 vs 0.0, int vs float


@settings(max_examples=400, deadline=None)
@given(doc=_JSON_DOC, ascii_only=st.booleans())
def test_json_gives_exactly_what_the_standard_library_gives(doc: Any, ascii_only: bool) -> None:
    body = json.dumps(doc, ensure_ascii=ascii_only).encode()
    assert _same_json(_req(body).json_view(), json.loads(body))


@pytest.mark.parametrize(
    "literal",
    [
        "18446744073709551616",  # 2**64: past every 64-bit integer
        "-9223372036854775809",  # one below the smallest 64-bit integer
        "123456789012345678901234567890",
        "0.1234567890123456789012",
    ],
)
def test_long_numbers_keep_their_exact_value(literal: str) -> None:
    value = _req(f'{{"n": {literal}}}'.encode()).json()["n"]
    assert value == json.loads(literal) and type(value) is type(json.loads(literal))


def test_bodies_the_fast_parser_refuses_still_parse_as_before() -> None:
    assert _req(b'\xef\xbb\xbf{"a": 1}').json() == {"a": 1}  # a BOM
    assert _req(b'{"s": "\\ud800"}').json()["s"] == "\ud800"  # a lone surrogate escape
    assert _req(b'{"f": 1e999}').json()["f"] == float("inf")  # as json.loads has it


def test_a_filter_view_of_some_keys_has_only_those_parts() -> None:
    req = _req(b'{"a": 1}', "application/json")
    assert req.filter_view(["body"]) == {"body": {"a": 1}}
    assert req.filter_view(["event", "method"]) == {"method": "POST"}  # no event: no key
    full = req.filter_view()
    assert set(full) == {"method", "path", "headers", "query", "body"}
    assert req.filter_view(["body", "headers"]) == {k: full[k] for k in ("body", "headers")}


def test_the_hosts_event_copy_equals_with_context() -> None:
    req = _req(b'{"a": 1}', "application/json")
    req.filter_view()  # views computed before the event is known must not leak into the copy
    info = EventInfo(type="t", id="1", fields={"x": 1})
    fast, slow = req._with_event(info), req.with_context(event=info)
    assert fast is not req and req.event is None
    for name in ("method", "url", "headers", "body", "client", "received_at", "event"):
        assert getattr(fast, name) == getattr(slow, name)
    assert fast.filter_view() == slow.filter_view()
    assert fast.filter_view(["event"]) == {"event": {"x": 1, "type": "t", "id": "1"}}
