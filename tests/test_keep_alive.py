"""Keep-alive connections of ``hookpoint serve``: timed by one timer each (``keep_alive_by_timer``
in ``_serve.py``), with hypercorn's rules kept: a connection idle for ``keep_alive_timeout`` is
closed, one in use is not, and idle ones are closed at once when the server shuts down."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from hookpoint._serve import keep_alive_by_timer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import hostile_app as app
finally:
    sys.path.remove(str(HERE))

KEEP_ALIVE = 1.0


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.settimeout(10)
    return sock


def _get(sock: socket.socket) -> bytes:
    """One keep-alive ``GET /healthz`` on ``sock``; the whole answer."""
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n")
    reply = b""
    while b"\r\n\r\n" not in reply:
        chunk = sock.recv(4096)
        assert chunk, f"closed before the answer: {reply!r}"
        reply += chunk
    head, _, rest = reply.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        rest += sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 200"), head
    return reply


def _closed_after(sock: socket.socket, limit: float) -> float | None:
    """Seconds until the server closed ``sock`` (it sends nothing more), None if still open
    after ``limit``."""
    started = time.monotonic()
    sock.settimeout(limit)
    try:
        data = sock.recv(4096)
    except TimeoutError:
        return None
    except ConnectionResetError:
        data = b""
    assert data == b"", data
    return time.monotonic() - started


def test_the_patch_is_idempotent() -> None:
    from hypercorn.asyncio.tcp_server import TCPServer

    keep_alive_by_timer()
    patched = TCPServer.__init__
    keep_alive_by_timer()
    assert TCPServer.__init__ is patched
    assert getattr(patched, "_hookpoint_timer", False)


def test_idle_connections_close_after_the_timeout_and_busy_ones_stay(tmp_path: Path) -> None:
    env = {"HOOKPOINT_KEEP_ALIVE_TIMEOUT": str(KEEP_ALIVE)}
    with app.served(tmp_path, env=env) as host:
        # Idle after an answer: closed after about keep_alive_timeout, not before.
        idle = _connect(host.port)
        _get(idle)
        after = _closed_after(idle, 10 * KEEP_ALIVE)
        assert after is not None, "an idle keep-alive connection was never closed"
        assert 0.7 * KEEP_ALIVE <= after <= KEEP_ALIVE + 2.5, after
        idle.close()

        # Never sent a byte: closed after the timeout as well.
        silent = _connect(host.port)
        after = _closed_after(silent, 10 * KEEP_ALIVE)
        assert after is not None and after <= KEEP_ALIVE + 2.5, after
        silent.close()

        # In use: a request every 0.6 timeouts keeps it open well past one timeout.
        busy = _connect(host.port)
        started = time.monotonic()
        for _ in range(6):
            _get(busy)
            time.sleep(0.6 * KEEP_ALIVE)
        assert time.monotonic() - started > 3 * KEEP_ALIVE
        _get(busy)  # still open, still answered
        busy.close()
        assert host.alive()


@pytest.mark.parametrize("idle_connections", [20])
def test_shutdown_closes_idle_connections_at_once(tmp_path: Path, idle_connections: int) -> None:
    """With a long keep-alive timeout, idle connections do not hold a stopping server: it
    closes them and exits (hypercorn's graceful timeout here is 10 s)."""
    env = {"HOOKPOINT_KEEP_ALIVE_TIMEOUT": "60"}
    with app.served(tmp_path, env=env) as host:
        socks = [_connect(host.port) for _ in range(idle_connections)]
        for sock in socks:
            _get(sock)
        started = time.monotonic()
        os.killpg(host.pid, signal.SIGTERM)
        host.proc.wait(timeout=30)
        took = time.monotonic() - started
        for sock in socks:
            assert _closed_after(sock, 5) is not None
            sock.close()
    assert took < 5, f"stopping took {took:.1f} s with {idle_connections} idle connections"
