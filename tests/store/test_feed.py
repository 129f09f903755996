"""The delivery feed (``Store.read_feed``, ``hookpoint listen``) on both backends: accepted
requests of one endpoint in commit order, with headers and bodies, never skipping one that
commits after a later id, bounded per page."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from hookpoint.store import FeedPage, Store, new_id, open_store

from .conftest import PG_DSN, PgSchema, StoreFactory
from .test_conformance import make_request


async def settle(store: Store, endpoint: str, count: int) -> None:
    """Wait until the feed serves all ``count`` accepted requests of ``endpoint``.

    PostgreSQL serves a row once every transaction older than the one that wrote it has ended
    (see _migrations, 0007), and the server is shared: another session's transaction can hold
    a fresh row back for a moment. Once served, a row stays served, so the reads after this are
    exact."""
    deadline = time.monotonic() + 30
    while True:
        page = await store.read_feed(endpoint, since=0, limit=500, max_bytes=1 << 30)
        if len(page.entries) >= count or time.monotonic() > deadline:
            assert len(page.entries) == count
            return
        await asyncio.sleep(0.02)


async def drain(store: Store, endpoint: str, after: str | None, **kwargs: Any) -> list[str]:
    """Every id the feed gives after ``after``, following the cursors page by page (call
    ``settle`` first)."""
    ids: list[str] = []
    while True:
        page = await store.read_feed(endpoint, after=after, **kwargs)
        ids += [e.request.id for e in page.entries]
        after = page.cursor
        if not page.more:
            return ids


async def test_accepted_requests_in_order_with_headers_and_bodies(store: Store) -> None:
    head = await store.read_feed("ep1")
    assert head.entries == () and not head.more
    first = make_request(body=b"\x00\xffbinary", headers=(("X-Sig", "abc"), ("X-Sig", "def")))
    second = make_request(test=True, body=b"two")
    other = make_request("ep2")
    dup_holder = make_request(event_id="evt-1", window=60)
    dup = make_request(event_id="evt-1", window=60)
    handshake = make_request(status="handshake", jobs=())
    for req in (first, second, other, dup_holder, dup, handshake):
        await store.ingest(req)
    await settle(store, "ep1", 3)

    page = await store.read_feed("ep1", after=head.cursor)
    assert [e.request.id for e in page.entries] == [first.id, second.id, dup_holder.id]
    one, two, _ = page.entries
    assert one.request.body == b"\x00\xffbinary"
    assert one.request.headers == (("X-Sig", "abc"), ("X-Sig", "def"))
    assert one.request.url == first.url and one.request.method == "POST"
    assert two.request.test is True and one.request.test is False
    assert page.cursor == page.entries[-1].cursor and not page.more
    # every cursor resumes right after its own entry
    again = await store.read_feed("ep1", after=one.cursor)
    assert [e.request.id for e in again.entries] == [second.id, dup_holder.id]
    # nothing new: an empty page, whose cursor still finds what comes next
    empty = await store.read_feed("ep1", after=page.cursor)
    assert empty.entries == ()
    later = make_request()
    await store.ingest(later)
    await settle(store, "ep1", 4)
    assert await drain(store, "ep1", empty.cursor) == [later.id]
    assert await drain(store, "ep2", head.cursor) == [other.id]


async def test_since_starts_at_a_time_and_head_starts_now(store: Store) -> None:
    now = time.time()
    old = make_request(received_at=now - 3600)
    recent = make_request(received_at=now - 60)
    await store.ingest(old)
    await store.ingest(recent)
    await settle(store, "ep1", 2)
    page = await store.read_feed("ep1", since=now - 600)
    assert [e.request.id for e in page.entries] == [recent.id]
    everything = await store.read_feed("ep1", since=0)
    assert [e.request.id for e in everything.entries] == [old.id, recent.id]
    # no deliveries since then: the cursor is the head, and only later ones follow
    none = await store.read_feed("ep1", since=now + 600)
    assert none.entries == ()
    head = await store.read_feed("ep1")
    assert head.entries == ()
    new = make_request()
    await store.ingest(new)
    await settle(store, "ep1", 3)
    assert await drain(store, "ep1", head.cursor) == [new.id]
    assert await drain(store, "ep1", none.cursor) == [new.id]


async def test_a_request_committed_after_a_later_id_is_not_skipped(store: Store) -> None:
    """Ids are made before the commit: a request whose id is older can commit after one whose
    id is newer (two processes, two batches). A reader past the newer one must still get it."""
    early_id = new_id()
    late = make_request()
    assert late.id > early_id
    await store.ingest(late)
    await settle(store, "ep1", 1)
    page = await store.read_feed("ep1", since=0)
    assert [e.request.id for e in page.entries] == [late.id]
    await store.ingest(make_request(request_id=early_id))
    await settle(store, "ep1", 2)
    assert await drain(store, "ep1", page.cursor) == [early_id]


async def test_pages_are_bounded_by_count_and_bytes(store: Store) -> None:
    head = await store.read_feed("ep1")
    reqs = [make_request(body=bytes([65 + i]) * 1000) for i in range(5)]
    for req in reqs:
        await store.ingest(req)
    await settle(store, "ep1", 5)
    page = await store.read_feed("ep1", after=head.cursor, limit=2)
    assert [e.request.id for e in page.entries] == [reqs[0].id, reqs[1].id] and page.more
    # 2,500 bytes: two bodies of 1,000 fit, the third would not
    page = await store.read_feed("ep1", after=head.cursor, max_bytes=2500)
    assert len(page.entries) == 2 and page.more
    # a body larger than the whole budget still comes, alone: the feed never stalls on it
    page = await store.read_feed("ep1", after=head.cursor, max_bytes=10)
    assert [e.request.id for e in page.entries] == [reqs[0].id] and page.more
    assert await drain(store, "ep1", head.cursor, max_bytes=1500) == [r.id for r in reqs]


async def test_bad_cursors_and_limits_are_value_errors(store: Store) -> None:
    for cursor in ("", "abc", "1", "-1.x", "1.ABC", "1." + "a" * 27, "9" * 21 + ".", "1.a b"):
        with pytest.raises(ValueError):
            await store.read_feed("ep1", after=cursor)
    for limit in (0, 501):
        with pytest.raises(ValueError):
            await store.read_feed("ep1", since=0, limit=limit)


async def test_the_feed_goes_on_after_a_purge_emptied_the_table(store: Store) -> None:
    """Numbers are never reused: a purge that deletes the newest rows does not send later
    requests behind a reader's cursor."""
    first = make_request(jobs=(), received_at=time.time() - 7200)
    await store.ingest(first)
    await settle(store, "ep1", 1)
    page = await store.read_feed("ep1", since=0)
    assert [e.request.id for e in page.entries] == [first.id]
    assert await store.purge(older_than=time.time() + 10) >= 1
    assert await store.get_request(first.id) is None
    after = make_request(jobs=())
    await store.ingest(after)
    await settle(store, "ep1", 1)
    assert await drain(store, "ep1", page.cursor) == [after.id]


async def test_accepted_event_is_set_by_accepted_requests_only(store: Store) -> None:
    event = store.accepted_event()
    await store.ingest(make_request(status="handshake", jobs=()))
    assert not event.is_set() and store.accepted_event() is event
    await store.ingest(make_request(event_id="e", window=60))
    assert event.is_set()
    event = store.accepted_event()
    assert not event.is_set()
    await store.ingest(make_request(event_id="e", window=60))  # a duplicate
    assert not event.is_set()
    waiter = asyncio.ensure_future(event.wait())
    await store.ingest(make_request())
    await asyncio.wait_for(waiter, 5)


@pytest.mark.postgres
async def test_postgres_holds_back_rows_a_running_transaction_could_precede() -> None:
    """PostgreSQL commits concurrently: a transaction that began writing first may commit
    last. The feed serves nothing from after it until it has ended, then both in order."""
    import asyncpg

    async with PgSchema() as schema, open_store(PG_DSN, schema=schema.name) as store:
        head = await store.read_feed("ep1")
        slow = make_request()
        conn = await asyncpg.connect(PG_DSN, server_settings={"search_path": schema.name})
        try:
            tx = conn.transaction()
            await tx.start()
            await conn.execute(
                "INSERT INTO requests (id, endpoint_id, method, url, body_size, received_at, "
                "status, verification, headers, body) VALUES ($1, 'ep1', 'POST', 'https://x/', "
                "4, $2, 'accepted', 'verified', '[]', 'slow')",
                slow.id,
                time.time(),
            )
            fast = make_request()
            await store.ingest(fast)  # committed, but after a transaction that is still open
            held: FeedPage = await store.read_feed("ep1", after=head.cursor)
            assert held.entries == ()
            await tx.commit()
        finally:
            await conn.close()
        await settle(store, "ep1", 2)
        assert await drain(store, "ep1", held.cursor) == [slow.id, fast.id]


async def test_requests_stored_before_the_feed_existed_come_first(
    backend: str, tmp_path: Any, pg_schema: PgSchema | None, store_factory: StoreFactory
) -> None:
    """A database from before migration 0007 keeps its accepted requests in the feed: they
    come first (by id), then everything stored after the upgrade."""
    from hookpoint.store._migrations import MIGRATIONS

    before = [m for m in MIGRATIONS if m.version < "0007"]
    rows = [
        "INSERT INTO schema_migrations (version, description, applied_at) VALUES "
        + ", ".join(f"('{m.version}', 'old', 0)" for m in before),
        "INSERT INTO requests (id, endpoint_id, method, url, body_size, received_at, status, "
        "verification, headers, body) VALUES ('r2', 'ep1', 'POST', 'https://x/', 3, 2.0, "
        "'accepted', 'verified', '[]', {body}), ('r1', 'ep1', 'POST', 'https://x/', 3, 1.0, "
        "'accepted', 'verified', '[]', {body})",
    ]
    table = "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, description TEXT NOT NULL, "
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(tmp_path / "hookpoint.db")
        with conn:
            conn.execute(table + "applied_at REAL NOT NULL)")
            for statement in (*(s for m in before for s in m.sqlite), *rows):
                conn.execute(statement.format(body="X'6f6c64'"))
        conn.close()
    else:
        import asyncpg

        assert pg_schema is not None
        pg = await asyncpg.connect(PG_DSN)
        try:
            await pg.execute(f'CREATE SCHEMA IF NOT EXISTS "{pg_schema.name}"')
            await pg.execute(f'SET search_path TO "{pg_schema.name}"')
            await pg.execute(table + "applied_at double precision NOT NULL)")
            for statement in (*(s for m in before for s in m.postgres), *rows):
                await pg.execute(statement.format(body="'\\x6f6c64'::bytea"))
        finally:
            await pg.close()
    store = await store_factory()
    new = make_request()
    await store.ingest(new)
    await settle(store, "ep1", 3)
    page = await store.read_feed("ep1", since=0)
    assert [e.request.id for e in page.entries] == ["r1", "r2", new.id]
    assert page.entries[0].request.body == b"old"


@pytest.mark.postgres
async def test_postgres_serves_transaction_ids_in_numeric_order() -> None:
    """PostgreSQL's feed key is a transaction id (``xid8``), read as text. Ordering by the
    selected column sorted the text: ``"100"`` before ``"99"``. A page that crossed a power of
    ten served the later transaction first and moved the cursor past the earlier one, which was
    then skipped for ever; and every page sorted all of the endpoint's rows after the cursor
    (a listener catching up read its whole backlog per page). The feed must walk
    ``requests_feed`` in ``(tx, id)`` order and stop at the page."""
    async with PgSchema() as schema, open_store(PG_DSN, schema=schema.name) as store:
        from hookpoint.store import _postgres as pg
        from hookpoint.store import _queries as q

        assert isinstance(store, pg.PostgresStore) and store._pool is not None
        pool = store._pool
        for request_id, tx in (("ra", 98), ("rb", 99), ("rc", 100), ("rd", 101)):
            await pool.execute(
                "INSERT INTO requests (id, endpoint_id, method, url, body_size, received_at, "
                "status, verification, headers, body, tx) VALUES ($1, 'ep1', 'POST', "
                "'https://x/', 0, 0, 'accepted', 'verified', '[]', '', $2::text::xid8)",
                request_id,
                str(tx),
            )
        start = "0."
        assert await drain(store, "ep1", start, limit=1) == ["ra", "rb", "rc", "rd"]
        page = await store.read_feed("ep1", after=start, limit=3)
        assert [e.cursor for e in page.entries] == ["98.ra", "99.rb", "100.rc"] and page.more

        plan = q.read_feed(pg.POSTGRES, "ep1", (99, "rb"), None, 100, 1 << 20)
        places = next(plan)
        plan.close()
        async with pool.acquire() as conn, conn.transaction():
            # whatever the statistics of a tiny table say: can the index give the order?
            await conn.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
            shown = "\n".join(
                r[0] for r in await conn.fetch("EXPLAIN " + places.sql, *places.values)
            )
        assert "Index Scan using requests_feed" in shown, shown
        assert "Sort" not in shown, shown
