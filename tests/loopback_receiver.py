"""A destination for forwarding tests: a raw asyncio HTTP/1.1 server on loopback that records
exactly what it was sent and answers as scripted (not a test module).

``Receiver`` keeps every request's method, target, header lines (as sent: casing, order,
repeats) and body bytes, with its arrival time, and how many requests it is answering at once
(``max_in_flight``). Its answers come from ``script(...)`` (one :class:`Reply` per request, in
order) and then ``default``: a status, headers, a body, a delay before answering (a slow
destination), or ``hang_up`` (close without answering). ``stop()`` makes it a destination
that is down (connection refused); ``start()`` again on the same port brings it back.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Received", "Receiver", "Reply", "closed_port"]


@dataclass(frozen=True)
class Received:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    at: float
    """``time.time()`` when the whole request had arrived."""

    def header(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def header_map(self) -> dict[str, str]:
        """Lower-cased names → value (for libraries that take a dict)."""
        return {k.lower(): v for k, v in self.headers}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b"ok"
    delay: float = 0.0
    hang_up: bool = False


_REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 409: "Conflict", 503: "Unavailable"}


def closed_port() -> int:
    """A loopback port nothing listens on (connection refused), free to bind later."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Receiver:
    port: int = 0
    default: Reply = field(default_factory=Reply)
    answer: Callable[[Received], Reply] | None = None
    """When set, decides every reply from the request (after the script runs out)."""
    received: list[Received] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    _script: deque[Reply] = field(default_factory=deque)
    _server: asyncio.Server | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> None:
        self._script.extend(replies)

    async def start(self) -> Receiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    async def __aenter__(self) -> Receiver:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        """Until ``count`` requests arrived in all; returns them."""
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.received

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        lines = head[:-4].decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = [(k, v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
        body = await reader.readexactly(length) if length else b""
        request = Received(method, target, headers, body, time.time())
        self.received.append(request)
        self._arrived.set()
        if self._script:
            reply = self._script.popleft()
        elif self.answer is not None:
            reply = self.answer(request)
        else:
            reply = self.default
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.hang_up:
                return False
            out = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
            out += [f"{k}: {v}" for k, v in reply.headers]
            out.append(f"Content-Length: {len(reply.body)}")
            writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + reply.body)
            await writer.drain()
        finally:
            self.in_flight -= 1
        return True
