"""The PostgreSQL store's wake-ups: ``LISTEN hookpoint_runs`` on a connection of its own.

Ingest, replay and release send ``pg_notify`` inside their transaction, so idle workers in
every process wake at commit. The payload is the schema, so deployments sharing a database (not
a schema) ignore each other. Without a listening connection workers poll (their
``wait_for_runs`` timeout); a lost one is reconnected in the background, at most every 2 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg

from ._pg_common import CHANNEL, PAYLOAD, Record, close_connection

__all__ = ["Listener"]

log = logging.getLogger("hookpoint.store.postgres")


class Listener:
    """Sets ``wake`` on every notification for this schema (or after (re)connecting)."""

    def __init__(
        self, connect: Callable[[], Awaitable[asyncpg.Connection[Record]]], wake: asyncio.Event
    ) -> None:
        self._connect = connect
        self._wake = wake
        self._conn: asyncpg.Connection[Record] | None = None
        self._retry_at = 0.0
        self._task: asyncio.Task[None] | None = None
        self._schema: str | None = None
        self._closed = False

    def ensure(self) -> None:
        """(Re)start LISTEN in the background when its connection is gone; never blocks."""
        if self._closed:
            return
        conn = self._conn
        if conn is not None and not conn.is_closed():
            return
        task = self._task
        if task is not None and not task.done():
            return
        now = time.monotonic()
        if now < self._retry_at:
            return
        self._retry_at = now + 2.0
        self._task = asyncio.create_task(self._listen(), name="hookpoint-pg-listen")

    async def started(self) -> None:
        """Wait for the connection ``ensure`` started (a failure is logged, not raised)."""
        if self._task is not None:
            await self._task

    async def close(self) -> None:
        self._closed = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        conn, self._conn = self._conn, None
        await close_connection(conn)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        if self._schema is None or payload in (self._schema, ""):
            self._wake.set()

    def _on_lost(self, *_args: object) -> None:
        self._conn = None

    async def _listen(self) -> None:
        try:
            conn = await self._connect()
        except Exception as exc:
            log.warning("PostgreSQL LISTEN %s failed (workers poll meanwhile): %s", CHANNEL, exc)
            return
        try:
            self._schema = str(await conn.fetchval(f"SELECT {PAYLOAD}"))
            await conn.add_listener(CHANNEL, self._on_notify)
            conn.add_termination_listener(self._on_lost)
        except Exception as exc:
            log.warning("PostgreSQL LISTEN %s failed (workers poll meanwhile): %s", CHANNEL, exc)
            conn.terminate()
            return
        if self._closed:
            conn.terminate()
            return
        self._conn = conn
        self._wake.set()  # something may have been queued while nobody listened
