"""``hookpoint listen``: relay what a Hookpoint host accepted for one endpoint to a local URL.

The host keeps every accepted delivery; its delivery feed (``GET /api/endpoints/<id>/deliveries``,
docs/management-api.md) hands them out in commit order after a cursor, as a long poll. This
module is the client: it polls the feed, re-sends each delivery to the local app with the
sender's method, headers and body bytes (so the app's own signature check passes), one at a
time and in order, and writes the cursor after each one to a state file, so a relay that was
stopped catches up on what it missed. Guarantees and choices are in docs/local-development.md:

* A delivery is done when the local app answered it with anything but a 5xx, 408 or 429 (2xx:
  delivered; another answer: refused, shown and counted, not retried, since the app decided).
  Connection failures, timeouts, 5xx, 408 and 429 are retried with backoff (1 s doubling to
  30 s) for as long as it takes, and nothing after it goes first.
* The cursor is written (atomically, fsynced) after each done delivery: per state file, no
  delivery is sent twice, except the one in flight when the relay was killed (SIGKILL, a crash,
  a second Ctrl-C), which is sent again next time (at least once).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
import signal
import sys
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal, TypeVar
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError

from ._http import AsyncClient, HTTPError, new_client, relay_client, resendable_headers
from ._terminal import visible

__all__ = [
    "ListenError",
    "ListenOptions",
    "default_state_path",
    "relay_headers",
    "run_listen",
]

T = TypeVar("T")

POLL_WAIT = 25.0
"""Seconds one long poll of the host may wait for a delivery."""
BACKOFF_MAX = 30.0
PAGE_LIMIT = 100


class ListenError(Exception):
    """Something retrying cannot fix (a refused token, an unknown endpoint, a bad state file)."""


@dataclass(frozen=True, slots=True)
class ListenOptions:
    source: str
    """The host's base URL (``--from``), without a trailing slash."""
    token: str | None
    endpoint: str
    target: str
    """The local URL (``--to``)."""
    state: Path
    since: float | None
    """Where to start when the state file has no cursor yet (``None``: the head of the feed
    at the first poll)."""
    timeout: float = 30.0
    """Seconds the local app may take to answer one delivery."""
    since_launch: bool = False
    """``since`` is the moment the relay was started (no ``--since``): deliveries the host
    accepted while the relay was still starting are not missed."""


# -- what travels -------------------------------------------------------------------------------


class FeedItem(BaseModel):
    """One delivery as the host's feed gives it (``feed_entry_to_dict``)."""

    model_config = ConfigDict(extra="ignore")

    cursor: str
    id: str
    method: str
    url: str
    received_at: str | None = None
    event_type: str | None = None
    event_id: str | None = None
    test: bool = False
    headers: list[tuple[str, str]]
    body: str
    """Base64."""


class FeedAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    items: list[FeedItem]
    cursor: str
    more: bool = False


class ListenState(BaseModel):
    """The state file: where the relay of one endpoint of one host stands."""

    model_config = ConfigDict(extra="ignore")

    version: Literal[1] = 1
    source: str
    endpoint: str
    target: str
    cursor: str
    """The host's feed cursor just after the last delivery done (or the head it started at)."""
    last_delivery: str | None = None
    """The id of the last delivery done, for people reading the file."""
    updated_at: str


def default_state_path(app_dir: str, source: str, endpoint: str, target: str) -> Path:
    """``<app dir>/listen/<endpoint>-<digest of host, endpoint and target>.json``."""
    digest = hashlib.sha256(f"{source}\n{endpoint}\n{target}".encode()).hexdigest()[:16]
    readable = re.sub(r"[^A-Za-z0-9_.-]", "_", endpoint)[:40].lstrip(".") or "endpoint"
    return Path(app_dir) / "listen" / f"{readable}-{digest}.json"


def relay_headers(headers: Sequence[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """The headers the local app gets: the sender's that a new request may carry
    (``resendable_headers``), byte for byte (the host keeps them as latin-1 text)."""
    return [(_raw(name), _raw(value)) for name, value in resendable_headers(headers)]


def _raw(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:  # not from Hookpoint's own store, which keeps latin-1
        return text.encode("utf-8")


def _target_url(target: str, original: str) -> str:
    """The local URL, with the original request's query string appended (some senders put
    parameters there)."""
    query = urlsplit(original).query
    if not query:
        return target
    return f"{target}{'&' if '?' in target else '?'}{query}"


# -- the state file -------------------------------------------------------------------------------


class StateFile:
    """The state file, written atomically (a temporary file, fsync, rename, fsync of the
    directory), and a lock beside it so that two relays never share one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_fd: int | None = None

    def lock(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if sys.platform == "win32":  # pragma: no cover - no flock
            return
        import fcntl

        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ListenError(
                f"another `hookpoint listen` is using the state file {self.path}"
            ) from None
        self._lock_fd = fd

    def unlock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)  # closing drops the flock

    def load(self) -> ListenState | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ListenError(f"cannot read the state file {self.path}: {exc}") from None
        try:
            return ListenState.model_validate_json(text)
        except ValidationError:
            raise ListenError(
                f"the state file {self.path} is not one `hookpoint listen` wrote; move it away "
                "(or give another --state) to start again"
            ) from None

    def save(self, state: ListenState) -> None:
        data = state.model_dump_json(indent=2).encode() + b"\n"
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        with contextlib.suppress(OSError):  # not every platform opens directories
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


# -- output ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Counts:
    delivered: int = 0
    refused: int = 0
    failed_attempts: int = 0
    """Attempts that failed and were retried (connection errors, 5xx, 408, 429)."""
    host_errors: int = 0


@dataclass(frozen=True, slots=True)
class Outcome:
    item: FeedItem
    status: int | None
    """The local app's status; ``None``: no answer (``error`` says why)."""
    latency_ms: float
    attempt: int
    kind: Literal["delivered", "refused", "retry"]
    error: str | None = None
    retry_in: float | None = None
    answer: str = ""
    """The start of the app's answer when it was not a 2xx (for the developer)."""


class Reporter:
    """Lines for people (one per delivery attempt) or, with ``--json``, one JSON object per
    line. Sender-controlled text is escaped for the terminal (``_terminal.visible``); JSON is
    ASCII-only, so no control character reaches it either."""

    def __init__(self, out: IO[str], *, as_json: bool, color: bool) -> None:
        self._out = out
        self.as_json = as_json
        self._color = color

    def _emit(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def _json(self, data: dict[str, Any]) -> None:
        self._emit(json.dumps(data, ensure_ascii=True, separators=(",", ":")))

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self._color else text

    def start(self, options: ListenOptions, starting: str, cursor: str | None) -> None:
        if self.as_json:
            self._json(
                {
                    "type": "start",
                    "from": options.source,
                    "endpoint": options.endpoint,
                    "to": options.target,
                    "state": str(options.state),
                    "cursor": cursor,
                    "starting": starting,
                }
            )
            return
        self._emit(
            f"Relaying endpoint {visible(options.endpoint)} of {visible(options.source)} "
            f"to {visible(options.target)}"
        )
        self._emit(f"  starting {starting}; state {visible(str(options.state))}")
        self._emit("  Ctrl-C to stop.")

    def outcome(self, o: Outcome) -> None:
        item = o.item
        if self.as_json:
            self._json(
                {
                    "type": "delivery",
                    "outcome": o.kind,
                    "id": item.id,
                    "event_type": item.event_type,
                    "event_id": item.event_id,
                    "method": item.method,
                    "test": item.test,
                    "received_at": item.received_at,
                    "status": o.status,
                    "latency_ms": round(o.latency_ms, 1),
                    "attempt": o.attempt,
                    "error": o.error,
                    "retry_in": o.retry_in,
                    "answer": o.answer or None,
                }
            )
            return
        what = item.event_type or f"{item.method} {urlsplit(item.url).path}"
        status = str(o.status) if o.status is not None else "---"
        paint = {"delivered": "32", "refused": "31", "retry": "33"}[o.kind]
        line = (
            f"{_clock()}  {visible(what):<32} {self._paint(status, paint)} "
            f"{o.latency_ms:7.0f} ms  {visible(item.id)}"
        )
        if item.test:
            line += "  [test]"
        if o.kind == "refused":
            line += "  refused by the app, not retried"
        elif o.kind == "retry":
            reason = visible(o.error) if o.error else f"answered {o.status}"
            line += f"  {reason}; attempt {o.attempt}, next in {o.retry_in:g} s"
        if o.answer:
            line += f"  {visible(o.answer)}"
        self._emit(line)

    def host_problem(self, message: str, retry_in: float) -> None:
        if self.as_json:
            self._json({"type": "host_error", "message": message, "retry_in": retry_in})
            return
        text = f"{_clock()}  host: {visible(message)}; trying again in {retry_in:g} s"
        self._emit(self._paint(text, "33"))

    def summary(self, counts: Counts, state: StateFile, cursor: str | None, note: str) -> None:
        if self.as_json:
            self._json(
                {
                    "type": "summary",
                    "delivered": counts.delivered,
                    "refused": counts.refused,
                    "failed_attempts": counts.failed_attempts,
                    "host_errors": counts.host_errors,
                    "state": str(state.path),
                    "cursor": cursor,
                    "note": note or None,
                }
            )
            return
        self._emit(
            f"Stopped: {counts.delivered} delivered, {counts.refused} refused, "
            f"{counts.failed_attempts} failed attempt(s) retried; "
            f"state {visible(str(state.path))}"
        )
        if note:
            self._emit(f"  {visible(note)}")


def _clock() -> str:
    return datetime.now().strftime("%H:%M:%S")


def _now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _backoff(attempt: int) -> float:
    """1, 2, 4, … seconds, at most ``BACKOFF_MAX``."""
    return float(min(BACKOFF_MAX, 2 ** min(attempt - 1, 10)))


# -- the relay ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Relay:
    options: ListenOptions
    reporter: Reporter
    state: StateFile
    stop: asyncio.Event
    counts: Counts = field(default_factory=Counts)
    cursor: str | None = None
    last_delivery: str | None = None
    started: bool = False
    in_flight: str | None = None
    """The id of the delivery being sent (for the note when the relay is killed meanwhile)."""

    async def run(self) -> None:
        saved = self.state.load()
        opts = self.options
        if saved is not None and (saved.source, saved.endpoint) != (opts.source, opts.endpoint):
            raise ListenError(
                f"the state file {self.state.path} belongs to endpoint {saved.endpoint!r} of "
                f"{saved.source}; give another --state"
            )
        since: float | None = None
        if saved is not None:
            self.cursor, self.last_delivery = saved.cursor, saved.last_delivery
            starting = "after the last delivery relayed (saved cursor)"
        elif opts.since is not None:
            since = opts.since
            starting = (
                f"now (deliveries received from {_iso(opts.since)} on; --since to catch up on "
                "earlier ones)"
                if opts.since_launch
                else f"with deliveries received since {_iso(opts.since)}"
            )
        else:
            starting = "now (only new deliveries; --since to catch up on earlier ones)"
        self.reporter.start(opts, starting, self.cursor)
        self.started = True
        async with new_client(timeout=POLL_WAIT + 20) as host, relay_client(opts.timeout) as local:
            wait = 0.0  # the first poll answers at once: a start "now" is saved at once
            while not self.stop.is_set():
                answer = await self._until_stopped(self._poll(host, since, wait))
                if answer is None:  # stopped
                    return
                since, wait = None, POLL_WAIT
                for item in answer.items:
                    if self.stop.is_set() or not await self._deliver(local, item):
                        return
                    self._save(item.cursor, item.id)
                if answer.cursor != self.cursor:
                    self._save(answer.cursor, None)

    def _save(self, cursor: str, delivery: str | None) -> None:
        self.cursor = cursor
        if delivery is not None:
            self.last_delivery = delivery
        self.state.save(
            ListenState(
                source=self.options.source,
                endpoint=self.options.endpoint,
                target=self.options.target,
                cursor=cursor,
                last_delivery=self.last_delivery,
                updated_at=_now_iso(),
            )
        )

    async def _until_stopped(self, work: Awaitable[T]) -> T | None:
        """``work``'s result, or ``None`` when the relay is stopped first (``work`` is then
        cancelled)."""
        task = asyncio.ensure_future(work)
        stopper = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return task.result() if not task.cancelled() else None

    async def _pause(self, seconds: float) -> bool:
        """Sleep; True when the relay was stopped meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), seconds)
        return self.stop.is_set()

    async def _poll(self, host: AsyncClient, since: float | None, wait: float) -> FeedAnswer | None:
        """The next page; ``None`` when the relay was stopped while the host was unreachable."""
        opts = self.options
        url = f"{opts.source}/api/endpoints/{quote(opts.endpoint, safe='')}/deliveries"
        params: dict[str, str] = {"wait": f"{wait:g}", "limit": str(PAGE_LIMIT)}
        if self.cursor is not None:
            params["after"] = self.cursor
        elif since is not None:
            params["since"] = repr(since)
        headers = {"Authorization": f"Bearer {opts.token}"} if opts.token else {}
        failures = 0
        while True:
            problem: str
            try:
                response = await host.get(url, params=params, headers=headers)
            except HTTPError as exc:
                problem = f"cannot reach {opts.source} ({type(exc).__name__}: {exc})"
            else:
                status = response.status_code
                if status == 200:
                    try:
                        return FeedAnswer.model_validate_json(response.content)
                    except ValidationError:
                        raise ListenError(
                            f"{opts.source} answered with something that is not a page of "
                            "deliveries: is it a Hookpoint host?"
                        ) from None
                if status not in (408, 429) and status < 500:
                    raise ListenError(_refusal(opts, status, response.headers, response.content))
                problem = f"{opts.source} answered {status} {_message(response.content)}"
            failures += 1
            self.counts.host_errors += 1
            delay = _backoff(failures)
            self.reporter.host_problem(problem, delay)
            if await self._pause(delay):
                return None

    async def _deliver(self, local: AsyncClient, item: FeedItem) -> bool:
        """Send ``item`` until it is done; False when the relay was stopped before that."""
        try:
            body = base64.b64decode(item.body, validate=True)
        except (binascii.Error, ValueError):
            raise ListenError(f"delivery {item.id} has a body that is not base64") from None
        url = _target_url(self.options.target, item.url)
        headers = relay_headers(item.headers)
        attempt = 0
        self.in_flight = item.id
        while True:
            attempt += 1
            started = time.perf_counter()
            status: int | None = None
            error: str | None = None
            answer = b""
            try:
                async with local.stream(item.method, url, headers=headers, content=body) as resp:
                    status = resp.status_code
                    if not 200 <= status < 300:
                        async for chunk in resp.aiter_bytes():
                            answer += chunk
                            if len(answer) >= 200:
                                break
            except HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            latency = (time.perf_counter() - started) * 1000
            excerpt = answer[:200].decode("utf-8", "replace").strip()
            if status is not None and status not in (408, 429) and status < 500:
                kind: Literal["delivered", "refused"] = (
                    "delivered" if 200 <= status < 300 else "refused"
                )
                if kind == "delivered":
                    self.counts.delivered += 1
                else:
                    self.counts.refused += 1
                self.reporter.outcome(Outcome(item, status, latency, attempt, kind, answer=excerpt))
                self.in_flight = None
                return True
            self.counts.failed_attempts += 1
            delay = _backoff(attempt)
            self.reporter.outcome(
                Outcome(item, status, latency, attempt, "retry", error, delay, excerpt)
            )
            if await self._pause(delay):
                self.in_flight = None
                return False


def _message(content: bytes) -> str:
    """The ``message`` of a Hookpoint error answer, else the start of the text."""
    try:
        data = json.loads(content)
    except ValueError:
        return content[:200].decode("utf-8", "replace").strip()
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])[:200]
    return ""


def _refusal(options: ListenOptions, status: int, headers: Any, content: bytes) -> str:
    """What to tell the developer when the host refused the poll (nothing to retry)."""
    message = _message(content)
    if status in (401, 403):
        if options.token:
            return f"{options.source} refused the token ({status}): check --token"
        return (
            f"{options.source} wants an admin token ({status}): pass --token or set "
            "HOOKPOINT_ADMIN_TOKEN"
        )
    if status == 404:
        if message == "no such endpoint":
            return f"{options.source} has no endpoint {options.endpoint!r}"
        return (
            f"{options.source} has no delivery feed (404): is it a Hookpoint host, "
            "and recent enough for `hookpoint listen`?"
        )
    if 300 <= status < 400:
        location = headers.get("location", "")
        return (
            f"{options.source} redirects ({status}) to {location or 'elsewhere'}: give the "
            "final URL as --from (redirects are not followed, the token would travel along)"
        )
    if status == 400 and "cursor" in message:
        return (
            f"{options.source} does not know the saved cursor ({message}): the state file "
            "belongs to another host or store; give another --state"
        )
    return f"{options.source} refused the poll ({status}): {message}"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# -- entry point ---------------------------------------------------------------------------------


def run_listen(options: ListenOptions, reporter: Reporter) -> int:
    """Relay until Ctrl-C / SIGTERM (exit 0, after a summary) or an error retrying cannot fix
    (``ListenError``, raised after the summary). A second Ctrl-C stops at once, even in the
    middle of a delivery (which is then sent again next time)."""
    try:
        return asyncio.run(_main(options, reporter))
    except KeyboardInterrupt:  # no signal handlers (Windows): the cursor is saved already
        return 0


async def _main(options: ListenOptions, reporter: Reporter) -> int:
    state = StateFile(options.state)
    state.lock()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    main = asyncio.current_task()
    signals_seen = 0

    def on_signal() -> None:
        nonlocal signals_seen
        signals_seen += 1
        if signals_seen == 1:
            stop.set()
        elif main is not None:
            main.cancel()

    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # non-Unix
            loop.add_signal_handler(sig, on_signal)
            installed.append(sig)
    relay = Relay(options, reporter, state, stop)
    note = ""
    failure: ListenError | None = None
    try:
        await relay.run()
    except ListenError as exc:
        failure = exc
    except asyncio.CancelledError:
        if relay.in_flight is not None:
            note = f"interrupted while delivering {relay.in_flight}: it is sent again next time"
    finally:
        state.unlock()
        for sig in installed:
            loop.remove_signal_handler(sig)
    if relay.started:
        reporter.summary(relay.counts, state, relay.cursor, note)
    if failure is not None:
        raise failure
    return 0
