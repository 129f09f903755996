"""What a job's ``run(request, io, ctx)`` receives besides the request: ``io`` and ``ctx``.

* :class:`RunContext` (``ctx``): who and where this attempt is: run id, attempt number, job,
  endpoint, request, event, worker.
* :class:`IO` (``io``): per attempt. ``io.logger`` writes the run's log (kept in the store, shown
  in the dashboard and ``hookpoint runs logs``), ``io.run_task(key, fn)`` runs a step once per run
  and replays its stored result on later attempts, ``io.http`` is the worker's shared
  ``httpx.AsyncClient``, ``io.attempt_detail`` is stored with the attempt when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from ._retry import RetryPolicy
from .store._base import LogLine, Store

if TYPE_CHECKING:
    import httpx

__all__ = ["IO", "Logger", "RunContext", "store_of"]

Level = Literal["debug", "info", "warn", "error"]
_PY_LEVELS: Final[dict[Level, int]] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}
_FLUSH_HIGH_WATER = 1000
"""Pending log lines past which ``await io.logger.x(...)`` waits for the store to catch up."""
_WRITE_TRIES = 3

run_log = logging.getLogger("hookpoint.run")
"""Every run log line is mirrored here (with the run id, attempt and job in ``extra``)."""


@dataclass(frozen=True, slots=True)
class RunContext:
    """Facts about the attempt being executed: the ``ctx`` argument of a job's ``run``."""

    run_id: str
    attempt: int
    """1-based number of this attempt."""
    max_attempts: int
    job_id: str
    job_version: str
    endpoint_id: str
    request_id: str
    event_type: str | None
    event_id: str | None
    worker_id: str
    replay_of: str | None = None
    """The run this one replays (``hookpoint replay``), if any."""
    test: bool = False
    """True for a run of a test delivery (the dashboard's **Test**, ``hookpoint test``): the
    request came from an example, not from the sender, and was not verified."""

    @property
    def is_last_attempt(self) -> bool:
        """True when a failure of this attempt marks the run failed (no retry follows)."""
        return self.attempt >= self.max_attempts


# -- helpers shared with the engine ----------------------------------------------------------------


def to_json_value(value: Any) -> Any:
    """``value`` as plain JSON data (a deep copy), or TypeError when it is not JSON-serialisable.

    Pydantic models are dumped in JSON mode. NaN and infinities are refused (PostgreSQL's JSONB
    rejects them). Tuples come back as lists, so a value reads the same after a store round trip.
    """
    if hasattr(value, "model_dump") and callable(value.model_dump):
        value = value.model_dump(mode="json")
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{type(value).__name__} value is not JSON-serialisable: {exc}") from None


def _json_fallback(value: Any) -> Any:
    if hasattr(value, "model_dump") and callable(value.model_dump):
        return value.model_dump(mode="json")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, set | frozenset):
        return list(value)
    return repr(value)


def _log_data(data: Any) -> Any:
    """A JSON snapshot of log data; what JSON cannot hold is shown by its ``repr``."""
    if data is None:
        return None
    try:
        return json.loads(json.dumps(data, allow_nan=False, default=_json_fallback))
    except (TypeError, ValueError, RecursionError):
        return repr(data)


def run_in_thread(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
    """Run a blocking ``fn`` in a new daemon thread; the returned future gets its outcome.

    Unlike ``asyncio.to_thread`` the thread is not taken from the loop's small default pool, and
    it does not keep the process alive at exit. A thread cannot be killed: when the future is
    cancelled (a timeout, a cancelled run) the function keeps running until it returns on its
    own, and its outcome is dropped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    context = contextvars.copy_context()

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def target() -> None:
        try:
            outcome: tuple[bool, Any] = (True, context.run(fn, *args, **kwargs))
        except Exception as exc:
            outcome = (False, exc)
        except BaseException as exc:  # SystemExit/KeyboardInterrupt must not reach the loop
            outcome = (False, RuntimeError(f"{type(exc).__name__} raised in a job thread"))
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(settle, *outcome)

    name = getattr(fn, "__qualname__", type(fn).__name__)
    threading.Thread(target=target, name=f"hookpoint-sync:{name}", daemon=True).start()
    return future


def is_async_callable(fn: Callable[..., Any]) -> bool:
    """True for coroutine functions (partials included) and objects with an async ``__call__``."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object with an async __call__
    )


async def call_maybe_async(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``: coroutine functions are awaited; anything else runs in a thread
    (:func:`run_in_thread`) and an awaitable it returns is awaited."""
    if is_async_callable(fn):
        result = fn(*args, **kwargs)
    else:
        result = await run_in_thread(fn, *args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


# -- the logger ------------------------------------------------------------------------------------


class _Done:
    """The awaitable a log call returns when it need not wait: awaiting it does nothing."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield  # pragma: no cover - makes this a generator


_DONE: Final = _Done()


class Logger:
    """``io.logger``: the run's log. Every line is stored with the attempt, level and ``data``.

    ``debug``/``info``/``warn``/``warning``/``error`` take a message and optional JSON data
    (what JSON cannot hold is stored as its ``repr``). They are meant to be awaited
    (``await io.logger.info("Body", body)``), but the line is queued the moment the method is
    called, so a sync job (which runs in a thread) may call them without ``await``. Lines are
    written to the store in batches in the background, in call order; the worker flushes them
    before it records the attempt's outcome. Each line is mirrored to the ``hookpoint.run`` Python
    logger.
    """

    def __init__(self, store: Store, ctx: RunContext, *, pylogger: logging.Logger | None = None):
        self._store = store
        self._ctx = ctx
        self._pylog = pylogger or run_log
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._pending: list[LogLine] = []
        self._writer: asyncio.Task[None] | None = None
        self._extra = {
            "hookpoint_run_id": ctx.run_id,
            "hookpoint_attempt": ctx.attempt,
            "hookpoint_job_id": ctx.job_id,
        }
        self.dropped = 0
        """Lines that could not be stored (the store failed repeatedly); they were still
        mirrored to the Python logger."""

    def debug(self, message: str, data: Any = None) -> Awaitable[None]:
        return self._log("debug", message, data)

    def info(self, message: str, data: Any = None) -> Awaitable[None]:
        return self._log("info", message, data)

    def warn(self, message: str, data: Any = None) -> Awaitable[None]:
        return self._log("warn", message, data)

    warning = warn

    def error(self, message: str, data: Any = None) -> Awaitable[None]:
        return self._log("error", message, data)

    def log(self, level: Level, message: str, data: Any = None) -> Awaitable[None]:
        if level not in _PY_LEVELS:
            raise ValueError(f"unknown log level {level!r}; use one of {', '.join(_PY_LEVELS)}")
        return self._log(level, message, data)

    def _log(self, level: Level, message: str, data: Any) -> Awaitable[None]:
        ctx = self._ctx
        line = LogLine(ctx.run_id, ctx.attempt, time.time(), level, str(message), _log_data(data))
        self._pylog.log(
            _PY_LEVELS[level],
            "run %s attempt %d (%s): %s",
            ctx.run_id,
            ctx.attempt,
            ctx.job_id,
            line.message,
            extra=self._extra,
        )
        if threading.get_ident() != self._loop_thread:
            try:
                self._loop.call_soon_threadsafe(self._enqueue, line)
            except RuntimeError:  # loop closed: the worker is gone; the mirror above remains
                self.dropped += 1
            return _DONE
        self._enqueue(line)
        if len(self._pending) >= _FLUSH_HIGH_WATER and self._writer is not None:
            return asyncio.shield(self._writer)  # back-pressure on a job that logs in a loop
        return _DONE

    def _enqueue(self, line: LogLine) -> None:
        self._pending.append(line)
        if self._writer is None or self._writer.done():
            self._writer = self._loop.create_task(
                self._write_pending(), name=f"hookpoint-logs-{self._ctx.run_id}"
            )

    async def _write_pending(self) -> None:
        # Whatever queued while the previous batch was being written goes in the next one.
        while self._pending:
            batch, self._pending = self._pending, []
            for attempt in range(1, _WRITE_TRIES + 1):
                try:
                    await self._store.append_logs(batch)
                    break
                except Exception:
                    if attempt == _WRITE_TRIES:
                        self.dropped += len(batch)
                        self._pylog.exception(
                            "could not store %d log line(s) of run %s; dropped",
                            len(batch),
                            self._ctx.run_id,
                        )
                    else:
                        await asyncio.sleep(0.2 * 2**attempt)

    async def flush(self) -> None:
        """Wait until every line logged so far is stored (or given up on)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)


# -- io --------------------------------------------------------------------------------------------


class IO:
    """The ``io`` argument of a job's ``run``: one per attempt."""

    def __init__(
        self,
        store: Store,
        ctx: RunContext,
        *,
        http: httpx.AsyncClient | None = None,
        pylogger: logging.Logger | None = None,
    ) -> None:
        self._store = store
        self._http = http
        self.ctx = ctx
        self.logger = Logger(store, ctx, pylogger=pylogger)
        self.attempt_detail: Any = None
        """JSON data stored with this attempt when it ends, succeeded or failed (shown with
        the attempt by the API, the dashboard and ``hookpoint runs show``); None: nothing.
        A forwarding destination puts the response it got here."""

    @property
    def http(self) -> httpx.AsyncClient:
        """The worker's shared ``httpx.AsyncClient`` (do not close it)."""
        if self._http is None:
            raise RuntimeError(
                "io.http is not available: this worker was started without an HTTP client "
                "(pass http=httpx.AsyncClient(...) to the Worker)"
            )
        return self._http

    async def run_task(
        self,
        key: str,
        fn: Callable[..., Any],
        /,
        *args: Any,
        retry: RetryPolicy | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run a step once per run: ``fn(*args, **kwargs)``, sync or async.

        When a task with this ``key`` already succeeded in this run (in an earlier attempt), its
        stored result is returned and ``fn`` is not called. Otherwise ``fn`` is called (a sync
        ``fn`` in a thread), retried in-process per ``retry`` when given, and its result stored
        and returned. The result must be JSON data (dict, list, str, number, bool, None; a
        pydantic model is dumped); it is returned as read back from JSON, the same on every
        attempt. Keys must be unique within a run.
        """
        if not isinstance(key, str) or not key:
            raise ValueError("io.run_task: key must be a non-empty string")
        done, value = await self._store.get_task_result(self.ctx.run_id, key)
        if done:
            run_log.debug("run %s: task %r replayed from its stored result", self.ctx.run_id, key)
            return value
        tries = 1
        while True:
            try:
                result = await call_maybe_async(fn, *args, **kwargs)
                break
            except Exception as exc:
                if retry is None or not retry.should_retry(exc) or tries >= retry.max_attempts:
                    raise
                delay = retry.delay(tries)
                await self.logger.warn(
                    f"Task {key!r} try {tries} failed: {type(exc).__name__}: {exc}; "
                    f"retrying in {delay:.3g}s"
                )
                await asyncio.sleep(delay)
                tries += 1
        try:
            value = to_json_value(result)
        except TypeError as exc:
            name = getattr(fn, "__qualname__", repr(fn))
            raise TypeError(
                f"io.run_task({key!r}): the result of {name} must be JSON-serialisable so it can "
                f"be replayed on a later attempt ({exc})"
            ) from None
        await self._store.save_task_result(self.ctx.run_id, key, value)
        return value

    async def wait(self, seconds: float) -> None:
        """Sleep inside the attempt (counts against the job's timeout; not durable: the lease
        is kept by heartbeats, and a retried attempt waits again)."""
        await asyncio.sleep(seconds)


def store_of(io: IO) -> Store:
    """The store an attempt's ``io`` writes to (for core's built-in jobs, not user code)."""
    return io._store
