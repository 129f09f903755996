"""The user-facing API: ``Hookpoint``, endpoints, ``RespondWith``, ``Response`` and jobs.

This is Trigger.dev v2's ``defineHttpEndpoint`` / ``respondWith`` / ``onRequest`` / ``defineJob``
done the Python way::

    hp = Hookpoint(id="acme")
    cal = hp.define_http_endpoint(id="caldotcom", source="cal.com", icon="caldotcom",
                                  provider="caldotcom", secrets=[os.environ["CAL_SECRET"]])

    @hp.job(id="cancelled", name="Cancelled", version="1.0.0",
            trigger=cal.on_request(filter={"body": {"triggerEvent": ["BOOKING_CANCELLED"]}}))
    async def cancelled(request, io, ctx):
        await io.logger.info("Body", await request.json())
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from ._dedupe import DedupeRule, DedupeSpec, dedupe_rule
from ._errors import ConfigError
from ._filter import RequestFilter
from ._forward import DestinationSettings, default_destination_id, deliver, destination_settings
from ._models import Verification
from ._plugins import PluginHost
from ._presentation import EndpointExample, EndpointProperty, check_examples, check_properties
from ._request import WebhookRequest
from ._retry import RetryPolicy

__all__ = ["Destination", "Endpoint", "Hookpoint", "Job", "RespondWith", "Response", "Trigger"]

log = logging.getLogger("hookpoint")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
DEFAULT_METHODS = ("POST",)

VerifyFn = Callable[[WebhookRequest], Any]
RunFn = Callable[..., Any]
F = TypeVar("F", bound=Callable[..., Any])


def _check_id(kind: str, value: object) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ConfigError(
            f"{kind} id {value!r} is invalid: use 1-128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (it becomes part of a URL)"
        )
    return value


class Response:
    """An explicit HTTP answer from a ``respond_with`` handler.

    * **body** - ``str``, ``bytes``, or any JSON-serialisable object (sent as JSON).
    * **status** - the status code (default 200).
    * **headers** - extra response headers.
    """

    __slots__ = ("body", "headers", "status")

    def __init__(
        self, body: Any = b"", status: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        if not isinstance(status, int) or not 100 <= status <= 599:
            raise ConfigError(f"invalid status {status!r}")
        self.body = body
        self.status = status
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"Response(status={self.status})"


def _no_handler(request: WebhookRequest, verify: Any) -> Any:  # pragma: no cover - a sentinel
    """The default of ``RespondWith.handler``: never called, ``__post_init__`` refuses it."""
    raise AssertionError("RespondWith without a handler")


_NO_FILTER: Any = object()
"""The default of ``RespondWith.filter``: refused: Trigger.dev v2 never answers without one."""


@dataclass(frozen=True)
class RespondWith:
    """Answer matching requests directly (handshakes, custom replies).

    * **filter** - a RequestFilter spec (keys ``method``, ``path``, ``headers``, ``query``,
      ``body``, ``event``); the handler runs only when it matches. Required: ``filter={}``
      matches every request (Trigger.dev v2 never calls a handler that has no filter).
    * **handler** - ``handler(request, verify)``, sync or async, returning a :class:`Response`
      or anything a Quart view may return (``str``, ``bytes``, ``(body, status)``,
      ``(body, status, headers)``). ``await verify()`` (or ``verify()``) checks the signature.
    * **skip_triggering_runs** - when true no run starts; the exchange is still recorded. When
      false, only a 2xx answer lets the request through (verified, stored, run); any other
      answer refuses it, as in Trigger.dev v2.
    """

    filter: Any = _NO_FILTER
    handler: Callable[..., Any] = _no_handler
    skip_triggering_runs: bool = False
    _compiled: RequestFilter | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.filter is _NO_FILTER or self.filter is None:
            raise ConfigError(
                "RespondWith needs a filter: the handler answers only the requests it matches "
                "(Trigger.dev v2 never calls a respondWith handler without one); pass filter={} "
                "to answer every request"
            )
        if self.handler is _no_handler or not callable(self.handler):
            raise ConfigError("RespondWith needs handler=, a callable (request, verify)")


@dataclass(frozen=True)
class Trigger:
    """``endpoint.on_request(filter=...)``: runs a job for matching requests to an endpoint."""

    endpoint: Endpoint
    filter: RequestFilter

    def matches(self, request: WebhookRequest) -> bool:
        return self.filter.matches(request)


class Endpoint:
    """An HTTP endpoint at ``/webhooks/<id>``; see :meth:`Hookpoint.define_http_endpoint`."""

    def __init__(
        self,
        hp: Hookpoint,
        *,
        id: str,
        source: str,
        icon: str | None,
        title: str | None,
        provider: str | None,
        secrets: Sequence[str] | None,
        settings: BaseModel | None,
        verify: VerifyFn | Literal["none"] | None,
        respond_with: RespondWith | None,
        enabled: bool,
        dedupe_window: float,
        methods: tuple[str, ...],
        raw_settings: Mapping[str, Any] | BaseModel | None,
        dedupe: DedupeRule | None = None,
        properties: tuple[EndpointProperty, ...] = (),
        examples: tuple[EndpointExample, ...] | None = None,
    ) -> None:
        self.hp = hp
        self.id = id
        self.source = source
        self.icon = icon
        self.title = title or source
        self.provider = provider
        self.secrets: tuple[str, ...] = tuple(secrets or ())
        self.settings = settings
        self.raw_settings = raw_settings
        self.verify = verify
        self.respond_with = respond_with
        self.enabled = enabled
        self.dedupe_window = dedupe_window
        self.dedupe: DedupeRule = (
            dedupe
            if dedupe is not None
            else dedupe_rule(id, None, has_provider=provider is not None)
        )
        """Which key repeats are recognised by (``define_http_endpoint(dedupe=...)``)."""
        self.methods = methods
        self.properties = properties
        self.examples = examples
        """``examples=`` as given (None: the provider's samples, see ``examples_of``)."""

    @property
    def icon_name(self) -> str | None:
        """The icon shown: ``icon=`` when given, else the provider's name (None: a monogram)."""
        return self.icon or self.provider

    @property
    def verification_mode(self) -> str:
        """``provider:<name>``, ``custom`` or ``none``."""
        if self.provider is not None:
            return f"provider:{self.provider}"
        if self.verify == "none":
            return "none"
        return "custom"

    def on_request(self, filter: Mapping[str, Any] | RequestFilter | None = None) -> Trigger:
        """A job trigger for requests to this endpoint matching ``filter`` (all when None)."""
        compiled = self.hp._compile_filter(filter or {})
        return Trigger(endpoint=self, filter=compiled)

    def __repr__(self) -> str:
        return f"<Endpoint {self.id} {self.verification_mode}>"


class Job:
    """A job: ``run(request, io, ctx)`` executed at least once per matching request."""

    def __init__(
        self,
        *,
        id: str,
        name: str,
        version: str,
        trigger: Trigger,
        run: RunFn,
        enabled: bool = True,
        retry: RetryPolicy,
        timeout: float | None,
        concurrency: int | None,
    ) -> None:
        self.id = id
        self.name = name
        self.version = version
        self.trigger = trigger
        self.run = run
        self.enabled = enabled
        self.retry = retry
        self.timeout = timeout
        self.concurrency = concurrency
        self.global_concurrency: int | None = None
        """Most runs of this job running at once over every worker and process (the store
        enforces it); None for jobs from ``define_job``, whose ``concurrency`` is per worker.
        A :class:`Destination` sets it to its ``concurrency``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Calling the job calls its function directly (handy in unit tests)."""
        return self.run(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Job {self.id}@{self.version} on {self.trigger.endpoint.id}>"


class Destination(Job):
    """A job that forwards each matching request to a URL (:meth:`Hookpoint.forward`).

    Its runs are runs like any other (attempts, logs, replay, dashboard, API, CLI). ``url`` is
    the destination as shown (credentials masked); ``settings`` holds everything a delivery
    uses, checked when it was defined.
    """

    def __init__(
        self,
        *,
        id: str,
        trigger: Trigger,
        settings: DestinationSettings,
        retry: RetryPolicy,
    ) -> None:
        endpoint = trigger.endpoint
        super().__init__(
            id=id,
            name=f"forward to {settings.url}",
            version="1",
            trigger=trigger,
            run=functools.partial(deliver, settings, endpoint.secrets),
            retry=retry,
            timeout=None,  # each HTTP exchange has settings.timeout; a paced wait is not work
            concurrency=settings.concurrency,
        )
        self.global_concurrency = settings.concurrency
        self.settings = settings

    @property
    def url(self) -> str:
        """The destination URL, credentials masked."""
        return self.settings.url

    def describe(self) -> dict[str, Any]:
        """The destination as the API, the dashboard and the CLI show it (nothing secret)."""
        s = self.settings
        return {
            "job": self.id,
            "url": s.url,
            "filter": self.trigger.filter.spec,
            "headers": list(s.header_names),
            "sign": s.sign,
            "timeout": s.timeout,
            "retry_on": s.retry_on.describe(),
            "max_attempts": self.retry.max_attempts,
            "concurrency": s.concurrency,
            "rate_limit": s.rate_limit,
            "enabled": self.enabled,
        }

    def __repr__(self) -> str:
        return f"<Destination {self.id} on {self.trigger.endpoint.id} → {self.url}>"


class Hookpoint:
    """An app: endpoints and jobs, composed with the installed provider plugins.

    * **id** - the app id (shown in logs and the dashboard).
    * **plugins** - extra plugin objects to register (tests, in-repo providers).
    * **load_entrypoints** - load installed plugins from the ``hookpoint`` entry-point group.
    * **env** - environment for the plugin controls and the ``env`` of ``hookpoint_notify``
      (defaults to ``os.environ``).
    """

    def __init__(
        self,
        id: str,
        *,
        plugins: Sequence[object] = (),
        load_entrypoints: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.id = _check_id("app", id)
        self.env = env
        """What ``env`` was given (``None``: the process's environment)."""
        self.plugins = PluginHost.load(plugins=plugins, load_entrypoints=load_entrypoints, env=env)
        self.endpoints: dict[str, Endpoint] = {}
        self.jobs: dict[str, Job] = {}

    @classmethod
    def from_toml(
        cls,
        path: str | os.PathLike[str],
        *,
        plugins: Sequence[object] = (),
        load_entrypoints: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> Hookpoint:
        """The app declared in the TOML file ``path``: its ``[app]`` id, ``[[endpoints]]`` and
        forwarding ``[[jobs]]`` (docs/forwarding.md, "Declaring it in TOML"). Add Python jobs to
        the app it returns as to any other. ``env`` (default ``os.environ``) resolves the
        file's ``{ env = "NAME" }`` and ``${NAME}`` references and the plugin controls.

        :raises ConfigError: the file is missing or invalid; the message names the file, the
            table and the key."""
        from ._tomlapp import read_app_file

        environ = os.environ if env is None else env
        spec = read_app_file(path, env=environ)
        try:
            hp = cls(spec.app.id, plugins=plugins, load_entrypoints=load_entrypoints, env=env)
        except ConfigError as exc:
            raise ConfigError(f"{spec.path}: [app], key 'id': {exc}") from None
        spec.apply(hp)
        return hp

    # -- filters ----------------------------------------------------------------------------------
    def _compile_filter(self, spec: Mapping[str, Any] | RequestFilter) -> RequestFilter:
        if isinstance(spec, RequestFilter):
            return spec
        # RequestFilter validates everything (a non-dict spec is a FilterError naming it)
        return RequestFilter(spec, operators=self.plugins.operators)

    # -- endpoints --------------------------------------------------------------------------------
    def define_http_endpoint(
        self,
        *,
        id: str,
        source: str,
        icon: str | None = None,
        title: str | None = None,
        provider: str | None = None,
        secrets: Sequence[str] | str | None = None,
        settings: Mapping[str, Any] | BaseModel | None = None,
        verify: VerifyFn | Literal["none"] | None = None,
        respond_with: RespondWith | None = None,
        enabled: bool = True,
        dedupe_window: float = 24 * 3600.0,
        methods: Sequence[str] | None = None,
        dedupe: DedupeSpec = None,
        properties: Sequence[Mapping[str, Any] | EndpointProperty] | None = None,
        examples: Sequence[Mapping[str, Any] | EndpointExample] | None = None,
    ) -> Endpoint:
        """Define ``ANY /webhooks/<id>``. Exactly one way to verify: ``provider=``, a ``verify``
        callable (sync or async, returning a truthy result on success) or ``verify="none"``.

        ``dedupe`` says what makes two deliveries the same one (a repeat inside
        ``dedupe_window`` is acknowledged without runs): by default the provider's event id,
        or for an endpoint without a provider the ``Idempotency-Key`` header, else
        ``X-Request-Id`` (as Trigger.dev v2 does); a header name, a list of header names (the
        first present and non-empty wins), a synchronous callable ``(request) -> str | None``,
        or ``False`` (no dedupe) replace it, for provider endpoints too.

        ``icon``, ``title`` and ``properties`` (``[{"label", "text", "url"?}]``, ``url`` http(s)
        only) are shown by the dashboard, the API and ``hookpoint endpoints``. ``examples``
        (``[{"id", "name", "method"?, "headers"?, "body"?}]``; default: the provider's samples)
        are what the dashboard's **Test** and ``hookpoint test`` deliver as test deliveries."""
        _check_id("endpoint", id)
        if id in self.endpoints:
            raise ConfigError(f"endpoint {id!r} is defined twice")
        if not isinstance(source, str) or not source:
            raise ConfigError(f"endpoint {id!r}: source must be a non-empty string")
        for name, text in (("icon", icon), ("title", title)):
            if text is not None and (not isinstance(text, str) or not text.strip()):
                raise ConfigError(f"endpoint {id!r}: {name} must be a non-empty string or None")
            if isinstance(text, str) and len(text) > 200:
                raise ConfigError(f"endpoint {id!r}: {name} is longer than 200 characters")
        property_rows = check_properties(id, properties)
        example_rows = check_examples(id, examples)
        if isinstance(secrets, str):
            secrets = [secrets]
        secret_list = [s for s in (secrets or ())]
        for s in secret_list:
            if not isinstance(s, str) or not s:
                raise ConfigError(f"endpoint {id!r}: every secret must be a non-empty string")
        ways = [provider is not None, verify is not None]
        if sum(ways) == 0:
            raise ConfigError(
                f"endpoint {id!r} has no way to verify requests: pass provider=<name> "
                f"(installed: {', '.join(sorted(self.plugins.providers)) or 'none'}), a "
                'verify= callable, or verify="none" to accept unverified requests explicitly'
            )
        if sum(ways) > 1:
            raise ConfigError(f"endpoint {id!r}: pass either provider= or verify=, not both")
        validated: BaseModel | None = None
        if provider is not None:
            info = self.plugins.provider(provider)
            validated = self.plugins.settings_for(provider, settings)
            if info.requires_secret and not secret_list and not _allows_unsigned(validated):
                raise ConfigError(
                    f"endpoint {id!r}: provider {provider!r} needs at least one secret "
                    "(secrets=[...]) to verify deliveries"
                )
        else:
            if settings is not None:
                raise ConfigError(f"endpoint {id!r}: settings= needs a provider=")
            if verify != "none" and not callable(verify):
                raise ConfigError(
                    f'endpoint {id!r}: verify must be a callable or the string "none"'
                )
        if respond_with is not None:
            if not isinstance(respond_with, RespondWith):
                raise ConfigError(f"endpoint {id!r}: respond_with must be a RespondWith(...)")
            compiled = self._compile_filter(respond_with.filter)
            object.__setattr__(respond_with, "_compiled", compiled)
        if dedupe_window < 0:
            raise ConfigError(f"endpoint {id!r}: dedupe_window must be >= 0 seconds")
        rule = dedupe_rule(id, dedupe, has_provider=provider is not None)
        method_tuple = tuple(m.upper() for m in (methods or DEFAULT_METHODS))
        endpoint = Endpoint(
            self,
            id=id,
            source=source,
            icon=icon,
            title=title,
            provider=provider,
            secrets=secret_list,
            settings=validated,
            verify=verify,
            respond_with=respond_with,
            enabled=enabled,
            dedupe_window=float(dedupe_window),
            methods=method_tuple,
            raw_settings=settings,
            dedupe=rule,
            properties=property_rows,
            examples=example_rows,
        )
        self.endpoints[id] = endpoint
        return endpoint

    # -- jobs -------------------------------------------------------------------------------------
    def define_job(
        self,
        *,
        id: str,
        name: str | None = None,
        version: str = "1.0.0",
        trigger: Trigger,
        run: RunFn,
        enabled: bool = True,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        timeout: float | None = 300.0,
        concurrency: int | None = None,
    ) -> Job:
        """Define a job run for every request matching ``trigger``."""
        _check_id("job", id)
        if id in self.jobs:
            raise ConfigError(f"job {id!r} is defined twice")
        if not isinstance(trigger, Trigger):
            raise ConfigError(f"job {id!r}: trigger must come from endpoint.on_request(filter=...)")
        if trigger.endpoint.hp is not self:
            raise ConfigError(f"job {id!r}: its trigger's endpoint belongs to another app")
        if not callable(run):
            raise ConfigError(f"job {id!r}: run must be callable")
        _check_run_signature(id, run)
        policy = _retry_policy(id, retry)
        if timeout is not None and timeout <= 0:
            raise ConfigError(f"job {id!r}: timeout must be > 0 seconds or None")
        if concurrency is not None and concurrency < 1:
            raise ConfigError(f"job {id!r}: concurrency must be >= 1 or None")
        job = Job(
            id=id,
            name=name or id,
            version=str(version),
            trigger=trigger,
            run=run,
            enabled=enabled,
            retry=policy,
            timeout=timeout,
            concurrency=concurrency,
        )
        self.jobs[id] = job
        return job

    def job(
        self,
        *,
        id: str,
        name: str | None = None,
        version: str = "1.0.0",
        trigger: Trigger,
        enabled: bool = True,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        timeout: float | None = 300.0,
        concurrency: int | None = None,
    ) -> Callable[[RunFn], Job]:
        """Decorator form of :meth:`define_job`."""

        def decorate(fn: RunFn) -> Job:
            return self.define_job(
                id=id,
                name=name,
                version=version,
                trigger=trigger,
                run=fn,
                enabled=enabled,
                retry=retry,
                timeout=timeout,
                concurrency=concurrency,
            )

        return decorate

    # -- forwarding -------------------------------------------------------------------------------
    def forward(
        self,
        endpoint: Endpoint | str,
        to: str,
        *,
        id: str | None = None,
        filter: Mapping[str, Any] | RequestFilter | None = None,
        headers: Mapping[str, str | Mapping[str, str]] | None = None,
        sign: str | None = None,
        secret: str | Mapping[str, str] | None = None,
        timeout: float = 10,
        retry: RetryPolicy | Mapping[str, Any] | None = None,
        retry_on: Sequence[int | str] | None = None,
        concurrency: int | None = None,
        rate_limit: float | None = None,
    ) -> Destination:
        """Deliver every request to ``endpoint`` that matches ``filter`` (all when None) to the
        URL ``to`` (http or https), with retries: docs/forwarding.md.

        * **id** - the job id (default ``<endpoint id>.forward-<10 hex>``, a hash of the
          endpoint id and the URL with its credentials masked: stable across restarts).
        * **headers** - added to the sender's, replacing same-named ones; a value is a string
          or ``{"env": "NAME"}``, read from the environment now.
        * **sign** / **secret** - ``"standardwebhooks"`` with a ``whsec_…`` secret (or
          ``{"env": "NAME"}``): Hookpoint's own ``webhook-id``/``-timestamp``/``-signature``.
        * **timeout** - seconds per attempt. **retry** - a :class:`RetryPolicy` or mapping.
        * **retry_on** - the statuses retried (default ``[408, 425, 429, "5xx"]``): codes and
          classes like ``"5xx"``; other non-2xx statuses fail the run at once. Timeouts and
          connection errors are always retried.
        * **concurrency** - most deliveries in flight over every worker and process.
        * **rate_limit** - most deliveries started per second over every worker and process.
        """
        if isinstance(endpoint, str):
            found = self.endpoints.get(endpoint)
            if found is None:
                raise ConfigError(
                    f"forward: no endpoint {endpoint!r} in this app "
                    f"(defined: {', '.join(sorted(self.endpoints)) or 'none'})"
                )
            endpoint = found
        if not isinstance(endpoint, Endpoint) or endpoint.hp is not self:
            raise ConfigError("forward: endpoint must be an endpoint of this app or its id")
        settings = destination_settings(
            to,
            headers=headers,
            sign=sign,
            secret=secret,
            timeout=timeout,
            retry_on=retry_on,
            concurrency=concurrency,
            rate_limit=rate_limit,
            env=self.env,
        )
        job_id = id if id is not None else default_destination_id(endpoint.id, to)
        _check_id("job", job_id)
        if job_id in self.jobs:
            raise ConfigError(
                f"job {job_id!r} is defined twice"
                + (
                    ""
                    if id is not None
                    else " (forwarding the same endpoint twice to one URL? "
                    "pass id= to tell the destinations apart)"
                )
            )
        destination = Destination(
            id=job_id,
            trigger=endpoint.on_request(filter),
            settings=settings,
            retry=_retry_policy(job_id, retry),
        )
        self.jobs[job_id] = destination
        return destination

    def destinations_of(self, endpoint: Endpoint) -> list[Destination]:
        """The destinations requests to ``endpoint`` are forwarded to (enabled or not)."""
        return [
            j
            for j in self.jobs.values()
            if isinstance(j, Destination) and j.trigger.endpoint is endpoint
        ]

    # -- matching ---------------------------------------------------------------------------------
    def secrets_of(self, endpoint_id: str) -> tuple[str, ...]:
        """The secrets of endpoint ``endpoint_id`` (none when it is not defined): masked where a
        stored body is shown."""
        endpoint = self.endpoints.get(endpoint_id)
        return tuple(endpoint.secrets) if endpoint is not None else ()

    def jobs_for(self, endpoint: Endpoint) -> list[Job]:
        return [j for j in self.jobs.values() if j.enabled and j.trigger.endpoint is endpoint]

    def matching_jobs(self, endpoint: Endpoint, request: WebhookRequest) -> list[Job]:
        return [j for j in self.jobs_for(endpoint) if j.trigger.filter.matches(request)]

    def payload_models(self) -> dict[str, Callable[[Any], Any]]:
        """Endpoint id → its provider's payload model (for ``request.event_model()``)."""
        out: dict[str, Callable[[Any], Any]] = {}
        for endpoint in self.endpoints.values():
            if endpoint.provider is not None:
                model = self.plugins.providers[endpoint.provider].payload_model
                if model is not None:
                    out[endpoint.id] = model
        return out

    def __repr__(self) -> str:
        return f"<Hookpoint {self.id}: {len(self.endpoints)} endpoints, {len(self.jobs)} jobs>"


def _allows_unsigned(settings: BaseModel | None) -> bool:
    return bool(getattr(settings, "allow_unsigned", False))


def _retry_policy(job_id: str, retry: RetryPolicy | Mapping[str, Any] | None) -> RetryPolicy:
    if retry is None:
        return RetryPolicy()
    if isinstance(retry, RetryPolicy):
        return retry
    try:
        return RetryPolicy.model_validate(dict(retry))
    except Exception as exc:
        raise ConfigError(f"job {job_id!r}: invalid retry policy: {exc}") from None


def _check_run_signature(job_id: str, run: RunFn) -> None:
    try:
        sig = inspect.signature(run)
    except (TypeError, ValueError):  # builtins, C callables: trust the caller
        return
    try:
        sig.bind(object(), object(), object())
    except TypeError:
        raise ConfigError(
            f"job {job_id!r}: run must accept (request, io, ctx); got {run.__name__}{sig}"
        ) from None


async def call_verify(fn: VerifyFn, request: WebhookRequest) -> Verification:
    """Call a user ``verify`` (sync or async) and normalise its result to a Verification."""
    result = fn(request)
    if inspect.isawaitable(result):
        result = await result
    return normalise_verification(result)


def normalise_verification(result: Any) -> Verification:
    if isinstance(result, Verification):
        return result
    if isinstance(result, Mapping):
        success = bool(result.get("success", result.get("ok", False)))
        reason = str(result.get("reason") or result.get("error") or "")
        if success:
            return Verification.verified()
        return Verification.refused(reason[:200] or "verification failed")
    if result is True:
        return Verification.verified()
    if result is False or result is None:
        return Verification.refused("verification failed")
    reason = str(getattr(result, "reason", "") or "verification failed")[:200]
    # An object of the seed's shape (``success``/``reason`` attributes, e.g. a dataclass) is
    # judged by its ``success``: such an object is truthy whatever it says.
    claimed = getattr(result, "success", None)
    if isinstance(claimed, bool):
        return Verification.verified() if claimed else Verification.refused(reason)
    return Verification.verified() if bool(result) else Verification.refused(reason)


async def maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


VerifyCallable = Callable[[], Awaitable[Verification]]
