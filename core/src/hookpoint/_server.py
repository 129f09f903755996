"""The host: one ASGI app that composes the lean webhook handler, the Quart app (management
API, health, metrics, dashboard), the store, the shared httpx client and the in-process worker.

``HookpointServer(hp, settings)`` is what ``hookpoint serve`` runs under hypercorn; tests drive it
in-process with ``async with server.running(): ...`` and ``httpx.ASGITransport(server)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

from quart import Quart

from ._api import register_api
from ._app import Hookpoint
from ._convert import redescribe, replay_source
from ._dashboard import register_dashboard
from ._engine import Worker
from ._errors import StoreError
from ._http import AsyncClient, new_client
from ._ingest import BOTH_FRAMINGS, IngestHandler, Receive, Scope, Send, send_json
from ._metrics import Metrics
from ._ratelimit import RateLimiter
from ._settings import Settings
from .store import NewRun, Store, StoredRequest, open_store

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
        self.store = (
            store
            if store is not None
            else open_store(
                self.settings.database_url, synchronous=self.settings.sqlite_synchronous
            )
        )
        self.run_worker = (not self.settings.no_worker) if run_worker is None else run_worker
        self.metrics = Metrics()
        limiter = RateLimiter(self.settings.rate_limit, self.settings.global_rate_limit)
        self.ingest = IngestHandler(
            hp,
            self.store,
            self.settings,
            metrics=self.metrics,
            rate_limiter=limiter if limiter.enabled else None,
        )
        self.prefix = self.settings.webhook_prefix + "/"
        self.http: AsyncClient | None = None
        self._http_transport = http_transport
        self.worker: Worker | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False
        self.quart = Quart("hookpoint")
        self.quart.config["MAX_CONTENT_LENGTH"] = QUART_BODY_LIMIT
        self.quart.config["MAX_FORM_MEMORY_SIZE"] = QUART_BODY_LIMIT
        self.quart.config["MAX_FORM_PARTS"] = 64
        self.quart.config["BODY_TIMEOUT"] = max(1, math.ceil(self.settings.read_timeout))
        register_api(self)
        register_dashboard(self)

    # -- lifecycle --------------------------------------------------------------------------------
    async def startup(self) -> None:
        if self._started:
            return
        await self.store.open()
        self.http = new_client(transport=self._http_transport)
        if self.run_worker and self.hp.jobs:
            self.worker = Worker(
                self.store,
                self.hp.jobs,
                http=self.http,
                concurrency=self.settings.worker_concurrency,
                lease_seconds=self.settings.lease_seconds,
                payload_models=self.hp.payload_models(),
            )
            await self.worker.start()
        if self.settings.retention_days > 0:
            self._tasks.append(asyncio.create_task(self._purge_loop()))
        await self.quart.startup()
        self._started = True
        # Quart's p99 tail is GC of start-up garbage: collect once, freeze it (docs/benchmarks.md).
        gc.collect()
        gc.freeze()

    async def shutdown(self) -> None:
        if not self._started:
            return
        self._started = False
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None
        with contextlib.suppress(Exception):
            await self.quart.shutdown()
        if self.http is not None:
            await self.http.aclose()
            self.http = None
        await self.store.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[HookpointServer]:
        await self.startup()
        try:
            yield self
        finally:
            await self.shutdown()

    async def _purge_loop(self) -> None:
        while True:
            try:
                cutoff = time.time() - self.settings.retention_days * 86400
                removed = await self.store.purge(older_than=cutoff)
                if removed:
                    log.info(
                        "retention: purged %d rows older than %.1f days",
                        removed,
                        self.settings.retention_days,
                    )
            except StoreError as exc:
                log.warning("retention purge failed: %s", exc)
            await asyncio.sleep(3600)

    # -- helpers for the API, CLI and dashboard ---------------------------------------------------
    def notify_runs(self) -> None:
        """Wake the in-process worker after new runs were queued (replays)."""
        if self.worker is not None:
            self.worker.wake()

    async def redeliver(self, stored: StoredRequest) -> tuple[str, tuple[str, ...]]:
        """Offer a stored request again to today's jobs (a duplicate: the request it repeats);
        the id of the request re-delivered and its new runs. :raises LookupError: it cannot be
        re-delivered (the API's 409); :raises NotFound: it vanished meanwhile."""
        source = await replay_source(self.store, stored)
        run_ids = await self.store.replay_request(source.id, self.runs_for_stored(source))
        self.notify_runs()
        return source.id, run_ids

    def runs_for_stored(self, stored: StoredRequest) -> tuple[NewRun, ...]:
        """The runs a stored request gets from today's jobs (replay / re-delivery)."""
        endpoint = self.hp.endpoints.get(stored.endpoint_id)
        if endpoint is None:
            raise LookupError(f"endpoint {stored.endpoint_id!r} is no longer defined")
        if stored.status not in ("accepted", "duplicate"):
            raise LookupError(f"a {stored.status} request cannot be re-delivered")
        request = redescribe(stored, self.hp)
        return tuple(
            NewRun(job_id=j.id, job_version=j.version, max_attempts=j.retry.max_attempts)
            for j in self.hp.matching_jobs(endpoint, request)
        )

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
