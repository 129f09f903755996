"""The floor: the least work any app on this stack must do to store the benchmark's deliveries
the way Hookpoint stores them.

A raw ASGI app, no framework and no plugins, that for each signed cal.com delivery reads the
body, checks its HMAC-SHA256 signature, parses the JSON once for the event type, and stores the
request and its run as the rows Hookpoint's SQLite store writes: the same tables, columns, ids
and indexes (the schema is made by Hookpoint's own migrations; the indexes are what the
dashboard, the API and the workers read by), WAL with ``synchronous=FULL``, and ``200`` only
after the commit. What one event-loop iteration produced is handed to one writer thread as one
list (as the host's store does: a writer woken for every request fights the loop for the GIL),
the writer commits whatever is queued as one transaction (each table's rows as one multi-row
``INSERT``, with the host writer's own ``insert_rows``: every statement gives up and re-takes
the GIL), and wakes the loop once per commit.

``bench/ingest/run.py`` serves it under hypercorn beside the ceiling and reports its ratio to
the ceiling: what the host could reach if all of its own work (plugin dispatch, the request
snapshot, the event description, filters, metrics, the store's batching) cost nothing. The
database file is ``MINIMAL_DATABASE`` (made if missing); ``HOOKPOINT_SQLITE_SYNCHRONOUS=NORMAL``
drops the fsync per commit, as it does for the host. ``MINIMAL_INDEXES=keys`` drops the two
tables' secondary indexes after migrating (``run.py --keys-only``): what the same rows cost with
nothing to find them by but their primary keys.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from hookpoint.store import open_store
from hookpoint.store._base import new_id
from hookpoint.store._sqlite_writer import (
    _REQUEST_COLUMNS,
    _REQUEST_ROW,
    _RUN_COLUMNS,
    _RUN_ROW,
    NEXT_SEQ,
    insert_rows,
)

SECRET = os.environ.get("BENCH_SECRET", "bench-secret").encode()
SIGNATURE = b"x-cal-signature-256"
SYNCHRONOUS = "NORMAL" if os.environ.get("HOOKPOINT_SQLITE_SYNCHRONOUS") == "NORMAL" else "FULL"
"""As the host's store is told (``run.py --sqlite-synchronous``); FULL unless NORMAL."""

Row = tuple[Any, ...]
Item = tuple[Row, Row | None, asyncio.Future[None]]
Batch = list[Item]


class Writer(threading.Thread):
    """The only write connection: every queued item in one transaction, then one call into the
    event loop to resolve the committed items' futures."""

    def __init__(self, path: str, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(name="minimal-writer", daemon=True)
        self.path = path
        self.loop = loop
        self.items: queue.SimpleQueue[Batch | None] = queue.SimpleQueue()
        self._pending: Batch | None = None

    def submit(self, item: Item) -> None:
        """Queue ``item`` with whatever else this loop iteration submits (loop thread only)."""
        if self._pending is None:
            self._pending = []
            self.loop.call_soon(self._hand_over)
        self._pending.append(item)

    def _hand_over(self) -> None:
        pending, self._pending = self._pending, None
        if pending:
            self.items.put(pending)

    def run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
        items = self.items
        while True:
            first = items.get()
            if first is None:
                break
            batch = list(first)
            while True:
                try:
                    more = items.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    items.put(None)  # stop after this batch
                    break
                batch.extend(more)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(NEXT_SEQ)
                requests = [request for request, _, _ in batch]
                insert_rows(conn, _REQUEST_COLUMNS, _REQUEST_ROW, requests)
                insert_rows(conn, _RUN_COLUMNS, _RUN_ROW, [r for _, r, _ in batch if r is not None])
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                self.loop.call_soon_threadsafe(_fail, [f for _, _, f in batch], exc)
            else:
                self.loop.call_soon_threadsafe(_done, [f for _, _, f in batch])
        conn.close()


def _done(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)


def _fail(futures: list[asyncio.Future[None]], exc: BaseException) -> None:
    for future in futures:
        if not future.done():
            future.set_exception(exc)


async def _migrate(path: str) -> None:
    """Hookpoint's schema in ``path``: its store opened (and migrated) once, then closed."""
    store = open_store(f"sqlite:///{path}")
    await store.open()
    await store.close()
    if os.environ.get("MINIMAL_INDEXES") == "keys":
        conn = sqlite3.connect(path, isolation_level=None)
        secondary = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('requests', 'runs')"
        ).fetchall()
        for (name,) in secondary:  # primary keys' indexes have no SQL of their own
            conn.execute(f'DROP INDEX "{name}"')
        conn.close()


_writer: Writer | None = None


async def _answer(
    send: Callable[[dict[str, Any]], Awaitable[None]], status: int, body: bytes
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    global _writer
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                path = os.environ.get("MINIMAL_DATABASE", "minimal.db")
                await _migrate(path)
                _writer = Writer(path, asyncio.get_running_loop())
                _writer.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if _writer is not None:
                    _writer.items.put(None)
                    await asyncio.to_thread(_writer.join)
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http" or _writer is None:
        return
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    headers = scope["headers"]
    signature = next((value for name, value in headers if name == SIGNATURE), b"")
    expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(expected, signature):
        await _answer(send, 401, b'{"error":"unauthorized"}')
        return
    try:
        event_type = json.loads(body).get("triggerEvent")
    except (ValueError, AttributeError):
        event_type = None
    now = time.time()
    request_id = new_id()
    request = (
        request_id,
        "caldotcom",
        scope["method"],
        f"http://127.0.0.1{scope['path']}",
        len(body),
        now,
        scope["client"][0] if scope.get("client") else None,
        "accepted",
        "verified",
        event_type,
        hashlib.sha256(body).hexdigest(),
        None,
        None,
        0,
        json.dumps([[k.decode("latin-1"), v.decode("latin-1")] for k, v in headers]),
        body,
    )
    run = (
        (new_id(), request_id, "caldotcom", "created", "1", 3, now, now, now, 0)
        if event_type == "BOOKING_CREATED"
        else None
    )
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    _writer.submit((request, run, done))
    try:
        await done
    except sqlite3.Error:
        await _answer(send, 503, b'{"error":"store_unavailable"}')
        return
    await _answer(send, 200, b'{"id":"%s"}' % request_id.encode())
