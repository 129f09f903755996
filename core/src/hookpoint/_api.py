"""Health, metrics and the management JSON API (``/api/...``) on the Quart app.

The API needs ``Authorization: Bearer <HOOKPOINT_ADMIN_TOKEN>`` (compared in constant time).
Without a configured token it answers loopback clients only. Secrets are masked everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from quart import Response, jsonify, request
from werkzeug.routing import RequestRedirect

from ._auth import is_local_client, token_matches
from ._bulk import (
    BulkConflict,
    RequestFilters,
    RequestRedelivery,
    RunFilters,
    RunReplay,
    validation_message,
)
from ._errors import StoreError
from ._secrets import mask_headers, mask_secret
from ._serialize import (
    activity_to_dict,
    attempt_to_dict,
    bulk_to_dict,
    feed_entry_to_dict,
    log_to_dict,
    preview_to_dict,
    request_to_dict,
    run_to_dict,
)
from ._when import parse_time as _parse_time
from .store import FEED_MAX_LIMIT, MAX_HOURS, NotFound, RunQuery

if TYPE_CHECKING:
    from ._server import HookpointServer

__all__ = ["register_api"]

IDEMPOTENCY_KEY_MAX = 200
"""The longest ``Idempotency-Key`` a bulk action takes."""


def _error(status: int, error: str, message: str) -> Response:
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    return response


def _limit(value: str | None) -> int:
    if value is None:
        return 50
    n = int(value)
    if not 1 <= n <= 500:
        raise ValueError("limit must be between 1 and 500")
    return n


def _hours(value: str | None) -> int:
    if value is None or value == "":
        return 24
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_HOURS:
        raise ValueError(f"hours must be a whole number from 1 to {MAX_HOURS}")
    return int(value)


FEED_WAIT_MAX = 60.0
"""Longest long poll of the delivery feed (seconds)."""
FEED_PAGE_BYTES = 4 * 1024 * 1024
"""Body bytes one feed page carries at most (past its first delivery): the answer is about
4/3 of it in base64, so memory stays bounded whatever the limit."""
FEED_POLL = 1.0
"""While a long poll waits: how often it reads again, for deliveries other processes (host
workers, other hosts on PostgreSQL) commit; this process's own wake it at once."""


def _wait(value: str | None) -> float:
    if value is None or value == "":
        return 0.0
    seconds = float(value)
    if not 0 <= seconds <= FEED_WAIT_MAX:  # NaN fails too
        raise ValueError(f"wait must be between 0 and {FEED_WAIT_MAX:g} seconds")
    return seconds


def _feed_limit(value: str | None) -> int:
    if value is None or value == "":
        return 100
    n = int(value)
    if not 1 <= n <= FEED_MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {FEED_MAX_LIMIT}")
    return n


def register_api(server: HookpointServer) -> None:
    app = server.quart
    runtime = server.runtime
    store = runtime.store
    hp = server.hp
    settings = server.settings

    def authorised() -> bool:
        token = settings.admin_token.get_secret_value() if settings.admin_token else None
        if token is None:
            return is_local_client(request.remote_addr, request.headers)
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and token_matches(given, token)

    @app.before_request
    async def _guard() -> Response | None:
        if request.path.startswith("/api/") and not authorised():
            response = _error(401, "unauthorized", "a valid bearer token is required")
            response.headers["WWW-Authenticate"] = 'Bearer realm="hookpoint"'
            return response
        # No id or filter holds a NUL; PostgreSQL cannot even compare one (it answered 503).
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
        ):
            return _error(400, "bad_request", "NUL characters are not allowed in ids or filters")
        return None

    @app.after_request
    async def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.errorhandler(StoreError)
    async def _store_error(exc: StoreError) -> Response:
        return _error(503, "store_unavailable", "the store is unavailable")

    @app.errorhandler(ValueError)
    async def _bad_value(exc: ValueError) -> Response:
        return _error(400, "bad_request", str(exc))

    @app.errorhandler(RequestRedirect)
    async def _slash_redirect(exc: RequestRedirect) -> Response:
        # werkzeug's trailing-slash redirect is absolute, built from the request's Host and
        # scheme: answer with the path only (a client resolves it against the URL it used).
        target = urlsplit(exc.new_url)
        response = Response("", status=exc.code, content_type="text/plain; charset=utf-8")
        response.headers["Location"] = target.path + (f"?{target.query}" if target.query else "")
        return response

    @app.errorhandler(404)
    async def _not_found(exc: Exception) -> Response:
        return _error(404, "not_found", "not found")

    @app.errorhandler(405)
    async def _method(exc: Exception) -> Response:
        return _error(405, "method_not_allowed", "method not allowed")

    @app.errorhandler(413)
    async def _too_large(exc: Exception) -> Response:
        return _error(413, "payload_too_large", "body too large")

    @app.errorhandler(500)
    async def _internal(exc: Exception) -> Response:
        return _error(500, "internal", "internal error")

    # -- health -----------------------------------------------------------------------------------
    @app.get("/healthz")
    async def healthz() -> Response:
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    async def readyz() -> Response:
        try:
            await store.ping()
        except StoreError:
            return _error(503, "store_unavailable", "the store is unreachable")
        return jsonify({"status": "ready"})

    @app.get("/metrics")
    async def metrics() -> Response:
        try:
            body = await server.metrics.render(store)
        except StoreError:
            return _error(503, "store_unavailable", "the store is unreachable")
        return Response(body, content_type="text/plain; version=0.0.4; charset=utf-8")

    # -- API --------------------------------------------------------------------------------------
    @app.get("/api/endpoints")
    async def endpoints() -> Response:
        base = settings.base_url() + settings.webhook_prefix
        return jsonify({"items": [endpoint_to_dict(e, base) for e in hp.endpoints.values()]})

    @app.get("/api/endpoints/<endpoint_id>/stats")
    async def endpoint_stats(endpoint_id: str) -> Response:
        if endpoint_id not in hp.endpoints:
            return _error(404, "not_found", "no such endpoint")
        hours = _hours(request.args.get("hours"))
        found = await store.hourly_activity(hours=hours, endpoint_ids=[endpoint_id])
        return jsonify(activity_to_dict(found[endpoint_id]))

    @app.get("/api/endpoints/<endpoint_id>/deliveries")
    async def endpoint_deliveries(endpoint_id: str) -> Response:
        """The deliveries ``endpoint_id`` accepted, in commit order, with headers and base64
        bodies (``hookpoint listen``; docs/management-api.md). A long poll: with ``wait`` it
        answers when one arrives or when ``wait`` seconds have passed."""
        if endpoint_id not in hp.endpoints:
            return _error(404, "not_found", "no such endpoint")
        args = request.args
        after = args.get("after") or None
        since = _parse_time(args.get("since"), "since")
        wait = _wait(args.get("wait"))
        limit = _feed_limit(args.get("limit"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            arrived = store.accepted_event()  # before the read: a commit after it still counts
            page = await store.read_feed(
                endpoint_id, after=after, since=since, limit=limit, max_bytes=FEED_PAGE_BYTES
            )
            remaining = deadline - loop.time()
            if page.entries or remaining <= 0:
                break
            after = page.cursor
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), min(remaining, FEED_POLL))
        return jsonify(
            {
                "endpoint": endpoint_id,
                "items": [feed_entry_to_dict(e) for e in page.entries],
                "cursor": page.cursor,
                "more": page.more,
            }
        )

    @app.get("/api/requests")
    async def list_requests() -> Response:
        args = request.args
        query = RequestFilters.from_args(args).query(
            limit=_limit(args.get("limit")), before_id=args.get("before") or None
        )
        page = await store.list_requests(query)
        return jsonify(
            {"items": [request_to_dict(r) for r in page.items], "next": page.next_before_id}
        )

    @app.get("/api/requests/<request_id>")
    async def get_request(request_id: str) -> Response:
        stored = await store.get_request(request_id)
        if stored is None:
            return _error(404, "not_found", "no such request")
        runs = await store.list_runs(RunQuery(request_id=request_id, limit=500))
        data = request_to_dict(stored, include_body=True, secrets=hp.secrets_of(stored.endpoint_id))
        data["runs"] = [run_to_dict(r) for r in runs.items]
        return jsonify(data)

    @app.get("/api/runs")
    async def list_runs() -> Response:
        args = request.args
        query = RunFilters.from_args(args).query(
            limit=_limit(args.get("limit")), before_id=args.get("before") or None
        )
        page = await store.list_runs(query)
        return jsonify({"items": [run_to_dict(r) for r in page.items], "next": page.next_before_id})

    @app.get("/api/runs/<run_id>")
    async def get_run(run_id: str) -> Response:
        run = await store.get_run(run_id)
        if run is None:
            return _error(404, "not_found", "no such run")
        data = run_to_dict(run, include_output=True)
        data["attempts"] = [attempt_to_dict(a) for a in await store.list_attempts(run_id)]
        data["logs"] = [log_to_dict(line) for line in await store.list_logs(run_id)]
        return jsonify(data)

    @app.post("/api/runs/<run_id>/replay")
    async def replay_run(run_id: str) -> Response:
        if await store.get_run(run_id) is None:
            return _error(404, "not_found", "no such run")
        new_id = await runtime.replay_run(run_id)
        response = jsonify({"run_id": new_id, "replay_of": run_id})
        response.status_code = 202
        return response

    @app.post("/api/requests/<request_id>/replay")
    async def replay_request(request_id: str) -> Response:
        stored = await store.get_request(request_id)
        if stored is None:
            return _error(404, "not_found", "no such request")
        try:
            replayed, run_ids = await runtime.redeliver(stored)
        except NotFound:
            raise  # vanished meanwhile: a store matter, as before
        except LookupError as exc:
            return _error(409, "conflict", str(exc))
        response = jsonify({"request_id": replayed, "run_ids": list(run_ids)})
        response.status_code = 202
        return response

    # -- bulk actions (recovery by query, ``_bulk``) ----------------------------------------------
    @app.post("/api/runs/replay")
    async def bulk_replay_runs() -> Response:
        return await bulk(RunReplay)

    @app.post("/api/requests/redeliver")
    async def bulk_redeliver_requests() -> Response:
        return await bulk(RequestRedelivery)

    async def bulk(model: type[RunReplay] | type[RequestRedelivery]) -> Response:
        if request.mimetype not in ("", "application/json"):
            return _error(415, "unsupported_media_type", "send the query as application/json")
        raw = await request.get_data(as_text=False)
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (ValueError, RecursionError):
            return _error(400, "bad_request", "the body is not JSON")
        if not isinstance(body, dict):
            return _error(400, "bad_request", "the body must be a JSON object")
        try:
            selection = model.model_validate(body)
        except ValidationError as exc:
            return _error(400, "bad_request", validation_message(exc))
        if selection.dry_run:
            return jsonify(preview_to_dict(await runtime.bulk_preview(selection)))
        actor = "api token" if settings.admin_token else "api (loopback, no token)"
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
            return _error(
                400,
                "bad_request",
                f"the Idempotency-Key must be printable and at most {IDEMPOTENCY_KEY_MAX} "
                "characters",
            )
        # Without a key, a repeat of the same query (same snapshot, or within a minute) is the
        # same action: a retried or double submit replays nothing twice.
        key = f"api:{key}" if key else "api-" + selection.implicit_key(actor, time.time())
        try:
            action, created = await runtime.bulk(
                selection, actor=actor, client=request.remote_addr, key=key
            )
        except BulkConflict as exc:
            response = jsonify(
                {"error": "conflict", "message": str(exc), "action": bulk_to_dict(exc.action)}
            )
            response.status_code = 409
            return response
        data = bulk_to_dict(action, include_ids=True)
        data["repeated"] = not created
        response = jsonify(data)
        response.status_code = 202 if created else 200
        return response

    @app.get("/api/bulk-actions")
    async def list_bulk_actions() -> Response:
        args = request.args
        page = await store.list_bulk_actions(
            limit=_limit(args.get("limit")), before_id=args.get("before") or None
        )
        return jsonify(
            {"items": [bulk_to_dict(a) for a in page.items], "next": page.next_before_id}
        )

    @app.get("/api/bulk-actions/<action_id>")
    async def get_bulk_action(action_id: str) -> Response:
        action = await store.get_bulk_action(action_id)
        if action is None:
            return _error(404, "not_found", "no such bulk action")
        return jsonify(bulk_to_dict(action, include_ids=True))


def endpoint_to_dict(endpoint: Any, base: str) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": f"{base}/{endpoint.id}",
        "source": endpoint.source,
        "title": endpoint.title,
        "icon": endpoint.icon_name,
        "provider": endpoint.provider,
        "verification": endpoint.verification_mode,
        "enabled": endpoint.enabled,
        "secrets": [mask_secret(s) for s in endpoint.secrets],
        "methods": list(endpoint.methods),
        "dedupe_window": endpoint.dedupe_window,
        "dedupe": endpoint.dedupe.describe(),
        "jobs": [j.id for j in endpoint.hp.jobs_for(endpoint)],
        "destinations": [d.describe() for d in endpoint.hp.destinations_of(endpoint)],
        "properties": [p.model_dump() for p in endpoint.properties],
    }


__all__ += ["endpoint_to_dict", "mask_headers"]
