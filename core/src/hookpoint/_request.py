"""The immutable request snapshot: :class:`WebhookRequest` and its read-only parts.

The host builds one :class:`WebhookRequest` per incoming request (hot path), so construction only
normalises the headers into a tuple; everything else (path, query, content type, JSON, form, the
filter view) is parsed on first use and cached inside the snapshot.

Body accessors work both ways::

    data = request.json()          # in a (synchronous) hook
    data = await request.json()    # in a job, as Trigger.dev code is written

:meth:`WebhookRequest.json`, :meth:`~WebhookRequest.text` and :meth:`~WebhookRequest.form` return
values that are also awaitable: ``JSONObject`` (a ``dict``), ``JSONArray`` (a ``list``),
``JSONString``/``Text`` (``str``), ``JSONInt``/``JSONFloat`` and :class:`FormData`; awaiting one
gives the object itself. A top-level ``true``/``false``/``null`` body gives a
:class:`JSONLiteral` (``bool``/``None`` cannot be subclassed): awaiting it gives the plain
``True``/``False``/``None``; used synchronously it compares equal to that value and has its
truthiness, and ``.value`` is the plain value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Final, NoReturn, Self, TypeAlias, TypeVar, overload
from urllib.parse import parse_qsl

import orjson

from ._errors import ConfigError
from ._models import EventInfo
from ._secrets import mask_url

__all__ = [
    "MAX_JSON_DEPTH",
    "FormData",
    "Headers",
    "HeadersInput",
    "JSONArray",
    "JSONFloat",
    "JSONInt",
    "JSONLiteral",
    "JSONObject",
    "JSONString",
    "QueryParams",
    "Text",
    "WebhookRequest",
]

#: Deepest JSON nesting :meth:`WebhookRequest.json` accepts (deeper bodies raise ``ValueError``).
MAX_JSON_DEPTH: Final = 200
#: Most arrays and objects a JSON body may hold (``[`` and ``{`` bytes, counted before parsing,
#: so brackets inside strings count too). Parsing is the first thing done to a body, before its
#: signature is known to be good: without a bound, one 10 MiB body of ``[],[],…`` kept the event
#: loop busy for seconds and took ~100 MB of memory. Real deliveries stay far below it.
MAX_JSON_CONTAINERS: Final = 100_000
#: Most fields a form body or query string is parsed into (more raise ``ValueError``).
MAX_FORM_FIELDS: Final = 10_000

_T = TypeVar("_T")


def _immutable(self: object, name: str, value: object) -> NoReturn:
    raise AttributeError(f"{type(self).__name__} is immutable (cannot set {name!r})")


def _no_delete(self: object, name: str) -> NoReturn:
    raise AttributeError(f"{type(self).__name__} is immutable (cannot delete {name!r})")


# -- awaitable values -----------------------------------------------------------------------------


class JSONObject(dict[str, Any]):
    """A JSON object body: a plain ``dict`` that ``await`` also accepts (gives itself)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Self]:
        yield from ()
        return self


class JSONArray(list[Any]):
    """A JSON array body: a plain ``list`` that ``await`` also accepts (gives itself)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Self]:
        yield from ()
        return self


class JSONString(str):
    """A JSON string body: a ``str`` that ``await`` also accepts (gives itself)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Self]:
        yield from ()
        return self


class Text(str):
    """The decoded body from :meth:`WebhookRequest.text`: a ``str`` that ``await`` accepts."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Self]:
        yield from ()
        return self


class JSONInt(int):
    """A JSON integer body: an ``int`` that ``await`` also accepts (gives itself)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Self]:
        yield from ()
        return self


class JSONFloat(float):
    """A JSON number body with a fraction: a ``float`` that ``await`` accepts (gives itself)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Self]:
        yield from ()
        return self


class JSONLiteral:
    """A top-level ``true``/``false``/``null`` body (``bool`` and ``None`` cannot be subclassed).

    ``await request.json()`` gives the plain ``True``/``False``/``None``. Synchronously this
    wrapper compares equal to its value (``request.json() == None``), has its truthiness, and
    exposes it as ``.value``; identity checks (``is None``) need ``.value``.
    """

    __slots__ = ("value",)
    value: bool | None

    def __init__(self, value: bool | None) -> None:
        object.__setattr__(self, "value", value)

    __setattr__ = _immutable
    __delattr__ = _no_delete

    def __await__(self) -> Generator[Any, None, bool | None]:
        yield from ()
        return self.value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JSONLiteral):
            other = other.value
        return other is self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (JSONLiteral, (self.value,))

    def __repr__(self) -> str:
        return f"JSONLiteral({self.value!r})"


def _awaitable(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return JSONObject(value)
    if kind is list:
        return JSONArray(value)
    if kind is str:
        return JSONString(value)
    if kind is int:
        return JSONInt(value)
    if kind is float:
        return JSONFloat(value)
    return JSONLiteral(value)


# -- headers --------------------------------------------------------------------------------------

HeadersInput: TypeAlias = (
    "Headers | Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]] | None"
)


def _as_text(value: object, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    raise TypeError(f"header {what}s must be str or latin-1 bytes, not {type(value).__name__}")


def _header_pairs(headers: Any) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    if isinstance(headers, Headers):
        return headers._items
    source = headers.items() if isinstance(headers, Mapping) else headers
    if isinstance(source, str | bytes):
        raise TypeError("headers must be a mapping or (name, value) pairs, not a string")
    pairs: list[tuple[str, str]] = []
    try:
        for name, value in source:
            if name.__class__ is not str:
                name = _as_text(name, "name")
            if value.__class__ is not str:
                value = _as_text(value, "value")
            pairs.append((name, value))
    except ValueError:
        raise TypeError("headers must be a mapping or (name, value) pairs") from None
    return tuple(pairs)


class Headers:
    """Read-only, case-insensitive, multi-valued request headers.

    * ``headers["X-A"]`` / ``headers.get("x-a")``: every value of that name joined with ``", "``
      (``KeyError`` / the default when absent);
    * ``getlist(name)`` (alias ``get_all``): every value, in order;
    * ``items()``: the raw ``(name, value)`` pairs in arrival order, original name casing;
    * iteration, ``keys()``, ``len()``, ``in``: distinct names, lower-cased;
    * ``to_dict()``: ``{lower-cased name: joined values}`` (what filters see).

    ``repr()`` shows names only: header values carry secrets.

    >>> h = Headers([("X-A", "1"), ("x-a", "2"), ("Content-Type", "text/plain")])
    >>> h["x-A"], h.getlist("X-A"), "content-type" in h
    ('1, 2', ['1', '2'], True)
    """

    __slots__ = ("_index", "_items")
    _items: tuple[tuple[str, str], ...]
    _index: dict[str, list[str]] | None

    def __init__(self, headers: HeadersInput = None) -> None:
        object.__setattr__(self, "_items", _header_pairs(headers))
        object.__setattr__(self, "_index", None)

    __setattr__ = _immutable
    __delattr__ = _no_delete

    def _lookup(self) -> dict[str, list[str]]:
        index = self._index
        if index is None:
            index = {}
            for name, value in self._items:
                key = name.lower()
                values = index.get(key)
                if values is None:
                    index[key] = [value]
                else:
                    values.append(value)
            object.__setattr__(self, "_index", index)
        return index

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: str) -> str: ...
    @overload
    def get(self, name: str, default: _T) -> str | _T: ...
    def get(self, name: str, default: object = None) -> object:
        """Every value of ``name`` joined with ``", "``, or ``default`` when absent."""
        values = self._lookup().get(name.lower())
        if values is None:
            return default
        return values[0] if len(values) == 1 else ", ".join(values)

    def getlist(self, name: str) -> list[str]:
        """Every value of ``name`` in arrival order (``[]`` when absent)."""
        return list(self._lookup().get(name.lower(), ()))

    get_all = getlist

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._lookup()

    def __iter__(self) -> Iterator[str]:
        return iter(self._lookup())

    def __len__(self) -> int:
        return len(self._lookup())

    def keys(self) -> list[str]:
        """The distinct header names, lower-cased, in first-seen order."""
        return list(self._lookup())

    def values(self) -> list[str]:
        """The joined value of each distinct name (same order as :meth:`keys`)."""
        return [v[0] if len(v) == 1 else ", ".join(v) for v in self._lookup().values()]

    def items(self) -> tuple[tuple[str, str], ...]:
        """The raw ``(name, value)`` pairs in arrival order, with the original name casing."""
        return self._items

    def to_dict(self) -> dict[str, str]:
        """``{lower-cased name: values joined with ", "}``: the filterable view of the headers."""
        return {k: v[0] if len(v) == 1 else ", ".join(v) for k, v in self._lookup().items()}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._items == other._items
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._items)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Headers, (self._items,))

    def __repr__(self) -> str:
        return f"Headers({list(self._lookup())!r})"


# -- query and form -------------------------------------------------------------------------------


class _MultiDict(Mapping[str, str]):
    """Read-only multi-valued mapping: ``m[k]``/``get(k)`` give the LAST value of ``k``."""

    __slots__ = ("_index", "_items")
    _items: tuple[tuple[str, str], ...]
    _index: dict[str, list[str]]

    def __init__(
        self, data: str | Mapping[str, str] | Iterable[tuple[str, str]] | None = None
    ) -> None:
        items: tuple[tuple[str, str], ...]
        if data is None:
            items = ()
        elif isinstance(data, str):
            try:
                items = tuple(
                    parse_qsl(data, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
                )
            except ValueError:
                raise ValueError(f"more than {MAX_FORM_FIELDS} form fields") from None
        elif isinstance(data, _MultiDict):
            items = data._items
        elif isinstance(data, Mapping):
            items = tuple((str(k), str(v)) for k, v in data.items())
        else:
            items = tuple((str(k), str(v)) for k, v in data)
        index: dict[str, list[str]] = {}
        for key, value in items:
            values = index.get(key)
            if values is None:
                index[key] = [value]
            else:
                values.append(value)
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_index", index)

    __setattr__ = _immutable
    __delattr__ = _no_delete

    def __getitem__(self, key: str) -> str:
        return self._index[key][-1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def getlist(self, key: str) -> list[str]:
        """Every value of ``key`` in order (``[]`` when absent)."""
        return list(self._index.get(key, ()))

    get_all = getlist

    def multi_items(self) -> tuple[tuple[str, str], ...]:
        """Every ``(key, value)`` pair in order, repeated keys included."""
        return self._items

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._items,))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _MultiDict):
            return type(self) is type(other) and self._items == other._items
        return super().__eq__(other)

    def __repr__(self) -> str:
        # keys only: query strings and form bodies can carry tokens
        return f"{type(self).__name__}({list(self._index)!r})"


class QueryParams(_MultiDict):
    """The query string as a read-only multi-valued mapping.

    ``query["k"]`` and ``query.get("k")`` give the **last** value of a repeated key (as filters
    see it); ``getlist("k")`` gives every value; iteration yields each distinct key once;
    ``multi_items()`` gives every pair in order. Names are not rewritten (``hub.mode`` stays).

    >>> q = QueryParams("a=1&a=2&hub.mode=subscribe")
    >>> q["a"], q.getlist("a"), q.get("hub.mode")
    ('2', ['1', '2'], 'subscribe')
    """

    __slots__ = ()


class FormData(_MultiDict):
    """An ``application/x-www-form-urlencoded`` body: like :class:`QueryParams`, and awaitable.

    ``await request.form()`` and ``request.form()`` give the same read-only object.
    """

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Self]:
        yield from ()
        return self


# -- helpers --------------------------------------------------------------------------------------


def _split_url(url: str) -> tuple[str, str]:
    """``(path, query string)`` of an absolute or origin-form URL; never raises."""
    base, _, query = url.partition("#")[0].partition("?")
    start = base.find("://")
    if start != -1:
        slash = base.find("/", start + 3)
        path = base[slash:] if slash != -1 else ""
    elif base.startswith("//"):
        slash = base.find("/", 2)
        path = base[slash:] if slash != -1 else ""
    else:
        path = base
    return path or "/", query


def _media_type(value: str | None) -> tuple[str, str | None]:
    """``(media type lower-cased, charset or None)`` of a Content-Type value."""
    if not value:
        return "", None
    media, _, params = value.partition(";")
    charset = None
    if params:
        for param in params.split(";"):
            key, _, val = param.partition("=")
            if key.strip().lower() == "charset":
                charset = val.strip().strip('"').strip() or None
    return media.strip().lower(), charset


# 19 or more digits in a row may be an integer outside orjson's 64-bit range, which it would
# turn into a float; such bodies (rare) take the standard library's exact path. (Mapping every
# digit to "0" and searching for 19 zeros is ten times faster than a regex.)
_DIGITS_TO_ZERO: Final = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS: Final = b"0" * 19


def _fast_json(body: bytes) -> Any:
    """``orjson.loads(body)`` where it gives exactly what :func:`json.loads` gives, else
    ``_ABSENT`` (then the standard library parses, with its error messages and its handling of
    BOMs, lone surrogates, NaN and huge numbers). orjson parses a body 3-5x faster, and every
    request with a JSON body is parsed once on the hot path."""
    if _LONG_DIGITS in body.translate(_DIGITS_TO_ZERO):
        return _ABSENT
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return _ABSENT


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _too_deep(value: Any, limit: int) -> bool:
    """True when containers nest deeper than ``limit`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if type(node) is dict else node
        for child in children:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
    return False


def _is_json_media(media: str) -> bool:
    return media == "application/json" or ("/" in media and media.endswith("+json"))


# -- the snapshot ---------------------------------------------------------------------------------

_CONTEXT_FIELDS: Final = frozenset({"event", "endpoint_id", "payload_model", "url", "headers"})
_VIEW_KEYS: Final = ("method", "path", "headers", "query", "body", "event")
_FIELDS: Final = (
    "method",
    "url",
    "headers",
    "body",
    "client",
    "received_at",
    "event",
    "endpoint_id",
    "payload_model",
)
"""Everything a snapshot is made of (``_fields``, ``_with_event``)."""
_ABSENT: Final = object()


class WebhookRequest:
    """An immutable snapshot of one incoming HTTP request, as hooks, filters and jobs see it.

    >>> req = WebhookRequest(url="https://hooks.example/webhooks/gh?x=1&x=2",
    ...                      headers=[("Content-Type", "application/json")], body=b'{"a": 1}')
    >>> req.method, req.path, req.query["x"], req.content_type, req.json()["a"]
    ('POST', '/webhooks/gh', '2', 'application/json', 1)

    Attributes: ``method`` (upper-case), ``url`` (absolute, as received), ``headers``
    (:class:`Headers`), ``body`` (the raw ``bytes``, exactly as received: verify signatures over
    these), ``client`` (peer address or ``None``), ``received_at`` (aware UTC ``datetime``),
    ``event`` (:class:`~hookpoint.EventInfo` from the provider, or ``None``), ``endpoint_id``,
    ``payload_model``. Derived, parsed on first use and cached: ``path`` (as in the URL,
    percent-encoding kept), ``query_string``, ``query`` (:class:`QueryParams`), ``content_type``.

    Setting an attribute raises ``AttributeError``; use :meth:`with_context` for a changed copy.
    """

    __slots__ = (
        "_cache",
        "body",
        "client",
        "endpoint_id",
        "event",
        "headers",
        "method",
        "payload_model",
        "received_at",
        "url",
    )
    method: str
    url: str
    headers: Headers
    body: bytes
    client: str | None
    received_at: datetime
    event: EventInfo | None
    endpoint_id: str | None
    payload_model: Callable[[Any], Any] | None
    _cache: dict[str, Any]

    def __init__(
        self,
        *,
        method: str = "POST",
        url: str,
        headers: HeadersInput = None,
        body: bytes = b"",
        client: str | None = None,
        received_at: datetime | None = None,
        event: EventInfo | None = None,
        endpoint_id: str | None = None,
        payload_model: Callable[[Any], Any] | None = None,
    ) -> None:
        if method.__class__ is not str:
            raise TypeError(f"method must be a str, not {type(method).__name__}")
        if url.__class__ is not str:
            raise TypeError(f"url must be a str, not {type(url).__name__}")
        if body.__class__ is not bytes:
            if not isinstance(body, bytes | bytearray | memoryview):
                raise TypeError(
                    f"body must be bytes, not {type(body).__name__} (encode text first)"
                )
            body = bytes(body)
        if received_at is None:
            received_at = datetime.now(UTC)
        elif not isinstance(received_at, datetime):
            raise TypeError("received_at must be a datetime")
        elif received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=UTC)
        elif received_at.utcoffset():
            received_at = received_at.astimezone(UTC)
        if event is not None and not isinstance(event, EventInfo):
            raise TypeError(f"event must be an EventInfo or None, not {type(event).__name__}")
        init = object.__setattr__
        init(self, "method", method.upper())
        init(self, "url", url)
        init(self, "headers", headers if headers.__class__ is Headers else Headers(headers))
        init(self, "body", body)
        init(self, "client", client)
        init(self, "received_at", received_at)
        init(self, "event", event)
        init(self, "endpoint_id", endpoint_id)
        init(self, "payload_model", payload_model)
        init(self, "_cache", {})

    __setattr__ = _immutable
    __delattr__ = _no_delete

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._fields(),))

    def _with_event(self, event: EventInfo | None) -> WebhookRequest:
        """``with_context(event=event)`` for the host's hot path: the fields are already
        valid, so they are copied as they are; the body's parse and the parts of the filter
        view that do not depend on the event are carried over."""
        copy = object.__new__(WebhookRequest)
        init = object.__setattr__
        for name in _FIELDS:
            init(copy, name, event if name == "event" else getattr(self, name))
        cache = dict(self._cache)
        cache.pop("filter_view", None)
        parts = cache.get("view_parts")
        if parts is not None:
            cache["view_parts"] = {k: v for k, v in parts.items() if k != "event"}
        init(copy, "_cache", cache)
        return copy

    def _fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}

    def __repr__(self) -> str:
        # never header values (secrets); secret-looking query values are masked
        return f"<WebhookRequest {self.method} {mask_url(self.url)} ({len(self.body)} bytes)>"

    # -- URL ------------------------------------------------------------------------------------

    def _url_parts(self) -> tuple[str, str]:
        parts: tuple[str, str] | None = self._cache.get("url")
        if parts is None:
            parts = _split_url(self.url)
            self._cache["url"] = parts
        return parts

    @property
    def path(self) -> str:
        """The request path as it appears in the URL (percent-encoding kept), ``"/"`` if empty."""
        return self._url_parts()[0]

    @property
    def query_string(self) -> str:
        """The raw query string, without ``?`` (``""`` when there is none)."""
        return self._url_parts()[1]

    @property
    def query(self) -> QueryParams:
        """The parsed query string (:class:`QueryParams`: ``get`` gives the last value)."""
        query: QueryParams | None = self._cache.get("query")
        if query is None:
            query = QueryParams(self.query_string)
            self._cache["query"] = query
        return query

    # -- body -----------------------------------------------------------------------------------

    def _media(self) -> tuple[str, str | None]:
        media: tuple[str, str | None] | None = self._cache.get("media")
        if media is None:
            values = self.headers.getlist("content-type")
            media = _media_type(values[0] if values else None)
            self._cache["media"] = media
        return media

    @property
    def content_type(self) -> str:
        """The media type, lower-case, without parameters (``""`` when there is no header).

        ``"application/json; charset=UTF-8"`` gives ``"application/json"``.
        """
        return self._media()[0]

    def _parse_json(self) -> Any:
        """The body parsed as JSON (fresh objects each call); ``ValueError`` when impossible."""
        cache = self._cache
        error: str | None = cache.get("json_error")
        if error is not None:
            raise ValueError(error)
        try:
            return self._load_json()
        except ValueError as exc:
            cache["json_error"] = str(exc)
            raise

    def _load_json(self) -> Any:
        body = self.body
        openers = body.count(b"[") + body.count(b"{")
        if openers > MAX_JSON_CONTAINERS:
            raise ValueError(
                f"invalid JSON body: more than {MAX_JSON_CONTAINERS} arrays and objects"
            )
        value = _fast_json(body)
        if value is not _ABSENT:
            self._check_depth(value, openers)
            return value
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"invalid JSON body: not UTF-8 (byte {exc.start})") from None
        try:
            value = json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            raise ValueError(
                f"invalid JSON body: nests deeper than {MAX_JSON_DEPTH} levels"
            ) from None
        except ValueError as exc:  # JSONDecodeError, NaN/Infinity, over-long integers
            raise ValueError(f"invalid JSON body: {exc}") from None
        self._check_depth(value, openers)
        return value

    def _check_depth(self, value: Any, openers: int) -> None:
        if not self._cache.get("json_depth_ok"):
            if openers > MAX_JSON_DEPTH and _too_deep(value, MAX_JSON_DEPTH):
                raise ValueError(f"invalid JSON body: nests deeper than {MAX_JSON_DEPTH} levels")
            self._cache["json_depth_ok"] = True

    def json_view(self) -> Any:
        """The body parsed as JSON once and shared: **treat it as read-only**.

        For hooks and filters on the hot path (verification, event description, filter views
        all read the same parse). Use :meth:`json` for a private copy you may mutate.

        :raises ValueError: as :meth:`json`.
        """
        cache = self._cache
        if "json_view" in cache:
            return cache["json_view"]
        value = self._parse_json()
        cache["json_view"] = value
        return value

    def json(self) -> Any:
        """The body parsed as JSON: a fresh object per call (mutate it freely).

        UTF-8 (a BOM is tolerated). Returns ``JSONObject``/``JSONArray``/``JSONString``/
        ``JSONInt``/``JSONFloat`` (subclasses of ``dict``/``list``/``str``/``int``/``float``)
        or, for a top-level ``true``/``false``/``null``, a :class:`JSONLiteral`. All are
        awaitable, so ``await request.json()`` works too (and gives the plain value for a
        literal).

        :raises ValueError: when the body is not UTF-8 JSON (``NaN``/``Infinity`` are rejected)
            or nests deeper than :data:`MAX_JSON_DEPTH` levels; never ``RecursionError``.
        """
        return _awaitable(self._parse_json())

    def text(self) -> Text:
        """The body decoded with the Content-Type ``charset`` (default UTF-8), errors replaced.

        Awaitable too: ``await request.text()``.
        """
        charset = self._media()[1] or "utf-8"
        try:
            return Text(self.body.decode(charset, "replace"))
        except (LookupError, ValueError, TypeError):  # unknown or non-text codec
            return Text(self.body.decode("utf-8", "replace"))

    def form(self) -> FormData:
        """The ``application/x-www-form-urlencoded`` body as read-only :class:`FormData`.

        A request without a Content-Type is parsed as a form too. Awaitable:
        ``await request.form()``.

        :raises ValueError: when the Content-Type is something else (multipart is not parsed),
            or the body has more than ``MAX_FORM_FIELDS`` (10,000) fields.
        """
        form: FormData | None = self._cache.get("form")
        if form is None:
            media, charset = self._media()
            if media not in ("", "application/x-www-form-urlencoded"):
                raise ValueError(f"form() needs application/x-www-form-urlencoded, not {media}")
            try:
                text = self.body.decode(charset or "utf-8", "replace")
            except (LookupError, ValueError, TypeError):
                text = self.body.decode("utf-8", "replace")
            form = FormData(text)
            self._cache["form"] = form
        return form

    def event_model(self) -> Any:
        """The JSON body parsed by the provider's payload model (``ProviderInfo.payload_model``).

        :raises ConfigError: when the endpoint's provider has no payload model.
        :raises ValueError: when the body is not JSON (or the model rejects it).
        """
        model = self.payload_model
        if model is None:
            where = f"endpoint {self.endpoint_id!r}" if self.endpoint_id else "this request"
            raise ConfigError(
                f"request.event_model() needs a provider payload model, and {where} has none: "
                "define the endpoint with a provider whose plugin sets ProviderInfo.payload_model, "
                "or use request.json()"
            )
        return model(self._parse_json())

    # -- views and copies -----------------------------------------------------------------------

    def _filter_body(self) -> tuple[bool, Any]:
        media = self.content_type
        if media == "application/x-www-form-urlencoded":
            return True, dict(self.form().multi_items())
        if _is_json_media(media) or media in ("", "text/plain"):
            return True, self.json_view()
        return False, None

    def filter_view(self, keys: Iterable[str] | None = None) -> dict[str, Any]:
        """The object EventFilters (``respond_with``, ``on_request``) match against.

        ``method``; ``path``; ``headers`` (lower-cased names, repeated values joined with
        ``", "``); ``query`` (last value wins); ``body``: the parsed JSON when the content type is
        ``application/json`` or ``*/*+json``, or is missing/``text/plain`` and the bytes parse
        as JSON, a ``{name: value}`` dict (last wins) for form-urlencoded bodies, otherwise no
        ``body`` key; ``event``: ``event.filter_view()`` when the provider described the event.

        ``keys`` limits the view to those top-level keys (a filter on ``body`` alone need not
        build the others: this runs for every job on every request). Each part is computed once
        and cached: treat the result as read-only. Never raises.
        """
        if keys is None:
            view: dict[str, Any] | None = self._cache.get("filter_view")
            if view is None:
                view = self._cache["filter_view"] = self.filter_view(_VIEW_KEYS)
            return view
        parts: dict[str, Any] | None = self._cache.get("view_parts")
        if parts is None:
            parts = self._cache["view_parts"] = {}
        view = {}
        for key in keys:
            if key in parts:
                value = parts[key]
            else:
                value = parts[key] = self._view_part(key)
            if value is not _ABSENT:
                view[key] = value
        return view

    def _view_part(self, key: str) -> Any:
        """One top-level part of the filter view, or ``_ABSENT``; never raises."""
        try:
            if key == "method":
                return self.method
            if key == "path":
                return self.path
            if key == "headers":
                return self.headers.to_dict()
            if key == "query":
                return dict(self.query)
        except Exception:  # must never raise; the part stays empty
            return {"path": "/", "headers": {}, "query": {}}[key]
        if key == "body":
            try:
                present, body = self._filter_body()
            except Exception:  # unparsable body: filters on "body" do not match
                return _ABSENT
            return body if present else _ABSENT
        if key == "event" and self.event is not None:
            try:
                return self.event.filter_view()
            except Exception:  # a broken description is just not filterable
                return _ABSENT
        return _ABSENT

    def with_context(self, **changes: Any) -> WebhookRequest:
        """A copy with some of ``event``, ``endpoint_id``, ``payload_model``, ``url``,
        ``headers`` changed (the body, method, client and time are kept).

        Signing hooks add headers this way::

            return request.with_context(headers=[*request.headers.items(), ("X-Sig", sig)])

        :raises TypeError: for any other field.
        """
        unknown = set(changes) - _CONTEXT_FIELDS
        if unknown:
            allowed = ", ".join(sorted(_CONTEXT_FIELDS))
            raise TypeError(
                f"with_context() cannot change {', '.join(sorted(unknown))} ({allowed})"
            )
        fields = self._fields()
        fields.update(changes)
        copy = WebhookRequest(**fields)
        cache, new_cache = self._cache, copy._cache
        if "url" not in changes:
            for key in ("url", "query"):
                if key in cache:
                    new_cache[key] = cache[key]
        # body-only, and the body is kept
        carried: tuple[str, ...] = ("json_error", "json_depth_ok", "json_view")
        if "headers" not in changes:
            carried += ("media", "form")
        for key in carried:
            if key in cache:
                new_cache[key] = cache[key]
        return copy


def _rebuild(fields: dict[str, Any]) -> WebhookRequest:
    return WebhookRequest(**fields)
