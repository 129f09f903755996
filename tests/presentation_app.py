"""An app for the presentation tests (``hookpoint endpoints`` / ``hookpoint test``; not a test
module): a provider endpoint with properties, an endpoint with an icon and a Rich-markup title,
and one without a provider."""

from __future__ import annotations

from typing import Any

from hookpoint import Hookpoint

hp = Hookpoint(id="presentation")

cal = hp.define_http_endpoint(
    id="caldotcom",
    source="cal.com",
    provider="caldotcom",
    secrets=["presentation-cal-secret"],
    properties=[{"label": "Docs", "text": "Webhooks", "url": "https://cal.com/docs/webhooks"}],
)


@hp.job(
    id="cancelled", trigger=cal.on_request(filter={"body": {"triggerEvent": ["BOOKING_CANCELLED"]}})
)
async def cancelled(request: Any, io: Any, ctx: Any) -> dict[str, Any]:
    return {"test": ctx.test}


@hp.job(id="everything", trigger=cal.on_request())
async def everything(request: Any, io: Any, ctx: Any) -> None:
    return None


hp.define_http_endpoint(
    id="markup",
    source="acme.dev",
    title="[bold red]Acme[/] payments",
    icon="github",
    verify="none",
    examples=[{"id": "ping", "name": "[blink]Ping[/]", "body": {"ping": True}}],
)
