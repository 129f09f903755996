"""Hookpoint's test kit: a pytest plugin (``pytest11`` entry point ``hookpoint``).

Loaded in every pytest session where Hookpoint is installed, so its module level imports only
pytest, the standard library and what ``import hookpoint`` loads anyway (this module's parent:
:mod:`hookpoint.signing`, the plugin host); the server, httpx and the request module are imported
when a helper runs.

Everything a provider package's tests need is here (a public, versioned surface:
docs/plugin-hooks.md says what is stable); they never import ``hookpoint._…`` modules.

What it gives a provider package::

    # providers/whatsapp/tests/test_whatsapp_conformance.py
    from hookpoint.testing import ProviderConformance
    from hookpoint_whatsapp import PLUGIN

    class TestConformance(ProviderConformance):
        provider = "whatsapp"
        plugin = PLUGIN      # optional: register the object the entry point names, directly

* :class:`ProviderConformance` - the provider conformance suite, run through a
  :class:`PluginHost` (owner-dispatched hooks, like the real host);
* :func:`plugin_host` (a :class:`PluginHost` with just the given ``PLUGIN`` objects) and
  :func:`load_plugins` (entry points too);
* the provider-owned calls as the host makes them, settings given raw and validated:
  :func:`verify_request`, :func:`describe_request`, :func:`challenge_request`,
  :func:`sign_request`;
* a running app for end-to-end tests: :func:`serve_app` (the ASGI server, started and stopped
  like ``hookpoint serve``), :func:`asgi_client` (an ``httpx.AsyncClient`` on it) and
  :func:`app_client` (both at once), with the ``hookpoint_database_url`` fixture (a fresh
  SQLite store per test);
* fixtures ``hookpoint_plugins`` (a host with entry points loaded) and ``signed_request``;
* helpers: :func:`sign_sample`, :func:`request_from_sample`, :func:`get_sample`,
  :func:`register_plugin`, and ``sign_hmac_hex``/``sign_hmac_base64``
  (:func:`hookpoint.signing.sign_hex`/:func:`~hookpoint.signing.sign_base64`, e.g.
  ``sign_hmac_hex(secret, body, prefix="sha256=")``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

# ``import hookpoint`` (this module's parent) has loaded the plugin host already.
from ._plugins import PluginHost

# Signing helpers for tests are core's primitives (``hookpoint`` itself is already imported here).
from .signing import sign_base64 as sign_hmac_base64
from .signing import sign_hex as sign_hmac_hex

if TYPE_CHECKING:
    import httpx
    import pluggy
    from pydantic import BaseModel

    from ._app import Hookpoint
    from ._models import ChallengeResponse, EventInfo, ProviderInfo, Sample, Verification
    from ._request import WebhookRequest
    from ._server import HookpointServer

__all__ = [
    "GARBAGE_BODIES",
    "TEST_BASE_URL",
    "TEST_NOW",
    "WRONG_SECRET",
    "PluginHost",
    "ProviderConformance",
    "app_client",
    "asgi_client",
    "challenge_request",
    "describe_request",
    "get_sample",
    "hookpoint_database_url",
    "hookpoint_plugins",
    "load_plugins",
    "plugin_host",
    "register_plugin",
    "request_from_sample",
    "serve_app",
    "sign_hmac_base64",
    "sign_hmac_hex",
    "sign_request",
    "sign_sample",
    "signed_request",
    "verify_request",
]

TEST_NOW = 1_700_000_000.0
"""The ``now`` (Unix seconds) samples are signed and verified at, so timestamped schemes are
reproducible."""
TEST_BASE_URL = "https://hookpoint.test/webhooks/"
WRONG_SECRET = "hookpoint-conformance-wrong-secret"  # noqa: S105 - a test value

GARBAGE_BODIES: dict[str, bytes] = {
    "empty": b"",
    "not-json": b"hello, world",
    "invalid-utf8": b'\xff\xfe{"a":"\x80\xc3("}',
    "nul-bytes": b"\x00" * 64,
    "json-null": b"null",
    "json-string": b'"triggerEvent"',
    "json-number": b"1e999",
    "json-array": b'[{"entry":[{"changes":[null]}]}]',
    "wrong-types": (
        b'{"object":{},"entry":"x","triggerEvent":5,"createdAt":[],"payload":"x",'
        b'"type":null,"id":{},"event":[1],"data":7}'
    ),
    "nested-wrong-types": (
        b'{"entry":[{"id":1,"changes":[{"field":2,"value":{"messages":[{"id":3,"timestamp":'
        b'"x"}],"statuses":"y","metadata":[]}},"z"]}],"payload":{"uid":[],"bookingId":{}}}'
    ),
    "deep-array": b"[" * 100_000 + b"]" * 100_000,
    "deep-object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "form": b"a=1&b=%ff&&=&c&triggerEvent=%E2%82",
    "huge-numbers": b'{"timestamp":"9' + b"9" * 400 + b'","createdAt":"9999-99-99T99:99:99Z"}',
}
"""Bodies no provider hook may raise on (verify, describe, challenge)."""

_PLUGIN_LOGGER = "hookpoint.plugins"


# -- hosts, samples and requests ----------------------------------------------------------------


def load_plugins(
    *plugins: object, entrypoints: bool = True, env: Mapping[str, str] | None = None
) -> PluginHost:
    """A fresh :class:`PluginHost`: ``plugins`` registered directly, entry points (optional).

    ``env`` defaults to an empty environment (only ``HOOKPOINT_STRICT_PLUGINS`` is passed
    through), so a developer's ``HOOKPOINT_LOAD_PLUGINS`` does not change test results.
    """
    if env is None:
        env = {k: v for k, v in os.environ.items() if k == "HOOKPOINT_STRICT_PLUGINS"}
    return PluginHost.load(plugins=plugins, load_entrypoints=entrypoints, env=env)


def plugin_host(*plugins: object) -> PluginHost:
    """A fresh :class:`PluginHost` with exactly ``plugins`` (each a provider package's
    ``PLUGIN``) and core's built-ins registered, no entry points: what a provider's own tests
    run on, owner-dispatched like the real host::

        host = plugin_host(hookpoint_acme.PLUGIN)
    """
    return load_plugins(*plugins, entrypoints=False)


def verify_request(
    host: PluginHost,
    provider: str,
    request: WebhookRequest,
    secrets: Sequence[str],
    *,
    now: float = TEST_NOW,
    settings: Mapping[str, Any] | BaseModel | None = None,
) -> Verification:
    """``request`` verified as the host verifies a delivery to an endpoint of ``provider`` with
    these ``secrets`` and (raw, validated here) ``settings``, at ``now`` (Unix seconds)."""
    validated = host.settings_for(provider, settings)
    return host.verify(provider, request, validated, tuple(secrets), now)


def describe_request(
    host: PluginHost,
    provider: str,
    request: WebhookRequest,
    *,
    settings: Mapping[str, Any] | BaseModel | None = None,
) -> EventInfo | None:
    """The provider's :class:`~hookpoint.EventInfo` of ``request`` (None when it describes
    nothing), as the host asks for it after verification."""
    return host.describe(provider, request, host.settings_for(provider, settings))


def challenge_request(
    host: PluginHost,
    provider: str,
    request: WebhookRequest,
    secrets: Sequence[str] = (),
    *,
    settings: Mapping[str, Any] | BaseModel | None = None,
) -> ChallengeResponse | None:
    """The provider's answer to ``request`` as a handshake, or None when it is not one."""
    return host.challenge(provider, request, host.settings_for(provider, settings), secrets)


def sign_request(
    host: PluginHost,
    provider: str,
    request: WebhookRequest,
    secret: str,
    *,
    now: float = TEST_NOW,
    settings: Mapping[str, Any] | BaseModel | None = None,
) -> WebhookRequest:
    """``request`` signed by the provider's sign hook as the sender would at ``now``.

    :raises ValueError: when the provider cannot sign (it implements no sign hook).
    """
    signed = host.sign(provider, request, host.settings_for(provider, settings), secret, now)
    if signed is None:
        raise ValueError(
            f"provider {provider!r} cannot sign requests (it implements no hookpoint_sign_request)"
        )
    return signed


@contextlib.asynccontextmanager
async def serve_app(
    app: Hookpoint, *, database_url: str, **settings: Any
) -> AsyncIterator[HookpointServer]:
    """``app`` served as ``hookpoint serve`` serves it (store opened, worker running) for the
    ``async with`` block; yields the ASGI application. ``settings`` are further server settings
    (``lease_seconds=5``, ``trusted_proxies="10.0.0.2"``, …; docs/configuration.md)."""
    from ._server import HookpointServer
    from ._settings import Settings

    server = HookpointServer(app, Settings(database_url=database_url, **settings))
    async with server.running():
        yield server


@contextlib.asynccontextmanager
async def asgi_client(
    server: HookpointServer,
    *,
    client: tuple[str, int] = ("127.0.0.1", 123),
    base_url: str = "http://localhost",
) -> AsyncIterator[httpx.AsyncClient]:
    """An ``httpx.AsyncClient`` that sends its requests straight to ``server`` (no socket), as
    if from ``client`` (an ``(ip, port)``: proxy and rate-limit tests pick it)."""
    import httpx

    transport = httpx.ASGITransport(app=server, client=client)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
        yield http


@contextlib.asynccontextmanager
async def app_client(
    app: Hookpoint, *, database_url: str, base_url: str = "http://localhost", **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """:func:`serve_app` and :func:`asgi_client` at once::

    async def test_delivery(hookpoint_database_url: str) -> None:
        async with app_client(hp, database_url=hookpoint_database_url) as http:
            assert (await http.post("/webhooks/acme", content=b"{}")).status_code == 401
    """
    async with (
        serve_app(app, database_url=database_url, **settings) as server,
        asgi_client(server, base_url=base_url) as http,
    ):
        yield http


def get_sample(host: PluginHost, provider: str, name: str) -> Sample:
    """The provider's sample called ``name`` (a ``LookupError`` lists the names there are)."""
    info = host.provider(provider)
    for sample in info.samples:
        if sample.name == name:
            return sample
    names = ", ".join(s.name for s in info.samples) or "none"
    raise LookupError(f"provider {provider!r} has no sample {name!r} (samples: {names})")


def request_from_sample(
    sample: Sample, provider: str, *, base_url: str = TEST_BASE_URL, **changes: Any
) -> WebhookRequest:
    """The unsigned request a sample describes, sent to ``<base_url><provider>[?query]``."""
    from ._request import WebhookRequest

    url = base_url + provider + (f"?{sample.path_query}" if sample.path_query else "")
    fields: dict[str, Any] = {
        "method": sample.method,
        "url": url,
        "headers": dict(sample.headers),
        "body": sample.body,
    }
    fields.update(changes)
    return WebhookRequest(**fields)


def sign_sample(
    host: PluginHost,
    provider: str,
    sample: Sample | str,
    *,
    secret: str | None = None,
    now: float = TEST_NOW,
    settings: Mapping[str, Any] | None = None,
) -> WebhookRequest:
    """The sample signed by the provider's ``hookpoint_sign_request`` hook, as the sender would.

    :param secret: defaults to the sample's own ``secret``.
    :param settings: raw endpoint settings; defaults to the sample's ``settings``.
    :raises ValueError: when the provider cannot sign (it implements no sign hook).
    """
    if isinstance(sample, str):
        sample = get_sample(host, provider, sample)
    validated = host.settings_for(provider, sample.settings if settings is None else settings)
    request = request_from_sample(sample, provider)
    signed = host.sign(
        provider, request, validated, sample.secret if secret is None else secret, now
    )
    if signed is None:
        raise ValueError(
            f"provider {provider!r} cannot sign requests (it implements no hookpoint_sign_request)"
        )
    return signed


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def hookpoint_database_url(tmp_path: Path) -> str:
    """A SQLite database URL in the test's own temporary directory (a fresh store per test)."""
    return f"sqlite:///{tmp_path / 'hookpoint.db'}"


@pytest.fixture
def hookpoint_plugins() -> PluginHost:
    """A :class:`PluginHost` with every installed entry point (and core's built-ins) loaded."""
    return load_plugins()


@pytest.fixture
def signed_request(hookpoint_plugins: PluginHost) -> Callable[..., WebhookRequest]:
    """``signed_request(provider, sample_name, *, secret=None, now=TEST_NOW)`` → a signed
    :class:`~hookpoint.WebhookRequest` of that provider's sample."""

    def make(
        provider: str, sample_name: str, *, secret: str | None = None, now: float = TEST_NOW
    ) -> WebhookRequest:
        return sign_sample(hookpoint_plugins, provider, sample_name, secret=secret, now=now)

    return make


@contextlib.contextmanager
def register_plugin(
    pm: pluggy.PluginManager, plugin: object, name: str | None = None
) -> Iterator[object]:
    """Register ``plugin`` on a pluggy ``PluginManager`` for the ``with`` block only.

    A :class:`PluginHost` builds its provider tables and owner-dispatched callers when it loads,
    so adding a plugin to a loaded host is refused; build one with it instead:
    ``load_plugins(plugin, entrypoints=False)``.
    """
    if hasattr(pm, "providers") and hasattr(pm, "pm"):
        raise TypeError(
            "a PluginHost is sealed once loaded: use "
            "load_plugins(plugin, entrypoints=False) to get a host with the plugin"
        )
    pm.register(plugin, name=name)
    try:
        yield plugin
    finally:
        if pm.is_registered(plugin):
            pm.unregister(plugin)


# -- the conformance suite ---------------------------------------------------------------------


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {exc})"
        self.messages.append(text)


@contextlib.contextmanager
def _no_plugin_errors(what: str) -> Iterator[None]:
    """Fail when the host logged that the provider raised (the host swallows and logs it)."""
    logger = logging.getLogger(_PLUGIN_LOGGER)
    handler = _ErrorRecords()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.messages:
        pytest.fail(f"{what}: {handler.messages[0]}")


_HOSTS: dict[type, PluginHost] = {}


class ProviderConformance:
    """The provider conformance suite. Subclass it in the provider package's tests::

        class TestConformance(ProviderConformance):
            provider = "caldotcom"
            plugin = hookpoint_caldotcom.PLUGIN   # optional

    Every check runs through a :class:`PluginHost`, so hooks are owner-dispatched exactly as in
    the real host. With ``plugin`` set, the suite registers that object directly (no entry
    points) and separately checks that the installed entry point names that very object.
    """

    provider: ClassVar[str] = ""
    """The provider name under test."""
    plugin: object | None = None
    """The plugin object (the package's ``PLUGIN``, which its entry point names); None loads
    installed entry points instead."""
    distribution: ClassVar[str | None] = None
    """The distribution expected to own the provider; default ``hookpoint-<provider>``."""
    check_entry_point: ClassVar[bool] = True
    """False for test-only plugins that are not installed as a distribution."""
    now: ClassVar[float] = TEST_NOW
    timestamp_settings: ClassVar[Mapping[str, Any] | None] = None
    """Settings merged over a sample's for the stale-signature check, for providers that check
    the signed time only when configured (e.g. ``{"tolerance": 300}``)."""
    signature_in_body: ClassVar[bool] = False
    """True for senders that carry the signature inside the body (Adyen's
    ``additionalData.hmacSignature``, Braintree's ``bt_signature`` form field): the sign hook then
    writes it into the body (:func:`hookpoint.providerkit.with_body`), samples ship unsigned, and
    "without its signature" means the sample's own body."""
    signs_whole_body: ClassVar[bool] = True
    """False for senders whose signature covers chosen fields, not the raw bytes (Adyen signs
    eight fields of each item): another byte may change and still verify, so the byte-flip check
    is skipped, and the provider's own tests must show that every signed field is covered."""

    # -- set-up ----------------------------------------------------------------------------------
    @classmethod
    def conformance_host(cls) -> PluginHost:
        """The host the suite runs on (loaded once per class)."""
        host = _HOSTS.get(cls)
        if host is None:
            if cls.plugin is not None:
                host = load_plugins(cls.plugin, entrypoints=False)
            else:
                host = load_plugins()
            _HOSTS[cls] = host
        return host

    @classmethod
    def provider_info(cls) -> ProviderInfo:
        host = cls.conformance_host()
        if not cls.provider:
            pytest.fail(f"{cls.__name__}.provider is not set")
        if cls.provider not in host.providers:
            errors = "; ".join(f"{r.distribution or r.name}: {r.error}" for r in host.errors)
            pytest.fail(
                f"provider {cls.provider!r} is not registered (installed: "
                f"{', '.join(sorted(host.providers))}; plugin errors: {errors or 'none'})"
            )
        return host.providers[cls.provider]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        cls = type(self)
        if not cls.provider:
            return
        try:
            info: ProviderInfo | None = cls.conformance_host().providers.get(cls.provider)
        except Exception:  # reported by test_provider_metadata
            info = None
        samples = info.samples if info is not None else ()
        if "delivery_sample" in metafunc.fixturenames:
            normal = [s for s in samples if not s.challenge]
            metafunc.parametrize(
                "delivery_sample",
                [pytest.param(s, id=s.name) for s in normal]
                or [pytest.param(None, id="no-delivery-samples")],
            )
        if "challenge_sample" in metafunc.fixturenames:
            handshakes = [s for s in samples if s.challenge]
            metafunc.parametrize(
                "challenge_sample",
                [pytest.param(s, id=s.name) for s in handshakes]
                or [
                    pytest.param(
                        None,
                        id="no-handshake",
                        marks=pytest.mark.skip(reason="provider has no handshake"),
                    )
                ],
            )
        if "garbage_body" in metafunc.fixturenames:
            metafunc.parametrize(
                "garbage_body", [pytest.param(v, id=k) for k, v in GARBAGE_BODIES.items()]
            )

    # -- helpers ---------------------------------------------------------------------------------
    def _settings(self, sample: Sample) -> BaseModel:
        return self.conformance_host().settings_for(self.provider, sample.settings)

    def _delivery(self, sample: Sample | None) -> Sample:
        if sample is None:
            self.provider_info()
            pytest.fail(f"provider {self.provider!r} ships no delivery (non-challenge) sample")
        return sample

    def _signed(self, sample: Sample) -> WebhookRequest:
        signed = sign_sample(self.conformance_host(), self.provider, sample, now=self.now)
        if self.signature_in_body:
            assert signed.body != sample.body, "the sign hook wrote no signature into the body"
        else:
            assert signed.body == sample.body, "the sign hook must not change the body bytes"
        return signed

    def _verify(
        self,
        request: WebhookRequest,
        sample: Sample,
        secrets: Sequence[str] | None = None,
        settings: BaseModel | None = None,
    ) -> Verification:
        host = self.conformance_host()
        with _no_plugin_errors(f"verifying sample {sample.name!r}"):
            return host.verify(
                self.provider,
                request,
                self._settings(sample) if settings is None else settings,
                (sample.endpoint_secret,) if secrets is None else tuple(secrets),
                self.now,
            )

    # -- metadata --------------------------------------------------------------------------------
    def test_provider_metadata(self) -> None:
        from pydantic import BaseModel

        from ._errors import ProviderConfigError
        from ._models import ProviderInfo

        info = self.provider_info()
        host = self.conformance_host()
        ProviderInfo.model_validate(dict(info))
        assert info.name == self.provider
        assert info.title.strip(), "title must be set"
        assert info.verification.strip(), "verification must say how deliveries are verified"
        assert info.docs_url and info.docs_url.startswith(("https://", "http://")), (
            "docs_url must link to the sender's webhook documentation"
        )
        assert info.event_types, "event_types must list the event types the sender sends"
        assert len(set(info.event_types)) == len(info.event_types), "event_types repeat"
        names = [s.name for s in info.samples]
        assert len(set(names)) == len(names), f"sample names repeat: {names}"
        assert any(not s.challenge for s in info.samples), "ship at least one delivery sample"
        if any(s.challenge for s in info.samples):
            assert info.handshake, "challenge samples need a handshake description"
        for sample in info.samples:
            if sample.event_type is not None:
                assert sample.event_type in info.event_types, (
                    f"sample {sample.name!r}: event_type {sample.event_type!r} is not declared "
                    "in event_types"
                )
        assert issubclass(info.settings_model, BaseModel)
        assert info.settings_model.model_config.get("extra") == "forbid", (
            "the settings model must forbid unknown keys (extra='forbid')"
        )
        with pytest.raises(ProviderConfigError):
            host.settings_for(self.provider, {"hookpoint_conformance_unknown_key": 1})
        for sample in info.samples:
            host.settings_for(self.provider, sample.settings)
        assert info.payload_model is None or callable(info.payload_model)

    def test_icon(self) -> None:
        """The provider's icon (``ProviderInfo.icon_svg``), when it has one, is an SVG the
        dashboard's sanitiser accepts and that still draws something once sanitised."""
        from ._icons import IconError, sanitize_svg

        info = self.provider_info()
        if info.icon_svg is None:
            pytest.skip("the provider ships no icon (endpoints show a monogram)")
        try:
            clean = sanitize_svg(info.icon_svg)
        except IconError as exc:
            pytest.fail(f"icon_svg is refused by the dashboard: {exc}")
        drawn = ("<path", "<circle", "<rect", "<ellipse", "<polygon", "<polyline", "<line", "<text")
        assert any(tag in clean for tag in drawn), "icon_svg draws nothing once sanitised"

    def test_entry_point(self) -> None:
        """The installed distribution's entry point provides the provider."""
        if not self.check_entry_point:
            pytest.skip("check_entry_point is False")
        host = load_plugins()
        if self.provider not in host.providers:
            errors = "; ".join(f"{r.distribution or r.name}: {r.error}" for r in host.errors)
            pytest.fail(
                f"no installed entry point provides {self.provider!r} "
                f"(plugin errors: {errors or 'none'}); is the package installed?"
            )
        record = host.provider_record(self.provider)
        assert record.entry_point is not None and not record.builtin, (
            f"{self.provider!r} is not provided through a 'hookpoint' entry point"
        )
        expected = self.distribution or f"hookpoint-{self.provider}"
        assert _normalize(record.distribution or "") == _normalize(expected), (
            f"{self.provider!r} is owned by {record.distribution!r}, expected {expected!r}"
        )
        if self.plugin is not None:
            loaded = host.provider_plugin(self.provider)
            assert loaded is self.plugin, (
                f"the entry point {record.entry_point!r} loads {loaded!r}, not {self.plugin!r}"
            )

    # -- deliveries ------------------------------------------------------------------------------
    def test_sample_verifies(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        signed = self._signed(sample)
        result = self._verify(signed, sample)
        assert result.success, f"signed sample {sample.name!r} did not verify: {result.reason}"
        assert not result.unsigned, "a signed delivery must not be reported as unsigned"

    def test_sample_fails_with_wrong_secret(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        signed = self._signed(sample)
        result = self._verify(signed, sample, secrets=[WRONG_SECRET])
        assert not result.success, "verified with the wrong secret"
        assert result.reason, "a failure needs a short reason"
        assert sample.secret not in result.reason, "the reason must not contain the secret"

    def test_sample_fails_when_body_changes(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        if not self.signs_whole_body:
            pytest.skip("the signature covers chosen fields, not the raw body")
        signed = self._signed(sample)
        body = signed.body
        variants: dict[str, bytes] = {"appended byte": body + b" ", "truncated": body[:-1]}
        for pos in sorted({0, 1, len(body) // 3, len(body) // 2, len(body) - 2, len(body) - 1}):
            if 0 <= pos < len(body):
                changed = bytearray(body)
                changed[pos] ^= 0x01
                variants[f"byte {pos} changed"] = bytes(changed)
        for label, tampered in variants.items():
            if tampered == body:
                continue
            result = self._verify(_with_body(signed, tampered), sample)
            assert not result.success, f"sample {sample.name!r} still verified with {label}"

    def test_sample_fails_without_signature(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        signed = self._signed(sample)
        unsigned = request_from_sample(sample, self.provider)
        if self.signature_in_body:
            result = self._verify(unsigned, sample)
            assert not result.success, f"sample {sample.name!r} verified without its signature"
            return
        before = {k.lower(): v for k, v in unsigned.headers.items()}
        added = {k.lower() for k, v in signed.headers.items() if before.get(k.lower()) != v}
        assert added, "the sign hook added no header"
        stripped = signed.with_context(
            headers=[(k, v) for k, v in signed.headers.items() if k.lower() not in added]
        )
        result = self._verify(stripped, sample)
        assert not result.success, (
            f"sample {sample.name!r} verified without its signature headers {sorted(added)}"
        )

    def test_sample_rotation(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        signed = self._signed(sample)
        for secrets in (
            [WRONG_SECRET, sample.endpoint_secret],
            [sample.endpoint_secret, WRONG_SECRET],
        ):
            result = self._verify(signed, sample, secrets=secrets)
            assert result.success, f"did not verify with secrets {secrets}: {result.reason}"

    def test_signatures_made_long_ago_or_ahead_fail(self) -> None:
        """A scheme whose signature covers a timestamp must refuse one made a day ago or a day
        ahead (a replay, or a bad clock), for every delivery sample, under the sample's settings
        plus :attr:`timestamp_settings`. Skipped (once per provider) when signing at another
        time gives the same request, i.e. the scheme signs no time."""
        host = self.conformance_host()
        samples = [s for s in self.provider_info().samples if not s.challenge]
        if not samples:
            pytest.skip("provider ships no delivery sample")
        timed = False
        for sample in samples:
            current = self._signed(sample)
            settings = host.settings_for(
                self.provider, {**sample.settings, **(self.timestamp_settings or {})}
            )
            day = 86_400.0
            for label, when in (("a day ago", self.now - day), ("a day ahead", self.now + day)):
                other = sign_sample(host, self.provider, sample, now=when)
                if (
                    other.url == current.url
                    and other.body == current.body
                    and list(other.headers.items()) == list(current.headers.items())
                ):
                    continue  # this signature covers no time
                timed = True
                result = self._verify(other, sample, settings=settings)
                assert not result.success, (
                    f"sample {sample.name!r} signed {label} still verified: the verify hook "
                    "needs a timestamp check against `now` (signing.check_timestamp), or, if "
                    "the provider checks time only when configured, set timestamp_settings on "
                    "the test class"
                )
                assert result.reason, "a failure needs a short reason"
        if not timed:
            pytest.skip("the signature covers no timestamp")

    def test_sample_without_configured_secret_fails(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        if not self.provider_info().requires_secret:
            pytest.skip("provider verifies without a configured secret")
        result = self._verify(self._signed(sample), sample, secrets=[])
        assert not result.success, "verified although the endpoint has no secret"

    def test_sample_is_not_a_handshake(self, delivery_sample: Sample | None) -> None:
        """A delivery is not swallowed as a handshake: the challenge hook leaves it alone, or
        only chooses its answer (``skip_triggering_runs=False``, a 2xx), so it still runs."""
        sample = self._delivery(delivery_sample)
        host = self.conformance_host()
        reply = host.challenge(
            self.provider, self._signed(sample), self._settings(sample), (sample.endpoint_secret,)
        )
        assert reply is None or (not reply.skip_triggering_runs and reply.status < 300), (
            f"the challenge hook answered a delivery sample as a handshake: {reply}"
        )

    def test_describe_sample(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        host = self.conformance_host()
        signed = self._signed(sample)
        with _no_plugin_errors(f"describing sample {sample.name!r}"):
            first = host.describe(self.provider, signed, self._settings(sample))
            again = host.describe(self.provider, signed, self._settings(sample))
        if sample.event_type is not None:
            assert first is not None, f"sample {sample.name!r} was not described"
            assert first.type == sample.event_type, (
                f"sample {sample.name!r} described as {first.type!r}, "
                f"expected {sample.event_type!r}"
            )
        if first is not None:
            assert again is not None and again.id == first.id, "the event id is not stable"
            json.dumps(first.filter_view(), default=str)

    def test_sample_payload_model(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        parse = self.provider_info().payload_model
        if parse is None:
            pytest.skip("provider has no payload_model")
        try:
            data = json.loads(sample.body)
        except ValueError:
            pytest.skip("sample body is not JSON")
        assert parse(data) is not None

    # -- handshakes ------------------------------------------------------------------------------
    def test_challenge_sample(self, challenge_sample: Sample | None) -> None:
        sample = challenge_sample
        assert sample is not None
        host = self.conformance_host()
        request = request_from_sample(sample, self.provider)
        reply = host.challenge(
            self.provider, request, self._settings(sample), (sample.endpoint_secret,)
        )
        assert reply is not None, f"handshake sample {sample.name!r} was not answered"
        assert reply.status == sample.expect_status, (
            f"{sample.name!r}: status {reply.status}, expected {sample.expect_status}"
        )
        if sample.expect_body is not None:
            assert reply.body == sample.expect_body

    # -- hostile input ---------------------------------------------------------------------------
    def test_mutated_sample_never_raises(self, delivery_sample: Sample | None) -> None:
        """Every value of the sample's JSON (4 levels deep) swapped for a value of another type:
        describe never raises, the payload model raises nothing but ``ValueError``."""
        sample = self._delivery(delivery_sample)
        try:
            data = json.loads(sample.body)
        except ValueError:
            pytest.skip("sample body is not JSON")
        host = self.conformance_host()
        settings = self._settings(sample)
        parse = self.provider_info().payload_model
        signed = self._signed(sample)
        for variant in _type_swaps(data):
            body = json.dumps(variant, separators=(",", ":")).encode()
            with _no_plugin_errors(f"describing a mutated {sample.name!r}: {body[:200]!r}"):
                host.describe(self.provider, _with_body(signed, body), settings)
            if parse is not None:
                with contextlib.suppress(ValueError):
                    parse(variant)

    def test_garbage_never_raises(self, garbage_body: bytes) -> None:
        from ._request import WebhookRequest

        info = self.provider_info()
        host = self.conformance_host()
        delivery = next((s for s in info.samples if not s.challenge), None)
        settings = host.settings_for(self.provider, delivery.settings if delivery else {})
        secret = delivery.secret if delivery else WRONG_SECRET
        header_sets: list[list[tuple[str, str]]] = [[]]
        if delivery is not None:
            with contextlib.suppress(ValueError):
                header_sets.append(list(self._signed(delivery).headers.items()))
        for headers in header_sets:
            for method, query in (("POST", ""), ("GET", ""), ("GET", "hub.mode=%ff&a&=b")):
                url = TEST_BASE_URL + self.provider + (f"?{query}" if query else "")
                request = WebhookRequest(method=method, url=url, headers=headers, body=garbage_body)
                host.challenge(self.provider, request, settings, (secret,))
                with _no_plugin_errors("verifying a garbage body"):
                    result = host.verify(self.provider, request, settings, (secret,), self.now)
                assert not result.success, "a garbage body verified"
                with _no_plugin_errors("describing a garbage body"):
                    host.describe(self.provider, request, settings)


def _with_body(request: WebhookRequest, body: bytes) -> WebhookRequest:
    """A copy of ``request`` with other body bytes (``with_context`` keeps the body on purpose)."""
    from .providerkit import with_body

    return with_body(request, body)


_SWAPS: tuple[Any, ...] = (None, 0, -1.5, "", "x", True, [], {}, [None], {"": None})


def _type_swaps(data: Any, *, max_depth: int = 4, limit: int = 2000) -> Iterator[Any]:
    """Copies of ``data`` with one value (at most ``max_depth`` deep) replaced by each of
    ``_SWAPS``; at most ``limit`` copies."""
    count = 0
    paths: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if path:
            paths.append(path)
        if len(path) < max_depth:
            children = (
                node.items()
                if isinstance(node, dict)
                else (enumerate(node) if isinstance(node, list) else ())
            )
            stack.extend((child, (*path, key)) for key, child in children)
    for path in paths:
        for swap in _SWAPS:
            if count >= limit:
                return
            copy = json.loads(json.dumps(data))
            target = copy
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = swap
            count += 1
            yield copy


def _normalize(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


# -- app fixtures (lead) --
