"""Hookpoint: a self-hosted host for incoming webhooks, with providers as plugins.

The public API (a contract: examples and tests outside the project use these names)::

    from hookpoint import Hookpoint, RespondWith, Response, verify_request_signature

Importing ``hookpoint`` loads no plugin: plugins are loaded per app, by ``Hookpoint(...)``.
"""

from __future__ import annotations

from ._app import Destination, Endpoint, Hookpoint, Job, RespondWith, Response, Trigger
from ._errors import (
    ConfigError,
    DoNotRetry,
    FilterError,
    HookpointError,
    PluginConflictError,
    PluginError,
    ProviderConfigError,
    RetryAfter,
    StoreError,
    StoreUnavailable,
)
from ._filter import EventFilter, RequestFilter
from ._icons import read_icon
from ._models import (
    Alert,
    ChallengeResponse,
    EmptySettings,
    EventInfo,
    FilterOperator,
    Notification,
    ProviderInfo,
    Sample,
    Verification,
)
from ._presentation import EndpointExample, EndpointProperty
from ._request import FormData, Headers, QueryParams, WebhookRequest
from ._retry import RetryPolicy
from ._runio import IO, RunContext
from ._signature import verify_request_signature
from .hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = [
    "IO",
    "Alert",
    "ChallengeResponse",
    "ConfigError",
    "Destination",
    "DoNotRetry",
    "EmptySettings",
    "Endpoint",
    "EndpointExample",
    "EndpointProperty",
    "EventFilter",
    "EventInfo",
    "FilterError",
    "FilterOperator",
    "FormData",
    "Headers",
    "Hookpoint",
    "HookpointError",
    "Job",
    "Notification",
    "PluginConflictError",
    "PluginError",
    "ProviderConfigError",
    "ProviderInfo",
    "QueryParams",
    "RequestFilter",
    "RespondWith",
    "Response",
    "RetryAfter",
    "RetryPolicy",
    "RunContext",
    "Sample",
    "StoreError",
    "StoreUnavailable",
    "Trigger",
    "Verification",
    "WebhookRequest",
    "__version__",
    "hookimpl",
    "read_icon",
    "verify_request_signature",
]
