"""The app the browser test serves with ``hookpoint serve dashboard_app:hp`` (not a test module).

One cal.com endpoint (the ``hookpoint-caldotcom`` plugin verifies ``X-Cal-Signature-256``) with
properties and a job that logs the booking (and says whether it runs for a test delivery), and
an endpoint without a job. The secret comes from ``DASHBOARD_CAL_SECRET``.
"""

from __future__ import annotations

import os
from typing import Any

from hookpoint._app import Hookpoint

CAL_SECRET = os.environ.get("DASHBOARD_CAL_SECRET", "dashboard-cal-secret")

hp = Hookpoint(id="acme")

caldotcom = hp.define_http_endpoint(
    id="caldotcom",
    source="cal.com",
    title="Cal.com bookings",
    icon="caldotcom",
    provider="caldotcom",
    secrets=[CAL_SECRET],
    properties=[
        {"label": "Team", "text": "Sales calendar"},
        {"label": "Webhook docs", "text": "cal.com/docs", "url": "https://cal.com/docs/webhooks"},
    ],
)


@hp.job(
    id="booking-created",
    name="Booking created",
    version="1.0.0",
    trigger=caldotcom.on_request(filter={"body": {"triggerEvent": ["BOOKING_CREATED"]}}),
)
async def booking_created(request: Any, io: Any, ctx: Any) -> dict[str, Any]:
    body = await request.json()
    payload = body["payload"]
    await io.logger.info(
        "New booking",
        {"uid": payload["uid"], "title": payload["title"], "start": payload["startTime"]},
    )
    return {"uid": payload["uid"], "test": ctx.test}


hp.define_http_endpoint(
    id="acme",
    source="acme.dev",
    title="Acme (generic HMAC)",
    provider="hmac",
    secrets=["acme-generic-secret"],
    settings={"header_name": "X-Acme-Signature"},
)
