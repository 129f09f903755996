"""How a process finds its app: ``module:attr`` or ``hookpoint.toml`` targets (the CLI) and
``HOOKPOINT_APP`` (each hypercorn worker process rebuilds the server from it)."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import ConfigError

if TYPE_CHECKING:
    from ._server import HookpointServer

__all__ = ["from_env", "load_app"]


def is_app_file(target: str) -> bool:
    """True when ``target`` names a TOML app file rather than ``module:attr``."""
    return target.lower().endswith(".toml")


def load_app(target: str) -> Any:
    """Return the Hookpoint named by ``target``: a TOML app file (``hookpoint.toml``, see
    ``Hookpoint.from_toml``) or ``module:attr`` (the current directory is importable)."""
    from ._app import Hookpoint  # not at import time: ``hookpoint --help`` stays quick

    if is_app_file(target):
        return Hookpoint.from_toml(target)
    module_name, _, attr = target.partition(":")
    if not module_name:
        raise ConfigError(
            f"app {target!r} must look like module:attr (e.g. app:hp) or name a .toml file"
        )
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


def from_env() -> HookpointServer:
    """The server of a hypercorn worker process, for the app named by ``HOOKPOINT_APP``."""
    from ._server import HookpointServer

    target = os.environ.get("HOOKPOINT_APP")
    if not target:
        raise RuntimeError("HOOKPOINT_APP is not set")
    return HookpointServer(load_app(target))
