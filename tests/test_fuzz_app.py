"""Property-based fuzzing of the whole ASGI app, in-process (HookpointServer + ASGITransport).

1. Any request (random method, path, query, headers and body; header bytes h11 would never let
   through included) gets an answer below 500, and nothing is logged at ERROR by Hookpoint.
2. A validly signed request (cal.com, WhatsApp and the generic ``hmac`` plugin, and a user
   ``verify`` callable) is always accepted, whatever its body, content type, query and other
   headers.
3. Any single mutation of a signed request (a bit of the body, a byte added or removed, a digit
   of the signature, the signature header removed or duplicated with junk) is a 401.

Examples are derandomized (the same every run, so CI is deterministic); set
``HOOKPOINT_FUZZ_RANDOM=1`` to explore new ones and ``HOOKPOINT_FUZZ_EXAMPLES`` to run more.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookpoint._server import HookpointServer
from hookpoint._settings import Settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import hostile_app as app
finally:
    sys.path.remove(str(HERE))

EXAMPLES = int(os.environ.get("HOOKPOINT_FUZZ_EXAMPLES", "0")) or None
settings.register_profile(
    "hookpoint-fuzz",
    database=None,
    deadline=None,
    derandomize=not os.environ.get("HOOKPOINT_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("hookpoint-fuzz")


def examples(n: int) -> int:
    return EXAMPLES or n


# -- the host: one server and event loop for the module -------------------------------------------


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Reply:
    status_code: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Host:
    """Calls the ASGI app directly with hand-built scopes, so header names and values reach it
    as raw bytes, exactly as a server would pass them (and a few a server would refuse)."""

    loop: asyncio.AbstractEventLoop
    server: HookpointServer
    errors: _Errors

    def send(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        headers: list[tuple[bytes, bytes]] | None = None,
        body: bytes = b"",
    ) -> Reply:
        self.errors.records.clear()
        return self.loop.run_until_complete(self._call(method, path, params, headers, body))

    async def _call(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]] | None,
        headers: list[tuple[bytes, bytes]] | None,
        body: bytes,
    ) -> Reply:
        raw_path = quote(path, safe="/%:@!$&'()*+,;=").encode("ascii")
        all_headers = [(b"host", b"hooks.test"), *(headers or [])]
        if not any(name.lower() == b"content-length" for name, _ in all_headers):
            all_headers.append((b"content-length", str(len(body)).encode()))
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": unquote(raw_path.decode("ascii")),
            "raw_path": raw_path,
            "query_string": urlencode(params or []).encode("ascii"),
            "root_path": "",
            "headers": all_headers,
            "client": ("127.0.0.1", 50000),
            "server": ("hooks.test", 80),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop(0)
            await asyncio.sleep(3600)  # nothing more: as a server would, wait for a disconnect
            return {"type": "http.disconnect"}

        status = 0
        reply_headers: list[tuple[bytes, bytes]] = []
        reply_body = bytearray()

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, reply_headers
            if message["type"] == "http.response.start":
                status = int(message["status"])
                reply_headers = list(message.get("headers") or [])
            elif message["type"] == "http.response.body":
                reply_body.extend(message.get("body", b""))

        await asyncio.wait_for(self.server(scope, receive, send), 30)
        assert status, "the app sent no response"
        return Reply(status, reply_headers, bytes(reply_body))

    def logged_errors(self) -> list[str]:
        return [
            f"{r.name}: {r.getMessage()}"
            for r in self.errors.records
            if r.name == "hookpoint" or r.name.startswith("hookpoint.")
        ]


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    tmp = tmp_path_factory.mktemp("fuzz")
    loop = asyncio.new_event_loop()
    server = HookpointServer(
        app.hp,
        Settings(database_url=f"sqlite:///{tmp / 'fuzz.db'}", max_body_size=64 * 1024),
        run_worker=False,
    )
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    loop.run_until_complete(server.startup())
    try:
        yield Host(loop, server, errors)
    finally:
        logging.getLogger().removeHandler(errors)
        loop.run_until_complete(server.shutdown())
        loop.close()


# -- strategies -----------------------------------------------------------------------------------

ENDPOINTS = ["open", "caldotcom", "whatsapp", "generic", "callable", "disabled", "nope", ""]
SIGNATURE_HEADERS = {
    "x-cal-signature-256",
    "x-hub-signature-256",
    "x-acme-signature",
    "x-custom-signature",
}
TOKEN = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

methods = st.one_of(
    st.sampled_from(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]),
    st.text(alphabet=TOKEN, min_size=1, max_size=12),
)
path_segment = st.one_of(
    st.sampled_from(ENDPOINTS),
    st.text(max_size=30).map(lambda s: s.replace("?", "%3F").replace("#", "%23")),
    st.sampled_from(["..", "%2e%2e", "..%2F..%2Fapi", "open/", "open/x", "%00", "%ff%fe"]),
)
paths = st.one_of(
    path_segment.map(lambda s: f"/webhooks/{s}"),
    st.sampled_from(
        [
            "/healthz",
            "/readyz",
            "/metrics",
            "/api/endpoints",
            "/api/requests",
            "/api/runs",
            "/api/requests/x",
            "/api/runs/x",
            "/api/runs/x/replay",
            "/api/requests/x/replay",
            "/",
            "/webhooks",
            "/nope",
        ]
    ),
)
query_text = st.text(max_size=20)
api_values = st.one_of(
    query_text,
    st.sampled_from(["0", "-1", "501", "1e999", "nan", "2026-13-45", "accepted", "failed"]),
    st.integers().map(str),
)
queries = st.lists(
    st.tuples(
        st.one_of(
            query_text,
            st.sampled_from(
                ["limit", "since", "until", "status", "endpoint", "before", "hub.mode", "job"]
            ),
        ),
        api_values,
    ),
    max_size=5,
)
header_names = st.one_of(
    st.text(alphabet=TOKEN, min_size=1, max_size=20),
    st.sampled_from(
        [
            "content-type",
            "content-length",
            "transfer-encoding",
            "host",
            "x-forwarded-for",
            "x-forwarded-host",
            "authorization",
            "x-cal-signature-256",
            "x-hub-signature-256",
            "x-acme-signature",
            "x-custom-signature",
            "expect",
            "cookie",
        ]
    ),
)
# Any bytes but CR, LF and NUL, which no HTTP/1.1 or HTTP/2 server passes on in a header value.
header_values = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=40).map(lambda s: s.encode("utf-8")),
    st.sampled_from([b"application/json", b"text/plain; charset=utf-16", b"-1", b"abc", b""]),
).map(lambda v: v.translate(None, b"\r\n\x00"))
raw_headers = st.lists(
    st.tuples(header_names.map(lambda s: s.lower().encode()), header_values), max_size=6
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=512),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
)
safe_headers = st.lists(
    st.tuples(
        st.text(alphabet=TOKEN, min_size=1, max_size=20)
        .map(str.lower)
        .filter(
            lambda n: (
                n not in SIGNATURE_HEADERS
                and n not in ("content-length", "transfer-encoding", "host", "content-type")
            )
        )
        .map(str.encode),
        st.text(alphabet=TOKEN + " ", max_size=40).map(str.encode),
    ),
    max_size=4,
)
content_types = st.sampled_from(
    [
        b"application/json",
        b"application/json; charset=utf-8",
        b"text/plain",
        b"application/x-www-form-urlencoded",
        b"application/octet-stream",
        b"",
    ]
)

SIGNERS = {
    "caldotcom": ("x-cal-signature-256", app.CAL_SECRET, ""),
    "whatsapp": ("x-hub-signature-256", app.WA_SECRET, "sha256="),
    "generic": ("x-acme-signature", app.HMAC_SECRET, "sha256="),
    "callable": ("x-custom-signature", app.CALLABLE_SECRET, ""),
}


def signature(endpoint: str, body: bytes) -> tuple[bytes, bytes]:
    name, secret, prefix = SIGNERS[endpoint]
    return name.encode(), (prefix + app.hex_hmac(secret, body)).encode()


@st.composite
def signed_requests(draw: st.DrawFn) -> tuple[str, bytes, list[tuple[bytes, bytes]], list[Any]]:
    endpoint = draw(st.sampled_from(sorted(SIGNERS)))
    body = draw(bodies)
    headers = [signature(endpoint, body), (b"content-type", draw(content_types))]
    headers += draw(safe_headers)
    params = draw(st.lists(st.tuples(st.text(max_size=10), st.text(max_size=10)), max_size=3))
    # a WhatsApp GET with hub.* is a handshake; a POST never is
    return endpoint, body, headers, params


# -- properties -----------------------------------------------------------------------------------


@settings(PROFILE, max_examples=examples(250))
@given(method=methods, path=paths, params=queries, headers=raw_headers, body=bodies)
def test_random_requests_never_get_a_5xx_nor_log_an_error(
    host: Host,
    method: str,
    path: str,
    params: list[tuple[str, str]],
    headers: list[tuple[bytes, bytes]],
    body: bytes,
) -> None:
    r = host.send(method, path, params=params, headers=headers, body=body)
    assert r.status_code < 500, (r.status_code, r.text)
    assert "Traceback" not in r.text
    assert host.logged_errors() == []


@settings(PROFILE, max_examples=examples(150))
@given(signed_requests())
def test_valid_signed_requests_are_always_accepted(
    host: Host, req: tuple[str, bytes, list[tuple[bytes, bytes]], list[Any]]
) -> None:
    endpoint, body, headers, params = req
    r = host.send("POST", f"/webhooks/{endpoint}", params=params, headers=headers, body=body)
    assert r.status_code == 200, (r.status_code, r.text)
    assert set(r.json()) == {"id", "duplicate", "runs"}
    assert host.logged_errors() == []


MUTATIONS = ("flip a body bit", "add a byte", "drop a byte", "change a digit", "no header", "junk")


@st.composite
def mutated_requests(draw: st.DrawFn) -> tuple[str, bytes, list[tuple[bytes, bytes]], str]:
    endpoint = draw(st.sampled_from(sorted(SIGNERS)))
    body = draw(bodies)
    name, value = signature(endpoint, body)
    mutation = draw(st.sampled_from(MUTATIONS))
    if mutation == "flip a body bit" and body:
        i = draw(st.integers(0, len(body) - 1))
        body = body[:i] + bytes([body[i] ^ (1 << draw(st.integers(0, 7)))]) + body[i + 1 :]
    elif mutation == "drop a byte" and body:
        i = draw(st.integers(0, len(body) - 1))
        body = body[:i] + body[i + 1 :]
    elif mutation in ("add a byte", "flip a body bit", "drop a byte"):  # also for empty bodies
        i = draw(st.integers(0, len(body)))
        body = body[:i] + bytes([draw(st.integers(0, 255))]) + body[i:]
    elif mutation == "change a digit":
        digest = value.split(b"=", 1)[-1]
        start = len(value) - len(digest)
        i = draw(st.integers(start, len(value) - 1))
        old = chr(value[i]).lower()
        new = draw(st.sampled_from([c for c in "0123456789abcdef" if c != old]))
        value = value[:i] + new.encode() + value[i + 1 :]
    headers = [(b"content-type", b"application/json")]
    if mutation == "junk":  # the valid header replaced by junk of the same shape
        value = value[: len(value) - 64] + b"0" * 64
    if mutation != "no header":
        headers.append((name, value))
    return endpoint, body, headers, mutation


@settings(PROFILE, max_examples=examples(150))
@given(mutated_requests())
def test_any_mutation_of_a_signed_request_is_rejected(
    host: Host, req: tuple[str, bytes, list[tuple[bytes, bytes]], str]
) -> None:
    endpoint, body, headers, mutation = req
    r = host.send("POST", f"/webhooks/{endpoint}", headers=headers, body=body)
    assert r.status_code == 401, (mutation, r.status_code, r.text)
    assert r.json()["error"] == "unauthorized"
    assert host.logged_errors() == []


def test_the_unmutated_requests_are_accepted(host: Host) -> None:
    """The mutation test's baseline: the same requests, unmutated, are accepted."""
    for endpoint in SIGNERS:
        for body in (b"", b"{}", b"\x00\xff", app.cal_body("baseline")):
            headers = [(b"content-type", b"application/json"), signature(endpoint, body)]
            r = host.send("POST", f"/webhooks/{endpoint}", headers=headers, body=body)
            assert r.status_code == 200, (endpoint, body, r.text)
