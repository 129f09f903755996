"""Hookpoint's exceptions.

The hierarchy::

    HookpointError                      base of everything Hookpoint raises on purpose
    ├── ConfigError (also ValueError)   a definition or setting is wrong; raised at definition/start
    │   ├── ProviderConfigError         unknown provider, invalid provider settings
    │   └── FilterError                 a malformed EventFilter / RequestFilter (names the path)
    ├── PluginError                     a plugin failed to load or register
    │   └── PluginConflictError         two plugins claim one provider name
    ├── StoreError                      the store could not do what was asked (host answers 503)
    │   └── StoreUnavailable            the store cannot be reached or cannot commit
    ├── DoNotRetry                      raised by a job: fail the run now, no more retries
    └── RetryAfter                      raised by a job: retry after this many seconds

Webhook senders never see these messages verbatim beyond a short reason; the host logs them.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DoNotRetry",
    "FilterError",
    "HookpointError",
    "PluginConflictError",
    "PluginError",
    "ProviderConfigError",
    "RetryAfter",
    "StoreError",
    "StoreUnavailable",
]


class HookpointError(Exception):
    """Base class of every error Hookpoint raises on purpose."""


class ConfigError(HookpointError, ValueError):
    """An endpoint, job, filter or setting is wrong. Raised when it is defined or at start."""


class ProviderConfigError(ConfigError):
    """An endpoint names an unknown provider, or its provider settings do not validate."""


class FilterError(ConfigError):
    """A filter spec is malformed. ``path`` names the offending part, e.g. ``body.age[1]``."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class PluginError(HookpointError):
    """A plugin failed to import or register."""


class PluginConflictError(PluginError):
    """Two plugins registered the same provider name."""


class StoreError(HookpointError):
    """The store failed. The host answers 503 so the sender retries; nothing is half-written."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or cannot commit (down, read-only, disk full)."""


class DoNotRetry(HookpointError):
    """Raise from a job's ``run`` to fail the run at once, without the remaining retries."""


class RetryAfter(HookpointError):
    """Raise from a job's ``run`` to fail this attempt and retry after ``seconds`` (what a
    ``Retry-After`` header asked for) instead of the retry policy's backoff.

    The delay is capped by the policy's ``max_delay`` and the run still gets no more than
    ``max_attempts`` attempts: after the last one it is ``failed`` like any other. A delay
    that is negative or not a number is read as 0 (retry at once).
    """

    def __init__(self, seconds: float, message: str = "") -> None:
        try:
            value = float(seconds)
        except (TypeError, ValueError):
            value = 0.0
        self.seconds = value if value == value and value > 0 else 0.0  # NaN and <= 0: now
        super().__init__(message or f"retry after {self.seconds:g}s")
