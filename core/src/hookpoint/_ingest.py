"""The webhook hot path: a lean ASGI handler for ``ANY <prefix>/<endpoint_id>``.

The life of a request, in order: endpoint lookup (404) → rate limit (429) → body
limit (413, on Content-Length before reading and while reading; 408 for a body that takes
longer than ``read_timeout`` to arrive, see ``_Deadlines``) → snapshot → handshake
(``respond_with`` or the provider's challenge hook; answered at once) → method check (405) →
verification over the raw bytes (401, or the refusal's own 4xx ``Verification.status``,
recorded as rejected) → event description → the dedupe key (``Endpoint.dedupe``: the
provider's event id, or a header or callable, read only now) →
dedupe and durable ingest in one group-committed transaction → 200 ``{"id": ...}``. A store
failure is a 503 with ``Retry-After``, never a 200. Senders never see a traceback or a secret.
docs/architecture.md follows the same path with the store and the worker around it.

It is plain ASGI rather than a Quart route because per-request framework overhead dominates
this path (docs/benchmarks.md); everything else is served by Quart.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._app import Endpoint, Response, call_verify, normalise_verification
from ._auth import forwarded_client
from ._dedupe import bound_key
from ._errors import StoreError
from ._models import ChallengeResponse, EventInfo, Verification
from ._request import WebhookRequest
from ._secrets import metadata_headers, metadata_url
from .store import NewRequest, RejectedRequest, new_id

if TYPE_CHECKING:
    from ._metrics import Metrics
    from ._ratelimit import RateLimiter
    from ._runtime import Runtime

__all__ = ["BOTH_FRAMINGS", "IngestHandler", "send_json"]

log = logging.getLogger("hookpoint.ingest")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_JSON = [(b"content-type", b"application/json")]
BOTH_FRAMINGS = "both Content-Length and Transfer-Encoding"
"""Why a request with both framings (the request-smuggling probe) gets 400, on every route."""
_SECURITY = [(b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store")]


class _Reject(Exception):
    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers or []


class _Deadlines:
    """Cuts request bodies that take longer than ``limit`` seconds to arrive.

    ``asyncio.timeout()`` per request puts a timer into the loop's heap and cancels it again
    for every request: ~9 us a request, measured in-process, on a path that costs ~60 in all.
    Here one periodic check (every ``tick`` seconds, only while bodies are being read) cancels
    the reads that are overdue, so a body is cut between ``limit`` and ``limit + tick``
    seconds after its read began, and a request costs two dict operations."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.tick = min(1.0, limit / 4)
        self._reading: dict[asyncio.Task[Any], tuple[float, int]] = {}
        """Tasks reading a body: (deadline, how often the task was being cancelled before)."""
        self._expired: set[asyncio.Task[Any]] = set()
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, task: asyncio.Task[Any]) -> None:
        loop = task.get_loop()
        self._reading[task] = (loop.time() + self.limit, task.cancelling())
        if self._handle is None or self._loop is not loop:
            self._loop = loop
            self._handle = loop.call_later(self.tick, self._sweep, loop)

    def stop(self, task: asyncio.Task[Any]) -> None:
        self._reading.pop(task, None)
        self._expired.discard(task)

    def expired(self, task: asyncio.Task[Any]) -> bool:
        """Whether this CancelledError is our doing (then the task is uncancelled); False when
        somebody else cancelled the task too, e.g. a server shutting down."""
        if task not in self._expired:
            return False
        self._expired.discard(task)
        _, cancelling = self._reading.get(task, (0.0, 0))
        return task.uncancel() <= cancelling

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        self._handle = None
        if loop is not self._loop:
            return
        now = loop.time()
        for task, (deadline, _) in list(self._reading.items()):
            if deadline <= now and task not in self._expired:
                self._expired.add(task)
                task.cancel()
        if self._reading:
            self._handle = loop.call_later(self.tick, self._sweep, loop)


class _AwaitableVerification(Verification):
    """A Verification that may also be awaited (``await verify()`` in respond_with handlers)."""

    def __await__(self) -> Generator[None, None, _AwaitableVerification]:
        return _completed(self).__await__()


async def _completed(value: _AwaitableVerification) -> _AwaitableVerification:
    return value


class _PendingVerification:
    """``verify()`` in a respond_with handler when the endpoint's verify callable is async: it
    must be awaited. Used as a truth value it would always be true, so that raises instead."""

    __slots__ = ("_pending",)

    def __init__(self, pending: Coroutine[Any, Any, _AwaitableVerification]) -> None:
        self._pending = pending

    def __await__(self) -> Generator[Any, None, _AwaitableVerification]:
        return self._pending.__await__()

    def __bool__(self) -> bool:
        self._pending.close()
        raise TypeError(
            "this endpoint's verify callable is async: use `await verify()` in the "
            "respond_with handler"
        )


async def _send(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    given = {name for name, _ in headers}
    extra = [h for h in _SECURITY if h[0] not in given]  # a reply may set its own (Dropbox)
    if status in (204, 304):  # no content, and no Content-Length either (RFC 9110 §8.6)
        body = b""
    else:
        extra.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *extra]})
    await send({"type": "http.response.body", "body": body})


def _ok_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    """The headers of the hot path's 200 (what ``_send`` gives a JSON answer, built at once)."""
    return [*_OK_HEADERS, (b"content-length", b"%d" % len(body))]


_OK_HEADERS = (*_JSON, *_SECURITY)


async def send_json(
    send: Send,
    status: int,
    payload: Mapping[str, Any],
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    await _send(
        send,
        status,
        json.dumps(payload, separators=(",", ":")).encode(),
        [*_JSON, *(headers or [])],
    )


class IngestHandler:
    """ASGI callable for webhook requests of one :class:`Hookpoint` app."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        metrics: Metrics | None = None,
        rate_limiter: RateLimiter | None = None,
        on_ingested: Callable[[], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.hp = runtime.hp
        self.store = runtime.store
        self.settings = settings = runtime.settings
        self.prefix = settings.webhook_prefix + "/"
        self.max_body = settings.max_body_size
        self.read_timeout = settings.read_timeout
        self._deadlines = _Deadlines(settings.read_timeout)
        self.trusted = settings.trusted_proxy_set
        self.metrics = metrics
        self.rate_limiter = rate_limiter
        self.on_ingested = on_ingested

    # -- ASGI -------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        endpoint_id = "-"
        outcome = "error"
        try:
            endpoint_id = scope["path"][len(self.prefix) :]
            if endpoint_id.endswith("/"):
                endpoint_id = endpoint_id[:-1]
            outcome = await self._handle(scope, receive, send, endpoint_id)
        except _Reject as rej:
            outcome = rej.error
            await send_json(
                send, rej.status, {"error": rej.error, "message": rej.message}, rej.headers
            )
        except StoreError as exc:
            outcome = "store_unavailable"
            log.error("store failure on %s: %s", endpoint_id, exc)
            self.runtime.store_failed()
            await send_json(
                send,
                503,
                {
                    "error": "store_unavailable",
                    "message": "temporarily unable to store; retry later",
                },
                [(b"retry-after", b"5")],
            )
        except Exception:
            outcome = "error"
            log.exception("unexpected error handling a webhook for %r", endpoint_id)
            await send_json(send, 500, {"error": "internal", "message": "internal error"})
        finally:
            if self.metrics is not None:
                known = endpoint_id if endpoint_id in self.hp.endpoints else "-"
                self.metrics.observe_ingest(known, outcome, time.perf_counter() - started)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, endpoint_id: str) -> str:
        endpoint = self.hp.endpoints.get(endpoint_id)
        if endpoint is None or not endpoint.enabled:
            raise _Reject(404, "not_found", "no such endpoint")
        if self.rate_limiter is not None:
            wait = self.rate_limiter.check(endpoint_id)
            if wait > 0:
                raise _Reject(
                    429,
                    "rate_limited",
                    "too many requests; retry later",
                    [(b"retry-after", str(max(1, int(wait + 0.999))).encode())],
                )
        raw_headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
        body = await self._read_body(raw_headers, receive)
        request = self._snapshot(scope, raw_headers, body, endpoint)

        # 1. handshakes, answered at once
        answered = await self._handshake(endpoint, request, send)
        if answered is not None:
            return answered
        # 2. method
        _check_method(endpoint, request)
        # 3. verification over the raw bytes
        verification = await self._verify(endpoint, request)
        if not verification:
            await self._record_rejected(endpoint, request, verification.reason)
            raise _Reject(
                verification.status or 401,
                "unauthorized",
                verification.reason or "verification failed",
            )
        result = await self._ingest(endpoint, request, verification)
        # The ids are our own (base32), so the answer needs no JSON encoder.
        body = b'{"id":"%s","duplicate":%s,"runs":%d}' % (
            result["id"].encode("ascii"),
            b"true" if result["duplicate"] else b"false",
            result["runs"],
        )
        await send({"type": "http.response.start", "status": 200, "headers": _ok_headers(body)})
        await send({"type": "http.response.body", "body": body})
        return "duplicate" if result["duplicate"] else "accepted"

    # -- steps ------------------------------------------------------------------------------------
    async def _read_body(self, headers: list[tuple[bytes, bytes]], receive: Receive) -> bytes:
        declared: int | None = None
        chunked = False
        for name, value in headers:
            lowered = name.lower()
            if lowered == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    raise _Reject(400, "bad_request", "invalid Content-Length") from None
                if length < 0 or (declared is not None and declared != length):
                    raise _Reject(400, "bad_request", "invalid Content-Length")
                declared = length
            elif lowered == b"transfer-encoding":
                chunked = True
        if chunked and declared is not None:
            # Both framings at once is the classic request-smuggling probe (RFC 9112 §6.3: a
            # server may refuse it, and must close the connection either way).
            raise _Reject(400, "bad_request", BOTH_FRAMINGS, [(b"connection", b"close")])
        if declared is not None and declared > self.max_body:
            raise _Reject(413, "payload_too_large", f"body larger than {self.max_body} bytes")
        chunks: list[bytes] = []
        size = 0
        # The whole body must arrive within read_timeout, so a sender trickling a byte at a
        # time, or stalling, cannot hold the connection. (hypercorn's own read_timeout would
        # wrap every socket read of every connection in asyncio.wait_for.)
        task = asyncio.current_task()
        assert task is not None
        deadlines = self._deadlines
        deadlines.start(task)
        try:
            while True:
                message = await receive()
                if message.get("type") == "http.disconnect":
                    raise _Reject(400, "bad_request", "client disconnected")
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > self.max_body:
                        raise _Reject(
                            413, "payload_too_large", f"body larger than {self.max_body} bytes"
                        )
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        except asyncio.CancelledError:
            if deadlines.expired(task):
                raise _Reject(
                    408,
                    "request_timeout",
                    f"the body did not arrive within {self.read_timeout:g} s",
                    [(b"connection", b"close")],
                ) from None
            raise
        finally:
            deadlines.stop(task)
        return b"".join(chunks)

    def _snapshot(
        self, scope: Scope, raw_headers: list[tuple[bytes, bytes]], body: bytes, endpoint: Endpoint
    ) -> WebhookRequest:
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers]
        client = scope.get("client")
        client_ip = client[0] if client else None
        scheme = scope.get("scheme", "http")
        host = None
        if client_ip is not None and client_ip in self.trusted:
            for k, v in headers:
                lk = k.lower()
                if lk == "x-forwarded-proto" and v:
                    scheme = v.split(",")[0].strip().lower() or scheme
                elif lk == "x-forwarded-host" and v:
                    host = v.split(",")[0].strip()
                elif lk == "x-forwarded-for" and v:
                    client_ip = forwarded_client(v, self.trusted) or client_ip
        if host is None:
            for k, v in headers:
                if k.lower() == "host":
                    host = v
                    break
        if not host:
            server = scope.get("server")
            host = f"{server[0]}:{server[1]}" if server else "localhost"
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        qs = scope.get("query_string", b"").decode("latin-1")
        url = f"{scheme}://{host}{path}" + (f"?{qs}" if qs else "")
        provider = self.hp.plugins.providers.get(endpoint.provider) if endpoint.provider else None
        return WebhookRequest(
            method=scope.get("method", "GET"),
            url=url,
            headers=headers,
            body=body,
            client=client_ip,
            endpoint_id=endpoint.id,
            payload_model=provider.payload_model if provider is not None else None,
        )

    async def _handshake(
        self, endpoint: Endpoint, request: WebhookRequest, send: Send
    ) -> str | None:
        rw = endpoint.respond_with
        if rw is not None and rw._compiled is not None and rw._compiled.matches(request):
            verification: Verification | None = None

            def settle(result: Verification) -> _AwaitableVerification:
                nonlocal verification
                verification = result
                return _AwaitableVerification.model_validate(result.model_dump())

            async def finish(pending: Awaitable[Any]) -> _AwaitableVerification:
                try:
                    result = normalise_verification(await pending)
                except Exception:
                    result = _verify_callable_raised(endpoint)
                return settle(result)

            def verify() -> _AwaitableVerification | _PendingVerification:
                """What the handler gets: computed once, on the first call. ``await verify()``
                always works; a plain ``verify()`` too, unless the endpoint's own verify
                callable is async."""
                if verification is not None:
                    return settle(verification)
                own = endpoint.verify
                if endpoint.provider is not None or not callable(own):
                    return settle(self._verify_provider_or_none(endpoint, request))
                try:
                    result = own(request)
                except Exception:
                    return settle(_verify_callable_raised(endpoint))
                if inspect.isawaitable(result):
                    return _PendingVerification(finish(result))
                return settle(normalise_verification(result))

            value = rw.handler(request, verify)
            if inspect.isawaitable(value):
                value = await value
            status, headers, body = await _to_response(value)
            if rw.skip_triggering_runs:
                if status < 400:
                    await self._record_handshake(endpoint, request)
                else:  # a refused handshake is a rejected request: capped, like a 401
                    await self._record_rejected(endpoint, request, "handshake rejected")
                await _send(send, status, body, headers)
                return "handshake" if status < 400 else "handshake_rejected"
            if not 200 <= status < 300:
                # Trigger.dev v2's rule: an answer that is not a success refuses the request,
                # which starts no runs (its HandleHttpEndpointService returns the endpoint's
                # response before ingesting when it is not a 200; 2xx here, see "Coming from
                # Trigger.dev v2" in docs/python-api.md). The sender gets the handler's answer
                # unchanged; the request is kept as a rejected one.
                await self._record_rejected(
                    endpoint, request, f"respond_with handler answered {status}"
                )
                await _send(send, status, body, headers)
                return "refused"
            # A 2xx: the handler's answer goes back, and the request is verified (the verdict
            # the handler saw is reused), stored and run. It still has to verify: a forged
            # request gets 401 whatever the handler said, and never starts runs.
            # (The app's own filter chose this request, so methods= does not apply here.)
            result = await self._accept(endpoint, request, verification)
            await _send(send, status, body, headers)
            return "duplicate" if result["duplicate"] else "accepted"
        if endpoint.provider is not None and endpoint.settings is not None:
            try:
                reply = self.hp.plugins.challenge(
                    endpoint.provider, request, endpoint.settings, endpoint.secrets
                )
            except Exception:
                log.exception("provider %s raised in its challenge hook", endpoint.provider)
                reply = None
            if reply is not None:
                return await self._answer_challenge(endpoint, request, reply, send)
        return None

    async def _answer_challenge(
        self, endpoint: Endpoint, request: WebhookRequest, reply: ChallengeResponse, send: Send
    ) -> str:
        headers = [(b"content-type", reply.content_type.encode("latin-1"))]
        headers += [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()
        ]
        if reply.status >= 400:
            await self._record_rejected(endpoint, request, reply.reason or "handshake rejected")
            await _send(send, reply.status, reply.body, headers)
            return "handshake_rejected"
        if reply.skip_triggering_runs:
            await self._record_handshake(endpoint, request)
            await _send(send, reply.status, reply.body, headers)
            return "handshake"
        # A delivery the provider answers itself (a Slack slash command's empty 200, a Discord
        # event's 204): method-checked, verified, stored and run like any other, and answered
        # this way only when it verifies.
        _check_method(endpoint, request)
        result = await self._accept(endpoint, request)
        await _send(send, reply.status, reply.body, headers)
        return "duplicate" if result["duplicate"] else "accepted"

    async def _accept(
        self, endpoint: Endpoint, request: WebhookRequest, verification: Verification | None = None
    ) -> dict[str, Any]:
        """A delivery answered by the app or the provider: verified (unless it was already),
        kept as rejected with a 401 when it is not, else stored with its runs. (The common
        path in ``_handle`` does the same inline: it is the hot path.)"""
        ver = verification if verification is not None else await self._verify(endpoint, request)
        if not ver:
            await self._record_rejected(endpoint, request, ver.reason)
            raise _Reject(ver.status or 401, "unauthorized", ver.reason or "verification failed")
        return await self._ingest(endpoint, request, ver)

    def _verify_provider_or_none(self, endpoint: Endpoint, request: WebhookRequest) -> Verification:
        if endpoint.provider is not None and endpoint.settings is not None:
            return self.hp.plugins.verify(
                endpoint.provider, request, endpoint.settings, endpoint.secrets, time.time()
            )
        if endpoint.verify == "none":
            return Verification.verified(unsigned=True)
        return Verification.refused("verification failed")  # not reached: define_http_endpoint

    async def _verify(self, endpoint: Endpoint, request: WebhookRequest) -> Verification:
        if endpoint.provider is not None or endpoint.verify == "none":
            return self._verify_provider_or_none(endpoint, request)
        assert callable(endpoint.verify)
        try:
            return await call_verify(endpoint.verify, request)
        except Exception:
            return _verify_callable_raised(endpoint)

    async def _ingest(
        self, endpoint: Endpoint, request: WebhookRequest, verification: Verification
    ) -> dict[str, Any]:
        info: EventInfo | None = None
        if endpoint.provider is not None and endpoint.settings is not None:
            info = self.hp.plugins.describe(endpoint.provider, request, endpoint.settings)
            if info is not None:
                request = request._with_event(info)
        event_id = _escape_for_store(info.id) if info else None
        rule = endpoint.dedupe
        dedupe_key: str | None = None  # a key other than the event id (provider + dedupe=)
        if rule.by == "event_id":
            dedupe_on = event_id
        elif rule.by == "off":
            dedupe_on = None
        else:  # read here, once the request has verified: a forgery never uses up a key
            raw = rule.raw_key(request, endpoint.id)
            dedupe_on = None if raw is None else bound_key(_escape_for_store(raw) or "")
            if endpoint.provider is not None:
                dedupe_key = dedupe_on  # the provider's event id stays the request's own
            elif dedupe_on is not None:
                # Without a provider the key is the request's event id: shown in listings,
                # ctx.event_id, and `event.id` for filters (as a replay will see it too).
                event_id = dedupe_on
                info = EventInfo(id=dedupe_on)
                request = request._with_event(info)
        runs = self.runtime.runs_for(endpoint, request)
        if endpoint.verify == "none":
            mode = "none"
        elif verification.unsigned:
            mode = "unsigned"
        else:
            mode = "verified"
        record = NewRequest(
            id=new_id(),
            endpoint_id=endpoint.id,
            method=request.method,
            url=request.url,
            headers=tuple(request.headers.items()),
            body=request.body,
            received_at=request.received_at.timestamp(),
            client=request.client,
            status="accepted",
            verification=mode,
            event_type=_escape_for_store(info.type) if info else None,
            event_id=event_id,
            event_time=_timestamp(info.time) if info else None,
            dedupe_window=endpoint.dedupe_window if dedupe_on else 0.0,
            runs=runs,
            dedupe_key=dedupe_key,
        )
        result = await self.store.ingest(record)
        if result.run_ids and self.on_ingested is not None:
            self.on_ingested()
        return {"id": result.request_id, "duplicate": result.duplicate, "runs": len(result.run_ids)}

    async def _record_handshake(self, endpoint: Endpoint, request: WebhookRequest) -> None:
        record = NewRequest(
            id=new_id(),
            endpoint_id=endpoint.id,
            method=request.method,
            url=metadata_url(request.url),
            headers=tuple(metadata_headers(request.headers.items())),
            body=b"",  # a handshake's body is not kept, only its size
            received_at=request.received_at.timestamp(),
            client=request.client,
            status="handshake",
            verification="none",
            body_size=len(request.body),
        )
        try:
            await self.store.ingest(record)
        except StoreError as exc:  # the handshake answer does not depend on it
            log.warning("could not record a handshake for %s: %s", endpoint.id, exc)

    async def _record_rejected(
        self, endpoint: Endpoint, request: WebhookRequest, reason: str
    ) -> None:
        record = RejectedRequest(
            id=new_id(),
            endpoint_id=endpoint.id,
            method=request.method,
            url=metadata_url(request.url),
            headers=tuple(metadata_headers(request.headers.items())),
            reason=_escape_for_store(reason) or "rejected",
            received_at=request.received_at.timestamp(),
            client=request.client,
            body_size=len(request.body),
        )
        try:
            await self.store.record_rejected(record)
        except StoreError as exc:  # the 401 does not depend on it
            log.warning("could not record a rejected request for %s: %s", endpoint.id, exc)


def _check_method(endpoint: Endpoint, request: WebhookRequest) -> None:
    """405 with ``Allow`` for a method the endpoint does not take deliveries by."""
    if request.method not in endpoint.methods:
        raise _Reject(
            405,
            "method_not_allowed",
            f"{request.method} is not accepted here",
            [(b"allow", ", ".join(endpoint.methods).encode())],
        )


def _verify_callable_raised(endpoint: Endpoint) -> Verification:
    """The verdict when an endpoint's own verify callable raised (call inside ``except``): the
    traceback goes to the log, the sender only hears ``verification error``."""
    log.exception("verify callable of endpoint %s raised; request rejected", endpoint.id)
    return Verification.refused("verification error")


def _escape_for_store(text: str | None) -> str | None:
    """``text`` as every store can keep it.

    Event types and ids come from the sender's JSON, where ``"\\ud800"`` (a lone surrogate)
    and ``"\\u0000"`` are valid: UTF-8 cannot encode the first and PostgreSQL text cannot hold
    the second, so the commit would fail and a valid, signed delivery would get 503 at every
    retry. Both are kept as visible escapes (distinct values stay distinct for dedupe).
    """
    if text is None or (text.isascii() and "\x00" not in text):
        return text
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def _timestamp(moment: datetime | None) -> float | None:
    """Unix seconds of a provider's event time; None when it has none a float can express
    (a naive datetime in year 1 makes ``timestamp()`` raise)."""
    if moment is None:
        return None
    try:
        return moment.timestamp()
    except (ValueError, OverflowError, OSError):
        return None


async def _to_response(value: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Turn what a respond_with handler returned into (status, headers, body)."""
    status = 200
    headers: dict[str, str] = {}
    if isinstance(value, tuple):
        if len(value) == 2:
            value, status = value
        elif len(value) == 3:
            value, status, extra = value
            headers.update(dict(extra))
        else:
            raise TypeError("a respond_with handler returned a tuple of the wrong length")
    if isinstance(value, Response):
        status = value.status if status == 200 else status
        headers = {**value.headers, **headers}
        value = value.body
    if hasattr(value, "get_data") and hasattr(value, "status_code"):  # a Quart/Werkzeug response
        status = int(value.status_code)
        headers = {**{k: v for k, v in value.headers.items()}, **headers}
        value = await value.get_data()
    if isinstance(value, bytes):
        body = value
        headers.setdefault("Content-Type", "application/octet-stream")
    elif isinstance(value, str):
        body = value.encode()
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
    elif value is None:
        body = b""
    else:
        body = json.dumps(value).encode()
        headers.setdefault("Content-Type", "application/json")
    lower = {k.lower() for k in headers}
    out = [
        (k.lower().encode("latin-1"), str(v).encode("latin-1"))
        for k, v in headers.items()
        if k.lower() != "content-length"
    ]
    if "content-type" not in lower:
        out.append((b"content-type", b"text/plain; charset=utf-8"))
    return int(status), out, body
