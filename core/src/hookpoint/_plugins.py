"""Plugin discovery, isolation and owner-dispatched hook calls.

A :class:`PluginHost` is built per app (never at import time, never global). Entry points of the
``hookpoint`` group are loaded one by one; a plugin that fails to import, to register, or that
implements an unknown ``hookpoint_*`` hook is recorded with its error and skipped (fatal with
``HOOKPOINT_STRICT_PLUGINS=1``). Core's built-ins are registered the same way, after entry points.

An entry point names the plugin object: ``acme = "hookpoint_acme:PLUGIN"`` (a
:class:`~hookpoint.providerkit.ProviderPlugin`, or any object whose ``hookpoint_*`` methods carry
the hookimpl marker); a bare module name still works (the module is then the plugin).

Environment controls (read from the ``env`` mapping given to :meth:`PluginHost.load`):

* ``HOOKPOINT_LOAD_PLUGINS`` - comma list of entry-point or distribution names to load; ``""``
  loads no external plugin. Unset: load all.
* ``HOOKPOINT_DISABLE_PLUGINS`` - comma list of entry-point or distribution names to skip.
* ``HOOKPOINT_STRICT_PLUGINS=1`` - any plugin failure raises :class:`~hookpoint.PluginError`.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import logging
import os
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pluggy
from pydantic import BaseModel, ValidationError

from . import hookspecs
from ._errors import ConfigError, PluginConflictError, PluginError, ProviderConfigError
from ._filter import build_operator_registry
from ._models import (
    Alert,
    ChallengeResponse,
    EventInfo,
    FilterOperator,
    Notification,
    ProviderInfo,
    Verification,
)

if TYPE_CHECKING:
    from ._request import WebhookRequest

__all__ = ["DEFAULT_PLUGINS", "ENTRY_POINT_GROUP", "PluginHost", "PluginRecord"]

log = logging.getLogger("hookpoint.plugins")

ENTRY_POINT_GROUP = "hookpoint"
DEFAULT_PLUGINS: tuple[str, ...] = (
    "hookpoint.default_plugins.operators",
    "hookpoint.default_plugins.generic:PLUGIN",
    "hookpoint.default_plugins.alert_webhook",
    "hookpoint.default_plugins.alert_slack",
)
"""Core's built-in plugins, written like entry-point values: ``module`` (the module is the
plugin) or ``module:attribute`` (the object it names is, e.g. a
:class:`~hookpoint.providerkit.ProviderPlugin`)."""
_OWNED_HOOKS = (
    "hookpoint_challenge_response",
    "hookpoint_verify_request",
    "hookpoint_describe_event",
    "hookpoint_sign_request",
)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _name_list(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {part.strip().lower() for part in value.split(",") if part.strip()}


@dataclass
class PluginRecord:
    """What ``hookpoint plugins`` shows for one plugin (loaded or failed)."""

    name: str
    distribution: str | None = None
    version: str | None = None
    entry_point: str | None = None
    module: str | None = None
    providers: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    error: str | None = None
    builtin: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "entry_point": self.entry_point,
            "module": self.module,
            "providers": list(self.providers),
            "hooks": list(self.hooks),
            "error": self.error,
            "builtin": self.builtin,
        }


class PluginHost:
    """The plugins of one app, and typed, owner-dispatched calls into them."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: list[PluginRecord] = []
        self.providers: dict[str, ProviderInfo] = {}
        self.operators: dict[str, FilterOperator] = {}
        self._provider_record: dict[str, PluginRecord] = {}
        self._owner: dict[str, object] = {}
        self._builtins: set[int] = set()
        self._owned_callers: dict[tuple[int, str], Any] = {}
        self._direct: dict[
            tuple[str, str],
            tuple[Callable[..., Any], tuple[str, ...]] | Literal[False, "absent"],
        ] = {}
        self.filtered_out: list[tuple[str, str | None]] = []
        """``(entry point, distribution)`` of installed plugins the env controls skipped."""
        self.strict = False
        self._sealed = False
        self._record_conflicts = False

    # -- loading ----------------------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        *,
        plugins: Sequence[object] = (),
        load_entrypoints: bool = True,
        env: Mapping[str, str] | None = None,
        strict: bool | None = None,
        record_conflicts: bool = False,
    ) -> PluginHost:
        """Build a host: entry points (filtered by the env controls), then ``plugins``, then
        core's built-ins. Failures are recorded on :attr:`records` (raised when strict). Two
        plugins claiming one provider raise PluginConflictError, unless ``record_conflicts``
        (for listings, so the operator can see and fix the problem)."""
        env = os.environ if env is None else env
        host = cls()
        host._record_conflicts = record_conflicts
        host.strict = _truthy(env.get("HOOKPOINT_STRICT_PLUGINS")) if strict is None else strict
        if load_entrypoints:
            host._load_entrypoints(
                allow=_name_list(env.get("HOOKPOINT_LOAD_PLUGINS")),
                deny=_name_list(env.get("HOOKPOINT_DISABLE_PLUGINS")) or set(),
            )
        for plugin in plugins:
            host._add(_direct_record(plugin), functools.partial(_identity, plugin))
        for spec in DEFAULT_PLUGINS:
            modname = spec.partition(":")[0]
            host._add(
                PluginRecord(
                    name=modname.rsplit(".", 1)[-1],
                    module=modname,
                    builtin=True,
                    distribution="hookpoint",
                    version=_version_of("hookpoint"),
                ),
                functools.partial(_load_object, spec),
            )
        host._sealed = True
        host._build_operator_registry()
        return host

    def _load_entrypoints(self, *, allow: set[str] | None, deny: set[str]) -> None:
        seen: dict[str, str] = {}
        for ep in sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
        ):
            dist = getattr(ep, "dist", None)
            dist_name = dist.metadata["Name"] if dist is not None else None
            names = {ep.name.lower()} | ({dist_name.lower()} if dist_name else set())
            if (allow is not None and not names & allow) or names & deny:
                self.filtered_out.append((ep.name, dist_name))
                continue
            record = PluginRecord(
                name=ep.name,
                distribution=dist_name,
                version=dist.version if dist is not None else None,
                entry_point=f"{ep.name} = {ep.value}",
                module=ep.module,
            )
            if ep.name in seen:
                self._fail(
                    record,
                    f"entry point name {ep.name!r} is also used by {seen[ep.name]!r}; skipped",
                )
                continue
            seen[ep.name] = dist_name or ep.value
            self._add(record, ep.load)

    def _fail(self, record: PluginRecord, message: str, exc: BaseException | None = None) -> None:
        record.error = message
        self.records.append(record)
        label = record.distribution or record.name
        log.warning("plugin %s failed: %s", label, message)
        if self.strict:
            raise PluginError(f"plugin {label!r} failed: {message}") from exc

    def _add(self, record: PluginRecord, loader: Callable[[], object]) -> None:
        try:
            plugin = loader()
        except Exception as exc:
            self._fail(record, f"import failed: {type(exc).__name__}: {exc}", exc)
            return
        unknown = sorted(
            name
            for name in dir(plugin)
            if name.startswith("hookpoint_") and not hasattr(hookspecs, name)
        )
        if unknown:
            self._fail(
                record,
                f"unknown hook(s) {', '.join(unknown)} in plugin {record.name!r}"
                " (misspelled? see docs/plugin-hooks.md)",
            )
            return
        try:
            self.pm.register(plugin, name=f"{record.name}@{id(plugin)}")
            self.pm.check_pending()
        except Exception as exc:
            self._safe_unregister(plugin)
            self._fail(record, f"registration failed: {exc}", exc)
            return
        record.hooks = sorted(c.name for c in self.pm.get_hookcallers(plugin) or ())
        try:
            infos = self._call_own(plugin, "hookpoint_register_providers")
            providers = [ProviderInfo.model_validate(i) for i in _flatten(infos)]
        except Exception as exc:
            self._safe_unregister(plugin)
            self._fail(record, f"hookpoint_register_providers failed: {exc}", exc)
            return
        for info in providers:
            other = self._provider_record.get(info.name)
            if other is not None:
                message = (
                    f"provider {info.name!r} is registered by both "
                    f"{other.distribution or other.name!r} and "
                    f"{record.distribution or record.name!r}"
                )
                self._safe_unregister(plugin)
                if self._record_conflicts and not self.strict:
                    self._fail(record, message)
                    return
                record.error = message
                self.records.append(record)
                raise PluginConflictError(message)
        if record.builtin:
            self._builtins.add(id(plugin))
        for info in providers:
            self.providers[info.name] = info
            self._provider_record[info.name] = record
            self._owner[info.name] = plugin
            record.providers.append(info.name)
        self.records.append(record)

    def _safe_unregister(self, plugin: object) -> None:
        try:
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
        except Exception:  # pragma: no cover - pluggy internals
            log.debug("unregister failed", exc_info=True)

    def _call_own(self, plugin: object, hook_name: str, **kwargs: Any) -> Any:
        """Call ``hook_name`` on ``plugin`` only (a subset caller built once and cached)."""
        key = (id(plugin), hook_name)
        caller = self._owned_callers.get(key)
        if caller is None:
            others = [p for p in self.pm.get_plugins() if p is not plugin]
            caller = self.pm.subset_hook_caller(hook_name, remove_plugins=others)
            # pluggy filters subset callers at call time, so a caller built while plugins are
            # still being registered would later include them: cache only once loading is done.
            if self._sealed:
                self._owned_callers[key] = caller
        return caller(**kwargs)

    def _build_operator_registry(self) -> None:
        """Every plugin's ``hookpoint_filter_operators`` result, core's operators plugin's first
        (its result is the built-in operators), then the others in load order: one set of rules
        for all of them (``build_operator_registry``)."""
        builtin: list[tuple[str, FilterOperator]] = []
        extra: list[tuple[str, FilterOperator]] = []
        for _, plugin in self.pm.list_name_plugin():
            if not hasattr(plugin, "hookpoint_filter_operators"):
                continue
            label = _label(plugin)
            try:
                ops = [
                    FilterOperator.model_validate(op)
                    for op in _flatten(self._call_own(plugin, "hookpoint_filter_operators"))
                ]
            except Exception as exc:
                message = f"hookpoint_filter_operators failed in {label}: {exc}"
                if self.strict:
                    raise PluginError(message) from exc
                log.warning(message)
                continue
            (builtin if id(plugin) in self._builtins else extra).extend((label, op) for op in ops)
        try:
            self.operators = build_operator_registry(extra, builtin=builtin)
        except ConfigError as exc:
            raise PluginError(str(exc)) from None

    # -- queries ---------------------------------------------------------------------------------
    def provider(self, name: str) -> ProviderInfo:
        try:
            return self.providers[name]
        except KeyError:
            for ep_name, dist_name in self.filtered_out:
                if name in (ep_name, (dist_name or "").removeprefix("hookpoint-")):
                    raise ProviderConfigError(
                        f"provider {name!r} is not loaded: its plugin "
                        f"{dist_name or ep_name!r} is installed but skipped by "
                        "HOOKPOINT_LOAD_PLUGINS / HOOKPOINT_DISABLE_PLUGINS"
                    ) from None
            installed = ", ".join(sorted(self.providers)) or "none"
            raise ProviderConfigError(
                f"unknown provider {name!r}; installed providers: {installed}. "
                f"Install its package (e.g. pip install hookpoint-{name})"
            ) from None

    def provider_record(self, name: str) -> PluginRecord:
        self.provider(name)
        return self._provider_record[name]

    def provider_plugin(self, name: str) -> object:
        """The registered plugin object that serves provider ``name`` (e.g. the
        ``ProviderPlugin`` its entry point names)."""
        self.provider(name)
        return self._owner[name]

    def settings_for(self, provider: str, raw: Mapping[str, Any] | BaseModel | None) -> BaseModel:
        model = self.provider(provider).settings_model
        if isinstance(raw, model):
            return raw
        data = raw.model_dump() if isinstance(raw, BaseModel) else dict(raw or {})
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
                for err in exc.errors()
            )
            raise ProviderConfigError(
                f"invalid settings for provider {provider!r}: {problems}"
            ) from None

    # -- owner-dispatched calls (never raise into the host) ---------------------------------------
    def _owned(self, provider: str, hook: str, **kwargs: Any) -> Any:
        """Call a provider-owned (firstresult) hook on the owning plugin only.

        These calls are on every request's hot path, so when the owner has exactly one plain
        implementation (the usual case) it is called directly with the arguments it declares,
        which is what pluggy would do, minus its per-call bookkeeping (~10 us a call here).
        """
        key = (provider, hook)
        direct = self._direct.get(key)
        if direct is None:
            direct = self._direct[key] = self._direct_impl(self._owner[provider], hook)
        if direct == "absent":
            return None  # a firstresult hook the owner does not implement
        kwargs["provider"] = provider
        if direct is False:
            return self._call_own(self._owner[provider], hook, **kwargs)
        function, argnames = direct
        if len(argnames) == len(kwargs):  # pluggy checked argnames ⊆ the spec's: the same names
            return function(**kwargs)
        return function(**{name: kwargs[name] for name in argnames})

    def _direct_impl(
        self, plugin: object, hook: str
    ) -> tuple[Callable[..., Any], tuple[str, ...]] | Literal[False, "absent"]:
        caller = getattr(self.pm.hook, hook)
        impls = [impl for impl in caller.get_hookimpls() if impl.plugin is plugin]
        if self._sealed and not impls:
            # e.g. the challenge hook of a provider without handshakes, asked on every request
            return "absent"
        if not self._sealed or len(impls) != 1 or impls[0].hookwrapper or impls[0].wrapper:
            return False
        return impls[0].function, tuple(impls[0].argnames)

    def challenge(
        self, provider: str, request: WebhookRequest, settings: BaseModel, secrets: Sequence[str]
    ) -> ChallengeResponse | None:
        result = self._owned(
            provider,
            "hookpoint_challenge_response",
            request=request,
            settings=settings,
            secrets=tuple(secrets),
        )
        if result is None or isinstance(result, ChallengeResponse):
            return result
        return ChallengeResponse.model_validate(result)

    def verify(
        self,
        provider: str,
        request: WebhookRequest,
        settings: BaseModel,
        secrets: Sequence[str],
        now: float,
    ) -> Verification:
        try:
            result = self._owned(
                provider,
                "hookpoint_verify_request",
                request=request,
                settings=settings,
                secrets=tuple(secrets),
                now=now,
            )
        except Exception:
            log.exception("provider %s raised while verifying; request rejected", provider)
            return Verification.refused("verification error")
        if isinstance(result, Verification):
            if result.success or result.status is not None:
                return result
            # A refusal that names no status gets the provider's (GoCardless: 498).
            info = self.providers.get(provider)
            if info is None or info.refusal_status == 401:
                return result
            return result.model_copy(update={"status": info.refusal_status})
        if result is None:  # the owner must give a verdict: a bug in the plugin
            log.error("provider %s returned None from its verify hook; request rejected", provider)
            return Verification.refused("provider did not verify the request")
        log.error("provider %s returned %r from verify; rejected", provider, type(result))
        return Verification.refused("verification error")

    def describe(
        self, provider: str, request: WebhookRequest, settings: BaseModel
    ) -> EventInfo | None:
        try:
            result = self._owned(
                provider, "hookpoint_describe_event", request=request, settings=settings
            )
        except Exception:
            log.exception("provider %s raised while describing an event", provider)
            return None
        if result is None or isinstance(result, EventInfo):
            return result
        try:
            return EventInfo.model_validate(result)
        except ValidationError:
            log.error("provider %s returned an invalid EventInfo", provider)
            return None

    def sign(
        self,
        provider: str,
        request: WebhookRequest,
        settings: BaseModel,
        secret: str,
        now: float,
    ) -> WebhookRequest | None:
        result: WebhookRequest | None = self._owned(
            provider,
            "hookpoint_sign_request",
            request=request,
            settings=settings,
            secret=secret,
            now=now,
        )
        return result

    # -- alerts (broadcast, each plugin on its own) -----------------------------------------------
    def notifiers(self, *, builtin: bool = True) -> list[str]:
        """The plugins implementing ``hookpoint_notify`` (without core's own: ``builtin=False``)."""
        return [
            _label(impl.plugin)
            for impl in self.pm.hook.hookpoint_notify.get_hookimpls()
            if builtin or id(impl.plugin) not in self._builtins
        ]

    def notify(
        self, alert: Alert, settings: BaseModel, env: Mapping[str, str], now: float
    ) -> list[Notification]:
        """Every plugin's notifications for ``alert``. Each plugin is called on its own: one
        that raises or returns something else is logged and skipped, never the others; a
        notification without a ``notifier`` name gets its plugin's."""
        out: list[Notification] = []
        for impl in self.pm.hook.hookpoint_notify.get_hookimpls():
            label = _label(impl.plugin)
            try:
                result = self._call_own(
                    impl.plugin,
                    "hookpoint_notify",
                    alert=alert,
                    settings=settings,
                    env=env,
                    now=now,
                )
                made = [Notification.model_validate(n) for n in _flatten(result)]
            except Exception as exc:
                log.error(
                    "plugin %s failed in hookpoint_notify (%s); its notifications are skipped",
                    label,
                    type(exc).__name__,
                )
                continue
            out.extend(n if n.notifier else n.model_copy(update={"notifier": label}) for n in made)
        return out

    # -- listing ----------------------------------------------------------------------------------
    def listing(self, *, include_builtin: bool = False) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self.records if include_builtin or not r.builtin]

    @property
    def errors(self) -> list[PluginRecord]:
        return [r for r in self.records if r.error]


def _flatten(result: Any) -> Iterable[Any]:
    """pluggy returns a list of per-impl results for broadcast hooks; flatten one level."""
    if result is None:
        return []
    out: list[Any] = []
    for item in result:
        if isinstance(item, list | tuple):
            out.extend(item)
        elif item is not None:
            out.append(item)
    return out


def _identity(plugin: object) -> object:
    return plugin


def _load_object(spec: str) -> object:
    """The object an entry-point style ``module[:attr.path]`` names (the module without one)."""
    modname, _, attr = spec.partition(":")
    target: object = importlib.import_module(modname)
    for part in attr.split(".") if attr else ():
        target = getattr(target, part)
    return target


def _direct_record(plugin: object) -> PluginRecord:
    """The record of a plugin handed to :meth:`PluginHost.load` as an object: a module by its
    name; another object by its ``__name__`` (a ProviderPlugin: its provider) or class name,
    with the module that made it."""
    if isinstance(plugin, types.ModuleType):
        return PluginRecord(name=plugin.__name__, module=plugin.__name__)
    name = getattr(plugin, "__name__", None) or type(plugin).__name__
    return PluginRecord(name=str(name), module=getattr(plugin, "__module__", None))


def _label(plugin: object) -> str:
    return str(getattr(plugin, "__name__", None) or type(plugin).__name__)


def _version_of(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None
