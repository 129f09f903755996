"""An app declared in a TOML file: endpoints and forwarding jobs, no Python.

``hookpoint serve hookpoint.toml`` (and every command that takes ``module:attr``) and
``Hookpoint.from_toml(path)`` read the file through :func:`read_app_file`, which validates each
table with pydantic and resolves environment references, then :meth:`AppFile.apply` defines the
endpoints and destinations on a :class:`~hookpoint.Hookpoint`. Every error names the file, the
table and the key (``hookpoint.toml: [[jobs]] #2 (id "to-billing"), key "to": ...``).

Secrets are never written in the file: an endpoint's ``secrets``, a destination's ``secret`` and
anything else secret (a provider setting such as WhatsApp's ``verify_token``) come from the
environment, as ``{ env = "NAME" }`` or ``"${NAME}"``. Any string value may also use
``${NAME}`` (and ``${NAME:-default}`` outside the secret keys) to take part of it from the
environment, e.g. ``to = "${SERVICE_URL:-http://127.0.0.1:3000}/hooks"``.

This module does not import the app module: the caller passes the app in (``_app`` imports
this module lazily, and an import back would be a cycle).
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from ._errors import ConfigError

__all__ = ["AppFile", "read_app_file"]

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_WHOLE_VAR = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")

SECRET_KEYS = frozenset({"secrets", "secret"})
"""Keys whose values must come from the environment."""
_SECRET_TYPES: tuple[Any, ...] = (SecretStr, SecretStr | None)


class EnvRef(BaseModel):
    """``{ env = "NAME" }``: the value of environment variable ``NAME``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppTable(_Table):
    """``[app]``."""

    id: str = "app"


class EndpointTable(_Table):
    """One ``[[endpoints]]`` (or ``[endpoints.<id>]``) table: what
    ``Hookpoint.define_http_endpoint`` takes, minus the Python-only ``verify`` callables and
    ``respond_with``."""

    id: str
    source: str | None = None
    """Default: the provider's name (or the id)."""
    provider: str | None = None
    verify: str | None = None
    """Only ``"none"``: accept unverified requests (an endpoint needs ``provider`` or this)."""
    secrets: list[str] = Field(default_factory=list)
    secret: str | None = None
    """One secret; the same as ``secrets = [...]`` with one item."""
    settings: dict[str, Any] | None = None
    title: str | None = None
    icon: str | None = None
    methods: list[str] | None = None
    dedupe_window: float | None = Field(default=None, ge=0)
    dedupe: str | list[str] | bool | None = None
    enabled: bool = True
    properties: list[dict[str, Any]] | None = None
    examples: list[dict[str, Any]] | None = None

    @field_validator("secrets", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("verify")
    @classmethod
    def _only_none(cls, value: str | None) -> str | None:
        if value is not None and value != "none":
            raise ValueError(
                'only "none" can be written in a file; a verify function is Python: load the '
                "file with Hookpoint.from_toml(path) and define that endpoint in Python"
            )
        return value

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of ``define_http_endpoint``."""
        out: dict[str, Any] = {
            "id": self.id,
            "source": self.source or self.provider or self.id,
            "enabled": self.enabled,
        }
        secrets = list(self.secrets) + ([self.secret] if self.secret is not None else [])
        if secrets:
            out["secrets"] = secrets
        if self.provider is not None:
            out["provider"] = self.provider
        if self.verify is not None:
            out["verify"] = self.verify
        for key in ("settings", "title", "icon", "methods", "dedupe", "properties", "examples"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.dedupe_window is not None:
            out["dedupe_window"] = self.dedupe_window
        return out


class ForwardTable(_Table):
    """One ``[[jobs]]`` (or ``[jobs.<id>]``) table: a destination, as ``Hookpoint.forward``
    takes it."""

    endpoint: str
    to: str
    id: str | None = None
    filter: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    sign: str | None = None
    secret: str | None = None
    timeout: float = Field(default=10.0, gt=0)
    retry: dict[str, Any] | None = None
    retry_on: list[int | str] | None = None
    concurrency: int | None = Field(default=None, ge=1)
    rate_limit: float | None = Field(default=None, gt=0)

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of ``Hookpoint.forward`` (the endpoint aside)."""
        out: dict[str, Any] = {"to": self.to, "timeout": self.timeout}
        for key in (
            "id",
            "filter",
            "headers",
            "sign",
            "secret",
            "retry",
            "retry_on",
            "concurrency",
            "rate_limit",
        ):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True)
class _Located:
    """A validated table and where it is, for error messages."""

    where: str
    table: Any
    from_env: frozenset[str] = frozenset()
    """The ``settings`` keys whose values came from the environment."""


@dataclass(frozen=True)
class AppFile:
    """A validated app file, its environment references resolved."""

    path: Path
    app: AppTable
    endpoints: tuple[_Located, ...]
    jobs: tuple[_Located, ...]

    def apply(self, hp: Any) -> None:
        """Define the file's endpoints, then its destinations, on ``hp`` (a ``Hookpoint``)."""
        for located in self.endpoints:
            table: EndpointTable = located.table
            if table.provider is not None and table.settings:
                self._check_secret_settings(hp, located)
            with _naming(self.path, located.where):
                hp.define_http_endpoint(**table.arguments())
        for located in self.jobs:
            job: ForwardTable = located.table
            if job.endpoint not in hp.endpoints:
                defined = ", ".join(sorted(hp.endpoints)) or "none"
                raise ConfigError(
                    f"{self.path}: {located.where}, key 'endpoint': no endpoint "
                    f"{job.endpoint!r} is defined (defined: {defined})"
                )
            with _naming(self.path, located.where):
                hp.forward(job.endpoint, **job.arguments())

    def _check_secret_settings(self, hp: Any, located: _Located) -> None:
        """A provider setting typed ``SecretStr`` (WhatsApp's ``verify_token``, …) is a secret:
        it must come from the environment too."""
        try:
            model = hp.plugins.provider(located.table.provider).settings_model
        except Exception:
            return  # an unknown provider: define_http_endpoint names the problem
        for name, field in model.model_fields.items():
            keys = {name, field.alias} - {None}
            given = keys & set(located.table.settings)
            if given and field.annotation in _SECRET_TYPES and not given <= located.from_env:
                raise ConfigError(
                    f"{self.path}: {located.where}, key 'settings.{sorted(given)[0]}': this "
                    'setting is a secret and is never written in the file: write { env = "NAME" } '
                    'or "${NAME}" and set NAME in the environment'
                )


@contextlib.contextmanager
def _naming(path: Path, where: str) -> Iterator[None]:
    """Prefix a ConfigError raised inside with the file and table it came from."""
    try:
        yield
    except ConfigError as exc:
        raise ConfigError(f"{path}: {where}: {exc}") from None


def read_app_file(path: str | os.PathLike[str], *, env: Mapping[str, str]) -> AppFile:
    """Read and validate ``path``; ``env`` resolves ``{ env = ... }`` and ``${...}``.

    :raises ConfigError: the file is missing or unreadable, is not TOML, or a table is invalid
        (the message names the file, the table and the key)."""
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read it: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    unknown = sorted(set(raw) - {"app", "endpoints", "jobs"})
    if unknown:
        raise ConfigError(
            f"{file}: unknown top-level key {unknown[0]!r} (expected [app], [[endpoints]] "
            "and [[jobs]])"
        )
    app_raw = raw.get("app", {})
    if not isinstance(app_raw, dict):
        raise ConfigError(f"{file}: 'app' must be a table ([app])")
    app = _validate(file, "[app]", AppTable, app_raw, env)
    endpoints = tuple(
        _Located(
            where,
            _validate(file, where, EndpointTable, table, env),
            _settings_from_env(table.get("settings")),
        )
        for where, table in _tables(file, raw, "endpoints")
    )
    jobs = tuple(
        _Located(where, _validate(file, where, ForwardTable, _job_table(file, where, t), env))
        for where, t in _tables(file, raw, "jobs")
    )
    return AppFile(path=file, app=app, endpoints=endpoints, jobs=jobs)


def _settings_from_env(settings: Any) -> frozenset[str]:
    if not isinstance(settings, dict):
        return frozenset()
    return frozenset(key for key, value in settings.items() if _is_reference(value))


def _is_reference(value: Any) -> bool:
    """``{ env = "NAME" }`` or ``"${NAME}"``: a value taken whole from the environment."""
    if isinstance(value, dict):
        return set(value) == {"env"}
    return isinstance(value, str) and _WHOLE_VAR.match(value) is not None


def _job_table(file: Path, where: str, table: dict[str, Any]) -> dict[str, Any]:
    if "to" not in table:
        raise ConfigError(
            f"{file}: {where}, key 'to': missing: a job declared in a file forwards requests to "
            "a URL; a Python job is defined in Python (Hookpoint.from_toml(path), then @hp.job)"
        )
    return table


def _tables(file: Path, raw: Mapping[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    """``[[key]]`` (an array of tables, each with an ``id``) or ``[key.<id>]`` (tables keyed
    by id) as (where, table) pairs; ``where`` names the table in messages."""
    value = raw.get(key, [])
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(value, list):
        for number, table in enumerate(value, start=1):
            where = f"[[{key}]] #{number}"
            if not isinstance(table, dict):
                raise ConfigError(f"{file}: {where}: must be a table")
            if isinstance(table.get("id"), str):
                where += f" (id {table['id']!r})"
            out.append((where, table))
    elif isinstance(value, dict):
        for name, table in value.items():
            where = f"[{key}.{name}]"
            if not isinstance(table, dict):
                raise ConfigError(f"{file}: {where}: must be a table")
            if "id" in table and table["id"] != name:
                raise ConfigError(
                    f"{file}: {where}, key 'id': {table['id']!r} differs from the table's "
                    f"name {name!r} (leave 'id' out)"
                )
            out.append((where, {**table, "id": name}))
    else:
        raise ConfigError(f"{file}: '{key}' must be [[{key}]] tables or [{key}.<id>] tables")
    return out


def _validate(
    file: Path, where: str, model: type[_Table], table: dict[str, Any], env: Mapping[str, str]
) -> Any:
    resolved = {
        key: _resolve(file, where, key, value, env, secret=key in SECRET_KEYS)
        for key, value in table.items()
    }
    try:
        return model.model_validate(resolved)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ".".join(str(part) for part in error["loc"]) or "?"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            known = ", ".join(sorted(model.model_fields))
            message = f"unknown key (known keys: {known})"
        elif error["type"] == "missing":
            message = "missing"
        raise ConfigError(f"{file}: {where}, key {loc!r}: {message}") from None


def _resolve(
    file: Path,
    where: str,
    key: str,
    value: Any,
    env: Mapping[str, str],
    *,
    secret: bool,
) -> Any:
    """``value`` with ``{ env = NAME }`` tables and ``${NAME}`` references replaced by the
    environment's values. Under a secret key every string must be a reference."""

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{file}: {where}, key {key!r}: {message}")

    def lookup(name: str, default: str | None) -> str:
        found = env.get(name)
        if found is not None and found != "":
            return found
        if default is not None:
            return default
        raise fail(f"environment variable {name} is not set")

    def walk(item: Any) -> Any:
        if isinstance(item, dict):
            if set(item) == {"env"}:
                try:
                    ref = EnvRef.model_validate(item)
                except ValidationError:
                    raise fail(
                        f"{{ env = ... }} needs a variable name, got {item['env']!r}"
                    ) from None
                return lookup(ref.env, None)
            return {k: walk(v) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        if isinstance(item, str):
            if secret:
                whole = _WHOLE_VAR.match(item)
                if whole is None:
                    raise fail(
                        'secrets are never written in the file: write { env = "NAME" } or '
                        '"${NAME}" and set NAME in the environment'
                    )
                return lookup(whole.group(1), None)
            return _VAR.sub(lambda m: lookup(m.group(1), m.group(2)), item)
        return item

    return walk(value)
