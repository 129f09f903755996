"""``Runtime``: the operations of one app on its store, owned in one place.

What used to be wired, or computed, separately by the ASGI server, ``hookpoint worker`` and the
CLI: opening and closing the store, the shared httpx client, the in-process worker and the
retention loop from :class:`~hookpoint._settings.Settings`; which runs a request starts (at
ingest, when a stored request is re-delivered, for a test delivery); replays; a retention
pass. The ingest path,
the API, the dashboard and the CLI call these methods; none of them builds runs or wires a
store itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ._alerts import Alerts, alerts_wanted
from ._app import Endpoint, Hookpoint
from ._bulk import BulkSelection, Preview, perform, preview
from ._convert import redescribe, replay_source
from ._engine import Worker
from ._errors import StoreError
from ._http import AsyncClient, new_client
from ._request import WebhookRequest
from ._settings import Settings
from ._testdelivery import deliver_test, find_example
from .store import BulkAction, IngestResult, NewRun, Store, StoredRequest, open_store

if TYPE_CHECKING:
    from ._metrics import Metrics

__all__ = ["Runtime"]

log = logging.getLogger("hookpoint")

RETENTION_EVERY = 3600.0
"""Seconds between two retention passes of a host (``HOOKPOINT_RETENTION_DAYS``)."""


class Runtime:
    """One app's store, HTTP client and worker, and the operations on them.

    * **hp** - the app (endpoints and jobs).
    * **settings** - where the store is, worker concurrency and leases, retention.
    * **store** - an unopened store (default: ``open_store(settings.database_url)``).
    * **run_worker** - execute runs in this process (a host without ``--no-worker``, or
      ``hookpoint worker``).
    * **retention** - run a retention pass every hour while open (the host does; workers and
      one-off CLI commands do not).
    * **alerting** - check for alerts and notify while open (the host does, when something
      would hear them: ``_alerts.alerts_wanted``; docs/alerts.md).
    * **metrics** - the host's metrics (alerts and notifications are counted there).
    * **http_transport** - an httpx transport for the shared client (tests: MockTransport).
    """

    def __init__(
        self,
        hp: Hookpoint,
        settings: Settings,
        *,
        store: Store | None = None,
        run_worker: bool = False,
        retention: bool = False,
        alerting: bool = False,
        metrics: Metrics | None = None,
        http_transport: Any = None,
    ) -> None:
        self.hp = hp
        self.settings = settings
        self.store = (
            store
            if store is not None
            else open_store(settings.database_url, synchronous=settings.sqlite_synchronous)
        )
        self.run_worker = run_worker
        self.retention = retention
        self.alerting = alerting
        self.metrics = metrics
        self.http: AsyncClient | None = None
        self.worker: Worker | None = None
        self.alerts: Alerts | None = None
        """The alert checks of this process while open (when ``alerting`` and wanted)."""
        self._http_transport = http_transport
        self._tasks: list[asyncio.Task[None]] = []
        self._bulk_tasks: set[asyncio.Future[Any]] = set()
        self._open = False

    # -- lifecycle --------------------------------------------------------------------------------
    async def open(self) -> None:
        """Open the store, the HTTP client, then the worker and retention loop if asked."""
        if self._open:
            return
        await self.store.open()
        self.http = new_client(transport=self._http_transport)
        if self.alerting and alerts_wanted(self.settings, self.hp.plugins):
            self.alerts = Alerts(
                self.hp.id,
                self.hp.plugins,
                self.settings,
                self.store,
                http=lambda: self.http,
                metrics=self.metrics,
                env=self.hp.env,
            )
        if self.run_worker and self.hp.jobs:
            self.worker = Worker(
                self.store,
                self.hp.jobs,
                http=self.http,
                concurrency=self.settings.worker_concurrency,
                lease_seconds=self.settings.lease_seconds,
                payload_models=self.hp.payload_models(),
                on_dead=self.alerts.wake if self.alerts is not None else None,
            )
            await self.worker.start()
        if self.alerts is not None:
            self.alerts.start()
        if self.retention and self.settings.retention_days > 0:
            self._tasks.append(asyncio.create_task(self._retention_loop()))
        self._open = True

    async def close(self) -> None:
        """Stop the alert checks (notifications in flight get a moment), the retention loop
        and the worker (its runs are released), then close the HTTP client and the store."""
        if not self._open:
            return
        self._open = False
        if self.alerts is not None:
            await self.alerts.stop()
            self.alerts = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        for bulk in list(self._bulk_tasks):  # recorded as stopped ("interrupted") while the
            bulk.cancel()  # store is still open
        for bulk in list(self._bulk_tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await bulk
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None
        if self.http is not None:
            await self.http.aclose()
            self.http = None
        await self.store.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Runtime]:
        await self.open()
        try:
            yield self
        finally:
            await self.close()

    # -- the runs a request starts ----------------------------------------------------------------
    def runs_for(self, endpoint: Endpoint, request: WebhookRequest) -> tuple[NewRun, ...]:
        """One run per enabled job of ``endpoint`` whose filter matches ``request``."""
        return tuple(
            NewRun(job_id=job.id, job_version=job.version, max_attempts=job.retry.max_attempts)
            for job in self.hp.matching_jobs(endpoint, request)
        )

    def runs_for_stored(self, stored: StoredRequest) -> tuple[NewRun, ...]:
        """The runs a stored request gets from today's jobs (re-delivery), matched against its
        provider's full event description. :raises LookupError: its endpoint is no longer
        defined, or it is not a delivery (a handshake or a rejected request)."""
        endpoint = self.hp.endpoints.get(stored.endpoint_id)
        if endpoint is None:
            raise LookupError(f"endpoint {stored.endpoint_id!r} is no longer defined")
        if stored.status not in ("accepted", "duplicate"):
            raise LookupError(f"a {stored.status} request cannot be re-delivered")
        return self.runs_for(endpoint, redescribe(stored, self.hp))

    async def redeliver(self, stored: StoredRequest) -> tuple[str, tuple[str, ...]]:
        """Offer a stored request again to today's jobs (for a duplicate: the request it
        repeats); the id of the request re-delivered and its new runs.

        :raises LookupError: it cannot be re-delivered (the API's 409).
        :raises NotFound: it vanished meanwhile."""
        source = await replay_source(self.store, stored)
        run_ids = await self.store.replay_request(source.id, self.runs_for_stored(source))
        self.notify_runs()
        return source.id, run_ids

    async def replay_run(self, run_id: str) -> str:
        """Queue a new run of the same job for the same request; its id.
        :raises NotFound: no such run."""
        new_id = await self.store.replay_run(run_id)
        self.notify_runs()
        return new_id

    async def bulk_preview(self, selection: BulkSelection) -> Preview:
        """What :meth:`bulk` would act on (a dry run). :raises TooManyMatches:"""
        return await preview(self.store, selection)

    async def bulk(
        self,
        selection: BulkSelection,
        *,
        actor: str,
        client: str | None,
        key: str,
        found: Preview | None = None,
    ) -> tuple[BulkAction, bool]:
        """Replay every matching run, or re-deliver every matching request, recorded under the
        idempotency ``key`` (``_bulk.perform``); ``(the action, False)`` when ``key`` was used
        before. The action runs on when the caller is cancelled (a client that went away): its
        record says how it ended. :raises BulkConflict: :raises TooManyMatches:"""

        async def act() -> tuple[BulkAction, bool]:
            try:
                return await perform(
                    self.store,
                    selection,
                    actor=actor,
                    client=client,
                    key=key,
                    redeliver=self.redeliver,
                    found=found,
                )
            finally:
                self.notify_runs()

        task = asyncio.ensure_future(act())
        self._bulk_tasks.add(task)
        task.add_done_callback(self._bulk_done)
        return await asyncio.shield(task)

    def _bulk_done(self, task: asyncio.Future[Any]) -> None:
        self._bulk_tasks.discard(task)
        if not task.cancelled():
            task.exception()  # whoever asked may be gone; the action's record tells

    async def deliver_test(
        self, endpoint_id: str, example_id: str | None = None, *, client: str | None = None
    ) -> IngestResult:
        """Deliver example ``example_id`` (None: the first) of endpoint ``endpoint_id`` to its
        jobs as a test delivery (``_testdelivery``). :raises LookupError: no such enabled
        endpoint or example."""
        endpoint = self.hp.endpoints.get(endpoint_id)
        if endpoint is None:
            raise LookupError(f"endpoint {endpoint_id!r} is not defined")
        result = await deliver_test(
            self,
            endpoint,
            find_example(endpoint, example_id),
            base_url=self.settings.base_url() + self.settings.webhook_prefix,
            client=client,
        )
        if result.run_ids:
            self.notify_runs()
        return result

    def store_failed(self) -> None:
        """The store failed someone (ingest's 503): the alert check looks at once."""
        if self.alerts is not None:
            self.alerts.store_failed()

    def notify_runs(self) -> None:
        """Wake the in-process worker after runs were queued outside the ingest path."""
        if self.worker is not None:
            self.worker.wake()

    # -- retention --------------------------------------------------------------------------------
    async def purge(self) -> int:
        """One retention pass: delete what is older than ``retention_days``; rows removed."""
        cutoff = time.time() - self.settings.retention_days * 86400
        removed = await self.store.purge(older_than=cutoff)
        if removed:
            log.info(
                "retention: purged %d rows older than %.1f days",
                removed,
                self.settings.retention_days,
            )
        return removed

    async def _retention_loop(self) -> None:
        while True:
            try:
                await self.purge()
            except StoreError as exc:
                log.warning("retention purge failed: %s", exc)
            await asyncio.sleep(RETENTION_EVERY)
