"""Health, metrics and the management JSON API (``/api/...``) on the Quart app.

The API needs ``Authorization: Bearer <HOOKPOINT_ADMIN_TOKEN>`` (compared in constant time).
Without a configured token it answers loopback clients only. Secrets are masked everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from quart import Response, jsonify, request
from werkzeug.routing import RequestRedirect

from ._auth import is_local_client, token_matches
from ._errors import StoreError
from ._secrets import mask_headers, mask_secret
from ._serialize import attempt_to_dict, log_to_dict, request_to_dict, run_to_dict
from .store import NotFound, RequestQuery, RunQuery

if TYPE_CHECKING:
    from ._server import HookpointServer

__all__ = ["register_api"]

_REQUEST_STATUSES = {"accepted", "duplicate", "handshake", "rejected"}
_RUN_STATUSES = {"queued", "running", "succeeded", "failed", "cancelled"}


def _error(status: int, error: str, message: str) -> Response:
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    return response


def _parse_time(value: str | None, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name} must be Unix seconds or ISO-8601") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _limit(value: str | None) -> int:
    if value is None:
        return 50
    n = int(value)
    if not 1 <= n <= 500:
        raise ValueError("limit must be between 1 and 500")
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

    @app.get("/api/requests")
    async def list_requests() -> Response:
        args = request.args
        status = args.get("status") or None
        if status is not None and status not in _REQUEST_STATUSES:
            raise ValueError(f"status must be one of {', '.join(sorted(_REQUEST_STATUSES))}")
        query = RequestQuery(
            endpoint_id=args.get("endpoint") or None,
            status=status,  # type: ignore[arg-type]
            event_type=args.get("event_type") or None,
            since=_parse_time(args.get("since"), "since"),
            until=_parse_time(args.get("until"), "until"),
            limit=_limit(args.get("limit")),
            before_id=args.get("before") or None,
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
        status = args.get("status") or None
        if status is not None and status not in _RUN_STATUSES:
            raise ValueError(f"status must be one of {', '.join(sorted(_RUN_STATUSES))}")
        query = RunQuery(
            endpoint_id=args.get("endpoint") or None,
            job_id=args.get("job") or None,
            request_id=args.get("request") or None,
            status=status,  # type: ignore[arg-type]
            event_type=args.get("event_type") or None,
            since=_parse_time(args.get("since"), "since"),
            until=_parse_time(args.get("until"), "until"),
            limit=_limit(args.get("limit")),
            before_id=args.get("before") or None,
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
