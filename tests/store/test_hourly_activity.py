"""``Store.hourly_activity``: requests and runs counted per UTC hour, on both backends.

Requests are stored at chosen ``received_at`` times (``NewRequest`` and ``RejectedRequest``
take one) on both sides of hour boundaries and of the window's ends; runs get theirs by an
``UPDATE`` (a store stamps ``created_at`` itself). The answer must match the buckets counted by
hand. The plan test fills each table with a month of rows and checks, with ``EXPLAIN``, that
the count reads each table's time index and nothing else.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from hookpoint.store import (
    HOUR,
    REQUEST_OUTCOMES,
    RUN_STATUSES,
    Store,
    hour_window,
)
from hookpoint.store import _queries as q

from .test_conformance import make_rejected, make_request

H = 1_764_000_000 // HOUR * HOUR
"""The start of the current hour in these tests."""
NOW = H + 1800.0
SINCE = H - 23 * HOUR


def slot_time(slot: int, offset: float = 0.0) -> float:
    """A time ``offset`` seconds into hour ``slot`` of the window (0: the oldest, 23: now's)."""
    return SINCE + slot * HOUR + offset


async def set_created_at(store: Store, backend: str, run_id: str, at: float) -> None:
    if backend == "sqlite":

        def op(conn: Any) -> None:
            conn.execute("UPDATE runs SET created_at = ? WHERE id = ?", (at, run_id))

        await store._write(op, "test")  # type: ignore[attr-defined]
    else:
        await store._pool.execute(  # type: ignore[attr-defined]
            "UPDATE runs SET created_at = $1 WHERE id = $2", at, run_id
        )


def expected(**slots: dict[int, int]) -> dict[str, tuple[int, ...]]:
    out = {}
    for key, counts in slots.items():
        series = [0] * 24
        for slot, n in counts.items():
            series[slot] += n
        out[key] = tuple(series)
    return out


def zeros(keys: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    return {k: (0,) * 24 for k in keys}


async def test_counts_per_hour_match_the_hand_counted_buckets(store: Store, backend: str) -> None:
    # -- requests to ep1 ---------------------------------------------------------------------
    accepted_at = [
        SINCE - 0.001,  # just before the window: not counted
        slot_time(0),  # the window's first instant: hour 0
        slot_time(21, HOUR - 0.5),  # the last half second of hour 21
        slot_time(22),  # hour 22, twice
        slot_time(22, 59.0),
        slot_time(23, 10.0),  # the current hour
        slot_time(23, HOUR - 0.1),  # later in the current hour than "now": still counted
        slot_time(24),  # the next hour: not counted
    ]
    for at in accepted_at:
        await store.ingest(make_request("ep1", jobs=(), received_at=at))
    # a repeat of an event inside its dedupe window is a duplicate
    await store.ingest(
        make_request("ep1", jobs=(), event_id="e1", window=600, received_at=slot_time(7, 5))
    )
    await store.ingest(
        make_request("ep1", jobs=(), event_id="e1", window=600, received_at=slot_time(7, 65))
    )
    await store.ingest(
        make_request("ep1", jobs=(), status="handshake", received_at=slot_time(5, 1))
    )
    await store.ingest(make_request("ep1", jobs=(), test=True, received_at=slot_time(23, 1)))
    for at in (slot_time(10, 3), slot_time(23, 4), SINCE - 1):
        await store.record_rejected(make_rejected("ep1", at))
    # -- ep2: one request, runs in every state -------------------------------------------------
    await store.ingest(make_request("ep2", jobs=(), received_at=slot_time(12, 30)))
    result = await store.ingest(
        make_request("ep2", jobs=("a", "b", "c", "d", "e", "f"), max_attempts=1)
    )
    run_ids = list(result.run_ids)
    placed = {
        run_ids[0]: slot_time(0, 1),
        run_ids[1]: slot_time(0, HOUR - 1),
        run_ids[2]: slot_time(13),
        run_ids[3]: slot_time(23, 1),
        run_ids[4]: slot_time(23, 2),
        run_ids[5]: SINCE - 10,  # before the window: not counted
    }
    for run_id, at in placed.items():
        await set_created_at(store, backend, run_id, at)
    claimed = {c.run.id: c for c in await store.claim_runs("w", limit=10, lease_seconds=300)}
    assert set(claimed) == set(run_ids)
    # hour 0: succeeded, failed; hour 13: cancelled; hour 23: running, running→queued
    assert await store.finish_run("w", run_ids[0], 1, output=None)
    assert await store.fail_attempt("w", run_ids[1], 1, error="boom", retry_at=None)
    assert await store.cancel_run(run_ids[2])
    assert await store.release_run("w", run_ids[4], 1)

    every = await store.hourly_activity(now=NOW)
    assert set(every) == {"ep1", "ep2"}
    ep1, ep2 = every["ep1"], every["ep2"]
    assert ep1.hours == tuple(float(SINCE + i * HOUR) for i in range(24))
    assert ep1.hours == ep2.hours and ep1.hours[-1] == H
    assert ep1.requests == {
        **zeros(REQUEST_OUTCOMES),
        **expected(
            accepted={0: 1, 21: 1, 22: 2, 23: 2, 7: 1},
            duplicate={7: 1},
            handshake={5: 1},
            test={23: 1},
            rejected={10: 1, 23: 1},
        ),
    }
    assert ep1.runs == zeros(RUN_STATUSES)
    assert ep2.requests == {**zeros(REQUEST_OUTCOMES), **expected(accepted={12: 1})}
    # the request of the runs was received now: after the window's current hour here
    assert ep2.runs == {
        **zeros(RUN_STATUSES),
        **expected(
            succeeded={0: 1}, failed={0: 1}, cancelled={13: 1}, running={23: 1}, queued={23: 1}
        ),
    }

    # named endpoints: each one in the answer (zeros for one with nothing), and only those
    named = await store.hourly_activity(now=NOW, endpoint_ids=["ep2", "nothing-here", "ep2"])
    assert set(named) == {"ep2", "nothing-here"}
    assert named["ep2"] == ep2
    assert named["nothing-here"].requests == zeros(REQUEST_OUTCOMES)
    assert named["nothing-here"].runs == zeros(RUN_STATUSES)
    assert await store.hourly_activity(now=NOW, endpoint_ids=[]) == {}

    # a shorter window: the current hour only
    one = await store.hourly_activity(hours=1, now=NOW, endpoint_ids=["ep1"])
    assert one["ep1"].hours == (float(H),)
    assert one["ep1"].requests["accepted"] == (2,)
    assert one["ep1"].requests["rejected"] == (1,)
    # an hour later the window has moved on by one hour
    later = await store.hourly_activity(now=NOW + HOUR, endpoint_ids=["ep1"])
    assert later["ep1"].requests["accepted"] == (*ep1.requests["accepted"][1:], 1)

    for bad in (0, -1, 169, 2.5):
        with pytest.raises(ValueError, match="hours must be"):
            await store.hourly_activity(hours=bad, now=NOW)  # type: ignore[arg-type]


async def test_more_endpoints_than_one_in_list_holds(store: Store) -> None:
    """SQLite binds each value of an ``IN`` list (at most 500 per statement): past that the
    count covers every endpoint and keeps the named ones."""
    await store.ingest(make_request("ep-7", jobs=(), received_at=slot_time(3)))
    await store.ingest(make_request("other", jobs=(), received_at=slot_time(3)))
    names = [f"ep-{i}" for i in range(700)]
    found = await store.hourly_activity(now=NOW, endpoint_ids=names)
    assert set(found) == set(names)
    assert found["ep-7"].requests["accepted"][3] == 1
    assert sum(sum(a.requests["accepted"]) for a in found.values()) == 1


def test_the_window_is_whole_hours_ending_with_the_current_one() -> None:
    assert hour_window(24, NOW) == (SINCE, H + HOUR)
    assert hour_window(24, float(H)) == (SINCE, H + HOUR)
    assert hour_window(1, H - 0.5) == (H - HOUR, H)


async def test_the_count_reads_the_time_indexes(store: Store, backend: str) -> None:
    """A month of rows (a few thousand a day): the day's count reads a range of each table's
    time index — SQLite from the index alone — and sorts only the counts' groups."""
    rows = 30 * 24 * 12  # one every 5 minutes for 30 days, per table
    step = 300.0
    if backend == "sqlite":

        def fill(conn: Any) -> None:
            conn.executemany(
                "INSERT INTO requests (id, endpoint_id, method, url, body_size, received_at, "
                "status, verification, test, headers, body) VALUES "
                "(?, ?, 'POST', 'u', 0, ?, 'accepted', 'verified', 0, '[]', x'')",
                [(f"r{i:06}", f"ep{i % 7}", NOW - i * step) for i in range(rows)],
            )
            conn.executemany(
                "INSERT INTO rejected_requests (id, endpoint_id, method, url, reason, "
                "received_at, body_size, headers) VALUES (?, ?, 'POST', 'u', 'x', ?, 0, '[]')",
                [(f"x{i:06}", f"ep{i % 7}", NOW - i * step) for i in range(rows)],
            )
            conn.executemany(
                "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, "
                "attempt, max_attempts, created_at, updated_at) VALUES "
                "(?, 'r', ?, 'j', '1', 'succeeded', 1, 1, ?, ?)",
                [(f"u{i:06}", f"ep{i % 7}", NOW - i * step, NOW) for i in range(rows)],
            )
            conn.execute("ANALYZE")

        await store._write(fill, "test")  # type: ignore[attr-defined]
    else:
        pool = store._pool  # type: ignore[attr-defined]
        await pool.execute(
            "INSERT INTO requests (id, endpoint_id, method, url, body_size, received_at, status, "
            "verification, headers, body) SELECT 'r' || i, 'ep' || (i % 7), 'POST', 'u', 0, "
            "$1 - i * $2, 'accepted', 'verified', '[]', '' FROM generate_series(0, $3 - 1) i",
            NOW,
            step,
            rows,
        )
        await pool.execute(
            "INSERT INTO rejected_requests (id, endpoint_id, method, url, reason, received_at, "
            "body_size, headers) SELECT 'x' || i, 'ep' || (i % 7), 'POST', 'u', 'x', "
            "$1 - i * $2, 0, '[]' FROM generate_series(0, $3 - 1) i",
            NOW,
            step,
            rows,
        )
        await pool.execute(
            "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, attempt, "
            "max_attempts, created_at, updated_at) SELECT 'u' || i, 'r', 'ep' || (i % 7), 'j', "
            "'1', 'succeeded', 1, 1, $1 - i * $2, $1 FROM generate_series(0, $3 - 1) i",
            NOW,
            step,
            rows,
        )
        await pool.execute("VACUUM ANALYZE requests")
        await pool.execute("VACUUM ANALYZE rejected_requests")
        await pool.execute("VACUUM ANALYZE runs")

    d = store.dialect  # type: ignore[attr-defined]
    for endpoint_ids in (None, ["ep1", "ep2"]):
        plan = q.hourly_activity(d, SINCE, 24, endpoint_ids)
        step_ = next(plan)
        if backend == "sqlite":

            def explain(conn: Any, sql: str = step_.sql, values: Any = step_.values) -> str:
                return "\n".join(
                    str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, values)
                )

            shown = await store._read(explain, "test")  # type: ignore[attr-defined]
            for table, index in (
                ("requests", "requests_received"),
                ("rejected_requests", "rejected_received"),
                ("runs", "runs_created"),
            ):
                assert f"SEARCH {table} USING COVERING INDEX {index} (" in shown, shown
            assert "SCAN requests" not in shown and "SCAN runs" not in shown, shown
        else:
            shown = "\n".join(
                r[0]
                for r in await store._pool.fetch("EXPLAIN " + step_.sql, *step_.values)  # type: ignore[attr-defined]
            )
            for index in ("requests_received", "rejected_received", "runs_created"):
                assert f"Index Only Scan using {index}" in shown, shown
            assert "Seq Scan" not in shown, shown
        plan.close()

    # and the answer: a request, a rejected request and a run every 5 minutes, per endpoint
    found = await store.hourly_activity(now=NOW, endpoint_ids=["ep1"])
    counted = found["ep1"]
    per_hour = [
        sum(
            1 for i in range(rows) if i % 7 == 1 and int((NOW - i * step) // HOUR) == int(h // HOUR)
        )
        for h in counted.hours
    ]
    assert list(counted.requests["accepted"]) == per_hour
    assert list(counted.requests["rejected"]) == per_hour
    assert list(counted.runs["succeeded"]) == per_hour
    assert sum(per_hour) > 24  # the fixture spreads rows over every hour
    assert dataclasses.asdict(counted)["endpoint_id"] == "ep1"
