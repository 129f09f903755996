"""The ``hookpoint`` command line.

Exit codes scripts can trust: 0 success, 1 a failure (request rejected, run not found…),
2 usage errors (click), 3 configuration errors (bad app, unknown provider, plugin failures in
strict mode), 4 the store is unavailable.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from ._errors import ConfigError, HookpointError, PluginError, StoreError
from ._scaffold import new_provider
from ._terminal import cell, visible

T = TypeVar("T")

EXIT_FAILURE = 1
EXIT_CONFIG = 3
EXIT_STORE = 4


def _fail(message: str, code: int) -> None:
    click.secho(f"Error: {visible(message)}", fg="red", err=True)
    sys.exit(code)


def _run(coro: Awaitable[T]) -> T:
    try:
        return asyncio.run(coro)  # type: ignore[arg-type]
    except StoreError as exc:
        _fail(f"store unavailable: {exc}", EXIT_STORE)
        raise  # unreachable


def load_app(target: str) -> Any:
    """Import ``module:attr`` (the current directory is importable) and return the Hookpoint."""
    from ._app import Hookpoint

    module_name, _, attr = target.partition(":")
    if not module_name:
        raise ConfigError(f"app {target!r} must look like module:attr, e.g. app:hp")
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"cannot import {module_name!r}: {exc}") from exc
    if not attr:
        found = [v for v in vars(module).values() if isinstance(v, Hookpoint)]
        if len(found) != 1:
            raise ConfigError(f"name the app: {module_name}:<attr>")
        return found[0]
    try:
        value = getattr(module, attr)
    except AttributeError:
        raise ConfigError(f"{module_name!r} has no attribute {attr!r}") from None
    if not isinstance(value, Hookpoint) and callable(value):
        value = value()
    if not isinstance(value, Hookpoint):
        raise ConfigError(f"{target} is not a hookpoint.Hookpoint")
    return value


def _settings(**overrides: Any) -> Any:
    from ._settings import Settings

    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except Exception as exc:
        _fail(f"invalid settings: {exc}", EXIT_CONFIG)


def _echo_json(data: Any) -> None:
    # ensure_ascii (the default): every control, bidi or other non-ASCII character in stored
    # data is written as a \uXXXX escape, so no raw control byte reaches the terminal
    click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=True))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hookpoint")
def cli() -> None:
    """Hookpoint: host incoming webhooks; providers are plugins."""


def main() -> None:
    try:
        cli(standalone_mode=True)
    except PluginError as exc:
        _fail(str(exc), EXIT_CONFIG)
    except ConfigError as exc:
        _fail(str(exc), EXIT_CONFIG)
    except StoreError as exc:
        _fail(f"store unavailable: {exc}", EXIT_STORE)
    except HookpointError as exc:
        _fail(str(exc), EXIT_FAILURE)


# -- plugins --------------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--all", "show_all", is_flag=True, help="Include core's built-in plugins.")
def plugins(as_json: bool, show_all: bool) -> None:
    """List installed plugins: distribution, version, entry point, providers, hooks, errors."""
    from ._plugins import PluginHost

    host = PluginHost.load(record_conflicts=True)
    rows = host.listing(include_builtin=show_all)
    if as_json:
        _echo_json(rows)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Hookpoint plugins")
    for col in ("distribution", "version", "entry point", "providers", "hooks", "error"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            cell(r["distribution"] or r["name"]),
            cell(r["version"]),
            cell(r["entry_point"]),
            cell(", ".join(r["providers"])),
            Text("\n").join(cell(hook) for hook in r["hooks"]),
            cell(r["error"]),
        )
    Console().print(table)
    if not rows:
        if host.filtered_out:
            click.echo(
                f"{len(host.filtered_out)} plugin(s) installed, none loaded: see "
                "HOOKPOINT_LOAD_PLUGINS and HOOKPOINT_DISABLE_PLUGINS (docs/configuration.md)."
            )
        else:
            click.echo("No plugins installed. Try: pip install hookpoint-caldotcom")


def providers_markdown(host: Any) -> str:
    """The providers catalogue (docs/providers.md), generated from registration metadata."""
    lines = [
        "# Providers",
        "",
        "Generated by `hookpoint providers --markdown` from the installed plugins' registration",
        "metadata; `tests/test_docs.py` fails when this page and the code disagree.",
        "",
        "| provider | package | verification | handshake | event types |",
        "|---|---|---|---|---|",
    ]
    for name in sorted(host.providers):
        info = host.providers[name]
        record = host.provider_record(name)
        title = f"[{info.title}]({info.docs_url})" if info.docs_url else info.title
        events = len(info.event_types)
        lines.append(
            f"| `{name}` ({title}) | `{record.distribution or record.name}` | "
            f"{info.verification or '-'} | {info.handshake or '-'} | {events or '-'} |"
        )
    lines += ["", "## Event types", ""]
    for name in sorted(host.providers):
        info = host.providers[name]
        if info.event_types:
            shown = ", ".join(f"`{t}`" for t in info.event_types)
            lines += [f"- **{name}**: {shown}"]
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--markdown", is_flag=True, help="Print the docs/providers.md catalogue.")
def providers(as_json: bool, markdown: bool) -> None:
    """List the providers the installed plugins serve."""
    from ._plugins import PluginHost

    host = PluginHost.load(record_conflicts=True)
    if markdown:
        click.echo(providers_markdown(host), nl=False)
        return
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "title": info.title,
            "distribution": host.provider_record(name).distribution,
            "verification": info.verification,
            "handshake": info.handshake,
            "event_types": list(info.event_types),
            "samples": [s.name for s in info.samples],
        }
        for name, info in sorted(host.providers.items())
    ]
    if as_json:
        _echo_json(rows)
        return
    _table(
        "Providers",
        ["name", "package", "verification", "handshake", "samples"],
        [
            [
                r["name"],
                r["distribution"],
                r["verification"],
                r["handshake"] or "-",
                ", ".join(r["samples"]),
            ]
            for r in rows
        ],
    )


# -- serve / worker -------------------------------------------------------------------------------


def _describe_endpoints(hp: Any, settings: Any) -> None:
    from ._secrets import mask_secret

    base = settings.base_url() + settings.webhook_prefix
    show_curls = settings.prints_sample_curl()
    click.secho(
        f"Hookpoint app {hp.id!r}: {len(hp.endpoints)} endpoint(s), {len(hp.jobs)} job(s)",
        bold=True,
    )
    for ep in hp.endpoints.values():
        state = "" if ep.enabled else " (disabled)"
        click.echo(f"  {base}/{ep.id}{state}")
        secrets = ", ".join(mask_secret(s) for s in ep.secrets) or "-"
        click.echo(
            f"      provider: {ep.provider or '-'}   verification: "
            f"{ep.verification_mode}   secrets: {secrets}"
        )
        if ep.verify == "none":
            click.secho(
                f'      WARNING: endpoint {ep.id!r} accepts UNVERIFIED requests (verify="none")',
                fg="yellow",
            )
        curl = _sample_curl(hp, ep, base) if show_curls else None
        if curl:
            click.echo("      try it:")
            click.echo(f"      {curl}")
    signed = any(ep.provider and ep.secrets for ep in hp.endpoints.values())
    if signed and not show_curls and settings.sample_curl is None:
        click.echo(
            "  (no sample curls: they carry valid signatures and this host is not bound to "
            "loopback only; --sample-curl prints them)"
        )


MIN_ADMIN_TOKEN = 16


def _warn_about_access(settings: Any) -> None:
    """Say at start who can reach /api and the dashboard, and warn about a guessable token."""
    if settings.admin_token is None:
        click.secho(
            "No HOOKPOINT_ADMIN_TOKEN: /api and the dashboard answer loopback clients only.",
            fg="yellow",
        )
        return
    length = len(settings.admin_token.get_secret_value())
    if length < MIN_ADMIN_TOKEN:
        click.secho(
            f"WARNING: HOOKPOINT_ADMIN_TOKEN is only {length} characters: anyone who guesses "
            "it reads every stored request; use 32+ random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))').",
            fg="yellow",
        )


def _sample_curl(hp: Any, ep: Any, base: str) -> str | None:
    """A ready-to-paste curl sending one of the provider's samples, signed with the endpoint's
    first secret; a sample that triggers one of the endpoint's jobs is preferred."""
    if ep.provider is None or not ep.secrets:
        return None
    from ._request import WebhookRequest

    info = hp.plugins.providers[ep.provider]
    url = f"{base}/{ep.id}"
    chosen = None
    for sample in (s for s in info.samples if not s.challenge):
        sample_url = url + (f"?{sample.path_query}" if sample.path_query else "")
        req = WebhookRequest(
            method=sample.method, url=sample_url, headers=sample.headers, body=sample.body
        )
        try:
            signed = hp.plugins.sign(ep.provider, req, ep.settings, ep.secrets[0], time.time())
        except Exception:  # a sample this provider cannot sign: try the next one
            logging.getLogger("hookpoint").debug("cannot sign sample", exc_info=True)
            continue
        if signed is None:
            continue
        if chosen is None:
            chosen = signed
        event = hp.plugins.describe(ep.provider, signed, ep.settings)
        if hp.matching_jobs(ep, signed.with_context(event=event) if event else signed):
            chosen = signed
            break
    if chosen is None:
        return None
    parts = [f"curl -sS -X {chosen.method} '{chosen.url}'"]
    for k, v in chosen.headers.items():
        parts.append(f"-H '{k}: {v}'")
    body = chosen.body.decode("utf-8", "replace").replace("'", "'\\''")
    parts.append(f"--data-binary '{body}'")
    return " ".join(parts)


@cli.command()
@click.argument("app")
@click.option("--host", default=None, help="Interface to bind [HOOKPOINT_HOST, 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [HOOKPOINT_PORT, 8000].")
@click.option("--workers", type=int, default=None, help="Hypercorn processes [1].")
@click.option("--database-url", default=None, help="Store URL [sqlite:///./hookpoint.db].")
@click.option("--no-worker", is_flag=True, default=None, help="Do not run jobs in this process.")
@click.option("--public-url", default=None, help="Base URL senders use, for printed URLs.")
@click.option(
    "--sample-curl/--no-sample-curl",
    default=None,
    help="Print a signed sample curl per endpoint [only when bound to loopback].",
)
def serve(
    app: str,
    host: str | None,
    port: int | None,
    workers: int | None,
    database_url: str | None,
    no_worker: bool | None,
    public_url: str | None,
    sample_curl: bool | None,
) -> None:
    """Serve APP (module:attr) under hypercorn; runs jobs too unless --no-worker."""
    from ._serve import configure_logging

    settings = _settings(
        host=host,
        port=port,
        workers=workers,
        database_url=database_url,
        no_worker=no_worker or None,
        public_url=public_url,
        sample_curl=sample_curl,
    )
    configure_logging(settings.log_level)
    hp = load_app(app)
    _describe_endpoints(hp, settings)
    click.echo(f"Dashboard: {settings.base_url()}/dashboard/")
    _warn_about_access(settings)
    click.echo(
        f"Store: {_safe_url(settings.database_url)}   worker: "
        f"{'off' if settings.no_worker else 'on'}"
    )
    from ._serve import serve_forever

    serve_forever(app, hp, settings)


@cli.command()
@click.argument("app")
@click.option("--database-url", default=None, help="Store URL.")
@click.option("--concurrency", type=int, default=None, help="Runs executed at once [16].")
def worker(app: str, database_url: str | None, concurrency: int | None) -> None:
    """Run APP's jobs (module:attr) without serving HTTP (scale-out workers)."""
    from ._serve import configure_logging

    settings = _settings(database_url=database_url, worker_concurrency=concurrency)
    configure_logging(settings.log_level)
    hp = load_app(app)
    from ._serve import run_worker_forever

    click.echo(f"Worker for {hp.id!r}: {len(hp.jobs)} job(s) on {_safe_url(settings.database_url)}")
    _run(run_worker_forever(hp, settings))


def _safe_url(url: str) -> str:
    from ._secrets import mask_url

    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return mask_url(f"{scheme}://{user}:***@{host}" if ":" in creds else url)
    return url


# -- db -------------------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--database-url", default=None, help="Store URL.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def db_upgrade(database_url: str | None, as_json: bool) -> None:
    """Apply pending schema migrations."""
    from .store import open_store

    settings = _settings(database_url=database_url)

    # opening without auto-upgrade warns that migrations are pending: that is what we fix here
    logging.getLogger("hookpoint.store").setLevel(logging.ERROR)

    async def go() -> list[str]:
        store = open_store(settings.database_url, auto_upgrade=False)
        await store.open()
        try:
            return await store.upgrade()
        finally:
            await store.close()

    applied = _run(go())
    if as_json:
        _echo_json({"applied": applied})
    else:
        click.echo(f"applied: {', '.join(applied)}" if applied else "schema is up to date")


# -- endpoints / requests / runs / replay / send ------------------------------------------------


@cli.command()
@click.argument("app")
@click.option("--json", "as_json", is_flag=True)
@click.option("--public-url", default=None)
def endpoints(app: str, as_json: bool, public_url: str | None) -> None:
    """List APP's endpoints: URL, provider, verification mode, secrets masked."""
    from ._api import endpoint_to_dict

    settings = _settings(public_url=public_url)
    hp = load_app(app)
    base = settings.base_url() + settings.webhook_prefix
    rows = [endpoint_to_dict(e, base) for e in hp.endpoints.values()]
    if as_json:
        _echo_json(rows)
        return
    _table(
        "Endpoints",
        ["id", "url", "provider", "verification", "secrets", "jobs"],
        [
            [
                r["id"],
                r["url"],
                r["provider"] or "-",
                r["verification"],
                ", ".join(r["secrets"]) or "-",
                ", ".join(r["jobs"]),
            ]
            for r in rows
        ],
    )


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for c in columns:
        # ids are what you copy into the next command: never cut them to fit the terminal
        table.add_column(c, no_wrap=c == "id", min_width=26 if c == "id" else None)
    for row in rows:
        # stored and sender-controlled values: Text cells (no markup), controls made visible
        table.add_row(*[cell(x) for x in row])
    Console().print(table)


def _with_store(database_url: str | None, fn: Callable[[Any], Awaitable[T]]) -> T:
    from .store import open_store

    settings = _settings(database_url=database_url)

    async def go() -> T:
        store = open_store(settings.database_url)
        await store.open()
        try:
            return await fn(store)
        finally:
            await store.close()

    return _run(go())


_db_option = click.option("--database-url", default=None, help="Store URL.")


@cli.group()
def requests() -> None:
    """Inspect stored requests (incl. rejected ones)."""


@requests.command("list")
@_db_option
@click.option("--endpoint", default=None)
@click.option("--status", type=click.Choice(["accepted", "duplicate", "handshake", "rejected"]))
@click.option("--event-type", default=None)
@click.option("--since", default=None, help="Unix seconds or ISO-8601.")
@click.option("--until", default=None)
@click.option("--limit", type=int, default=50)
@click.option("--json", "as_json", is_flag=True)
def requests_list(
    database_url: str | None,
    endpoint: str | None,
    status: str | None,
    event_type: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List requests, newest first."""
    from ._api import _parse_time
    from ._serialize import request_to_dict
    from .store import RequestQuery

    query = RequestQuery(
        endpoint_id=endpoint,
        status=status,  # type: ignore[arg-type]
        event_type=event_type,
        since=_parse_time(since, "since"),
        until=_parse_time(until, "until"),
        limit=limit,
    )

    async def go(store: Any) -> list[dict[str, Any]]:
        page = await store.list_requests(query)
        return [request_to_dict(r) for r in page.items]

    rows = _with_store(database_url, go)
    if as_json:
        _echo_json(rows)
        return
    _table(
        "Requests",
        ["id", "received", "endpoint", "status", "event", "reason"],
        [
            [r["id"], r["received_at"], r["endpoint"], r["status"], r["event_type"], r["reason"]]
            for r in rows
        ],
    )


@requests.command("show")
@_db_option
@click.argument("request_id")
@click.option(
    "--app",
    default=None,
    help="The app (module:attr): its endpoint's secrets are masked in the body too.",
)
@click.option("--json", "as_json", is_flag=True)
def requests_show(
    database_url: str | None, request_id: str, app: str | None, as_json: bool
) -> None:
    """Show one request with headers (secrets masked) and body."""
    from ._serialize import request_to_dict, run_to_dict
    from .store import RunQuery

    hp = load_app(app) if app else None

    async def go(store: Any) -> dict[str, Any] | None:
        stored = await store.get_request(request_id)
        if stored is None:
            return None
        secrets = hp.secrets_of(stored.endpoint_id) if hp is not None else ()
        data = request_to_dict(stored, include_body=True, secrets=secrets)
        runs = await store.list_runs(RunQuery(request_id=request_id, limit=500))
        data["runs"] = [run_to_dict(r) for r in runs.items]
        return data

    data = _with_store(database_url, go)
    if data is None:
        _fail(f"no request {request_id}", EXIT_FAILURE)
    _echo_json(data)


@cli.group()
def runs() -> None:
    """Inspect job runs."""


@runs.command("list")
@_db_option
@click.option("--endpoint", default=None)
@click.option("--job", default=None)
@click.option(
    "--status", type=click.Choice(["queued", "running", "succeeded", "failed", "cancelled"])
)
@click.option("--event-type", default=None)
@click.option("--limit", type=int, default=50)
@click.option("--json", "as_json", is_flag=True)
def runs_list(
    database_url: str | None,
    endpoint: str | None,
    job: str | None,
    status: str | None,
    event_type: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List runs, newest first."""
    from ._serialize import run_to_dict
    from .store import RunQuery

    query = RunQuery(
        endpoint_id=endpoint,
        job_id=job,
        status=status,  # type: ignore[arg-type]
        event_type=event_type,
        limit=limit,
    )

    async def go(store: Any) -> list[dict[str, Any]]:
        return [run_to_dict(r) for r in (await store.list_runs(query)).items]

    rows = _with_store(database_url, go)
    if as_json:
        _echo_json(rows)
        return
    _table(
        "Runs",
        ["id", "job", "status", "attempt", "updated", "last error"],
        [
            [
                r["id"],
                r["job"],
                r["status"],
                f"{r['attempt']}/{r['max_attempts']}",
                r["updated_at"],
                (r["last_error"] or "")[:60],
            ]
            for r in rows
        ],
    )


@runs.command("show")
@_db_option
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="Accepted like everywhere; always JSON.")
def runs_show(database_url: str | None, run_id: str, as_json: bool) -> None:
    """Show one run with its attempts and logs (JSON)."""
    from ._serialize import attempt_to_dict, log_to_dict, run_to_dict

    async def go(store: Any) -> dict[str, Any] | None:
        run = await store.get_run(run_id)
        if run is None:
            return None
        data = run_to_dict(run, include_output=True)
        data["attempts"] = [attempt_to_dict(a) for a in await store.list_attempts(run_id)]
        data["logs"] = [log_to_dict(x) for x in await store.list_logs(run_id)]
        return data

    data = _with_store(database_url, go)
    if data is None:
        _fail(f"no run {run_id}", EXIT_FAILURE)
    _echo_json(data)


@runs.command("logs")
@_db_option
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True)
def runs_logs(database_url: str | None, run_id: str, as_json: bool) -> None:
    """Print a run's log lines."""
    from ._serialize import log_to_dict

    async def go(store: Any) -> list[dict[str, Any]] | None:
        if await store.get_run(run_id) is None:
            return None
        return [log_to_dict(x) for x in await store.list_logs(run_id)]

    lines = _with_store(database_url, go)
    if lines is None:
        _fail(f"no run {run_id}", EXIT_FAILURE)
        return
    if as_json:
        _echo_json(lines)
        return
    for line in lines:
        data = "" if line["data"] is None else " " + json.dumps(line["data"], default=str)
        click.echo(
            visible(
                f"{line['at']} [{line['attempt']}] {line['level'].upper():5} "
                f"{line['message']}{data}"
            )
        )


@cli.command()
@_db_option
@click.option("--run", "run_id", default=None, help="Re-run one run (new attempt series).")
@click.option(
    "--request",
    "request_id",
    default=None,
    help="Re-deliver one stored request to the jobs that match it now (needs --app).",
)
@click.option("--app", default=None, help="module:attr, needed to match today's jobs.")
@click.option(
    "--status",
    type=click.Choice(["queued", "running", "succeeded", "failed", "cancelled"]),
    default=None,
    help="Bulk: replay runs with this status (e.g. failed).",
)
@click.option("--job", default=None, help="Bulk: only runs of this job.")
@click.option("--endpoint", default=None, help="Bulk: only runs of this endpoint.")
@click.option("--event-type", default=None, help="Bulk: only runs of this event type.")
@click.option("--yes", is_flag=True, help="Bulk: really replay (default is a dry-run count).")
@click.option("--json", "as_json", is_flag=True)
def replay(
    database_url: str | None,
    run_id: str | None,
    request_id: str | None,
    app: str | None,
    status: str | None,
    job: str | None,
    endpoint: str | None,
    event_type: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Replay one run, one request, or runs in bulk (dry-run count unless --yes)."""
    from .store import RunQuery

    if run_id:

        async def one(store: Any) -> str | None:
            if await store.get_run(run_id) is None:
                return None
            new: str = await store.replay_run(run_id)
            return new

        new_id = _with_store(database_url, one)
        if new_id is None:
            _fail(f"no run {run_id}", EXIT_FAILURE)
        _echo_json({"run_id": new_id, "replay_of": run_id}) if as_json else click.echo(
            visible(f"queued run {new_id} (replay of {run_id})")
        )
        return
    if request_id:
        if not app:
            _fail("--request needs --app module:attr to match today's jobs", 2)
        hp = load_app(app or "")
        from ._convert import redescribe
        from .store import NewRun

        async def redeliver(store: Any) -> tuple[str, ...] | None:
            from ._convert import replay_source

            stored = await store.get_request(request_id)
            if stored is None:
                return None
            try:
                stored = await replay_source(store, stored)
            except LookupError as exc:
                raise ConfigError(str(exc)) from None
            ep = hp.endpoints.get(stored.endpoint_id)
            if ep is None:
                raise ConfigError(f"endpoint {stored.endpoint_id!r} is not defined in {app}")
            req = redescribe(stored, hp)
            runs_ = [
                NewRun(job_id=j.id, job_version=j.version, max_attempts=j.retry.max_attempts)
                for j in hp.matching_jobs(ep, req)
            ]
            ids: tuple[str, ...] = await store.replay_request(stored.id, runs_)
            return ids

        ids = _with_store(database_url, redeliver)
        if ids is None:
            _fail(f"no request {request_id}", EXIT_FAILURE)
        _echo_json(
            {"request_id": request_id, "run_ids": list(ids or ())}
        ) if as_json else click.echo(
            visible(f"queued {len(ids or ())} run(s) for request {request_id}")
        )
        return
    if not any([status, job, endpoint, event_type]):
        _fail("give --run, --request, or bulk filters (--status/--job/--endpoint/--event-type)", 2)
    query = RunQuery(
        status=status,  # type: ignore[arg-type]  # a click.Choice of the run statuses
        job_id=job,
        endpoint_id=endpoint,
        event_type=event_type,
        limit=500,
    )

    async def bulk(store: Any) -> list[str]:
        matched: list[str] = []
        before = None
        while True:
            page = await store.list_runs(RunQuery(**{**_query_dict(query), "before_id": before}))
            matched.extend(r.id for r in page.items)
            if not page.next_before_id:
                break
            before = page.next_before_id
        if not yes:
            return matched
        from rich.progress import track

        new_ids = []
        for rid in track(matched, description="replaying", disable=as_json):
            new_ids.append(await store.replay_run(rid))
        return new_ids

    result = _with_store(database_url, bulk)
    if as_json:
        _echo_json({"dry_run": not yes, "count": len(result), "run_ids": result})
    elif yes:
        click.echo(f"queued {len(result)} replay run(s)")
    else:
        click.echo(f"{len(result)} run(s) match; re-run with --yes to replay them")


def _query_following_settings(
    query: str, sample_settings: Mapping[str, Any], overridden: Mapping[str, str]
) -> str:
    """A sample's query string with every parameter that carries one of the sample's setting
    values (a handshake's verify token) changed to that setting's ``--setting`` value."""
    if not query or not overridden:
        return query
    from urllib.parse import parse_qsl, urlencode

    swap = {
        str(old): overridden[key]
        for key, old in sample_settings.items()
        if key in overridden and isinstance(old, str) and old
    }
    if not swap:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, swap.get(v, v)) for k, v in pairs])


def _query_dict(query: Any) -> dict[str, Any]:
    return {f: getattr(query, f) for f in query.__dataclass_fields__}


@cli.command()
@click.argument("provider")
@click.argument("sample")
@click.option(
    "--to", "to", required=True, help="Endpoint URL, e.g. http://127.0.0.1:8000/webhooks/x"
)
@click.option("--secret", default=None, help="Secret to sign with (default: the sample's).")
@click.option("--setting", "settings_kv", multiple=True, help="Provider setting key=value.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def send(
    provider: str,
    sample: str,
    to: str,
    secret: str | None,
    settings_kv: tuple[str, ...],
    as_json: bool,
) -> None:
    """Send PROVIDER's SAMPLE to a URL, signed exactly as the sender would."""
    from ._http import post_sync
    from ._plugins import PluginHost
    from ._request import WebhookRequest

    host = PluginHost.load()
    info = host.provider(provider)
    chosen = next((s for s in info.samples if s.name == sample), None)
    if chosen is None:
        names = ", ".join(s.name for s in info.samples) or "none"
        _fail(f"provider {provider!r} has no sample {sample!r}; samples: {names}", 2)
        return
    overridden = {k: v for k, _, v in (kv.partition("=") for kv in settings_kv)}
    settings = host.settings_for(provider, {**chosen.settings, **overridden})
    query = _query_following_settings(chosen.path_query, chosen.settings, overridden)
    url = to + (("&" if "?" in to else "?") + query if query else "")
    req = WebhookRequest(method=chosen.method, url=url, headers=chosen.headers, body=chosen.body)
    if not chosen.challenge:
        signed = host.sign(provider, req, settings, secret or chosen.secret, time.time())
        if signed is None:
            _fail(f"provider {provider!r} cannot sign requests", EXIT_FAILURE)
            return
        req = signed
    try:
        status, body = post_sync(req.method, url, list(req.headers.items()), req.body)
    except Exception as exc:  # connection refused, DNS, timeout: a clear message, exit 1
        _fail(f"could not send to {url}: {exc}", EXIT_FAILURE)
        return
    text = body[:2000].decode("utf-8", "replace")
    if as_json:
        _echo_json({"status": status, "body": text, "url": url, "sample": sample})
    else:
        click.echo(f"{status} {visible(text)}")  # what the target answered: any bytes
    if status >= 400:
        sys.exit(EXIT_FAILURE)


cli.add_command(new_provider)


# -- signals helper used by _serve ----------------------------------------------------------------


def install_stop_signals(loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # non-Unix
            loop.add_signal_handler(sig, event.set)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
