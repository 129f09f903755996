"""Versioned schema migrations for both dialects.

Each :class:`Migration` has a version (sortable string), a description and the statements for
SQLite and for PostgreSQL. Applied versions are recorded in ``schema_migrations``. Migrations are
append-only: never edit one that has shipped, add a new one.

Schema notes (both dialects):

* Times are Unix seconds (``REAL`` / ``double precision``). Ids are the time-ordered strings of
  :func:`~hookpoint.store.new_id`, so ``ORDER BY id DESC`` is "newest first" and keyset pagination
  uses ``id < before_id``.
* JSON columns are text (SQLite) / ``json`` (PostgreSQL, kept verbatim; ``jsonb`` would refuse
  ``\\u0000``). Headers are ``[[name, value], ...]``.
* ``requests.body`` is the last column: SQLite keeps big values in overflow pages, and columns
  after such a value would cost a walk through them.
* The claim path reads two partial indexes (queued by ``next_attempt_at``, running by
  ``lease_expires_at``) that hold only active runs, so claiming costs the same however many
  finished runs the store holds. No other index on ``runs.status`` covers active runs (see
  ``runs_final``), so no planner can wander off them.
* No foreign keys: ``purge`` deletes children explicitly, and the ingest path skips a lookup
  per run.
* ``test`` (0002) marks test deliveries (the dashboard's **Test**, ``hookpoint test``) on
  ``requests`` and on ``runs``: the runs list shows the mark without a join to ``requests``
  (like ``runs.endpoint_id``), so its cost stays one index range of ``runs``. SQLite rebuilds
  ``requests`` to put the column before ``headers`` and ``body`` (see above: ``ADD COLUMN``
  would append it after the body, and every list would walk a big body's overflow pages to
  read it); PostgreSQL adds it in place (TOAST keeps big values out of line, and a constant
  default costs no rewrite).
* ``attempts.detail`` (0004) is what an attempt recorded about itself beyond its error: for a
  forwarding destination (``hp.forward``) the response's status, latency, headers and the first
  4 KiB of its body, masked. ``rate_slots`` holds, per paced destination, when its next
  delivery may start (``Store.reserve_slot``). No index was added for counting a destination's
  running runs (its global ``concurrency``): a partial index on ``(job_id)`` of running runs
  was measured to lure PostgreSQL's lease reaper off ``runs_leases``; the count goes through
  ``runs_leases`` instead (``_queries.running_counts``).
* ``bulk_actions`` (0005) is the audit log of bulk replays and re-deliveries (who, when, which
  filters, how many, the new runs). ``idempotency_key`` is unique: the row is written before the
  first run is replayed, so a second submit with the same key finds it instead of replaying
  again. Retention does not purge it.
* ``alert_state`` (0006) is where the hosts of one store agree on alerts (docs/alerts.md): one
  row per condition and key, changed only by a compare-and-set on what a host read, so one host
  notifies per change. ``runs_dead`` holds failed runs only, by ``updated_at`` (when they
  failed), so counting the runs that died in the last window reads just those: a partial index
  on one final status, which no claim or reap can use.
* The delivery feed (0007; ``Store.read_feed``, ``hookpoint listen``) reads an endpoint's accepted
  requests in the order they became visible, which ids do not give: an id is made before the
  request commits, and two ingests (two host processes, or two batches of one) can commit out
  of id order, so a reader that had passed a later id would skip the earlier one for ever.
  SQLite commits one write transaction at a time (across processes too), so every writer
  transaction that stores requests takes the next number of the one-row ``request_seq`` table
  and its requests carry it in ``requests.seq``: ``(seq, id)`` is commit order. PostgreSQL
  commits concurrently; its requests carry the id of the transaction that wrote them
  (``requests.tx``, ``pg_current_xact_id()``), and the feed serves a row only once that
  transaction is older than every transaction still running (``pg_snapshot_xmin``), so
  nothing can later commit before it in ``(tx, id)`` order. Rows from before 0007 have ``seq``
  / ``tx`` 0 and come first, by id. ``requests_feed`` is partial (accepted rows only): the
  feed's range scan costs what it returns. SQLite's ``ADD COLUMN`` puts ``seq`` after the body;
  only the feed reads it, through the index.
* The time indexes (0008) carry what the hourly counts of the dashboard's charts and
  ``GET /api/endpoints/<id>/stats`` group by: ``requests_received`` is ``(received_at,
  endpoint_id, status, test)``, ``rejected_received`` ``(received_at, endpoint_id)`` (the same
  names, rebuilt wider, so ingest keeps one time index per table and retention still walks
  them by time) and ``runs_created`` ``(created_at, endpoint_id, status)`` is new. A count of
  a day reads one range of each and no table row (SQLite; PostgreSQL as far as its visibility
  map allows). Building them takes a while on a big database, and PostgreSQL's ``CREATE
  INDEX`` holds writes to the table meanwhile: upgrade in a quiet moment.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIGRATIONS", "Migration", "latest_version"]


@dataclass(frozen=True, slots=True)
class Migration:
    version: str
    description: str
    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]


def _common(real: str, blob: str, json: str, bigint: str, log_id: str) -> tuple[str, ...]:
    return (
        f"""CREATE TABLE requests (
            id TEXT PRIMARY KEY,
            endpoint_id TEXT NOT NULL,
            method TEXT NOT NULL,
            url TEXT NOT NULL,
            body_size {bigint} NOT NULL,
            received_at {real} NOT NULL,
            client TEXT,
            status TEXT NOT NULL CHECK (status IN ('accepted', 'duplicate', 'handshake')),
            verification TEXT NOT NULL,
            event_type TEXT,
            event_id TEXT,
            event_time {real},
            duplicate_of TEXT,
            headers {json} NOT NULL,
            body {blob} NOT NULL
        )""",
        "CREATE INDEX requests_endpoint ON requests (endpoint_id, id)",
        "CREATE INDEX requests_status ON requests (status, id)",
        "CREATE INDEX requests_event_type ON requests (event_type, id)",
        "CREATE INDEX requests_received ON requests (received_at)",
        f"""CREATE TABLE rejected_requests (
            id TEXT PRIMARY KEY,
            endpoint_id TEXT NOT NULL,
            method TEXT NOT NULL,
            url TEXT NOT NULL,
            reason TEXT NOT NULL,
            received_at {real} NOT NULL,
            client TEXT,
            body_size {bigint} NOT NULL,
            headers {json} NOT NULL
        )""",
        "CREATE INDEX rejected_endpoint ON rejected_requests (endpoint_id, id)",
        "CREATE INDEX rejected_received ON rejected_requests (received_at)",
        f"""CREATE TABLE dedupe_keys (
            endpoint_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            request_id TEXT NOT NULL,
            created_at {real} NOT NULL,
            expires_at {real} NOT NULL,
            PRIMARY KEY (endpoint_id, event_id)
        )""",
        "CREATE INDEX dedupe_expires ON dedupe_keys (expires_at)",
        f"""CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            request_id TEXT NOT NULL,
            endpoint_id TEXT NOT NULL,
            job_id TEXT NOT NULL,
            job_version TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
            attempt INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
            max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
            created_at {real} NOT NULL,
            updated_at {real} NOT NULL,
            next_attempt_at {real},
            lease_owner TEXT,
            lease_expires_at {real},
            last_error TEXT,
            output {json},
            replay_of TEXT,
            -- a lease exists exactly while the run is running: ownership checks need no status
            -- term (which would tempt planners into the runs_leases scan, see runs_final)
            CHECK ((status = 'running') = (lease_owner IS NOT NULL))
        )""",
        "CREATE INDEX runs_due ON runs (next_attempt_at, id) WHERE status = 'queued'",
        "CREATE INDEX runs_leases ON runs (lease_expires_at) WHERE status = 'running'",
        "CREATE INDEX runs_request ON runs (request_id)",
        "CREATE INDEX runs_endpoint ON runs (endpoint_id, id)",
        "CREATE INDEX runs_job ON runs (job_id, id)",
        # Final runs by status, for listing. Partial on purpose: a full (status, id) index
        # tempts both planners into claiming/reaping through it (a scan of every queued or
        # running run) whenever their statistics say there are few of those.
        "CREATE INDEX runs_final ON runs (status, id) "
        "WHERE status IN ('succeeded', 'failed', 'cancelled')",
        f"""CREATE TABLE attempts (
            run_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            worker TEXT NOT NULL,
            started_at {real} NOT NULL,
            finished_at {real},
            status TEXT NOT NULL
                CHECK (status IN ('running', 'succeeded', 'failed', 'lost', 'released')),
            error TEXT,
            PRIMARY KEY (run_id, number)
        )""",
        f"""CREATE TABLE run_logs (
            id {log_id},
            run_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            at {real} NOT NULL,
            level TEXT NOT NULL,
            message TEXT NOT NULL,
            data {json}
        )""",
        "CREATE INDEX run_logs_run ON run_logs (run_id, id)",
        f"""CREATE TABLE task_results (
            run_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value {json} NOT NULL,
            saved_at {real} NOT NULL,
            PRIMARY KEY (run_id, key)
        )""",
    )


_SQLITE_REQUESTS_0002 = (
    """CREATE TABLE requests_0002 (
        id TEXT PRIMARY KEY,
        endpoint_id TEXT NOT NULL,
        method TEXT NOT NULL,
        url TEXT NOT NULL,
        body_size INTEGER NOT NULL,
        received_at REAL NOT NULL,
        client TEXT,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'duplicate', 'handshake')),
        verification TEXT NOT NULL,
        event_type TEXT,
        event_id TEXT,
        event_time REAL,
        duplicate_of TEXT,
        test INTEGER NOT NULL DEFAULT 0 CHECK (test IN (0, 1)),
        headers TEXT NOT NULL,
        body BLOB NOT NULL
    )""",
    "INSERT INTO requests_0002 (id, endpoint_id, method, url, body_size, received_at, client, "
    "status, verification, event_type, event_id, event_time, duplicate_of, test, headers, body) "
    "SELECT id, endpoint_id, method, url, body_size, received_at, client, status, verification, "
    "event_type, event_id, event_time, duplicate_of, 0, headers, body FROM requests",
    "DROP TABLE requests",
    "ALTER TABLE requests_0002 RENAME TO requests",
    "CREATE INDEX requests_endpoint ON requests (endpoint_id, id)",
    "CREATE INDEX requests_status ON requests (status, id)",
    "CREATE INDEX requests_event_type ON requests (event_type, id)",
    "CREATE INDEX requests_received ON requests (received_at)",
    "ALTER TABLE runs ADD COLUMN test INTEGER NOT NULL DEFAULT 0 CHECK (test IN (0, 1))",
)


def _sessions(real: str) -> tuple[str, ...]:
    # ``key`` is a SHA-256 digest of the session id the cookie carries: the table alone lets
    # nobody forge or resume a session.
    return (
        f"""CREATE TABLE dashboard_sessions (
            key TEXT PRIMARY KEY,
            created_at {real} NOT NULL,
            expires_at {real} NOT NULL
        )""",
        "CREATE INDEX dashboard_sessions_expires ON dashboard_sessions (expires_at)",
    )


def _alerts(real: str) -> tuple[str, ...]:
    return (
        f"""CREATE TABLE alert_state (
            condition TEXT NOT NULL,
            key TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
            notified_at {real} NOT NULL,
            changed_at {real} NOT NULL,
            PRIMARY KEY (condition, key)
        )""",
        "CREATE INDEX runs_dead ON runs (updated_at) WHERE status = 'failed'",
    )


def _bulk_actions(real: str, json: str) -> tuple[str, ...]:
    return (
        f"""CREATE TABLE bulk_actions (
            id TEXT PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('replay_runs', 'redeliver_requests')),
            actor TEXT NOT NULL,
            client TEXT,
            query {json} NOT NULL,
            snapshot TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
            matched INTEGER NOT NULL CHECK (matched >= 0),
            replayed INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            new_runs INTEGER NOT NULL DEFAULT 0,
            run_ids {json},
            notes {json},
            created_at {real} NOT NULL,
            finished_at {real},
            error TEXT
        )""",
    )


def _forwarding(real: str, json: str) -> tuple[str, ...]:
    return (
        f"ALTER TABLE attempts ADD COLUMN detail {json}",
        f"""CREATE TABLE rate_slots (
            key TEXT PRIMARY KEY,
            next_at {real} NOT NULL
        )""",
    )


_TIME_INDEXES_0008 = (
    "DROP INDEX requests_received",
    "CREATE INDEX requests_received ON requests (received_at, endpoint_id, status, test)",
    "DROP INDEX rejected_received",
    "CREATE INDEX rejected_received ON rejected_requests (received_at, endpoint_id)",
    "CREATE INDEX runs_created ON runs (created_at, endpoint_id, status)",
)

_FEED_INDEX = (
    "CREATE INDEX requests_feed ON requests (endpoint_id, {key}, id) WHERE status = 'accepted'"
)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version="0001",
        description="initial schema: requests, rejected_requests, dedupe_keys, runs, attempts, "
        "run_logs, task_results",
        sqlite=_common(
            real="REAL",
            blob="BLOB",
            json="TEXT",
            bigint="INTEGER",
            log_id="INTEGER PRIMARY KEY AUTOINCREMENT",
        ),
        postgres=(
            *_common(
                real="double precision",
                blob="bytea",
                json="json",
                bigint="bigint",
                log_id="bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            ),
            # runs is a queue: every claim leaves dead entries in the partial indexes that the
            # next claim has to step over until vacuum clears them. Vacuum it early.
            "ALTER TABLE runs SET (autovacuum_vacuum_scale_factor = 0.01, "
            "autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0.02)",
        ),
    ),
    Migration(
        version="0002",
        description="requests.test and runs.test: test deliveries",
        sqlite=_SQLITE_REQUESTS_0002,
        postgres=(
            "ALTER TABLE requests ADD COLUMN test boolean NOT NULL DEFAULT false",
            "ALTER TABLE runs ADD COLUMN test boolean NOT NULL DEFAULT false",
        ),
    ),
    Migration(
        version="0003",
        description="dashboard_sessions: logged-in dashboard sessions, so that logout ends one "
        "in every host process",
        sqlite=_sessions(real="REAL"),
        postgres=_sessions(real="double precision"),
    ),
    Migration(
        version="0004",
        description="attempts.detail and rate_slots: forwarding to destinations (attempt "
        "details, paced deliveries)",
        sqlite=_forwarding(real="REAL", json="TEXT"),
        postgres=_forwarding(real="double precision", json="json"),
    ),
    Migration(
        version="0005",
        description="bulk_actions: the audit log of bulk replays and re-deliveries, one row per "
        "idempotency key",
        sqlite=_bulk_actions(real="REAL", json="TEXT"),
        postgres=_bulk_actions(real="double precision", json="json"),
    ),
    Migration(
        version="0006",
        description="alert_state: what the hosts of one store last notified per alert "
        "condition; runs_dead: failed runs by the time they failed",
        sqlite=_alerts(real="REAL"),
        postgres=_alerts(real="double precision"),
    ),
    Migration(
        version="0007",
        description="the delivery feed (hookpoint listen): requests in commit order "
        "(SQLite requests.seq and request_seq, PostgreSQL requests.tx)",
        sqlite=(
            "ALTER TABLE requests ADD COLUMN seq INTEGER NOT NULL DEFAULT 0",
            "CREATE TABLE request_seq (one INTEGER PRIMARY KEY CHECK (one = 1), "
            "value INTEGER NOT NULL)",
            "INSERT INTO request_seq (one, value) VALUES (1, 0)",
            _FEED_INDEX.format(key="seq"),
        ),
        postgres=(
            # a constant default first (no table rewrite, old rows read 0), then the real one
            "ALTER TABLE requests ADD COLUMN tx xid8 NOT NULL DEFAULT '0'",
            "ALTER TABLE requests ALTER COLUMN tx SET DEFAULT pg_current_xact_id()",
            _FEED_INDEX.format(key="tx"),
        ),
    ),
    Migration(
        version="0008",
        description="time indexes that cover the hourly counts per endpoint and status "
        "(requests_received and rejected_received wider, runs_created)",
        sqlite=_TIME_INDEXES_0008,
        postgres=_TIME_INDEXES_0008,
    ),
)


SCHEMA_MIGRATIONS_SQLITE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version TEXT PRIMARY KEY, description TEXT NOT NULL, applied_at REAL NOT NULL)"
)
SCHEMA_MIGRATIONS_POSTGRES = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version text PRIMARY KEY, description text NOT NULL, applied_at double precision NOT NULL)"
)


def latest_version() -> str:
    return MIGRATIONS[-1].version


def pending(applied: set[str]) -> list[Migration]:
    """Migrations not yet applied, in order."""
    return [m for m in MIGRATIONS if m.version not in applied]


def check_not_newer(applied: set[str]) -> str | None:
    """An error message when the database has versions this code does not know (a downgrade)."""
    known = {m.version for m in MIGRATIONS}
    unknown = sorted(applied - known)
    if unknown:
        return (
            f"the database schema has migrations this Hookpoint does not know ({', '.join(unknown)}"
            f"); it was upgraded by a newer version — upgrade Hookpoint"
        )
    return None
