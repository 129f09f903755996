"""The ceiling: a raw ASGI hello world served by hypercorn with the same settings as the host.

It reads the request's body (as anything serving a webhook must) and answers ``200 hello
world``; nothing on this stack can answer a request for less. ``bench/ingest/run.py`` reports
the host's rate against it (host/ceiling) beside the bare Quart ratio (host/bare).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"11")],
}
_BODY = {"type": "http.response.body", "body": b"hello world"}


async def app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(_START)
    await send(_BODY)
