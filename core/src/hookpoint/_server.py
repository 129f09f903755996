"""The host: one ASGI app that composes the lean webhook handler and the Quart app (management
API, health, metrics, dashboard) over the app's :class:`~hookpoint._runtime.Runtime` (store,
shared httpx client, in-process worker, retention, and the app's operations).

``HookpointServer(hp, settings)`` is what ``hookpoint serve`` runs under hypercorn; tests drive it
in-process with ``async with server.running(): ...`` and ``httpx.ASGITransport(server)``.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

from quart import Quart

from ._api import register_api
from ._app import Hookpoint
from ._dashboard import register_dashboard
from ._engine import Worker
from ._http import AsyncClient
from ._ingest import BOTH_FRAMINGS, IngestHandler, Receive, Scope, Send, send_json
from ._metrics import Metrics
from ._ratelimit import RateLimiter
from ._runtime import Runtime
from ._settings import Settings
from .store import Store

__all__ = ["QUART_BODY_LIMIT", "HookpointServer"]

log = logging.getLogger("hookpoint")

QUART_BODY_LIMIT = 64 * 1024
"""The largest body any route outside the webhook prefix takes (the API and dashboard take
small forms and JSON); larger ones are refused from ``Content-Length`` before Quart sees them,
and Quart cuts the rest while reading. (The dashboard's forms are bounded further, see
``_dashboard.read_form``.)"""


class HookpointServer:
    """An ASGI application serving one :class:`Hookpoint` app.

    * **hp** - the app (endpoints and jobs).
    * **settings** - host settings (default: from ``HOOKPOINT_*`` environment variables).
    * **store** - an unopened store (default: ``open_store(settings.database_url)``).
    * **run_worker** - run jobs in this process (default: ``not settings.no_worker``).
    * **http_transport** - an httpx transport for the shared client (tests: MockTransport).
    """

    def __init__(
        self,
        hp: Hookpoint,
        settings: Settings | None = None,
        *,
        store: Store | None = None,
        run_worker: bool | None = None,
        http_transport: Any = None,
    ) -> None:
        self.hp = hp
        self.settings = settings or Settings()
        self.metrics = Metrics()
        self.runtime = Runtime(
            hp,
            self.settings,
            store=store,
            run_worker=(not self.settings.no_worker) if run_worker is None else run_worker,
            retention=True,
            alerting=True,
            metrics=self.metrics,
            http_transport=http_transport,
        )
        limiter = RateLimiter(self.settings.rate_limit, self.settings.global_rate_limit)
        self.ingest = IngestHandler(
            self.runtime,
            metrics=self.metrics,
            rate_limiter=limiter if limiter.enabled else None,
        )
        self.prefix = self.settings.webhook_prefix + "/"
        self._started = False
        self.quart = Quart("hookpoint")
        self.quart.config["MAX_CONTENT_LENGTH"] = QUART_BODY_LIMIT
        self.quart.config["MAX_FORM_MEMORY_SIZE"] = QUART_BODY_LIMIT
        self.quart.config["MAX_FORM_PARTS"] = 64
        self.quart.config["BODY_TIMEOUT"] = max(1, math.ceil(self.settings.read_timeout))
        register_api(self)
        register_dashboard(self)

    @property
    def store(self) -> Store:
        return self.runtime.store

    @property
    def worker(self) -> Worker | None:
        """The in-process worker while the server runs one."""
        return self.runtime.worker

    @property
    def http(self) -> AsyncClient | None:
        """The app's shared httpx client while the server runs."""
        return self.runtime.http

    # -- lifecycle --------------------------------------------------------------------------------
    async def startup(self) -> None:
        if self._started:
            return
        await self.runtime.open()
        await self.quart.startup()
        self._started = True
        # Quart's p99 tail is GC of start-up garbage: collect once, freeze it (docs/benchmarks.md).
        gc.collect()
        gc.freeze()

    async def shutdown(self) -> None:
        if not self._started:
            return
        self._started = False
        with contextlib.suppress(Exception):
            await self.quart.shutdown()
        await self.runtime.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[HookpointServer]:
        await self.startup()
        try:
            yield self
        finally:
            await self.shutdown()

    # -- ASGI -------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" and scope["path"].startswith(self.prefix):
            await self.ingest(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "http":
            refusal = _refuse_framing(scope)
            if refusal is not None:
                await refusal(send)
            else:
                await self.quart(scope, receive, send)  # type: ignore[arg-type]
        else:
            await self.quart(scope, receive, send)  # type: ignore[arg-type]

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.exception("start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.shutdown()
                finally:
                    await send({"type": "lifespan.shutdown.complete"})
                return


def _refuse_framing(scope: Scope) -> Callable[[Send], Awaitable[None]] | None:
    """How to refuse a request to a Quart route from its headers alone, before anything reads
    its body (so hypercorn sends no ``100 Continue`` for it either); None to serve it.

    ``Content-Length`` with ``Transfer-Encoding`` is the request-smuggling probe: 400 and close,
    as the ingest path does (RFC 9112 §6.3). A ``Content-Length`` over ``QUART_BODY_LIMIT``:
    413 and close."""
    declared: bytes | None = None
    chunked = False
    for name, value in scope.get("headers") or ():
        lowered = name.lower()
        if lowered == b"content-length":
            declared = value
        elif lowered == b"transfer-encoding":
            chunked = True
    if declared is None:
        return None
    if chunked:
        return partial(_refuse, 400, "bad_request", BOTH_FRAMINGS)
    try:
        too_large = int(declared.strip()) > QUART_BODY_LIMIT
    except ValueError:
        return None  # hypercorn (h11) has already refused a malformed Content-Length
    if too_large:
        return partial(
            _refuse, 413, "payload_too_large", f"body larger than {QUART_BODY_LIMIT} bytes"
        )
    return None


async def _refuse(status: int, error: str, message: str, send: Send) -> None:
    await send_json(send, status, {"error": error, "message": message}, [(b"connection", b"close")])
