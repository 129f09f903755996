"""The server-rendered dashboard under ``/dashboard`` (Quart templates, no JavaScript build).

Pages: endpoints (icon, title, URLs with a copy button, provider, verification mode, masked
secrets, a sparkline of the last 24 hours' requests) and one endpoint (its properties too, and
charts of its requests and runs per hour, see ``_charts``), icons (sanitised SVG files, see
``_icons``), requests (rejected ones with their reason) and one request (masked headers, body,
its runs, "replay request"), runs (status, attempts, keyset pagination, filters) and one run
(attempts, logs, last error, "replay run").

Security:

* **Auth** - with ``HOOKPOINT_ADMIN_TOKEN`` set, a login form takes the token (compared in
  constant time) and sets a session cookie (``HttpOnly``, ``SameSite=Strict``, ``Path=/dashboard``,
  ``Secure`` over HTTPS). Without a token, only loopback clients that did not come through a proxy
  are let in (like the JSON API).
* **Session cookie** - ``base64url(json).hmac-sha256``. The signing key is random per app when
  no token is configured; with a token it is derived from it (HMAC), so several hypercorn
  processes or hosts sharing the token accept each other's sessions and changing the token ends
  every session. A login also records the session in the store (a digest of its random id) and
  every page checks it there, so logging out ends the session in every process and host, not
  only in the browser that logged out.
* **Bodies** - a dashboard form is read by :func:`read_form`: ``application/x-www-form-urlencoded``
  only, at most 4 KiB before login and 16 KiB after, at most 64 fields; Quart's own form parser
  (no field limit) is never used, so an unauthenticated POST costs microseconds, not seconds.
* **CSRF** - every session carries a random token; every POST must send it back as the form
  field ``csrf_token`` (missing: 400, wrong: 403). Login rotates it.
* **Headers** - a strict Content-Security-Policy (``'self'`` only: CSS and JS are files, nothing
  inline), ``X-Frame-Options: DENY``, ``nosniff``, ``no-referrer``, ``no-store``.
* Templates are autoescaped; secrets in headers, URLs and endpoint settings are masked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from markupsafe import Markup
from pydantic import ValidationError
from quart import Blueprint, Response, g, render_template, request, url_for
from werkzeug.datastructures import Headers, MultiDict

from ._auth import forwarded_client, is_local_client, token_matches
from ._bulk import (
    BulkConflict,
    BulkSelection,
    RequestFilters,
    RequestRedelivery,
    RunFilters,
    RunReplay,
    validation_message,
)
from ._charts import Series, chart_id, counts_table, stacked_bars
from ._errors import StoreError
from ._icons import IconSet, monogram_svg
from ._presentation import examples_of
from ._secrets import MASK, mask_headers, mask_known_secrets, mask_secret, mask_url
from .store import HourlyActivity, NotFound, RunQuery

if TYPE_CHECKING:
    from ._app import Endpoint
    from ._server import HookpointServer

__all__ = ["CSP", "SESSION_COOKIE", "register_dashboard"]

SESSION_COOKIE = "hookpoint_dashboard"
SESSION_MAX_AGE = 12 * 3600.0
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""The policy an icon is served with: an SVG opened on its own runs nothing and loads nothing."""
_STATIC = Path(__file__).parent / "static" / "dashboard"
_PAGE_SIZE = 50
_BODY_LIMIT = 256 * 1024
_LOGIN_FAILURES = 10
"""Wrong tokens a client may try per minute before the login form answers 429."""
FORM_LIMIT_ANONYMOUS = 4 * 1024
"""The largest form body read before login (the login form: a CSRF token, ``next``, a token)."""
FORM_LIMIT = 16 * 1024
"""The largest form body read from a logged-in operator (every dashboard form is a few fields)."""
FORM_FIELDS = 64
"""The most fields a dashboard form may have."""
_PUBLIC = frozenset({"dashboard.login", "dashboard.static"})
F = TypeVar("F", RunFilters, RequestFilters)
_BULK_KEY = re.compile(r"[A-Za-z0-9_-]{16,100}")
"""A confirm form's one-time token (the bulk action's idempotency key)."""


CHART_HOURS = 24
"""The hours the endpoints' charts show: the current one and the 23 before it."""
_CHART_REQUESTS = ("accepted", "duplicate", "rejected")
"""Request outcomes every chart shows; ``handshake`` and ``test`` only in a period that has
some (most endpoints never have either)."""
_CHART_RUNS = ("succeeded", "failed", "running", "queued", "cancelled")
"""Run statuses in the order they are stacked, from the bottom; the first two are always
shown, the others in a period that has some."""


# -- the session cookie ------------------------------------------------------------------------


@dataclass(slots=True)
class DashboardSession:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    auth: bool = False
    issued: float = field(default_factory=time.time)
    sid: str = ""
    """A logged-in session's random id; the store keeps its digest (:func:`session_store_key`)
    until logout or expiry. Empty before login."""


def session_store_key(sid: str) -> str:
    """What the store keeps of a session id: its SHA-256, so the table cannot resume one."""
    return hashlib.sha256(b"hookpoint-dashboard-session\x00" + sid.encode()).hexdigest()


class SessionSigner:
    """Encodes sessions as ``base64url(json).base64url(hmac-sha256)`` and checks them back."""

    def __init__(self, key: bytes, max_age: float = SESSION_MAX_AGE) -> None:
        self._key = key
        self.max_age = max_age

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(
            self._key, b"hookpoint-dashboard-session\x00" + payload, hashlib.sha256
        ).digest()

    def dump(self, session: DashboardSession) -> str:
        raw = json.dumps(
            {"c": session.csrf, "a": session.auth, "t": int(session.issued), "s": session.sid},
            separators=(",", ":"),
        ).encode()
        payload = base64.urlsafe_b64encode(raw).rstrip(b"=")
        mac = base64.urlsafe_b64encode(self._mac(payload)).rstrip(b"=")
        return (payload + b"." + mac).decode("ascii")

    def load(self, cookie: str | None, now: float | None = None) -> DashboardSession | None:
        """The session in ``cookie``; None when absent, tampered with, malformed or expired."""
        if not cookie or len(cookie) > 1024:
            return None
        payload, _, mac = cookie.encode("ascii", "replace").partition(b".")
        try:
            given = base64.urlsafe_b64decode(mac + b"=" * (-len(mac) % 4))
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(given, self._mac(payload)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
            csrf, auth, issued = data["c"], data["a"], float(data["t"])
            sid = data.get("s", "")
        except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
            return None
        if not isinstance(csrf, str) or not isinstance(auth, bool) or len(csrf) < 32:
            return None
        if not isinstance(sid, str) or (auth and len(sid) < 32):
            return None  # a logged-in session without an id predates server-side sessions
        now = time.time() if now is None else now
        if not (now - self.max_age <= issued <= now + 60):
            return None
        return DashboardSession(csrf=csrf, auth=auth, issued=issued, sid=sid)


def session_key(admin_token: str | None) -> bytes:
    """The cookie signing key: derived from the admin token when there is one (shared by every
    process and host that has the token), else random for this app."""
    if admin_token:
        return hmac.new(
            admin_token.encode(), b"hookpoint dashboard session key v1", hashlib.sha256
        ).digest()
    return secrets.token_bytes(32)


# -- view helpers --------------------------------------------------------------------------------


def fmt_time(ts: float | None) -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def iso_time(ts: float | None) -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def ago(ts: float | None, now: float | None = None) -> str:
    if ts is None:
        return ""
    delta = (time.time() if now is None else now) - ts
    future = delta < 0
    delta = abs(delta)
    if delta < 60:
        text = f"{int(delta)}s"
    elif delta < 3600:
        text = f"{int(delta // 60)}m"
    elif delta < 86400:
        text = f"{int(delta // 3600)}h"
    else:
        text = f"{int(delta // 86400)}d"
    return f"in {text}" if future else f"{text} ago"


def pretty_json(value: Any) -> str:
    """Indented JSON for display (anything not JSON is shown through ``str``)."""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str, sort_keys=False)
    except (ValueError, TypeError, RecursionError):
        return repr(value)


@dataclass(frozen=True, slots=True)
class BodyView:
    kind: str
    """``empty``, ``json``, ``text`` or ``binary`` (shown as base64)."""
    text: str
    size: int
    truncated: bool


def body_view(body: bytes, limit: int = _BODY_LIMIT, secrets: Sequence[str] = ()) -> BodyView:
    """How a stored body is shown: pretty JSON when it parses, else text, else base64; the
    endpoint's ``secrets`` masked wherever they appear (Graph's ``clientState``)."""
    size = len(body)
    if not body:
        return BodyView("empty", "", 0, False)
    shown, truncated = body[:limit], size > limit
    try:
        text = shown.decode("utf-8")
    except UnicodeDecodeError:
        if not truncated:
            return BodyView("binary", base64.b64encode(shown).decode(), size, False)
        text = shown.decode("utf-8", "replace")
    text = mask_known_secrets(text, secrets)
    if not truncated:
        try:
            return BodyView("json", pretty_json(json.loads(text)), size, False)
        except (ValueError, RecursionError):
            pass
    return BodyView("text", text, size, truncated)


def chart_series(
    counts: Mapping[str, Sequence[int]], order: Sequence[str], always: int
) -> list[Series]:
    """The series a chart draws from ``counts`` (per key, per hour), in ``order``: the first
    ``always`` keys, and the others when they have a count."""
    return [
        Series(key, key, tuple(counts.get(key, ())))
        for i, key in enumerate(order)
        if key in counts and (i < always or any(counts[key]))
    ]


def request_series(activity: HourlyActivity) -> list[Series]:
    return chart_series(
        activity.requests, (*_CHART_REQUESTS, "handshake", "test"), len(_CHART_REQUESTS)
    )


def endpoint_charts(activity: HourlyActivity, title: str) -> dict[str, Markup]:
    """An endpoint page's charts: requests by outcome and runs by status, per hour, each with
    its table of counts (visually hidden) for screen readers."""
    out: dict[str, Markup] = {}
    for kind, series, label in (
        ("requests", request_series(activity), "Requests"),
        ("runs", chart_series(activity.runs, _CHART_RUNS, 2), "Runs"),
    ):
        key = f"{kind}:{activity.endpoint_id}"
        table_id = chart_id(key) + "-table"
        what = f"{label} of {title} per hour, last {len(activity.hours)} hours (UTC)"
        svg = stacked_bars(
            series,
            activity.hours,
            key=key,
            title=what,
            empty=f"No {kind} in the last {len(activity.hours)} hours",
            described_by=table_id,
        )
        table = counts_table(series, activity.hours, table_id=table_id, caption=what)
        out[kind] = Markup(svg + table)  # noqa: S704 - built by _charts, every text escaped
    return out


def sparkline(activity: HourlyActivity, title: str) -> Markup:
    """The endpoints page's small chart: requests per hour by outcome, no axes."""
    series = request_series(activity)
    svg = stacked_bars(
        series,
        activity.hours,
        key=f"spark:{activity.endpoint_id}",
        title=f"Requests to {title} per hour, last {len(activity.hours)} hours",
        empty="none",
        compact=True,
    )
    return Markup(svg)  # noqa: S704 - built by _charts, every text escaped


def _safe_next(target: str | None) -> str:
    """Only same-site dashboard paths are followed after login (no open redirect)."""
    if (
        target
        and target.startswith("/dashboard")
        and not target.startswith("//")
        and "\\" not in target
        and "\n" not in target
        and "\r" not in target
    ):
        return target
    return "/dashboard/"


def redirect(location: str, code: int = 302) -> Response:
    """A redirect to ``location``, a path on this host: relative, so that it neither trusts the
    request's ``Host`` nor turns an HTTPS visit behind a proxy into ``http://``."""
    response = Response("", status=code, content_type="text/plain; charset=utf-8")
    response.headers["Location"] = location
    return response


class FormError(Exception):
    """A dashboard form that is not read: ``status`` 400, 413 or 415, with a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def read_form(limit: int, max_fields: int = FORM_FIELDS) -> MultiDict[str, str]:
    """The current request's urlencoded form, read with bounds: at most ``limit`` bytes (refused
    from ``Content-Length`` before reading, else while reading) and ``max_fields`` fields.

    Quart's ``request.form`` reads up to ``MAX_CONTENT_LENGTH`` and splits it with no field
    limit: a 1 MiB ``a&a&a...`` from anyone cost ~0.85 s of the event loop (docs/security.md).
    :raises FormError: the body is not a form, too large, or has too many fields.
    """
    mimetype = request.mimetype
    if mimetype not in ("", "application/x-www-form-urlencoded"):
        raise FormError(415, "Dashboard forms are sent as application/x-www-form-urlencoded.")
    declared = request.content_length
    if declared is not None and declared > limit:
        raise FormError(413, f"The form is larger than {limit} bytes.")
    data = bytearray()
    async for chunk in request.body:
        data += chunk
        if len(data) > limit:
            raise FormError(413, f"The form is larger than {limit} bytes.")
    if not data:
        return MultiDict()
    try:
        pairs = parse_qsl(
            data.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=max_fields,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        raise FormError(400, "The form is malformed or has too many fields.") from None
    return MultiDict(pairs)


class _LoginLimiter:
    """Counts wrong tokens per client per minute (in memory, per process)."""

    def __init__(self, limit: int = _LOGIN_FAILURES, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[float]] = {}

    def blocked(self, client: str, now: float) -> bool:
        recent = [t for t in self._failures.get(client, ()) if now - t < self.window]
        if recent:
            self._failures[client] = recent
        else:
            self._failures.pop(client, None)
        return len(recent) >= self.limit

    def failed(self, client: str, now: float) -> None:
        if len(self._failures) > 10_000:
            self._failures.clear()
        self._failures.setdefault(client, []).append(now)


def forwarded_https(headers: Headers) -> bool:
    """Whether a trusted proxy says the visitor's connection is HTTPS: any hop of an
    ``X-Forwarded-Proto`` chain (``https, http`` when a second proxy appended) or a ``proto=``
    of ``Forwarded`` (RFC 7239) says ``https``. Any hop, not only the first: a session cookie
    that should have been ``Secure`` and is not can leak over plain HTTP, while a needless
    ``Secure`` costs nothing on an HTTPS site."""
    for value in headers.getlist("x-forwarded-proto"):
        if any(hop.strip().lower() == "https" for hop in value.split(",")):
            return True
    for value in headers.getlist("forwarded"):
        for element in value.split(","):
            for pair in element.split(";"):
                name, _, proto = pair.partition("=")
                if name.strip().lower() == "proto" and proto.strip().strip('"').lower() == "https":
                    return True
    return False


# -- registration --------------------------------------------------------------------------------


def register_dashboard(server: HookpointServer) -> None:
    """Add the dashboard's routes under ``/dashboard`` to ``server.quart``."""
    settings = server.settings
    runtime = server.runtime
    store = runtime.store
    hp = server.hp

    token = settings.admin_token.get_secret_value() if settings.admin_token else None
    signer = SessionSigner(session_key(token))
    limiter = _LoginLimiter()
    bp = Blueprint(
        "dashboard",
        __name__,
        url_prefix="/dashboard",
        static_folder=str(_STATIC),
        static_url_path="/static",
    )

    def current() -> DashboardSession:
        session: DashboardSession = g.hp_session
        return session

    def authorised() -> bool:
        if token is None:
            return is_local_client(request.remote_addr, request.headers)
        return current().auth

    def secure_request() -> bool:
        if request.scheme == "https":
            return True
        if (request.remote_addr or "") not in settings.trusted_proxy_set:
            return False
        return forwarded_https(request.headers)

    async def page(template: str, status: int = 200, **context: Any) -> Response:
        html = await render_template(f"dashboard/{template}", **context)
        return Response(html, status=status, content_type="text/html; charset=utf-8")

    async def error_page(status: int, title: str, message: str) -> Response:
        return await page("error.html", status=status, title=title, message=message)

    @bp.before_request
    async def _before() -> Response | None:
        session = signer.load(request.cookies.get(SESSION_COOKIE))
        if request.endpoint == "dashboard.static":  # public; never (re)sets the session
            g.hp_session = session or DashboardSession()
            g.hp_session_dirty = False
            return None
        if (
            session is not None
            and session.auth
            and not await store.session_active(session_store_key(session.sid), time.time())
        ):
            session = None  # logged out (in any process or host) or expired: start afresh
        g.hp_session = session or DashboardSession()
        g.hp_session_dirty = session is None
        if request.endpoint != "dashboard.login" and not authorised():
            if token is None:
                return await error_page(
                    403,
                    "Forbidden",
                    "Without HOOKPOINT_ADMIN_TOKEN the dashboard answers local clients only "
                    "(not through a proxy). Set a token to use it remotely.",
                )
            if request.method == "GET":
                return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
            return await error_page(401, "Log in", "Log in to the dashboard first.")
        if request.method == "POST":
            try:
                form = await read_form(
                    FORM_LIMIT if current().auth or token is None else FORM_LIMIT_ANONYMOUS
                )
            except FormError as exc:
                return await error_page(exc.status, "Bad request", exc.message)
            g.hp_form = form
            given = form.get("csrf_token")
            if not given:
                return await error_page(400, "Bad request", "The form has no CSRF token.")
            if not hmac.compare_digest(given.encode(), current().csrf.encode()):
                return await error_page(
                    403,
                    "Forbidden",
                    "The form's CSRF token is wrong or expired: reload the page and try again.",
                )
        return None

    @server.quart.after_request
    async def _dashboard_headers(response: Response) -> Response:
        # app-wide so that 404/405 answers under /dashboard get them too
        if request.path == "/dashboard" or request.path.startswith("/dashboard/"):
            own_policy = getattr(g, "hp_own_csp", False)  # the icons' stricter policy stays
            for name, value in SECURITY_HEADERS.items():
                if not (own_policy and name == "Content-Security-Policy"):
                    response.headers[name] = value
        return response

    @bp.after_request
    async def _after(response: Response) -> Response:
        if getattr(g, "hp_session_dirty", False):
            response.set_cookie(
                SESSION_COOKIE,
                signer.dump(current()),
                path="/dashboard",
                httponly=True,
                samesite="Strict",
                secure=secure_request(),
            )
        return response

    @bp.errorhandler(StoreError)
    async def _store_error(exc: StoreError) -> Response:
        response = await error_page(
            503, "Store unavailable", "The store cannot be reached; try again shortly."
        )
        response.headers["Retry-After"] = "5"
        return response

    @bp.context_processor
    def _context() -> dict[str, Any]:
        session: DashboardSession | None = getattr(g, "hp_session", None)
        return {
            "csrf_token": session.csrf if session is not None else "",
            "app_id": hp.id,
            "needs_login": token is not None,
            "fmt_time": fmt_time,
            "iso_time": iso_time,
            "ago": ago,
            "pretty_json": pretty_json,
        }

    # -- login -------------------------------------------------------------------------------
    @bp.route("/login", methods=["GET", "POST"])
    async def login() -> Response:
        target = _safe_next(request.args.get("next"))
        if token is None:
            return redirect(target)
        if request.method == "GET":
            if current().auth:
                return redirect(target)
            return await page("login.html", next=target, error=None)
        client = request.remote_addr or "?"
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded and client in settings.trusted_proxy_set:
            # behind our proxy every visitor has its address: count per visitor, or one
            # attacker's wrong tokens would lock every operator out
            client = forwarded_client(forwarded, settings.trusted_proxy_set) or client
        now = time.time()
        if limiter.blocked(client, now):
            return await page(
                "login.html", status=429, next=target, error="Too many wrong tokens; wait a minute."
            )
        form: MultiDict[str, str] = g.hp_form  # read (bounded) and CSRF-checked by _before
        if not token_matches(form.get("token") or "", token):  # surrounding spaces ignored
            limiter.failed(client, now)
            return await page(
                "login.html", status=401, next=target, error="That is not the admin token."
            )
        # a new session: new CSRF token and id, recorded so that logout can end it everywhere
        session = DashboardSession(auth=True, sid=secrets.token_urlsafe(32))
        await store.create_session(
            session_store_key(session.sid), expires_at=session.issued + signer.max_age
        )
        g.hp_session = session
        g.hp_session_dirty = True
        return redirect(_safe_next(form.get("next")), code=303)

    @bp.post("/logout")
    async def logout() -> Response:
        if current().auth:
            await store.revoke_session(session_store_key(current().sid))
        g.hp_session = DashboardSession(auth=False)
        g.hp_session_dirty = True
        return redirect(url_for("dashboard.login") if token else "/dashboard/", code=303)

    # -- endpoints ---------------------------------------------------------------------------
    @bp.get("/")
    async def index() -> Response:
        return redirect(url_for("dashboard.endpoints"))

    @server.quart.get("/dashboard")
    async def dashboard_root() -> Response:
        # Relative, like every redirect here: Quart's own trailing-slash redirect would build
        # an absolute URL from the request's Host (and say http:// behind a TLS proxy).
        return redirect("/dashboard/", code=308)

    icons = IconSet(hp.plugins)

    def icon_url(ep: Endpoint) -> str:
        provider = icons.for_endpoint(ep)
        if provider is not None:
            return url_for("dashboard.provider_icon", name=provider)
        return url_for("dashboard.endpoint_icon", endpoint_id=ep.id)

    def endpoint_row(ep: Endpoint, base: str) -> dict[str, Any]:
        info = hp.plugins.providers.get(ep.provider) if ep.provider else None
        return {
            "id": ep.id,
            "url": f"{base}/{ep.id}",
            "title": ep.title,
            "source": ep.source,
            "icon": ep.icon_name,
            "icon_url": icon_url(ep),
            "provider": ep.provider,
            "provider_title": info.title if info is not None else None,
            "provider_docs": info.docs_url if info is not None else None,
            "verification": ep.verification_mode,
            "enabled": ep.enabled,
            "secrets": [mask_secret(s) for s in ep.secrets],
            "methods": list(ep.methods),
            "dedupe_window": ep.dedupe_window,
            "jobs": [j.id for j in hp.jobs_for(ep)],
            "destinations": [d.describe() for d in hp.destinations_of(ep)],
            "properties": ep.properties,
        }

    async def activity_of(endpoint_ids: list[str]) -> dict[str, HourlyActivity] | None:
        """The charts' counts (one query for every endpoint); None when the store cannot
        answer: the pages still show what the app defines."""
        try:
            return await store.hourly_activity(hours=CHART_HOURS, endpoint_ids=endpoint_ids)
        except StoreError:
            return None

    @bp.get("/endpoints")
    async def endpoints() -> Response:
        base = settings.base_url() + settings.webhook_prefix
        rows = [endpoint_row(ep, base) for ep in hp.endpoints.values()]
        activity = await activity_of([row["id"] for row in rows])
        for row in rows:
            counts = activity.get(row["id"]) if activity is not None else None
            if counts is not None:
                row["spark"] = sparkline(counts, row["title"])
                row["totals"] = {k: sum(v) for k, v in counts.requests.items()}
        return await page("endpoints.html", nav="endpoints", endpoints=rows, hours=CHART_HOURS)

    @bp.get("/endpoints/<endpoint_id>")
    async def endpoint_detail(endpoint_id: str) -> Response:
        ep = hp.endpoints.get(endpoint_id)
        if ep is None:
            return await error_page(404, "Not found", "This app defines no such endpoint.")
        base = settings.base_url() + settings.webhook_prefix
        examples = [
            {
                "id": e.id,
                "name": e.name,
                "method": e.method,
                "query": e.query,
                "body": body_view(e.body_bytes, secrets=ep.secrets),
            }
            for e in examples_of(ep)
        ]
        activity = await activity_of([ep.id])
        charts = endpoint_charts(activity[ep.id], ep.title) if activity is not None else None
        return await page(
            "endpoint.html",
            nav="endpoints",
            ep=endpoint_row(ep, base),
            examples=examples,
            charts=charts,
            hours=CHART_HOURS,
        )

    @bp.post("/endpoints/<endpoint_id>/examples/<example_id>/test")
    async def test_endpoint(endpoint_id: str, example_id: str) -> Response:
        """Deliver an example to the endpoint's jobs as a test delivery (CSRF-checked like
        every POST, by ``_before``)."""
        if endpoint_id not in hp.endpoints:
            return await error_page(404, "Not found", "This app defines no such endpoint.")
        try:
            result = await runtime.deliver_test(endpoint_id, example_id, client=request.remote_addr)
            server.metrics.observe_test(endpoint_id)
        except LookupError as exc:
            return await error_page(409, "Cannot test", str(exc))
        return redirect(
            url_for(
                "dashboard.request_detail",
                request_id=result.request_id,
                tested=str(len(result.run_ids)),
            ),
            code=303,
        )

    # -- icons: sanitised SVG files for <img>, never inlined -----------------------------------
    def svg_response(svg: str) -> Response:
        g.hp_own_csp = True
        response = Response(svg, content_type="image/svg+xml; charset=utf-8")
        response.headers["Content-Security-Policy"] = SVG_CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @bp.get("/icons/<name>.svg")
    async def provider_icon(name: str) -> Response:
        svg = icons.svg(name) if name in hp.plugins.providers else None
        if svg is None:
            return await error_page(404, "Not found", "No such icon.")
        return svg_response(svg)

    @bp.get("/icons/endpoints/<endpoint_id>.svg")
    async def endpoint_icon(endpoint_id: str) -> Response:
        ep = hp.endpoints.get(endpoint_id)
        if ep is None:
            return await error_page(404, "Not found", "No such endpoint.")
        provider = icons.for_endpoint(ep)
        svg = icons.svg(provider) if provider is not None else None
        return svg_response(svg if svg is not None else monogram_svg(ep.id, ep.title))

    # -- requests ----------------------------------------------------------------------------
    def _filters(args: Any, model: type[F]) -> tuple[dict[str, str], F]:
        """The filters ``args`` name (values as given, cut to 200 characters; an unknown
        status is dropped, as the status menu offers none), and what the model the API checks
        them with makes of them. :raises ValueError: a bad time."""
        out: dict[str, str] = {}
        for key in model.FILTERS:
            value = (args.get(key) or "").strip()[:200]
            if value and (key != "status" or value in model.STATUSES):
                out[key] = value
        return out, model.from_args(out)

    def _older_link(filters: dict[str, str], before: str | None) -> str | None:
        if not before:
            return None
        return "?" + urlencode({**filters, "before": before})

    async def _bad_filter(exc: ValueError) -> Response:
        return await error_page(400, "Bad filter", str(exc))

    @bp.get("/requests")
    async def requests_page() -> Response:
        try:
            filters, parsed = _filters(request.args, RequestFilters)
        except ValueError as exc:
            return await _bad_filter(exc)
        before = (request.args.get("before") or "")[:64] or None
        query = parsed.query(limit=_PAGE_SIZE, before_id=before)
        result = await store.list_requests(query)
        return await page(
            "requests.html",
            nav="requests",
            items=result.items,
            filters=filters,
            statuses=RequestFilters.STATUSES,
            endpoint_ids=list(hp.endpoints),
            paged=before is not None,
            older=_older_link(filters, result.next_before_id),
        )

    @bp.get("/requests/<request_id>")
    async def request_detail(request_id: str) -> Response:
        stored = await store.get_request(request_id)
        if stored is None:
            return await error_page(
                404, "Not found", "No such request (it may have been purged by retention)."
            )
        runs = await store.list_runs(RunQuery(request_id=request_id, limit=500))
        replayable, why_not = True, ""
        try:
            runtime.runs_for_stored(stored)
        except LookupError as exc:
            replayable, why_not = False, str(exc)
        except Exception as exc:  # a broken filter or plugin must not break the page
            replayable, why_not = False, f"cannot match jobs: {type(exc).__name__}"
        return await page(
            "request.html",
            nav="requests",
            req=stored,
            url=mask_url(stored.url),
            headers=mask_headers(stored.headers),
            body=body_view(stored.body, secrets=hp.secrets_of(stored.endpoint_id)),
            runs=runs.items,
            replayable=replayable,
            why_not=why_not,
            queued=request.args.get("queued"),
            tested=request.args.get("tested"),
            mask=MASK,
        )

    @bp.post("/requests/<request_id>/replay")
    async def replay_request(request_id: str) -> Response:
        stored = await store.get_request(request_id)
        if stored is None:
            return await error_page(404, "Not found", "No such request.")
        try:
            replayed, run_ids = await runtime.redeliver(stored)
        except NotFound:
            return await error_page(404, "Not found", "No such request.")
        except LookupError as exc:
            return await error_page(409, "Cannot replay", str(exc))
        return redirect(
            url_for("dashboard.request_detail", request_id=replayed, queued=str(len(run_ids))),
            code=303,
        )

    # -- runs --------------------------------------------------------------------------------
    @bp.get("/runs")
    async def runs_page() -> Response:
        try:
            filters, parsed = _filters(request.args, RunFilters)
        except ValueError as exc:
            return await _bad_filter(exc)
        before = (request.args.get("before") or "")[:64] or None
        query = parsed.query(limit=_PAGE_SIZE, before_id=before)
        result = await store.list_runs(query)
        # the page shows the queue's numbers only: the final counts read every finished run
        stats = await store.queue_stats(finals=False)
        return await page(
            "runs.html",
            nav="runs",
            items=result.items,
            filters=filters,
            statuses=RunFilters.STATUSES,
            endpoint_ids=list(hp.endpoints),
            job_ids=list(hp.jobs),
            stats=stats,
            paged=before is not None,
            older=_older_link(filters, result.next_before_id),
        )

    @bp.get("/runs/<run_id>")
    async def run_detail(run_id: str) -> Response:
        run = await store.get_run(run_id)
        if run is None:
            return await error_page(
                404, "Not found", "No such run (it may have been purged by retention)."
            )
        attempts = await store.list_attempts(run_id)
        logs = await store.list_logs(run_id)
        stored = await store.get_request(run.request_id)
        return await page(
            "run.html",
            nav="runs",
            run=run,
            attempts=attempts,
            logs=logs,
            req=stored,
            replayed=request.args.get("replayed"),
        )

    @bp.post("/runs/<run_id>/replay")
    async def replay_run(run_id: str) -> Response:
        if await store.get_run(run_id) is None:
            return await error_page(404, "Not found", "No such run.")
        try:
            new_id = await runtime.replay_run(run_id)
        except NotFound:
            return await error_page(404, "Not found", "No such run.")
        return redirect(url_for("dashboard.run_detail", run_id=new_id, replayed=run_id), code=303)

    # -- bulk actions: "Replay all matching", "Re-deliver all matching" ------------------------
    bulk_pages = {  # kind: (the form's route, the listing, the nav item)
        "replay_runs": ("dashboard.bulk_replay_runs", "dashboard.runs_page", "runs"),
        "redeliver_requests": (
            "dashboard.bulk_redeliver_requests",
            "dashboard.requests_page",
            "requests",
        ),
    }

    def _selection(
        values: Any, model: type[RunReplay] | type[RequestRedelivery], *, confirming: bool
    ) -> tuple[dict[str, str], BulkSelection]:
        """The listing's filters from a query string (the confirm page: a preview, ``all``
        implied) or from the confirm form (``all`` only when its box was ticked).
        :raises ValueError: a bad filter, or no filter and no ``all``."""
        if model is RunReplay:
            filters, _ = _filters(values, RunFilters)
        else:
            filters, _ = _filters(values, RequestFilters)
        body: dict[str, Any] = dict(filters)
        if confirming:
            body.update(dry_run=True, all=not filters)
        else:
            body.update(snapshot=values.get("snapshot") or None)
            if values.get("all") == "1":
                body["all"] = True
        try:
            return filters, model.model_validate(body)
        except ValidationError as exc:
            raise ValueError(validation_message(exc)) from None

    async def bulk_confirm(model: type[RunReplay] | type[RequestRedelivery]) -> Response:
        try:
            filters, selection = _selection(request.args, model, confirming=True)
            found = await runtime.bulk_preview(selection)
        except ValueError as exc:  # a bad filter, or too many match
            return await _bad_filter(exc)
        action, listing, nav = bulk_pages[model.KIND]
        return await page(
            "bulk_confirm.html",
            nav=nav,
            kind=model.KIND,
            action=url_for(action),
            back=url_for(listing) + ("?" + urlencode(filters) if filters else ""),
            filters=filters,
            found=found,
            key=secrets.token_urlsafe(24),
        )

    async def bulk_act(model: type[RunReplay] | type[RequestRedelivery]) -> Response:
        form: MultiDict[str, str] = g.hp_form  # read (bounded) and CSRF-checked by _before
        try:
            _, selection = _selection(form, model, confirming=False)
        except ValueError as exc:
            return await _bad_filter(exc)
        key = form.get("key") or ""
        if not _BULK_KEY.fullmatch(key):
            return await error_page(
                400, "Bad request", "The confirm form has no valid token: open it again."
            )
        if token is None:
            actor = "dashboard (loopback, no token)"
        else:  # which login: a digest of the session's id, as the store keeps it
            actor = f"dashboard login {session_store_key(current().sid)[:12]}"
        try:
            done, _ = await runtime.bulk(
                selection, actor=actor, client=request.remote_addr, key=f"dashboard:{key}"
            )
        except BulkConflict as exc:
            if exc.action.status != "running" or exc.action.kind != model.KIND:
                return await error_page(409, "Conflict", str(exc))
            done = exc.action  # the same form sent twice while the first is at work
        except ValueError as exc:  # more match than one action takes
            return await _bad_filter(exc)
        return redirect(url_for("dashboard.bulk_action_detail", action_id=done.id), code=303)

    @bp.get("/runs/bulk-replay")
    async def bulk_replay_runs_confirm() -> Response:
        return await bulk_confirm(RunReplay)

    @bp.post("/runs/bulk-replay")
    async def bulk_replay_runs() -> Response:
        return await bulk_act(RunReplay)

    @bp.get("/requests/bulk-redeliver")
    async def bulk_redeliver_requests_confirm() -> Response:
        return await bulk_confirm(RequestRedelivery)

    @bp.post("/requests/bulk-redeliver")
    async def bulk_redeliver_requests() -> Response:
        return await bulk_act(RequestRedelivery)

    @bp.get("/bulk-actions")
    async def bulk_actions_page() -> Response:
        before = (request.args.get("before") or "")[:64] or None
        result = await store.list_bulk_actions(limit=_PAGE_SIZE, before_id=before)
        return await page(
            "bulk_actions.html",
            nav="bulk",
            items=result.items,
            paged=before is not None,
            older=_older_link({}, result.next_before_id),
        )

    @bp.get("/bulk-actions/<action_id>")
    async def bulk_action_detail(action_id: str) -> Response:
        action = await store.get_bulk_action(action_id)
        if action is None:
            return await error_page(404, "Not found", "No such bulk action.")
        return await page("bulk_action.html", nav="bulk", action=action)

    server.quart.register_blueprint(bp)
