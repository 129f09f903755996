"""The app the guarantee tests serve in subprocesses (not a test module).

Every run appends ``<event id> <run id> <attempt> <pid> start|end`` lines to the file named by
GUARANTEE_LOG (O_APPEND writes of one short line are atomic), so a test can prove that each
acknowledged request ran and that no run executed twice at the same time.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from hookpoint import Hookpoint

SECRET = os.environ.get("GUARANTEE_SECRET", "guarantee-secret")
LOG = os.environ.get("GUARANTEE_LOG", "")

hp = Hookpoint(id="guarantees")
cal = hp.define_http_endpoint(
    id="caldotcom", source="cal.com", provider="caldotcom", secrets=[SECRET], dedupe_window=0
)


def _note(line: str) -> None:
    if LOG:
        fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)


@hp.job(
    id="record",
    name="record",
    version="1",
    trigger=cal.on_request(filter={"body": {"triggerEvent": ["BOOKING_CREATED"]}}),
    retry={"max_attempts": 3, "initial_delay": 0.1},
)
async def record(request: Any, io: Any, ctx: Any) -> None:
    body = request.json()
    uid = body["payload"]["uid"]
    _note(f"{uid} {ctx.run_id} {ctx.attempt} {os.getpid()} start")
    await asyncio.sleep(0.01)
    _note(f"{uid} {ctx.run_id} {ctx.attempt} {os.getpid()} end")
