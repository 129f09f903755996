"""An open-loop load generator: requests sent on a fixed schedule, whatever the answers do.

wrk (and ``wrk -s`` with a ``delay()``) is closed-loop: a connection sends its next request only
after the last answer, so a slow server is sent less and its latency looks better than what
senders see (coordinated omission). Here request *i* is due at ``start + i / rate``; it goes out
on an idle connection (a new one is opened when none is idle, up to ``max_connections``, else it
waits for one) and its latency is measured from when it was *due*, so a stall shows up in every
request that should have been sent meanwhile. One asyncio process, raw HTTP/1.1 keep-alive.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


class _Conn(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(-1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        head = bytes(self.buffer[:head_end]).lower()
        length = 0
        start = head.find(b"\r\ncontent-length:")
        if start >= 0:
            end = head.find(b"\r\n", start + 2)
            length = int(head[start + 17 : end if end >= 0 else None])
        if len(self.buffer) < head_end + 4 + length:
            return
        status = int(self.buffer[9:12])
        del self.buffer[: head_end + 4 + length]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(status)

    async def request(self, payload: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(payload)
        return await self.waiter


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    sent: int = 0
    seconds: float = 0.0
    connections: int = 0
    resent: int = 0
    """Requests sent again because the server closed their idle connection first."""

    @property
    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if 200 <= s < 300)


async def paced(
    port: int,
    payloads: list[bytes],
    rate: float,
    seconds: float,
    max_connections: int = 256,
    host: str = "127.0.0.1",
) -> Result:
    """Send ``rate`` requests a second for ``seconds`` (cycling through ``payloads``, each a
    complete HTTP/1.1 request) and wait for every answer."""
    loop = asyncio.get_running_loop()
    idle: list[_Conn] = []
    waiting: asyncio.Queue[_Conn] = asyncio.Queue()
    result = Result()
    total = int(rate * seconds)
    tasks: set[asyncio.Task[None]] = set()
    opened = 0

    async def get_conn() -> _Conn:
        nonlocal opened
        while idle:
            conn = idle.pop()
            if not conn.closed:
                return conn
        if opened < max_connections:
            opened += 1
            _, conn = await loop.create_connection(_Conn, host, port)
            return conn
        return await waiting.get()

    def release(conn: _Conn) -> None:
        if conn.closed:
            return
        if waiting._getters:  # type: ignore[attr-defined]  # someone waits for a connection
            waiting.put_nowait(conn)
        else:
            idle.append(conn)

    async def one(i: int, due: float) -> None:
        conn = await get_conn()
        status = await conn.request(payloads[i % len(payloads)])
        if status == -1:
            # The server closed an idle keep-alive connection as the request went out (the
            # usual race): nothing was answered, so a sender sends it again, on a new one.
            result.resent += 1
            conn = await get_conn()
            status = await conn.request(payloads[i % len(payloads)])
        result.latencies_ms.append((time.perf_counter() - due) * 1000)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        release(conn)

    start = time.perf_counter() + 0.05
    i = 0
    while i < total:
        now = time.perf_counter()
        due = start + i / rate
        if due > now:
            await asyncio.sleep(min(due - now, 0.002))
            continue
        while i < total and start + i / rate <= now:  # everything due by now goes out
            task = asyncio.create_task(one(i, start + i / rate))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            i += 1
        await asyncio.sleep(0)
    await asyncio.gather(*list(tasks))
    result.sent = total
    result.seconds = time.perf_counter() - start
    result.connections = opened
    for conn in idle:
        if conn.transport is not None:
            conn.transport.close()
    return result


def http_request(path: str, headers: dict[str, str], body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode("latin-1") + body
