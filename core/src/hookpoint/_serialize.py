"""JSON views of stored records for the API, the CLI and the dashboard (secrets masked)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._secrets import mask_headers, mask_known_secrets, mask_url
from .store import (
    HOUR,
    Attempt,
    BulkAction,
    FeedEntry,
    HourlyActivity,
    LogLine,
    RunRecord,
    StoredRequest,
)

if TYPE_CHECKING:
    from ._bulk import Preview

__all__ = [
    "activity_to_dict",
    "attempt_to_dict",
    "bulk_to_dict",
    "feed_entry_to_dict",
    "iso",
    "log_to_dict",
    "preview_to_dict",
    "query_to_dict",
    "request_to_dict",
    "run_to_dict",
]


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _body_view(body: bytes, secrets: Sequence[str]) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {"body": base64.b64encode(body).decode(), "body_encoding": "base64"}
    return {"body": mask_known_secrets(text, secrets), "body_encoding": "utf-8"}


def request_to_dict(
    req: StoredRequest, *, include_body: bool = False, secrets: Sequence[str] = ()
) -> dict[str, Any]:
    """``secrets``: the endpoint's, masked wherever they appear in the body."""
    data: dict[str, Any] = {
        "id": req.id,
        "endpoint": req.endpoint_id,
        "status": req.status,
        "method": req.method,
        "url": mask_url(req.url),
        "received_at": iso(req.received_at),
        "client": req.client,
        "verification": req.verification,
        "event_type": req.event_type,
        "event_id": req.event_id,
        "event_time": iso(req.event_time),
        "duplicate_of": req.duplicate_of,
        "reason": req.reason,
        "body_size": req.body_size or len(req.body),
        "test": req.test,
    }
    if include_body:
        data["headers"] = [list(pair) for pair in mask_headers(req.headers)]
        data.update(_body_view(req.body, secrets))
    return data


def feed_entry_to_dict(entry: FeedEntry) -> dict[str, Any]:
    """A delivery of the feed (``hookpoint listen``) as it arrived: method, URL, every header
    and the body bytes (base64), unmasked, so that a local app can verify its signature."""
    req = entry.request
    return {
        "cursor": entry.cursor,
        "id": req.id,
        "method": req.method,
        "url": req.url,
        "received_at": iso(req.received_at),
        "event_type": req.event_type,
        "event_id": req.event_id,
        "verification": req.verification,
        "test": req.test,
        "headers": [list(pair) for pair in req.headers],
        "body": base64.b64encode(req.body).decode("ascii"),
        "body_size": len(req.body),
    }


def run_to_dict(run: RunRecord, *, include_output: bool = False) -> dict[str, Any]:
    """``include_output``: for one run read with ``get_run`` (a listed run has no output)."""
    data: dict[str, Any] = {
        "id": run.id,
        "request": run.request_id,
        "endpoint": run.endpoint_id,
        "job": run.job_id,
        "job_version": run.job_version,
        "status": run.status,
        "attempt": run.attempt,
        "max_attempts": run.max_attempts,
        "created_at": iso(run.created_at),
        "updated_at": iso(run.updated_at),
        "next_attempt_at": iso(run.next_attempt_at),
        "lease_owner": run.lease_owner,
        "lease_expires_at": iso(run.lease_expires_at),
        "last_error": run.last_error,
        "replay_of": run.replay_of,
        "test": run.test,
    }
    if include_output:
        data["output"] = run.output
    return data


def attempt_to_dict(a: Attempt) -> dict[str, Any]:
    return {
        "number": a.number,
        "worker": a.worker,
        "status": a.status,
        "started_at": iso(a.started_at),
        "finished_at": iso(a.finished_at),
        "error": a.error,
        "detail": a.detail,
    }


def log_to_dict(line: LogLine) -> dict[str, Any]:
    return {
        "attempt": line.attempt,
        "at": iso(line.at),
        "level": line.level,
        "message": line.message,
        "data": line.data,
    }


def query_to_dict(query: dict[str, Any]) -> dict[str, Any]:
    """A bulk action's recorded filters, its times in ISO-8601 (as the listings take them)."""
    return {k: iso(v) if k in ("since", "until") else v for k, v in query.items()}


def bulk_to_dict(action: BulkAction, *, include_ids: bool = False) -> dict[str, Any]:
    """``include_ids``: the new runs' ids (at most 1,000 kept) and the skipped items, for the
    view of one action; a listing leaves them out."""
    data: dict[str, Any] = {
        "id": action.id,
        "kind": action.kind,
        "status": action.status,
        "actor": action.actor,
        "client": action.client,
        "query": query_to_dict(action.query),
        "snapshot": action.snapshot,
        "matched": action.matched,
        "replayed": action.replayed,
        "skipped": action.skipped,
        "new_runs": action.new_runs,
        "created_at": iso(action.created_at),
        "finished_at": iso(action.finished_at),
        "error": action.error,
    }
    if include_ids:
        data["run_ids"] = list(action.run_ids)
        data["run_ids_truncated"] = action.new_runs > len(action.run_ids)
        data["skipped_items"] = [{"id": i, "reason": why} for i, why in action.notes]
    return data


def preview_to_dict(found: Preview) -> dict[str, Any]:
    """A dry run's answer: how many match, the first few, and the snapshot to act on."""
    return {
        "dry_run": True,
        "kind": found.kind,
        "query": query_to_dict(found.query),
        "snapshot": found.snapshot,
        "count": found.count,
        "sample": [
            run_to_dict(x) if isinstance(x, RunRecord) else request_to_dict(x) for x in found.sample
        ],
    }


def activity_to_dict(activity: HourlyActivity) -> dict[str, Any]:
    """An endpoint's counts per UTC hour (``GET /api/endpoints/<id>/stats``): ``buckets``
    oldest first, each with ``requests`` by outcome and ``runs`` by status, and the
    ``totals`` of the whole period."""
    hours = activity.hours
    return {
        "endpoint": activity.endpoint_id,
        "hours": len(hours),
        "since": iso(hours[0]) if hours else None,
        "until": iso(hours[-1] + HOUR) if hours else None,
        "buckets": [
            {
                "hour": iso(start),
                "requests": {k: v[i] for k, v in activity.requests.items()},
                "runs": {k: v[i] for k, v in activity.runs.items()},
            }
            for i, start in enumerate(hours)
        ],
        "totals": {
            "requests": {k: sum(v) for k, v in activity.requests.items()},
            "runs": {k: sum(v) for k, v in activity.runs.items()},
        },
    }
