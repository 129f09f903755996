"""The app under test: one cal.com endpoint (plugin verification, event description, a filtered
job). Dedupe is off so that every benchmark request is a new stored request with a run."""

from __future__ import annotations

import os
from typing import Any

from hookpoint import Hookpoint

SECRET = os.environ.get("BENCH_SECRET", "bench-secret")
BOOKING_CREATED: dict[str, Any] = {"body": {"triggerEvent": ["BOOKING_CREATED"]}}
"""The job's filter: every benchmark delivery matches it (every condition is evaluated)."""


def calcom_endpoint(app: Hookpoint) -> Any:
    """The benchmarks' endpoint on ``app``: ``/webhooks/caldotcom``, signed with ``SECRET``."""
    return app.define_http_endpoint(
        id="caldotcom", source="cal.com", provider="caldotcom", secrets=[SECRET], dedupe_window=0
    )


hp = Hookpoint(id="bench")
cal = calcom_endpoint(hp)


@hp.job(id="created", name="created", version="1", trigger=cal.on_request(filter=BOOKING_CREATED))
async def created(request: Any, io: Any, ctx: Any) -> None:
    await io.logger.info("booking", {"id": ctx.event_id})
