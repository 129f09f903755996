"""The app of the runs benchmark: the ingest benchmark's cal.com endpoint with one trivial async
job (it returns at once), so that what is measured is the worker's own cost per run: claim,
lease, attempt record, finish."""

from __future__ import annotations

from typing import Any

from bench.ingest.bench_app import BOOKING_CREATED, calcom_endpoint
from hookpoint import Hookpoint

hp = Hookpoint(id="bench-runs")
cal = calcom_endpoint(hp)


@hp.job(id="noop", name="noop", version="1", trigger=cal.on_request(filter=BOOKING_CREATED))
async def noop(request: Any, io: Any, ctx: Any) -> None:
    return None
