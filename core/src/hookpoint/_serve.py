"""Running the host under hypercorn, and standalone workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import h11
from hypercorn.asyncio import serve
from hypercorn.config import Config

from ._errors import HookpointError

if TYPE_CHECKING:
    from ._app import Hookpoint
    from ._settings import Settings

__all__ = [
    "answer_protocol_errors_with_4xx",
    "configure_logging",
    "continue_only_when_read",
    "hypercorn_config",
    "install_stop_signals",
    "keep_alive_by_timer",
    "patch_hypercorn",
    "refuse_cleartext_http2",
    "run_worker_forever",
    "serve_forever",
    "worker_app",
]


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Log to stderr at ``level`` (``HOOKPOINT_LOG_LEVEL``): the CLI's processes and every
    spawned hypercorn worker, which starts with an unconfigured ``logging``."""
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT)


def cap_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas, as ``MALLOC_ARENA_MAX=2`` would (unless that is set).

    The host's threads (SQLite writer, readers, executor) each get an arena by
    default, and glibc returns their memory slowly: the soak benchmark saw RSS creep ~50 bytes
    per request with the default and level off with the cap (docs/benchmarks.md, "Soak").
    Threads started after this call share the capped arenas. No-op off glibc.
    """
    import ctypes
    import ctypes.util

    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        m_arena_max = -8  # from glibc's malloc.h
        return bool(libc.mallopt(m_arena_max, arenas))
    except (OSError, AttributeError):
        return False


def hypercorn_config(settings: Settings) -> Config:
    patch_hypercorn()
    config = Config()
    host = settings.host
    config.bind = [f"[{host}]:{settings.port}" if ":" in host else f"{host}:{settings.port}"]
    config.workers = settings.workers
    config.accesslog = None
    # hypercorn's messages go through the root handler configure_logging set up, in our format;
    # a logger name would make hypercorn add a handler of its own and print each line twice.
    config.errorlog = logging.getLogger("hypercorn.error")
    # A slow sender cannot hold a connection for ever. Until its headers are complete a
    # connection is idle, so keep_alive_timeout bounds the headers; the ingest handler bounds
    # the whole body by HOOKPOINT_READ_TIMEOUT (one periodic check for all bodies), and Quart
    # the bodies of the API and dashboard (BODY_TIMEOUT, set from the same setting in the
    # server). hypercorn's own read_timeout stays off: it wraps every socket read in
    # asyncio.wait_for, a task and a timer per read, on every request.
    config.keep_alive_timeout = settings.keep_alive_timeout
    config.read_timeout = None
    config.h11_max_incomplete_size = 64 * 1024
    config.graceful_timeout = 10.0
    return config


def patch_hypercorn() -> None:
    """The request-handling patches (docs/architecture.md), in every process that serves:
    the CLI's and each spawned worker (which does not inherit them)."""
    answer_protocol_errors_with_4xx()
    refuse_cleartext_http2()
    continue_only_when_read()
    keep_alive_by_timer()


def keep_alive_by_timer() -> None:
    """Time hypercorn's idle keep-alive connections with one timer each instead of a task.

    hypercorn (0.17/0.18) stops a connection's idle task when a request arrives and starts a
    new one after the answer: per request two tasks (the idle task and the one
    ``asyncio.wait_for`` wraps around its wait), an event waiter, a timer, and the
    cancellation of all of them. Here the same rule (close a connection idle for
    ``keep_alive_timeout``, and every idle connection once the server is shutting down) is one
    ``call_later`` handle that is cancelled and re-armed: 10-13 us less CPU per request, about
    6 % of what hypercorn itself spends on one (docs/benchmarks.md). Idempotent; a hypercorn
    whose ``TCPServer`` has no ``idle_task`` is left alone.
    """
    from hypercorn.asyncio.tcp_server import TCPServer

    init = TCPServer.__init__
    if getattr(init, "_hookpoint_timer", False) or not hasattr(TCPServer, "_idle_timeout"):
        return

    def init_with_timer(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        if hasattr(self, "idle_task"):
            self.idle_task = _IdleTimer(self)

    init_with_timer._hookpoint_timer = True  # type: ignore[attr-defined]
    TCPServer.__init__ = init_with_timer  # type: ignore[method-assign]


class _IdleTimer:
    """hypercorn's ``SingleTask`` interface (``restart``/``stop``) for a connection's idle
    timeout, as a timer handle: when it fires (or the server shuts down while it is armed) the
    connection is closed, as ``TCPServer._idle_timeout`` would."""

    __slots__ = ("__weakref__", "_closing", "_handle", "_server")

    _armed: ClassVar[dict[Any, weakref.WeakSet[_IdleTimer]]] = {}
    """The armed timers of each worker context's connections (closed at its shutdown)."""
    _watchers: ClassVar[dict[Any, asyncio.Task[None]]] = {}

    def __init__(self, server: Any) -> None:
        self._server = server
        self._handle: asyncio.TimerHandle | None = None
        self._closing: asyncio.Task[None] | None = None

    async def restart(self, task_group: Any, action: Any) -> None:
        self._cancel()
        server = self._server
        context = server.context
        if context.terminated.is_set():
            self._expire()
            return
        self._handle = server.loop.call_later(server.config.keep_alive_timeout, self._expire)
        armed = self._armed.get(context)
        if armed is None:
            armed = self._armed[context] = weakref.WeakSet()
            self._watchers[context] = server.loop.create_task(self._watch(context))
        armed.add(self)

    async def stop(self) -> None:
        self._cancel()

    def _cancel(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.cancel()
            armed = self._armed.get(self._server.context)
            if armed is not None:
                armed.discard(self)

    def _expire(self) -> None:
        self._cancel()
        if self._closing is None:
            self._closing = self._server.loop.create_task(self._server._initiate_server_close())

    @classmethod
    async def _watch(cls, context: Any) -> None:
        try:
            await context.terminated.wait()
            for timer in list(cls._armed.get(context, ())):
                timer._expire()
        finally:
            cls._armed.pop(context, None)
            cls._watchers.pop(context, None)


def continue_only_when_read() -> None:
    """Make hypercorn send ``100 Continue`` only once the application reads the body.

    hypercorn answers ``Expect: 100-continue`` as soon as the request's headers are parsed,
    before the application has seen them, so a sender announcing a 99 MB body was told to send
    it and only then got the 413 (and a refused request's body crossed the network for
    nothing). RFC 9110 §10.1.1 lets a server answer with the final status instead: here the
    ``100`` goes out when the application first awaits ``receive()``, which the ingest path and
    ``HookpointServer`` do only after checking ``Content-Length`` against their limits.
    Idempotent; a hypercorn without ``_create_stream`` is left alone.
    """
    from hypercorn.protocol.h11 import H11Protocol

    create = getattr(H11Protocol, "_create_stream", None)
    if create is None or getattr(create, "_hookpoint_continue", False):
        return

    async def create_stream(self: Any, request: Any) -> None:
        connection = self.connection
        if not (
            isinstance(connection, h11.Connection) and connection.client_is_waiting_for_100_continue
        ):
            await create(self, request)
            return
        connection.__class__ = _ContinueWhenReleased
        assert isinstance(connection, _ContinueWhenReleased)
        connection.continue_released = False
        app = self.app
        self.app = _ReleaseContinueOnReceive(app, self)  # the stream made now keeps it
        try:
            await create(self, request)
        finally:
            self.app = app

    create_stream._hookpoint_continue = True  # type: ignore[attr-defined]
    H11Protocol._create_stream = create_stream  # type: ignore[method-assign]


class _ContinueWhenReleased(h11.Connection):
    """An ``h11.Connection`` that tells hypercorn's loop the client waits for ``100 Continue``
    only once the application has asked for the body."""

    continue_released = False

    @property
    def they_are_waiting_for_100_continue(self) -> bool:
        return self.continue_released and super().they_are_waiting_for_100_continue


class _ReleaseContinueOnReceive:
    """The ASGI app wrapper of one request that expects ``100 Continue``: its first
    ``receive()`` sends the ``100`` (if the client still waits for it) and then reads."""

    def __init__(self, app: Any, protocol: Any) -> None:
        self.app = app
        self.protocol = protocol

    async def __call__(
        self, scope: Any, receive: Any, send: Any, sync_spawn: Any, call_soon: Any
    ) -> None:
        protocol = self.protocol

        async def receive_after_continue() -> Any:
            connection = protocol.connection
            if isinstance(connection, _ContinueWhenReleased) and not connection.continue_released:
                connection.continue_released = True
                if connection.they_are_waiting_for_100_continue:
                    await protocol._send_h11_event(
                        h11.InformationalResponse(
                            status_code=100, headers=protocol.config.response_headers("h11")
                        )
                    )
            return await receive()

        await self.app(scope, receive_after_continue, send, sync_spawn, call_soon)


def answer_protocol_errors_with_4xx() -> None:
    """Make hypercorn answer a malformed HTTP/1.1 request with 400 where h11 hints a 5xx.

    h11 hints 501 for a ``Transfer-Encoding`` it does not implement (``gzip``, ``chunked,
    chunked``, several headers: classic request-smuggling probes) and hypercorn sends the hint
    as the status. To a webhook sender a 5xx means "retry later", but that request can never
    succeed: it gets 400 and the connection is closed, as for any other malformed request.
    Idempotent; a hypercorn without the method is left alone.
    """
    from hypercorn.protocol.h11 import H11Protocol

    original = getattr(H11Protocol, "_send_error_response", None)
    if original is None or getattr(original, "_hookpoint_4xx", False):
        return

    async def send_error_response(self: Any, status_code: int) -> None:
        await original(self, 400 if status_code >= 500 else status_code)

    send_error_response._hookpoint_4xx = True  # type: ignore[attr-defined]
    H11Protocol._send_error_response = send_error_response  # type: ignore[method-assign]


def refuse_cleartext_http2() -> None:
    """Make hypercorn speak HTTP/1.1 only on its plain port.

    hypercorn switches a connection to HTTP/2 on the prior-knowledge preface (``PRI *
    HTTP/2.0``) or an ``Upgrade: h2c`` request, and its HTTP/2 side never times out an idle
    connection: 200 connections that sent only the preface were all still open a minute later
    (HTTP/1.1: none), enough to exhaust the process's file descriptors. Webhook senders and the
    proxies in front of Hookpoint speak HTTP/1.1 to it (TLS, and HTTP/2 with it, end at the
    proxy), so the preface is answered ``400`` and the connection closed, and an ``h2c`` upgrade
    is ignored (RFC 9110 §7.8 lets a server do so): the request is answered in HTTP/1.1.
    Idempotent; a hypercorn without these methods is left alone.
    """
    from hypercorn.events import Closed
    from hypercorn.protocol import ProtocolWrapper
    from hypercorn.protocol.h11 import H2ProtocolAssumedError, H11Protocol

    check = getattr(H11Protocol, "_check_protocol", None)
    handle = getattr(ProtocolWrapper, "handle", None)
    if check is None or handle is None or getattr(handle, "_hookpoint_h1_only", False):
        return

    async def check_protocol(self: Any, event: Any) -> None:
        if event.method == b"PRI" and event.target == b"*" and event.http_version == b"2.0":
            raise H2ProtocolAssumedError(b"")
        # anything else, an h2c upgrade included, stays HTTP/1.1

    async def handle_h1_only(self: Any, event: Any) -> None:
        try:
            await self.protocol.handle(event)
        except H2ProtocolAssumedError:
            await self.protocol._send_error_response(400)
            await self.protocol.send(Closed())

    handle_h1_only._hookpoint_h1_only = True  # type: ignore[attr-defined]
    H11Protocol._check_protocol = check_protocol  # type: ignore[method-assign]
    ProtocolWrapper.handle = handle_h1_only  # type: ignore[method-assign]


def worker_app() -> Any:
    """The app of each hypercorn worker process when ``workers > 1`` (spawned processes inherit
    neither the logging set-up, nor the protocol patch above, nor the arena cap)."""
    from ._entry import from_env
    from ._settings import Settings

    configure_logging(Settings().log_level)
    patch_hypercorn()
    cap_malloc_arenas()  # per process: the parent's mallopt does not reach spawned workers
    return from_env()


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


def guard_supervisor_signals() -> _SignalsWithoutReentry:
    """Make the signal handlers of hypercorn's multi-worker supervisor ignore a signal that
    arrives while the previous one is still being handled.

    Its handler sets a ``multiprocessing`` Event, which takes a non-reentrant lock; a second
    SIGTERM/SIGINT landing inside that ``set()`` (a group kill plus a wrapper forwarding the
    same signal, two quick Ctrl-Cs) ran the handler again on the same thread and hung the
    supervisor for good. Swaps the ``signal`` module seen by ``hypercorn.run`` (idempotent) and
    returns the stand-in, which also records the signals its handlers received.
    """
    import hypercorn.run as supervisor

    current = getattr(supervisor, "signal", None)
    if isinstance(current, _SignalsWithoutReentry):
        return current
    stand_in = _SignalsWithoutReentry()
    setattr(supervisor, "signal", stand_in)  # noqa: B010 - not a public name
    return stand_in


class _SignalsWithoutReentry:
    """The ``signal`` module, except that ``signal()`` installs :func:`no_reentry` handlers
    that note each signal they receive."""

    def __init__(self) -> None:
        self.received: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(signal, name)

    def signal(self, signum: int, handler: Any) -> Any:
        if callable(handler):
            inner = handler

            def noting(number: int, frame: Any) -> None:
                self.received.append(number)
                inner(number, frame)

            handler = no_reentry(noting)
        return signal.signal(signum, handler)

    def stop_requested(self) -> bool:
        return any(number in (signal.SIGINT, signal.SIGTERM) for number in self.received)


def no_reentry(handler: Callable[[int, Any], Any]) -> Callable[[int, Any], None]:
    """A signal handler that drops a signal arriving while it is still handling one."""
    busy = False

    def handle(signum: int, frame: Any) -> None:
        nonlocal busy
        if busy:
            return
        busy = True
        try:
            handler(signum, frame)
        finally:
            busy = False

    return handle


def serve_forever(target: str, hp: Hookpoint, settings: Settings) -> None:
    """Serve ``hp`` until SIGINT/SIGTERM. With several workers, hypercorn re-imports the app in
    each process through :func:`worker_app`."""
    from ._server import HookpointServer

    cap_malloc_arenas()
    config = hypercorn_config(settings)
    if settings.workers > 1:
        from hypercorn.run import run

        os.environ["HOOKPOINT_APP"] = target
        for name, value in settings.model_dump(exclude_none=True).items():
            if name == "admin_token" and settings.admin_token is not None:
                value = settings.admin_token.get_secret_value()
            os.environ[f"HOOKPOINT_{name.upper()}"] = str(value)
        config.application_path = "hookpoint._serve:worker_app()"
        signals = guard_supervisor_signals()
        signals.received.clear()  # a stop signal of an earlier run in this process is not ours
        exitcode = run(config)
        # hypercorn stops every worker once one exits abnormally, and then (0.18) returns the
        # exit status of the ones it terminated, usually 0: a return without a stop signal is
        # that case. Say so, and exit non-zero, so that a supervisor (Restart=on-failure, a
        # container runtime) starts the server again.
        if exitcode != 0 or not signals.stop_requested():
            raise HookpointError(
                "a worker process "
                + (_describe_exit(exitcode) if exitcode != 0 else "exited unexpectedly")
                + "; hypercorn stopped the server"
            )
        return
    server = HookpointServer(hp, settings)

    async def main() -> None:
        stop = asyncio.Event()
        install_stop_signals(asyncio.get_running_loop(), stop)
        await serve(server, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]

    asyncio.run(main())


def install_stop_signals(loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
    """Set ``event`` on SIGINT and SIGTERM (``hookpoint serve`` and ``hookpoint worker``)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # non-Unix
            loop.add_signal_handler(sig, event.set)


async def run_worker_forever(hp: Hookpoint, settings: Settings) -> None:
    """``hookpoint worker``: execute runs until SIGINT/SIGTERM."""
    from ._runtime import Runtime

    cap_malloc_arenas()
    stop = asyncio.Event()
    install_stop_signals(asyncio.get_running_loop(), stop)
    async with Runtime(hp, settings, run_worker=True).running():
        await stop.wait()
