"""A corpus of hostile requests against a real host (hypercorn subprocess on a loopback port).

Every case is raw bytes on a fresh socket (httpx will not send most of them) with the statuses it
may get: the host answers only its defined 4xx (or the endpoint's own answer: 200 for a request
that verifies or needs no verification, a handshake's reply), never a 5xx, never a dropped
connection where an answer is due. After each batch the host must still be healthy (``/healthz``
200, a valid signed request 200); at the end its memory must be bounded, every accepted hostile
request must have been run by the worker, and nothing may have reached the ingest path's
"unexpected error" handler or hypercorn's "Error in ASGI" log.

Slow senders (slowloris headers and bodies, stalled and trickling chunked bodies) have their own
test: each must be cut in bounded time while the host keeps answering others.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import hostile_app as app
finally:
    sys.path.remove(str(HERE))

pytestmark = pytest.mark.slow

MAX_BODY = 512 * 1024
READ_TIMEOUT = 2.0
KEEP_ALIVE = 2.0
CLOSED = 0
"""Pseudo-status: the connection was closed (or spoke another protocol) without an HTTP/1.x
response. Only a few cases (a stalled request) allow it."""
AUTH = {"Authorization": f"Bearer {app.ADMIN_TOKEN}"}


# -- raw HTTP -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expect: frozenset[int]
    replies: int = 1
    """How many pipelined replies to read (a lying Content-Length leaves bytes that the
    host must parse as a further request and answer too)."""
    half_close: bool = False
    head: bool = False


def _read_reply(sock: socket.socket, buf: bytearray, head: bool) -> Reply | None:
    """One HTTP/1.x response from ``buf`` + the socket (1xx interim responses skipped)."""

    def fill() -> bool:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionError):
            return False
        if not chunk:
            return False
        buf.extend(chunk)
        return True

    while True:
        while b"\r\n\r\n" not in buf:
            if not fill():
                return None
        if not buf.startswith(b"HTTP/1."):
            return None
        head_bytes, _, _ = bytes(buf).partition(b"\r\n\r\n")
        del buf[: len(head_bytes) + 4]
        lines = head_bytes.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if 100 <= status < 200:
            continue
        if head or status in (204, 304):
            return Reply(status, headers, b"")
        if "content-length" in headers:
            n = int(headers["content-length"])
            while len(buf) < n:
                if not fill():
                    break
            body = bytes(buf[:n])
            del buf[:n]
            return Reply(status, headers, body)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while not buf.endswith(b"0\r\n\r\n"):
                if not fill():
                    break
            body = bytes(buf)
            buf.clear()
            return Reply(status, headers, body)
        while fill():
            pass
        body = bytes(buf)
        buf.clear()
        return Reply(status, headers, body)


def exchange(
    port: int,
    data: bytes,
    *,
    replies: int = 1,
    half_close: bool = False,
    head: bool = False,
    timeout: float = 20.0,
) -> list[Reply]:
    """Send raw bytes on a new connection; read up to ``replies`` responses."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except ConnectionError:
            pass
        buf = bytearray()
        out: list[Reply] = []
        for _ in range(replies):
            reply = _read_reply(sock, buf, head)
            if reply is None:
                break
            out.append(reply)
        return out


def request(
    method: str = "POST",
    target: str | bytes = "/webhooks/open",
    headers: Iterable[tuple[str | bytes, str | bytes]] = (),
    body: bytes = b"{}",
    *,
    length: bool = True,
    host: bool = True,
    version: bytes = b"HTTP/1.1",
) -> bytes:
    """Raw request bytes; ``Host`` and ``Content-Length`` added unless told otherwise."""

    def raw(value: str | bytes) -> bytes:
        return value if isinstance(value, bytes) else value.encode("latin-1")

    lines = [raw(method) + b" " + raw(target) + b" " + version]
    if host:
        lines.append(b"Host: localhost")
    for name, value in headers:
        lines.append(raw(name) + b": " + raw(value))
    if length:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def signed(endpoint: str, body: bytes, content_type: str | None = "application/json") -> bytes:
    make = {
        "caldotcom": app.cal_headers,
        "whatsapp": app.wa_headers,
        "generic": app.generic_headers,
        "callable": app.callable_headers,
    }[endpoint]
    headers = [(k, v) for k, v in make(body).items() if k.lower() != "content-type"]
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    return request("POST", f"/webhooks/{endpoint}", headers, body)


def ok(*statuses: int) -> frozenset[int]:
    return frozenset(statuses)


# -- the corpus -----------------------------------------------------------------------------------

ENDPOINTS = ("open", "caldotcom", "whatsapp", "generic", "callable", "disabled", "nope")
METHODS = ("GET", "HEAD", "OPTIONS", "TRACE", "DELETE", "PATCH", "PUT", "POST", "PROPFIND", "post")


def method_cases() -> Iterator[Case]:
    for endpoint in ENDPOINTS:
        for method in METHODS:
            verb = method.upper()
            if endpoint in ("disabled", "nope"):
                expect = ok(404)
            elif endpoint == "open":
                expect = ok(200) if verb in ("POST", "PUT") else ok(405)
            else:  # unsigned: a POST fails verification, anything else is the wrong method
                expect = ok(401) if verb == "POST" else ok(405)
            yield Case(
                f"method {method} {endpoint}",
                request(method, f"/webhooks/{endpoint}"),
                expect,
                head=verb == "HEAD",
            )
        yield Case(
            f"method CONNECT {endpoint}",
            request("CONNECT", f"/webhooks/{endpoint}", body=b"", length=False),
            ok(404) if endpoint in ("disabled", "nope") else ok(405),
        )
    yield Case(
        "CONNECT authority form",
        request("CONNECT", "127.0.0.1:5432", body=b"", length=False),
        ok(400, 404),
    )
    yield Case("OPTIONS *", request("OPTIONS", "*", body=b"", length=False), ok(400, 404))
    yield Case(
        "absolute-form target",
        request("POST", "http://evil.example/webhooks/open"),
        ok(200, 400, 404),
    )


def endpoint_id_cases() -> Iterator[Case]:
    not_found = {
        "traversal": "/webhooks/../api/endpoints",
        "encoded traversal": "/webhooks/..%2F..%2Fetc%2Fpasswd",
        "encoded dots": "/webhooks/%2e%2e/%2e%2e/api/endpoints",
        "double-encoded": "/webhooks/%252e%252e%252fapi",
        "backslash traversal": "/webhooks/..%5C..%5Capi",
        "encoded slash inside id": "/webhooks/op%2Fen",
        "id then encoded slash": "/webhooks/open%2F..%2Fcaldotcom",
        "sub-path": "/webhooks/open/extra",
        "two trailing slashes": "/webhooks/open//",
        "double slash before id": "/webhooks//open",
        "empty id": "/webhooks/",
        "upper-case id": "/webhooks/OPEN",
        "semicolon parameter": "/webhooks/open;jsessionid=1",
        "encoded NUL": "/webhooks/open%00",
        "encoded NUL prefix": "/webhooks/%00open",
        "encoded CRLF": "/webhooks/open%0d%0aX-Injected:%201",
        "non-ASCII, percent-encoded": "/webhooks/%C3%B6ffen",
        "invalid UTF-8, percent-encoded": "/webhooks/%ff%fe%fd",
        "overlong UTF-8 slash": "/webhooks/%c0%af..%c0%afapi",
        "encoded space": "/webhooks/open%20",
        "plus sign": "/webhooks/open+",
        "very long id (4 KiB)": "/webhooks/" + "a" * 4096,
        "very long id (32 KiB)": "/webhooks/" + "b" * 32768,
        "long traversal chain": "/webhooks/" + "..%2F" * 2000 + "etc/passwd",
        "disabled endpoint with slash": "/webhooks/disabled/",
        "prefix without slash": "/webhooksopen",
        "unicode escape-looking": "/webhooks/\\u006fpen",
    }
    for name, target in not_found.items():
        yield Case(f"id: {name}", request("POST", target), ok(404))
    yield Case("id: trailing slash is the endpoint", request("POST", "/webhooks/open/"), ok(200))
    yield Case("id: fragment is not sent", request("POST", "/webhooks/open#x"), ok(400, 404))
    for name, raw_target in {
        "raw UTF-8 bytes": b"/webhooks/\xc3\xb6ffen",
        "raw invalid UTF-8": b"/webhooks/\xff\xfe",
        "raw control byte": b"/webhooks/op\x01en",
        "raw space": b"/webhooks/op en",
        "raw DEL": b"/webhooks/open\x7f",
    }.items():
        yield Case(f"id: {name}", request("POST", raw_target), ok(400))
    yield Case(
        "id: target far past the header limit (300 KB)",
        request("POST", "/webhooks/" + "c" * 300_000),
        ok(400, 413, 414, 431),
    )


def header_cases() -> Iterator[Case]:
    yield Case(
        "two different Content-Lengths",
        b"POST /webhooks/open HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
        b"Content-Length: 3\r\n\r\n{}x",
        ok(400),
    )
    yield Case(
        "two equal Content-Lengths",
        b"POST /webhooks/open HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
        b"Content-Length: 2\r\n\r\n{}",
        ok(200, 400),
    )
    for value in (b"abc", b"-1", b"+2", b"0x2", b"2.0", b"1e1", b"2, 3", b"", b" "):
        yield Case(
            f"Content-Length {value!r}",
            request("POST", headers=[(b"Content-Length", value)], body=b"{}", length=False),
            ok(400),
        )
    yield Case(
        "Content-Length past the limit, no body sent",
        request("POST", headers=[(b"Content-Length", str(MAX_BODY + 1).encode())], length=False),
        ok(413),
    )
    yield Case(
        "Content-Length of 20 digits",
        request("POST", headers=[(b"Content-Length", b"9" * 20)], length=False),
        ok(400, 413),
    )
    yield Case(
        "Content-Length and chunked together",
        request(
            "POST",
            headers=[(b"Content-Length", b"2"), (b"Transfer-Encoding", b"chunked")],
            body=b"2\r\n{}\r\n0\r\n\r\n",
            length=False,
        ),
        ok(400),  # the smuggling probe is refused, as docs/security.md says
    )
    yield Case(
        "Content-Length and chunked together on /healthz (a Quart route)",
        request(
            "POST",
            "/healthz",
            headers=[(b"Content-Length", b"2"), (b"Transfer-Encoding", b"chunked")],
            body=b"2\r\n{}\r\n0\r\n\r\n",
            length=False,
        ),
        ok(400),
    )
    for value in (
        b"gzip",
        b"identity",
        b"chunked, chunked",
        b"gzip, chunked",
        b"xchunked",
        b"chunked;q=1",
        b" chunked",
    ):
        yield Case(
            f"Transfer-Encoding {value!r}",
            request(
                "POST",
                headers=[(b"Transfer-Encoding", value)],
                body=b"2\r\n{}\r\n0\r\n\r\n",
                length=False,
            ),
            ok(200, 400) if value == b" chunked" else ok(400),
        )
    yield Case(
        "two Transfer-Encoding headers",
        request(
            "POST",
            headers=[(b"Transfer-Encoding", b"chunked"), (b"Transfer-Encoding", b"chunked")],
            body=b"2\r\n{}\r\n0\r\n\r\n",
            length=False,
        ),
        ok(400),
    )
    bad_lines = {
        "space in a header name": b"Bad Header: x",
        "no colon": b"NoColonHere",
        "space before the colon": b"X-Thing : x",
        "empty name": b": value",
        "NUL in a value": b"X-Thing: a\x00b",
        "bare CR in a value": b"X-Thing: a\rb",
        "non-token byte in a name": b"X-Th\xffing: x",
        "Transfer-Encoding with a space before the colon": b"Transfer-Encoding : chunked",
    }
    for name, line in bad_lines.items():
        yield Case(
            f"header: {name}",
            b"POST /webhooks/open HTTP/1.1\r\nHost: h\r\n"
            + line
            + b"\r\nContent-Length: 2\r\n\r\n{}",
            ok(400),
        )
    accepted_lines = {
        "invalid UTF-8 in a value": b"X-Thing: \xff\xfe\xfd",
        "Latin-1 in a value": b"X-Thing: caf\xe9",
        "DEL in a value": b"X-Thing: a\x7fb",
        "tab in a value": b"X-Thing: a\tb",
        "empty value": b"X-Thing:",
        "folded (obs-fold) value": b"X-Thing: a\r\n b",
        "a very long name": b"X-" + b"n" * 8000 + b": v",
        "a 48 KiB value": b"X-Big: " + b"v" * 48 * 1024,
        "X-Forwarded-* from an untrusted client": b"X-Forwarded-Host: evil.example\r\n"
        b"X-Forwarded-Proto: gopher\r\nX-Forwarded-For: 1.2.3.4, <script>",
        "Content-Type garbage": b"Content-Type: \xff/\xfe; charset=\x80",
        "two Content-Types": b"Content-Type: application/json\r\nContent-Type: text/plain",
        "Expect: 100-continue": b"Expect: 100-continue",
        "Expect: something else": b"Expect: 42-surprise",
        "Connection: close": b"Connection: close",
        "Connection: keep-alive, Upgrade with an h2c upgrade and a body": b"Connection: Upgrade, "
        b"HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA",
        "Authorization with a junk token": b"Authorization: Bearer \xffjunk",
        "Cookie storm": b"Cookie: " + b"a=b; " * 2000,
    }
    for name, line in accepted_lines.items():
        yield Case(
            f"header: {name}",
            b"POST /webhooks/open HTTP/1.1\r\nHost: h\r\n"
            + line
            + b"\r\nContent-Length: 2\r\n\r\n{}",
            ok(200),
        )
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(1000))
    yield Case(
        "header: 1,000 small headers",
        b"POST /webhooks/open HTTP/1.1\r\nHost: h\r\n" + many + b"Content-Length: 2\r\n\r\n{}",
        ok(200),
    )
    huge = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(3000))
    yield Case(
        "header: block far past the limit (300 KB)",
        b"POST /webhooks/open HTTP/1.1\r\nHost: h\r\n" + huge + b"Content-Length: 2\r\n\r\n{}",
        ok(400, 413, 431),
    )
    yield Case(
        "header: one value far past the limit",
        b"POST /webhooks/open HTTP/1.1\r\nHost: h\r\nX-Big: "
        + b"v" * 300_000
        + b"\r\nContent-Length: 2\r\n\r\n{}",
        ok(400, 413, 431),
    )
    yield Case("no Host on HTTP/1.1", request("POST", host=False), ok(400))
    yield Case(
        "Host [::1 (broken IPv6)", request("POST", headers=[("Host", "[::1")], host=False), ok(200)
    )
    yield Case("two Host headers", request("POST", headers=[("Host", "evil.example")]), ok(400))
    yield Case(
        "Content-Length 2, 2 (a list of equal values)",
        request("POST", headers=[(b"Content-Length", b"2, 2")], length=False),
        ok(200, 400),
    )
    yield Case(
        "header: control byte in a value",
        request("POST", headers=[(b"X-Thing", b"a\x01b")]),
        ok(200, 400),
    )
    yield Case(
        "HTTP/1.0 without Host",
        request("POST", host=False, version=b"HTTP/1.0"),
        ok(200),
    )
    yield Case(
        "Expect: 100-continue past the limit",
        request(
            "POST",
            headers=[("Expect", "100-continue"), ("Content-Length", str(MAX_BODY * 4))],
            body=b"",
            length=False,
        ),
        ok(413),
    )
    # signature headers: duplicated, huge, junk (all unsigned → 401)
    body = app.cal_body("dup-sig")
    good = app.hex_hmac(app.CAL_SECRET, body)
    for name, values in {
        "two wrong signatures": ["00" * 32, "11" * 32],
        "a huge signature": ["ab" * 20_000],
        "a Latin-1 signature": ["\xe9" * 64],
        "an empty signature": [""],
        "the signature of another secret": [app.hex_hmac("other", body)],
        "the signature upper-cased and padded": ["  " + good.upper()[:-1] + "  "],
        "a truncated signature": [good[:-2]],
        "no-secret-provided": ["no-secret-provided"],
    }.items():
        yield Case(
            f"cal.com: {name}",
            request(
                "POST",
                "/webhooks/caldotcom",
                [("Content-Type", "application/json")]
                + [("X-Cal-Signature-256", v) for v in values],
                body,
            ),
            ok(401),
        )


def length_and_chunk_cases() -> Iterator[Case]:
    yield Case(
        "Content-Length shorter than the body (rest parsed as a request)",
        request("POST", headers=[("Content-Length", "2")], body=b'{}{"x":1}\r\n\r\n', length=False),
        ok(200, 400),
        replies=2,
    )
    yield Case(
        "Content-Length 0 with a body",
        request(
            "POST", headers=[("Content-Length", "0")], body=b"garbage bytes\r\n\r\n", length=False
        ),
        ok(200, 400),
        replies=2,
    )
    yield Case(
        "Content-Length longer than the body, then EOF",
        request("POST", headers=[("Content-Length", "100")], body=b"{}", length=False),
        ok(400),
        half_close=True,
    )
    chunked = [(b"Transfer-Encoding", b"chunked")]
    for name, body, expect in [
        ("chunked, no length", b"2\r\n{}\r\n0\r\n\r\n", ok(200)),
        ("chunked, many 1-byte chunks", b"1\r\n{\r\n" * 50 + b"1\r\n}\r\n0\r\n\r\n", ok(200)),
        ("chunked with extensions", b"2;ext=1;x\r\n{}\r\n0;last\r\n\r\n", ok(200)),
        ("chunked with trailers", b"2\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n", ok(200)),
        ("chunked, upper-case hex size", b"A\r\n0123456789\r\n0\r\n\r\n", ok(200)),
        ("chunked, size not hex", b"zz\r\n{}\r\n0\r\n\r\n", ok(400)),
        ("chunked, negative size", b"-2\r\n{}\r\n0\r\n\r\n", ok(400)),
        ("chunked, size overflows", b"f" * 40 + b"\r\n{}\r\n0\r\n\r\n", ok(400, 413)),
        ("chunked, data longer than its size", b"1\r\n{}\r\n0\r\n\r\n", ok(400)),
        ("chunked, missing CRLF after data", b"2\r\n{}0\r\n\r\n", ok(400)),
        (
            "chunked, past the body limit",
            b"".join(b"10000\r\n" + b"x" * 0x10000 + b"\r\n" for _ in range(9)) + b"0\r\n\r\n",
            ok(413),
        ),
    ]:
        yield Case(name, request("POST", headers=chunked, body=body, length=False), expect)
    yield Case(
        "chunked, no last chunk, then EOF",
        request("POST", headers=chunked, body=b"2\r\n{}\r\n", length=False),
        ok(400),
        half_close=True,
    )
    yield Case(
        "body exactly at the limit",
        request("POST", body=b"x" * MAX_BODY),
        ok(200),
    )
    yield Case("body one byte past the limit", request("POST", body=b"x" * (MAX_BODY + 1)), ok(413))
    yield Case(
        "pipelined: 20 requests on one connection",
        request("POST", body=b"{}") * 20,
        ok(200),
        replies=20,
    )


def query_cases() -> Iterator[Case]:
    queries = {
        "huge (60 KB)": "a=" + "x" * 60_000,
        "10,000 parameters": "&".join(f"k{i}=v" for i in range(6_000)),
        "invalid percent escapes": "a=%zz&%=%&b=%",
        "invalid UTF-8 escapes": "a=%ff%fe&%c0%af=1",
        "NUL escapes": "a=%00&%00=b",
        "CRLF escapes": "a=%0d%0aSet-Cookie:%20x",
        "repeated keys": "a=1&a=2&a=3&" * 100,
        "only separators": "&&&;;;===",
        "a secret-looking key": "token=supersecret&signature=abc",
        "unicode escapes": "a=%u0041&b=\\u0000",
        "semicolons": "a=1;b=2;c",
        "question marks": "??a=?",
        "hub.* on a non-handshake endpoint": (
            "hub.mode=subscribe&hub.verify_token=x&hub.challenge=9"
        ),
    }
    for name, query in queries.items():
        yield Case(f"query: {name}", request("POST", f"/webhooks/open?{query}"), ok(200))
    yield Case("query: raw non-ASCII byte", request("POST", b"/webhooks/open?a=\xff"), ok(400))
    yield Case(
        "query: larger than the header limit",
        request("POST", "/webhooks/open?a=" + "x" * 300_000),
        ok(400, 413, 414, 431),
    )


def _deep(n: int, opener: bytes, closer: bytes) -> bytes:
    return opener * n + closer * n


BODIES: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \r\n\t ",
    "unclosed object": b"{",
    "truncated": b'{"triggerEvent":"BOOKING_CREATED","payload":{"uid":"x"',
    "trailing garbage": b'{"a":1}}}',
    "two documents": b'{"a":1}{"b":2}',
    "single quotes": b"{'a': 1}",
    "trailing comma": b'{"a":1,}',
    "comments": b'{"a":1 /* c */}',
    "null": b"null",
    "true": b"true",
    "a bare number": b"42",
    "a bare string": b'"str"',
    "NaN": b'{"a":NaN}',
    "Infinity": b'{"a":Infinity,"b":-Infinity}',
    "huge exponent": b'{"a":1e999999,"b":-1e999999,"c":1e-999999}',
    "5,000-digit integer": b'{"a":' + b"9" * 5000 + b"}",
    "100,000-digit integer": b"[" + b"1" * 100_000 + b"]",
    "deep arrays (100,000)": _deep(100_000, b"[", b"]"),
    "deep objects (20,000)": _deep(20_000, b'{"a":', b"}"),
    "deep, unclosed (60,000)": b"[" * 60_000,
    "nesting at the limit (200)": _deep(200, b"[", b"]"),
    "nesting past the limit (201)": _deep(201, b"[", b"]"),
    "UTF-8 BOM": b'\xef\xbb\xbf{"a":1}',
    "UTF-16 LE BOM": '\ufeff{"a":1}'.encode("utf-16-le"),
    "UTF-16 without BOM": '{"a":1}'.encode("utf-16-be"),
    "UTF-32": '{"a":1}'.encode("utf-32"),
    "invalid UTF-8": b'{"a":"\xff\xfe\xfd"}',
    "overlong UTF-8": b'{"a":"\xc0\xaf"}',
    "CESU-8 surrogate bytes": b'{"a":"\xed\xa0\x80"}',
    "lone surrogate escapes": b'{"a":"\\ud800","\\udfff":"b"}',
    "NUL escapes": b'{"a":"\\u0000","\\u0000":1}',
    "raw NUL bytes": b'{"a":"\x00"}',
    "escaped everything": b'{"\\u0061":"\\u00e9\\u4e2d\\ud83d\\ude00\\n\\t\\"\\\\\\/"}',
    "RTL and zero-width": '{"a":"\u202e\u200b\u2066x"}'.encode(),
    "duplicate keys": b'{"a":1,"a":2,"a":{"a":3}}',
    "10,000 keys": json.dumps({f"k{i}": i for i in range(10_000)}).encode(),
    "a 60 KB string": json.dumps({"a": "x" * 60_000}).encode(),
    "binary": bytes(range(256)) * 8,
    "HTML and script": b"<html><script>alert(1)</script></html>",
    "form with 5,000 fields": b"&".join(b"f%d=%%ff%%00" % i for i in range(5_000)),
    "form with broken escapes": b"a=%zz&b=%&=&&c",
}

CONTENT_TYPES = (
    None,
    "application/json",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "application/json; charset=utf-16",
    "application/json; charset=bogus-charset",
    "application/octet-stream",
    "multipart/form-data; boundary=x",
    "application/vnd.api+json",
    "*/*",
)


def body_cases() -> Iterator[Case]:
    # Every body to the open endpoint as JSON and without a content type, and a few bodies under
    # every content type: all are stored and run (200).
    for name, body in BODIES.items():
        for ctype in (None, "application/json"):
            headers = [("Content-Type", ctype)] if ctype else []
            yield Case(
                f"body {name} ({ctype})", request("POST", headers=headers, body=body), ok(200)
            )
    for ctype in CONTENT_TYPES[2:]:
        for name in ("truncated", "lone surrogate escapes", "form with broken escapes"):
            yield Case(
                f"body {name} ({ctype})",
                request("POST", headers=[("Content-Type", ctype)], body=BODIES[name]),
                ok(200),
            )


SIGNED_BODIES = (
    "truncated",
    "NaN",
    "huge exponent",
    "5,000-digit integer",
    "deep arrays (100,000)",
    "deep objects (20,000)",
    "nesting past the limit (201)",
    "UTF-8 BOM",
    "UTF-16 LE BOM",
    "invalid UTF-8",
    "lone surrogate escapes",
    "NUL escapes",
    "escaped everything",
    "binary",
)

HOSTILE_CAL_EVENTS: dict[str, bytes] = {
    "event fields of the wrong types": b'{"triggerEvent":["a"],"createdAt":{"x":1},"payload":[]}',
    "a 5,000-character event type": b'{"triggerEvent":"' + b"A" * 5000 + b'"}',
    "a NUL in the event type": b'{"triggerEvent":"\\u0000x","payload":{"uid":"\\u0000"}}',
    "a surrogate in the event type": b'{"triggerEvent":"\\ud800","payload":{"uid":"\\udfff"}}',
    "createdAt far in the future": b'{"triggerEvent":"BOOKING_CREATED","createdAt":'
    b'"99999-01-01T00:00:00Z","payload":{"uid":"x"}}',
    "createdAt a huge number": b'{"triggerEvent":"BOOKING_CREATED","createdAt":-1e300,'
    b'"payload":{"uid":"x"}}',
    "createdAt an invalid offset": b'{"triggerEvent":"BOOKING_CREATED","createdAt":'
    b'"2026-11-27T10:00:00+99:00","payload":{"uid":"x"}}',
}
# Event types a terminal must not interpret (the CLI shows them escaped; see
# test_the_cli_shows_what_hostile_senders_stored below).
HOSTILE_CAL_EVENTS |= {
    f"a terminal-hostile event type ({name})": json.dumps(
        {"triggerEvent": text, "payload": {"uid": text}}
    ).encode()
    for name, text in app.HOSTILE_TEXTS.items()
}


def signed_cases() -> Iterator[Case]:
    """Hostile bodies with VALID signatures are accepted (200); one changed byte is a 401."""
    bodies = {name: BODIES[name] for name in SIGNED_BODIES} | HOSTILE_CAL_EVENTS
    for name, body in bodies.items():
        for endpoint in ("caldotcom", "generic", "callable"):
            yield Case(f"signed {endpoint}: {name}", signed(endpoint, body), ok(200))
        tampered = signed("caldotcom", body)[:-1] + bytes([(body[-1:] or b"x")[0] ^ 1])
        yield Case(f"tampered cal.com: {name}", tampered, ok(401))
    body = BODIES["escaped everything"]
    yield Case("signed whatsapp: escapes", signed("whatsapp", body), ok(200))
    yield Case(
        "signed cal.com, wrong content type",
        signed("caldotcom", app.cal_body("ctype"), "text/html"),
        ok(200),
    )
    yield Case(
        "signed cal.com, no content type",
        signed("caldotcom", app.cal_body("no-ctype"), None),
        ok(200),
    )
    yield Case(
        "signed cal.com, a signed body then extra pipelined bytes",
        signed("caldotcom", app.cal_body("pipelined")) + b"GARBAGE\r\n\r\n",
        ok(200, 400),
        replies=2,
    )


def handshake_cases() -> Iterator[Case]:
    token = app.WA_TOKEN

    def get(query: str) -> bytes:
        return request("GET", f"/webhooks/whatsapp?{query}", body=b"", length=False)

    yield Case(
        "handshake: right token",
        get(f"hub.mode=subscribe&hub.verify_token={token}&hub.challenge=12"),
        ok(200),
    )
    yield Case(
        "handshake: wrong token",
        get("hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"),
        ok(403),
    )
    yield Case("handshake: no token", get("hub.mode=subscribe&hub.challenge=1"), ok(403))
    yield Case(
        "handshake: empty token",
        get("hub.mode=subscribe&hub.verify_token=&hub.challenge=1"),
        ok(403),
    )
    yield Case(
        "handshake: token prefix",
        get(f"hub.mode=subscribe&hub.verify_token={token[:-1]}&hub.challenge=1"),
        ok(403),
    )
    yield Case(
        "handshake: right token twice, then a wrong one",
        get(f"hub.mode=subscribe&hub.verify_token={token}&hub.verify_token=x&hub.challenge=1"),
        ok(200, 403),
    )
    for name, challenge in {
        "a huge challenge": "9" * 50_000,
        "an HTML challenge": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "a CRLF challenge": "1%0d%0aSet-Cookie:%20x=1",
        "a non-ASCII challenge": "%E2%98%83%ff",
        "an empty challenge": "",
    }.items():
        yield Case(
            f"handshake: {name}",
            get(f"hub.mode=subscribe&hub.verify_token={token}&hub.challenge={challenge}"),
            ok(200, 400),
        )
    yield Case(
        "handshake: mode unsubscribe",
        get(f"hub.mode=unsubscribe&hub.verify_token={token}"),
        ok(200, 403, 405),
    )
    yield Case("handshake: GET without hub", get("x=1"), ok(405))
    yield Case(
        "handshake: POST with hub query",
        request(
            "POST",
            f"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1",
        ),
        ok(200, 401),
    )


def protocol_cases() -> Iterator[Case]:
    yield Case("garbage bytes", b"\x00\x01\x02garbage\r\n\r\n", ok(400))
    yield Case(
        "a TLS ClientHello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64, ok(400)
    )
    yield Case("HTTP/0.9", b"GET /webhooks/open\r\n\r\n", ok(400))
    # h11 reads any HTTP/d.d request line as HTTP/1.1
    yield Case(
        "HTTP/2.0 in an HTTP/1 request line", request("POST", version=b"HTTP/2.0"), ok(200, 400)
    )
    yield Case("HTTP/9.9", request("POST", version=b"HTTP/9.9"), ok(200, 400))
    yield Case("lower-case version", request("POST", version=b"http/1.1"), ok(400))
    yield Case("LF line endings", request("POST").replace(b"\r\n", b"\n"), ok(200, 400))
    yield Case("leading empty lines", b"\r\n\r\n" + request("POST"), ok(200, 400))
    yield Case("only CRLFs", b"\r\n" * 100, ok(400, CLOSED))
    yield Case("request line without target", b"POST HTTP/1.1\r\nHost: h\r\n\r\n", ok(400))
    yield Case("method with a slash", request("PO/ST"), ok(400))
    # HTTP/1.1 only on the plain port: hypercorn's HTTP/2 side never closes an idle connection
    yield Case("HTTP/2 prior knowledge", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", ok(400))
    yield Case(
        "h2c upgrade without a body (answered in HTTP/1.1, no 101)",
        request(
            "GET",
            "/webhooks/open",
            [
                ("Connection", "Upgrade, HTTP2-Settings"),
                ("Upgrade", "h2c"),
                ("HTTP2-Settings", "AAMAAABkAAQCAAAAAAIAAAAA"),
            ],
            body=b"",
            length=False,
        ),
        ok(405),
    )
    yield Case(
        "websocket upgrade on a webhook URL",
        request(
            "GET",
            "/webhooks/open",
            [
                ("Connection", "Upgrade"),
                ("Upgrade", "websocket"),
                ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                ("Sec-WebSocket-Version", "13"),
            ],
            body=b"",
            length=False,
        ),
        ok(400, 403, 404, 405),
    )


def admin_cases() -> Iterator[Case]:
    token = [("Authorization", f"Bearer {app.ADMIN_TOKEN}")]
    yield Case("api: no token", request("GET", "/api/endpoints", body=b"", length=False), ok(401))
    yield Case(
        "api: wrong token of the same length",
        request(
            "GET",
            "/api/endpoints",
            [("Authorization", "Bearer " + "x" * len(app.ADMIN_TOKEN))],
            b"",
            length=False,
        ),
        ok(401),
    )
    yield Case(
        "api: Basic auth",
        request("GET", "/api/runs", [("Authorization", "Basic eDp4")], b"", length=False),
        ok(401),
    )
    yield Case(
        "api: token in the query",
        request("GET", f"/api/runs?token={app.ADMIN_TOKEN}", body=b"", length=False),
        ok(401),
    )
    for target, expect in {
        "/api/requests?limit=abc": ok(400),
        "/api/requests?limit=100000": ok(400),
        "/api/requests?limit=-1": ok(400),
        "/api/requests?since=yesterday": ok(400),
        "/api/requests?since=1e999": ok(200, 400),
        "/api/runs?status=bogus": ok(400),
        "/api/requests?status=%00": ok(400),
        "/api/requests/" + "x" * 4000: ok(404),
        "/api/requests/%00": ok(400),  # NUL in an id: refused before the store
        "/api/runs/..%2F..%2Fetc": ok(404),
        "/api/nope": ok(404),
    }.items():
        yield Case(
            f"api: GET {target[:60]}", request("GET", target, token, b"", length=False), expect
        )
    yield Case("api: replay of nothing", request("POST", "/api/runs/nope/replay", token), ok(404))
    yield Case(
        "api: replay with a body past Quart's limit",
        request("POST", "/api/runs/nope/replay", token, b"x" * (2 * 1024 * 1024)),
        ok(404, 413),
    )
    # Dashboard POSTs before login: bodies are bounded before anything parses them
    form = [("Content-Type", "application/x-www-form-urlencoded")]
    flood = b"a&" * (512 * 1024)
    yield Case(
        "dashboard: a 1 MiB a&a&... login form",
        request("POST", "/dashboard/login", form, flood),
        ok(413),
    )
    yield Case(
        "dashboard: a 1 MiB a&a&... login form, chunked",
        request(
            "POST",
            "/dashboard/login",
            [*form, ("Transfer-Encoding", "chunked")],
            b"%x\r\n%s\r\n0\r\n\r\n" % (len(flood), flood),
            length=False,
        ),
        ok(413),
    )
    yield Case(
        "dashboard: a login form of 2,000 fields",
        request("POST", "/dashboard/login", form, b"a&" * 2000),
        ok(400),
    )
    yield Case(
        "dashboard: a multipart login form",
        request(
            "POST",
            "/dashboard/login",
            [("Content-Type", "multipart/form-data; boundary=x")],
            b"--x\r\nContent-Disposition: form-data; name=token\r\n\r\nx\r\n--x--\r\n",
        ),
        ok(415),
    )
    yield Case(
        "dashboard: a 40 KiB replay form without a session",
        request("POST", "/dashboard/runs/x/replay", form, b"a&" * 20_000),
        ok(401),
    )
    yield Case(
        "dashboard: a 1 MiB logout form without a session",
        request("POST", "/dashboard/logout", form, flood),
        ok(413),
    )
    yield Case(
        "dashboard: GET /dashboard from another Host",
        request("GET", "/dashboard", [("Host", "evil.example")], b"", length=False, host=False),
        ok(308),
    )
    yield Case("healthz: POST", request("POST", "/healthz"), ok(405))
    yield Case(
        "unknown path", request("GET", "/%2e%2e/%2e%2e/etc/passwd", body=b"", length=False), ok(404)
    )
    yield Case(
        "metrics: HEAD", request("HEAD", "/metrics", body=b"", length=False), ok(200), head=True
    )


BATCHES = {
    "methods": method_cases,
    "endpoint ids": endpoint_id_cases,
    "headers": header_cases,
    "lengths and chunks": length_and_chunk_cases,
    "queries": query_cases,
    "bodies": body_cases,
    "signed": signed_cases,
    "handshakes": handshake_cases,
    "protocol": protocol_cases,
    "admin": admin_cases,
}


# -- the host -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[app.Served]:
    tmp = tmp_path_factory.mktemp("hostile")
    env = {
        "HOOKPOINT_MAX_BODY_SIZE": str(MAX_BODY),
        "HOOKPOINT_READ_TIMEOUT": str(READ_TIMEOUT),
        "HOOKPOINT_KEEP_ALIVE_TIMEOUT": str(KEEP_ALIVE),
        "HOOKPOINT_LOG_LEVEL": "INFO",
    }
    with app.served(tmp, env=env) as served:
        yield served


def assert_healthy(host: app.Served, uid: str) -> None:
    assert host.alive(), host.log_text()[-3000:]
    with httpx.Client(base_url=host.url, timeout=20) as client:
        assert client.get("/healthz").status_code == 200
        body = app.cal_body(uid)
        r = client.post("/webhooks/caldotcom", content=body, headers=app.cal_headers(body))
        assert r.status_code == 200, r.text


def run_case(port: int, case: Case) -> list[int]:
    """The statuses the host answered; CLOSED marks a connection closed while an answer to a
    pipelined request was still due (closing after an error answer is fine)."""
    replies = exchange(
        port, case.data, replies=case.replies, half_close=case.half_close, head=case.head
    )
    statuses = [r.status for r in replies]
    if not statuses or (len(statuses) < case.replies and statuses[-1] < 400):
        statuses.append(CLOSED)
    return statuses


def test_corpus_size() -> None:
    cases = [c for make in BATCHES.values() for c in make()]
    assert len(cases) >= 200, len(cases)
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"


def test_hostile_corpus(host: app.Served) -> None:
    assert_healthy(host, "warm-up")
    rss_before = host.rss_kb()
    failures: list[str] = []
    total = 0
    for batch, make in BATCHES.items():
        for case in make():
            total += 1
            try:
                statuses = run_case(host.port, case)
            except OSError as exc:
                failures.append(f"{case.name}: {exc!r}")
                continue
            if any(s not in case.expect for s in statuses):
                failures.append(f"{case.name}: got {statuses}, expected {sorted(case.expect)}")
        assert_healthy(host, f"after-{batch}")
    assert not failures, f"{len(failures)} of {total} cases:\n" + "\n".join(failures)
    rss_after = host.rss_kb()
    assert rss_after < 2 * rss_before + 50 * 1024, (rss_before, rss_after)

    # every hostile request that was accepted ran to completion in the worker
    with httpx.Client(base_url=host.url, timeout=20, headers=AUTH) as client:
        deadline = time.monotonic() + 90
        while True:
            pending = [
                len(client.get("/api/runs", params={"status": s, "limit": 500}).json()["items"])
                for s in ("queued", "running")
            ]
            if sum(pending) == 0:
                break
            assert time.monotonic() < deadline, f"runs still pending: {pending}"
            time.sleep(0.5)
        failed = client.get("/api/runs", params={"status": "failed", "limit": 500}).json()
        assert failed["items"] == [], [(r["job_id"], r.get("error")) for r in failed["items"]]
        metrics = client.get("/metrics").text
        assert not re.search(r'outcome="error"', metrics), "the ingest path hit its 500 handler"
    log = host.log_text()
    assert "unexpected error handling a webhook" not in log
    assert "Error in ASGI" not in log
    assert host.alive()


def test_the_cli_shows_what_hostile_senders_stored(host: app.Served) -> None:
    """Signed deliveries whose event type is Rich markup, an escape sequence, a bidi override…
    are accepted and run (the job logs the body and returns the event type); then every CLI
    view of them, run against the host's store, exits 0 without a traceback and shows the text
    literally, with no control, escape or bidi character reaching the terminal."""
    uid = f"cli-{time.time_ns()}"
    sent: dict[str, str] = {}
    with httpx.Client(base_url=host.url, timeout=20) as client:
        for text in app.HOSTILE_TEXTS.values():
            body = json.dumps({"triggerEvent": text, "payload": {"uid": uid}}).encode()
            r = client.post("/webhooks/caldotcom", content=body, headers=app.cal_headers(body))
            assert r.status_code == 200 and r.json()["runs"] == 1, r.text
            sent[text] = r.json()["id"]
    with httpx.Client(base_url=host.url, timeout=20, headers=AUTH) as client:
        deadline = time.monotonic() + 60
        runs: dict[str, dict[str, Any]] = {}
        while len(runs) < len(sent):
            assert time.monotonic() < deadline, f"runs not finished: {runs}"
            time.sleep(0.2)
            for text, request_id in sent.items():
                [run] = client.get("/api/runs", params={"request": request_id}).json()["items"]
                if run["status"] == "succeeded":
                    runs[text] = run
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HOOKPOINT_")},
        "HOOKPOINT_DATABASE_URL": f"sqlite:///{host.log.parent / 'hostile.db'}",
        "COLUMNS": "400",
    }

    def cli(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "hookpoint.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0 and "Traceback" not in out.stderr, (args, out.stderr)
        assert not app.UNSAFE_OUTPUT.search(out.stdout + out.stderr), (args, out.stdout)
        return out.stdout

    table = cli("requests", "list", "--endpoint", "caldotcom", "--limit", "500")
    listed = json.loads(
        cli("requests", "list", "--endpoint", "caldotcom", "--limit", "500", "--json")
    )
    assert set(app.HOSTILE_TEXTS.values()) <= {r["event_type"] for r in listed}
    cli("runs", "list", "--job", "cal-any", "--limit", "500")
    for text, request_id in sent.items():
        assert app.shown(text) in table, (app.shown(text), table)
        assert json.loads(cli("requests", "show", request_id))["event_type"] == text
        run_id = runs[text]["id"]
        assert json.loads(cli("runs", "show", run_id))["output"] == {"event": text}
        assert "INFO  received " in cli("runs", "logs", run_id)
        [line] = json.loads(cli("runs", "logs", run_id, "--json"))
        assert line["data"]["body"]["triggerEvent"] == text


# -- slow senders ---------------------------------------------------------------------------------


@dataclass
class Slow:
    name: str
    head: bytes
    drip: bytes
    interval: float
    closed_after: float | None = None
    reply: bytes = b""


def _drip(port: int, slow: Slow, limit: float) -> None:
    """Send ``head`` at once, then ``drip`` a byte per ``interval``; note when the host cuts it."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=limit) as sock:
        sock.settimeout(slow.interval)
        if slow.head:
            sock.sendall(slow.head)
        i = 0
        while time.monotonic() - started < limit:
            if i < len(slow.drip):
                try:
                    sock.sendall(slow.drip[i : i + 1])
                except OSError:
                    break
                i += 1
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            slow.reply += chunk
        else:
            return
    slow.closed_after = time.monotonic() - started


def test_slow_senders_are_cut_in_bounded_time(host: app.Served) -> None:
    """Slowloris: headers or bodies trickling a byte at a time, or stalling, cannot hold a
    connection: the headers must arrive within keep_alive_timeout, the body within
    read_timeout (a trickled or stalled body gets 408), and other senders are served
    meanwhile."""
    body_head = b"POST /webhooks/open HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n"
    chunked_head = b"POST /webhooks/open HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    headers = b"POST /webhooks/open HTTP/1.1\r\nHost: h\r\nX-Pad: " + b"a" * 1000
    kinds = [
        ("headers trickle", b"", headers, 0.2),
        ("headers stall", headers[:40], b"", 0.2),
        ("body trickle", body_head, b"x" * 1000, 0.2),
        ("body stall", body_head + b"{", b"", 0.2),
        ("chunked trickle", chunked_head, b"1\r\nx\r\n" * 200, 0.1),
        ("chunked stall", chunked_head + b"10\r\nabc", b"", 0.2),
    ]
    slows = [
        Slow(f"{name} #{i}", head, drip, iv) for name, head, drip, iv in kinds for i in range(4)
    ]
    limit = 30.0
    threads = [threading.Thread(target=_drip, args=(host.port, s, limit)) for s in slows]
    for t in threads:
        t.start()
    time.sleep(0.5)
    # while two dozen slow senders hold connections, others are served
    assert_healthy(host, "during-slowloris")
    for t in threads:
        t.join(limit + 10)
    bound = max(READ_TIMEOUT, KEEP_ALIVE) + 4  # one timeout each, with slack for the machine
    for s in slows:
        assert s.closed_after is not None, f"{s.name}: still open after {limit} s"
        assert s.closed_after < bound, f"{s.name}: cut after {s.closed_after:.1f} s"
        status = s.reply[9:12]
        assert status in (b"", b"400", b"408"), f"{s.name}: {s.reply[:80]!r}"
        if s.name.startswith("body") or s.name.startswith("chunked"):
            assert status == b"408", f"{s.name}: {s.reply[:80]!r}"  # trickled or stalled
    assert_healthy(host, "after-slowloris")


# -- lone surrogates in what a job logs or returns ------------------------------------------------


async def test_surrogates_in_job_output_do_not_wedge_a_run(tmp_path: Path) -> None:
    from hookpoint import Hookpoint
    from hookpoint._server import HookpointServer
    from hookpoint._settings import Settings

    hp = Hookpoint(id="surrogates")
    ep = hp.define_http_endpoint(id="o", source="x", verify="none")

    @hp.job(id="echo", trigger=ep.on_request(), retry={"max_attempts": 1})
    async def echo(request: Any, io: Any, ctx: Any) -> Any:
        data = await request.json()
        await io.logger.info("got", data)
        return data

    settings = Settings(database_url=f"sqlite:///{tmp_path / 's.db'}", lease_seconds=2)
    server = HookpointServer(hp, settings)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            r = await client.post("/webhooks/o", content=BODIES["lone surrogate escapes"])
            assert r.status_code == 200
            for _ in range(50):
                await asyncio.sleep(0.1)
                runs = (await client.get("/api/runs")).json()["items"]
                if runs and runs[0]["status"] == "succeeded":
                    break
            assert runs[0]["status"] == "succeeded", runs
            detail = (await client.get(f"/api/runs/{runs[0]['id']}")).json()
            assert detail["logs"], "the log line was dropped"


# -- several worker processes -----------------------------------------------------------------


def test_spawned_worker_processes_also_answer_smuggling_probes_with_400(tmp_path: Path) -> None:
    """With ``--workers 2`` hypercorn spawns fresh processes; they too turn h11's 501 hint for
    an unknown transfer coding into a 400 (``hookpoint._serve.worker_app``)."""
    with app.served(tmp_path, args=("--workers", "2")) as host:
        for value in (b"gzip", b"chunked, chunked", b"identity"):
            data = request(
                "POST",
                headers=[(b"Transfer-Encoding", value)],
                body=b"2\r\n{}\r\n0\r\n\r\n",
                length=False,
            )
            for _ in range(4):  # connections land on either process
                assert run_case(host.port, Case("te", data, ok(400))) == [400]
        assert_healthy(host, "workers")


def test_spawned_worker_processes_log_like_the_parent(tmp_path: Path) -> None:
    """Each spawned worker process configures logging from ``HOOKPOINT_LOG_LEVEL`` (its own
    start-up lines and warnings are not lost or unformatted), and hypercorn's lines come once
    each, in the host's format."""
    with app.served(tmp_path, args=("--workers", "2"), env={"HOOKPOINT_LOG_LEVEL": "INFO"}) as host:
        deadline = time.monotonic() + 30
        text = host.log_text()
        while time.monotonic() < deadline:
            text = host.log_text()
            started = re.findall(r"INFO hookpoint\.worker: worker \S+ started", text)
            if len(started) >= 2 and text.count("Running on") >= 2:
                break
            time.sleep(0.2)
    started = re.findall(r"INFO hookpoint\.worker: worker (\S+) started", text)
    assert len(set(started)) == 2, text  # one in-process worker per spawned process
    running = [line for line in text.splitlines() if "Running on" in line]
    assert len(running) == 2, running
    assert all(" INFO hypercorn.error: Running on" in line for line in running), running


def test_a_killed_worker_process_stops_the_server_with_a_failure_exit(tmp_path: Path) -> None:
    """hypercorn stops every worker once one dies; ``hookpoint serve`` then exits non-zero and
    says why, so that a supervisor with ``Restart=on-failure`` brings it back."""
    import os
    import signal

    with app.served(tmp_path, args=("--workers", "2")) as host:
        children = Path(f"/proc/{host.pid}/task/{host.pid}/children").read_text().split()
        workers = [
            int(pid)
            for pid in children
            if "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
        ]
        assert len(workers) == 2, children
        os.kill(workers[0], signal.SIGKILL)
        host.proc.wait(timeout=30)
        assert host.proc.returncode == 1, host.log_text()
        assert "a worker process exited unexpectedly; hypercorn stopped" in host.log_text()


def test_supervisor_signal_handlers_ignore_a_signal_during_the_previous_one() -> None:
    """A second SIGTERM landing inside hypercorn's supervisor handler (which holds a lock while
    it sets its shutdown event) must not run the handler again on the same thread."""
    import os
    import signal

    import hypercorn.run

    from hookpoint._serve import guard_supervisor_signals

    guard_supervisor_signals()
    guard_supervisor_signals()  # idempotent
    calls: list[int] = []

    def handler(signum: int, frame: object) -> None:
        calls.append(signum)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGUSR1)  # arrives while this handler still runs
            for _ in range(1000):  # Python runs pending handlers between these bytecodes
                pass

    previous = signal.getsignal(signal.SIGUSR1)
    try:
        hypercorn.run.signal.signal(signal.SIGUSR1, handler)  # type: ignore[attr-defined]
        os.kill(os.getpid(), signal.SIGUSR1)
        for _ in range(1000):
            pass
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert calls == [signal.SIGUSR1]


@pytest.mark.parametrize("how", ["SIGTERM to the server", "SIGINT to the group (Ctrl-C)"])
def test_a_requested_stop_of_several_workers_exits_cleanly(tmp_path: Path, how: str) -> None:
    import os
    import signal

    with app.served(tmp_path, args=("--workers", "2")) as host:
        if how.startswith("SIGTERM"):
            os.kill(host.pid, signal.SIGTERM)
        else:
            os.killpg(host.pid, signal.SIGINT)
        host.proc.wait(timeout=30)
        assert host.proc.returncode == 0, host.log_text()
        assert "hypercorn stopped the server" not in host.log_text()
