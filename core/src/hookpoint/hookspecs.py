"""The Hookpoint plugin contract: every hook a plugin may implement.

Hooks are synchronous and pure: they get an immutable :class:`~hookpoint.WebhookRequest` and
the endpoint's validated settings, and return a typed record. The host owns all I/O.

Two kinds of hooks:

* **Broadcast** hooks (``hookpoint_register_providers``, ``hookpoint_filter_operators``,
  ``hookpoint_notify``) are called on every plugin; all results are collected.
* **Provider-owned** hooks (``hookpoint_verify_request``, ``hookpoint_challenge_response``,
  ``hookpoint_describe_event``, ``hookpoint_sign_request``) are called **only on the plugin that
  registered the provider** named in ``provider``; they are ``firstresult``. A plugin serving
  several providers dispatches on ``provider`` itself.

Calls are keyword-only; an implementation may accept fewer arguments than the spec lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ._models import (
        Alert,
        ChallengeResponse,
        EventInfo,
        FilterOperator,
        Notification,
        ProviderInfo,
        Verification,
    )
    from ._request import WebhookRequest

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "hookpoint"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- registration ---------------------------------------------------------------------------------


@hookspec
def hookpoint_register_providers() -> Sequence[ProviderInfo]:
    """Declare the providers (webhook senders) this plugin serves.

    Broadcast to every plugin; all results are collected. Each :class:`~hookpoint.ProviderInfo`
    names the provider, its title, icon, docs URL, settings model and sample deliveries. Two
    plugins declaring the same provider name is an error naming both distributions.

    :returns: a sequence of ``ProviderInfo`` (empty when the plugin serves no provider).
    """
    raise NotImplementedError


@hookspec
def hookpoint_filter_operators() -> Sequence[FilterOperator]:
    """Add EventFilter content operators such as ``{"$myOp": operand}``.

    Broadcast to every plugin; all results are collected, core's operators plugin's first (its
    result is the 13 built-in operators), then the others in load order. Every operator is a
    peer of the others: its ``validate_operand`` runs when a filter is defined, its ``match``
    wherever the filter uses it, and a name has one definition: an operator whose name a
    built-in, another plugin or the same plugin already took is an error at start naming both
    plugins.

    :returns: a sequence of ``FilterOperator``.
    """
    raise NotImplementedError


@hookspec
def hookpoint_notify(
    alert: Alert,
    settings: BaseModel,
    env: Mapping[str, str],
    now: float,
) -> Sequence[Notification] | None:
    """Turn an alert into the HTTP requests that tell someone (a chat, a pager, a webhook).

    Broadcast to every plugin whenever a host raises or resolves an alert (docs/alerts.md); all
    results are collected. The hook only describes the requests: the host sends each one with
    the app's shared HTTP client, in the background, with ``HOOKPOINT_ALERT_TIMEOUT``; a
    failure is logged and counted and never affects ingest or runs. A plugin that raises is
    logged and skipped; the others' notifications still go out.

    :param alert: what happened (condition, key, ``firing``/``resolved``, message, details).
    :param settings: the host's settings (``HOOKPOINT_*``, docs/configuration.md), read-only.
    :param env: the host's environment variables, for a plugin's own configuration.
    :param now: the current time as Unix seconds (for timestamped signatures).
    :returns: a sequence of ``Notification`` (empty, or ``None``, when this plugin has nothing
        to send, e.g. it is not configured).
    """
    raise NotImplementedError


# -- provider-owned request hooks -----------------------------------------------------------------


@hookspec(firstresult=True)
def hookpoint_challenge_response(
    provider: str,
    request: WebhookRequest,
    settings: BaseModel,
    secrets: Sequence[str],
) -> ChallengeResponse | None:
    """Answer the sender's handshake (WhatsApp GET ``hub.challenge``, Slack ``url_verification``…).

    Called only on the plugin that registered ``provider``, before verification, for every
    request to an endpoint of that provider that has no explicit ``respond_with`` matching it.
    Return ``None`` when the request is not a handshake (it then goes on to verification).
    A returned response is sent at once; with ``skip_triggering_runs`` (the default) no run starts.
    Reject a bad handshake (wrong verify token) by returning a response with status 403.

    :param provider: the provider name the endpoint was defined with.
    :param request: the immutable request snapshot (raw body, headers, query).
    :param settings: the endpoint's validated settings (an instance of the provider's model).
    :param secrets: the endpoint's configured secrets, newest first.
    :returns: a ``ChallengeResponse`` or ``None``. Stops at the first non-None result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def hookpoint_verify_request(
    provider: str,
    request: WebhookRequest,
    settings: BaseModel,
    secrets: Sequence[str],
    now: float,
) -> Verification | None:
    """Verify that a delivery really comes from the sender, over the **raw body bytes**.

    Called only on the plugin that registered ``provider``. Try every secret in ``secrets``
    (rotation: any one passing is enough), compare in constant time, and for timestamped schemes
    check the timestamp against ``now`` (Unix seconds) with the endpoint's tolerance. Never
    raise on hostile input: return ``Verification.refused("short reason")`` instead.

    :param now: the current time as Unix seconds (passed in so the hook stays pure).
    :returns: a ``Verification`` (truthy on success). ``None`` counts as a failure.
        Stops at the first non-None result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def hookpoint_describe_event(
    provider: str,
    request: WebhookRequest,
    settings: BaseModel,
) -> EventInfo | None:
    """Describe a verified delivery: its event type, its id (the dedupe key), time, extra fields.

    Called only on the plugin that registered ``provider``, after verification. The result is
    what filters see under ``event`` and what dedupe uses (``id``). Must not raise on a body
    that is not what the sender usually sends: return what can be said, or ``None``.

    :returns: an ``EventInfo`` or ``None``. Stops at the first non-None result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def hookpoint_sign_request(
    provider: str,
    request: WebhookRequest,
    settings: BaseModel,
    secret: str,
    now: float,
) -> WebhookRequest | None:
    """Sign a request exactly as the sender would, returning a copy with the signature headers.

    Called only on the plugin that registered ``provider``; used by the conformance kit and
    ``hookpoint send`` to produce deliveries the provider's own verification accepts. The copy
    must keep the body bytes unchanged.

    :param secret: the secret (or private key, for asymmetric schemes) to sign with.
    :param now: Unix seconds to put in timestamped signatures.
    :returns: the signed ``WebhookRequest``, or ``None`` when the provider cannot sign.
        Stops at the first non-None result.
    """
    raise NotImplementedError
