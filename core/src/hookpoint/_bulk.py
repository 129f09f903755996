"""Recovery by query: replay every run, or re-deliver every request, that a listing selects.

One description of the listing filters serves every caller: :class:`RunFilters` and
:class:`RequestFilters` are what ``GET /api/runs`` and ``GET /api/requests`` take (the same
names and time formats), and their bulk forms :class:`RunReplay` and :class:`RequestRedelivery`
are the bodies of ``POST /api/runs/replay`` and ``POST /api/requests/redeliver``, the dashboard's
confirm forms and ``hookpoint runs replay`` / ``hookpoint requests redeliver``.

Matching is the listing itself: the store pages through the same listing statements
(``Store.match_runs`` / ``match_requests``) in one snapshot, below an id taken when the action
starts (``snapshot``), so the runs a replay creates are never replayed again and the count is
what the listing shows. Each action is recorded in ``bulk_actions`` under its idempotency key
before the first replay, so a second submit with the same key gets the first action back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from ._convert import replay_source
from ._errors import StoreError
from ._when import parse_time
from .store import (
    BulkAction,
    BulkKind,
    NewBulkAction,
    NotFound,
    RequestQuery,
    RequestStatus,
    RunQuery,
    RunStatus,
    Store,
    StoredRequest,
    new_id,
)

__all__ = [
    "MAX_MATCHES",
    "REQUEST_STATUSES",
    "RUN_STATUSES",
    "BulkConflict",
    "BulkSelection",
    "Preview",
    "RequestFilters",
    "RequestRedelivery",
    "RunFilters",
    "RunReplay",
    "TooManyMatches",
    "perform",
    "preview",
    "validation_message",
]

log = logging.getLogger("hookpoint")

RUN_STATUSES: Final[tuple[str, ...]] = get_args(RunStatus)
REQUEST_STATUSES: Final[tuple[str, ...]] = get_args(RequestStatus)
MAX_MATCHES: Final = 100_000
"""The most runs or requests one bulk action takes; more: narrow the filters."""
IMPLICIT_KEY_WINDOW: Final = 60
"""Seconds in which a repeat of the same query by the same caller, with no idempotency key and
no snapshot, is taken for a double submit (``_Bulk.implicit_key``)."""
SAMPLE: Final = 10
"""Matching rows a dry run (and the dashboard's confirm page) shows."""
CHUNK: Final = 200
"""Runs replayed per transaction (and per step of a progress bar)."""
_ID_CHARS: Final = frozenset("0123456789abcdefghjkmnpqrstvwxyz")
_QUERY_NAMES: Final = {"endpoint": "endpoint_id", "job": "job_id", "request": "request_id"}


# -- the filters --------------------------------------------------------------------------------


class _Filters(BaseModel):
    """What both listings filter on. An empty string is no filter (as in a query string)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    STATUSES: ClassVar[tuple[str, ...]] = ()
    FILTERS: ClassVar[tuple[str, ...]] = ()
    """The filter names, in the order they are shown."""

    endpoint: str | None = None
    event_type: str | None = None
    since: float | None = None
    until: float | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # No id or filter holds a NUL; PostgreSQL cannot even compare one.
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("NUL characters are not allowed")
            if len(value) > 1000:
                raise ValueError("at most 1000 characters")
            return value or None
        return value

    @field_validator("since", "until", mode="before")
    @classmethod
    def _time(cls, value: Any, info: Any) -> float | None:
        problem = f"{info.field_name} must be Unix seconds, ISO-8601 or an age like 10m, 2h, 7d"
        if isinstance(value, str):
            value = parse_time(value, info.field_name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(problem)
        try:
            seconds = float(value)
        except OverflowError:  # an integer of 400 digits
            raise ValueError(problem) from None
        if not math.isfinite(seconds):  # NaN compares false with everything, inf with nothing
            raise ValueError(problem)
        return seconds

    @field_validator("status", mode="before", check_fields=False)
    @classmethod
    def _status(cls, value: Any) -> Any:
        if value is not None and value not in cls.STATUSES:
            raise ValueError(f"status must be one of {', '.join(sorted(cls.STATUSES))}")
        return value

    @classmethod
    def from_args(cls, args: Any) -> Self:
        """The filters a query string (or form) names; other keys are left alone. Raises
        ``ValueError`` with a message for a bad value."""
        given = {k: args.get(k) for k in cls.FILTERS if args.get(k)}
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            raise ValueError(validation_message(exc)) from None

    def given(self) -> dict[str, Any]:
        """The filters set, by name (times as Unix seconds): what an action records."""
        return {k: getattr(self, k) for k in self.FILTERS if getattr(self, k) is not None}

    def _query_fields(self) -> dict[str, Any]:
        """The filters as the store's ``RunQuery`` / ``RequestQuery`` name them."""
        return {_QUERY_NAMES.get(k, k): getattr(self, k) for k in self.FILTERS}


class RunFilters(_Filters):
    """``GET /api/runs``'s filters: ``since``/``until`` are a run's ``created_at``."""

    STATUSES = RUN_STATUSES
    FILTERS = ("endpoint", "job", "request", "status", "event_type", "since", "until")

    job: str | None = None
    request: str | None = None
    status: RunStatus | None = None

    def query(self, *, limit: int = 50, before_id: str | None = None) -> RunQuery:
        return RunQuery(**self._query_fields(), limit=limit, before_id=before_id)


class RequestFilters(_Filters):
    """``GET /api/requests``'s filters: ``since``/``until`` are a request's ``received_at``."""

    STATUSES = REQUEST_STATUSES
    FILTERS = ("endpoint", "status", "event_type", "since", "until")

    status: RequestStatus | None = None

    def query(self, *, limit: int = 50, before_id: str | None = None) -> RequestQuery:
        return RequestQuery(**self._query_fields(), limit=limit, before_id=before_id)


class _Bulk(BaseModel):
    """What a bulk action takes besides the filters."""

    KIND: ClassVar[BulkKind]

    all: StrictBool = False
    """Required (``true``) when no filter is given: nobody replays the whole history by
    accident. Refused together with filters, where it would read as "all of them"."""
    dry_run: StrictBool = False
    """Count and show a sample; change nothing, record nothing."""
    snapshot: str | None = None
    """An id (a dry run's ``snapshot``): only what was stored before it. Default: now."""

    @field_validator("snapshot")
    @classmethod
    def _snapshot(cls, value: str | None) -> str | None:
        if value is not None and (len(value) != 26 or not set(value) <= _ID_CHARS):
            raise ValueError("snapshot must be an id from a dry run (26 characters)")
        return value

    @model_validator(mode="after")
    def _guard(self) -> Any:
        given = self.given()  # type: ignore[attr-defined]
        if not given and not self.all:
            raise ValueError(
                'no filter given: to act on every one, say so with "all": true '
                f"(filters: {', '.join(self.FILTERS)})"  # type: ignore[attr-defined]
            )
        if given and self.all:
            raise ValueError('"all": true means no filter; drop it or the filters')
        return self

    def record(self) -> dict[str, Any]:
        """The query an action records (and repeats of its key are compared by)."""
        given: dict[str, Any] = self.given()  # type: ignore[attr-defined]
        return given if given else {"all": True}

    def implicit_key(self, actor: str, now: float) -> str:
        """The idempotency key of a submit that names none: the same for a repeat of this
        query by the same caller acting on the same ``snapshot`` (a confirmed dry run), or,
        without one, within the same ``IMPLICIT_KEY_WINDOW`` seconds: so a double submit (a
        retried request, a double click) acts once."""
        basis = {
            "kind": self.KIND,
            "query": self.record(),
            "actor": actor,
            "at": self.snapshot or int(now // IMPLICIT_KEY_WINDOW),
        }
        text = json.dumps(basis, sort_keys=True, default=str)
        return "auto:" + hashlib.sha256(text.encode()).hexdigest()[:32]


class RunReplay(RunFilters, _Bulk):
    """The body of ``POST /api/runs/replay``."""

    KIND: ClassVar[BulkKind] = "replay_runs"


class RequestRedelivery(RequestFilters, _Bulk):
    """The body of ``POST /api/requests/redeliver``."""

    KIND: ClassVar[BulkKind] = "redeliver_requests"


BulkSelection = RunReplay | RequestRedelivery


def validation_message(exc: ValidationError) -> str:
    """One line for a 400 answer: each problem, unknown fields named with the known ones."""
    parts: list[str] = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(x) for x in error["loc"])
        if error["type"] == "extra_forbidden":
            model = exc.title
            known = _known_fields.get(model)
            hint = f" (known: {', '.join(known)})" if known else ""
            parts.append(f"unknown field {where!r}{hint}")
            continue
        message = str(error["msg"]).removeprefix("Value error, ")
        if where and not message.startswith(where):
            message = f"{where}: {message}"
        parts.append(message)
    return "; ".join(parts) or "invalid input"


_known_fields: dict[str, tuple[str, ...]] = {
    m.__name__: tuple(sorted(m.model_fields))
    for m in (RunFilters, RequestFilters, RunReplay, RequestRedelivery)
}


# -- matching ---------------------------------------------------------------------------------


class TooManyMatches(ValueError):
    """More than ``MAX_MATCHES`` match (an answer of 400: narrow the filters)."""


class BulkConflict(Exception):
    """The idempotency key names another action, or one still running (an answer of 409)."""

    def __init__(self, message: str, action: BulkAction) -> None:
        super().__init__(message)
        self.action = action


@dataclass(frozen=True, slots=True)
class Preview:
    """What a bulk action would act on (a dry run shows it; the action acts on exactly it)."""

    kind: BulkKind
    query: dict[str, Any]
    snapshot: str
    ids: tuple[str, ...]
    sample: tuple[Any, ...]
    """The first ``SAMPLE`` matching records (``RunRecord`` or ``StoredRequest``), newest first."""

    @property
    def count(self) -> int:
        return len(self.ids)


async def preview(store: Store, selection: BulkSelection) -> Preview:
    """Every run or request the selection's filters list, below its snapshot (default: an id
    made now, so nothing stored from here on counts). :raises TooManyMatches:"""
    snapshot = selection.snapshot or new_id()
    if isinstance(selection, RunReplay):
        found = await store.match_runs(
            selection.query(before_id=snapshot), most=MAX_MATCHES, sample=SAMPLE
        )
        what = "runs"
    else:
        found = await store.match_requests(
            selection.query(before_id=snapshot), most=MAX_MATCHES, sample=SAMPLE
        )
        what = "requests"
    if found.more:
        raise TooManyMatches(
            f"more than {MAX_MATCHES:,} {what} match: narrow the filters (since/until) and "
            "act in parts"
        )
    return Preview(selection.KIND, selection.record(), snapshot, found.ids, found.sample)


# -- acting -----------------------------------------------------------------------------------

Redeliver = Callable[[StoredRequest], Awaitable[tuple[str, tuple[str, ...]]]]
"""``Runtime.redeliver``: re-deliver one stored request; its id and the new runs' ids."""
Progress = Callable[[int], None]
"""Told how many more items were handled (a progress bar's ``advance``)."""


@dataclass(slots=True)
class _Tally:
    replayed: int = 0
    new_runs: int = 0
    run_ids: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, item_id: str, why: str) -> None:
        self.notes.append((item_id, why))


async def _replay_runs(
    store: Store, ids: Sequence[str], tally: _Tally, progress: Progress | None
) -> None:
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        done = await store.replay_runs(chunk)
        replayed = {old for old, _ in done}
        tally.replayed += len(done)
        tally.new_runs += len(done)
        tally.run_ids.extend(new for _, new in done)
        for run_id in chunk:
            if run_id not in replayed:
                tally.skip(run_id, "no longer stored (retention)")
        if progress is not None:
            progress(len(chunk))


async def _redeliver(
    store: Store,
    ids: Sequence[str],
    redeliver: Redeliver,
    tally: _Tally,
    progress: Progress | None,
) -> None:
    delivered: set[str] = set()
    for request_id in ids:
        try:
            stored = await store.get_request(request_id)
            if stored is None:
                tally.skip(request_id, "no longer stored (retention)")
                continue
            source = await replay_source(store, stored)
            if source.id in delivered:
                # a duplicate and the request it repeats: that request is re-delivered once
                tally.skip(request_id, f"{source.id} was re-delivered by this action already")
                continue
            _, run_ids = await redeliver(source)
        except NotFound:
            tally.skip(request_id, "no longer stored (retention)")
            continue
        except StoreError:
            raise
        except LookupError as exc:  # cannot be re-delivered (handshake, rejected, endpoint gone)
            tally.skip(request_id, str(exc))
            continue
        finally:
            if progress is not None:
                progress(1)
        delivered.add(source.id)
        tally.replayed += 1
        tally.new_runs += len(run_ids)
        tally.run_ids.extend(run_ids)


async def perform(
    store: Store,
    selection: BulkSelection,
    *,
    actor: str,
    client: str | None,
    key: str,
    redeliver: Redeliver | None = None,
    progress: Progress | None = None,
    found: Preview | None = None,
) -> tuple[BulkAction, bool]:
    """Match, record (under ``key``), then replay or re-deliver every match; the recorded
    action and True, or, when ``key`` was used before for the same query, that first action
    and False (nothing is done again).

    ``redeliver``: for requests (``Runtime.redeliver``). ``found``: what a :func:`preview` of
    the same selection matched (and the operator confirmed): acted on as it is.
    :raises BulkConflict: the key belongs to another query, or to an action still running.
    :raises TooManyMatches:
    """
    if isinstance(selection, RequestRedelivery) and redeliver is None:
        raise TypeError("re-delivering requests needs the app's jobs (redeliver=)")
    if found is None:
        found = await preview(store, selection)
    action, created = await store.begin_bulk_action(
        NewBulkAction(
            id=new_id(),
            kind=found.kind,
            idempotency_key=key,
            actor=actor,
            client=client,
            query=found.query,
            snapshot=found.snapshot,
            matched=found.count,
            created_at=time.time(),
        )
    )
    if not created:
        if action.kind != found.kind or action.query != found.query:
            raise BulkConflict(
                f"this idempotency key was used for another bulk action ({action.id}: "
                f"{action.kind} of {action.query})",
                action,
            )
        if action.status == "running":
            raise BulkConflict(
                f"the bulk action with this idempotency key ({action.id}) is still running",
                action,
            )
        return action, False
    tally = _Tally()
    try:
        if isinstance(selection, RunReplay):
            await _replay_runs(store, found.ids, tally, progress)
        else:
            assert redeliver is not None
            await _redeliver(store, found.ids, redeliver, tally, progress)
    except BaseException as exc:  # the store failed, or the caller was interrupted
        why = "the store became unavailable" if isinstance(exc, StoreError) else "interrupted"
        log.warning("bulk action %s stopped after %d: %s", action.id, tally.replayed, why)
        await _end(store, action.id, tally, found.count, f"stopped: {why}")
        raise
    await _end(store, action.id, tally, found.count)
    ended = await store.get_bulk_action(action.id)
    assert ended is not None
    return ended, True


async def _end(
    store: Store, action_id: str, tally: _Tally, matched: int, error: str | None = None
) -> None:
    await store.end_bulk_action(
        action_id,
        status="failed" if error else "done",
        replayed=tally.replayed,
        skipped=matched - tally.replayed,
        new_runs=tally.new_runs,
        run_ids=tally.run_ids,
        notes=tally.notes,
        error=error,
    )
