"""JSON views of stored records for the API, the CLI and the dashboard (secrets masked)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ._secrets import mask_headers, mask_known_secrets, mask_url
from .store import Attempt, LogLine, RunRecord, StoredRequest

__all__ = ["attempt_to_dict", "iso", "log_to_dict", "request_to_dict", "run_to_dict"]


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
