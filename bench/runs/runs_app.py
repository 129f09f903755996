"""The app of the runs benchmark: the ingest benchmark's cal.com endpoint with one trivial async
job (it returns at once), so that what is measured is the worker's own cost per run: claim,
lease, attempt record, finish."""

from __future__ import annotations

import os
from typing import Any

from hookpoint import Hookpoint

SECRET = os.environ.get("BENCH_SECRET", "bench-secret")

hp = Hookpoint(id="bench-runs")
cal = hp.define_http_endpoint(
    id="caldotcom", source="cal.com", provider="caldotcom", secrets=[SECRET], dedupe_window=0
)


@hp.job(
    id="noop",
    name="noop",
    version="1",
    trigger=cal.on_request(filter={"body": {"triggerEvent": ["BOOKING_CREATED"]}}),
)
async def noop(request: Any, io: Any, ctx: Any) -> None:
    return None
