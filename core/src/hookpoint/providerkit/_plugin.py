"""The provider plugin object and its settings: :class:`ProviderPlugin`, :class:`RequestScheme`,
:class:`ProviderSettings` and the ``tolerance`` setting of timestamped schemes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .._models import ChallengeResponse, EventInfo, ProviderInfo, Verification
from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from .._request import WebhookRequest
    from ._batch import BatchSpec
    from ._events import EventSpec


S = TypeVar("S", bound=BaseModel)


VerifyFn = Callable[["WebhookRequest", S, Sequence[str], float], Verification]


ChallengeFn = Callable[["WebhookRequest", S, Sequence[str]], ChallengeResponse | None]


DescribeFn = Callable[["WebhookRequest", S], EventInfo | None]


SignFn = Callable[["WebhookRequest", S, str, float], "WebhookRequest"]


HOOK_NAMES = (
    "hookpoint_register_providers",
    "hookpoint_challenge_response",
    "hookpoint_verify_request",
    "hookpoint_describe_event",
    "hookpoint_sign_request",
)
"""The hooks a :class:`ProviderPlugin` may implement (:attr:`ProviderPlugin.hooks` says which)."""


class RequestScheme(Protocol):
    """A signature scheme that verifies and signs whole requests (every scheme class below).

    ``settings`` is the endpoint's settings model; timestamped schemes read its ``tolerance``.
    """

    def verify_request(
        self, request: WebhookRequest, settings: BaseModel, secrets: Sequence[str], now: float
    ) -> Verification: ...

    def sign_request(
        self, request: WebhookRequest, settings: BaseModel, secret: str, now: float
    ) -> WebhookRequest: ...


class ProviderPlugin(Generic[S]):
    """A provider plugin: ONE object that pluggy registers as it is.

    Give it the provider's :class:`~hookpoint.ProviderInfo`, its ``scheme`` (a
    :class:`RequestScheme`) and ``events`` (an :class:`EventSpec`, or a :class:`BatchSpec`
    for a sender that posts a JSON array of events), or plain functions for
    whatever the sender does differently; it answers only for ``info.name`` and hands each
    function the endpoint's settings as an instance of ``info.settings_model`` (the model's
    defaults when the host passed something else). The package's entry point names the object::

        PLUGIN = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)

        # pyproject.toml
        [project.entry-points.hookpoint]
        acme = "hookpoint_acme:PLUGIN"

    ``verify``/``sign`` override the scheme's; ``describe`` overrides ``events``;
    ``challenge`` is for senders with a handshake.

    Its ``hookpoint_*`` methods are the hook implementations. A hook the provider does not have
    (no ``challenge``, no ``describe``/``events``, no ``sign``/``scheme``) is set to ``None`` on
    the instance, so pluggy, which registers only routines carrying the hookimpl marker, does not
    register it: ``hookpoint plugins`` then lists no handshake hook for a sender without one, and
    the host skips the call altogether. :attr:`hooks` lists the hooks the object implements.
    """

    def __init__(
        self,
        info: ProviderInfo,
        *,
        scheme: RequestScheme | None = None,
        events: EventSpec | BatchSpec | None = None,
        verify: VerifyFn[S] | None = None,
        sign: SignFn[S] | None = None,
        describe: DescribeFn[S] | None = None,
        challenge: ChallengeFn[S] | None = None,
        module: str | None = None,
    ) -> None:
        if verify is None and scheme is None:
            raise TypeError("ProviderPlugin needs a scheme or a verify function")
        self.info = info
        self._verify: VerifyFn[S] = verify or scheme.verify_request  # type: ignore[union-attr]
        self._sign: SignFn[S] | None = sign or (scheme.sign_request if scheme else None)
        if describe is None and events is not None:
            spec = events
            describe = lambda request, settings: spec.describe(request)  # noqa: E731
        self._describe = describe
        self._challenge = challenge
        # What `hookpoint plugins` shows for a plugin registered directly (entry points name
        # their module themselves): the module that built it, as collections.namedtuple does.
        self.__module__ = module or sys._getframe(1).f_globals.get("__name__", "__main__")
        self.__name__ = info.name
        absent = {
            "hookpoint_challenge_response": self._challenge is None,
            "hookpoint_describe_event": self._describe is None,
            "hookpoint_sign_request": self._sign is None,
        }
        for name, missing in absent.items():
            if missing:
                setattr(self, name, None)  # not a routine: pluggy does not register it

    @property
    def hooks(self) -> tuple[str, ...]:
        """The hooks this object implements (the ones pluggy registers), in spec order."""
        return tuple(name for name in HOOK_NAMES if getattr(self, name) is not None)

    def __repr__(self) -> str:
        return f"<ProviderPlugin {self.info.name!r} from {self.__module__}>"

    def settings(self, settings: BaseModel | None) -> S:
        """``settings`` as the provider's model (the model's defaults when it is not one)."""
        model: type[S] = self.info.settings_model  # type: ignore[assignment]
        return settings if isinstance(settings, model) else model()

    @hookimpl
    def hookpoint_register_providers(self) -> list[ProviderInfo]:
        return [self.info]

    @hookimpl
    def hookpoint_challenge_response(
        self, provider: str, request: WebhookRequest, settings: BaseModel, secrets: Sequence[str]
    ) -> ChallengeResponse | None:
        if provider != self.info.name or self._challenge is None:
            return None
        return self._challenge(request, self.settings(settings), secrets)

    @hookimpl
    def hookpoint_verify_request(
        self,
        provider: str,
        request: WebhookRequest,
        settings: BaseModel,
        secrets: Sequence[str],
        now: float,
    ) -> Verification | None:
        if provider != self.info.name:
            return None
        return self._verify(request, self.settings(settings), secrets, now)

    @hookimpl
    def hookpoint_describe_event(
        self, provider: str, request: WebhookRequest, settings: BaseModel
    ) -> EventInfo | None:
        if provider != self.info.name or self._describe is None:
            return None
        return self._describe(request, self.settings(settings))

    @hookimpl
    def hookpoint_sign_request(
        self,
        provider: str,
        request: WebhookRequest,
        settings: BaseModel,
        secret: str,
        now: float,
    ) -> WebhookRequest | None:
        if provider != self.info.name or self._sign is None:
            return None
        return self._sign(request, self.settings(settings), secret, now)


class ProviderSettings(BaseModel):
    """Base of provider settings models: frozen, unknown keys are an error at definition time."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def tolerance_field(default: float, *, what: str = "the signed timestamp") -> Any:
    """The ``tolerance`` setting of a timestamped scheme: seconds ``what`` may differ from now,
    in either direction (a delivery older, or further in the future, is rejected)."""
    return Field(
        default=default,
        gt=0,
        le=7 * 24 * 3600,
        description=f"Seconds {what} may be away from the host's clock, past or future.",
    )


def optional_tolerance_field(*, what: str = "the signed timestamp") -> Any:
    """A ``tolerance`` setting that is off by default (``None``) for senders whose own libraries
    check no time (Discord, SendGrid); when set, ``what`` may be that many seconds away from the
    host's clock, past or future."""
    return Field(
        default=None,
        gt=0,
        le=7 * 24 * 3600,
        description=f"Seconds {what} may be away from the host's clock, past or future; "
        "None (the default) checks no time.",
    )


def settings_tolerance(settings: BaseModel, default: float) -> float:
    """The endpoint's ``tolerance`` setting, ``default`` when its model has none."""
    value = getattr(settings, "tolerance", None)
    return float(value) if isinstance(value, int | float) else default
