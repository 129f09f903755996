"""The seed's two examples, ported to Hookpoint (run with ``./scripts/run-example``).

* cal.com through the ``hookpoint-caldotcom`` plugin, with a job for cancelled bookings.
* WhatsApp exactly as the seed wrote it: a generic signature check and an explicit
  ``respond_with`` for Meta's GET handshake; and the same sender through the
  ``hookpoint-whatsapp`` plugin, where the handshake and the signature come with the package.

Secrets come from the environment; the defaults below are for local trials only.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from hookpoint import Hookpoint, RespondWith, Response, WebhookRequest, verify_request_signature

CALDOTCOM_SECRET = os.environ.get("CALDOTCOM_SECRET", "dev-caldotcom-secret")
WHATSAPP_APP_SECRET = os.environ.get("WHATSAPP_APP_SECRET", "dev-whatsapp-app-secret")
WHATSAPP_WEBHOOK_SECRET = os.environ.get("WHATSAPP_WEBHOOK_SECRET", "dev-verify-token")

hp = Hookpoint(id="example")

# -- cal.com --------------------------------------------------------------------------------------
caldotcom = hp.define_http_endpoint(
    id="caldotcom",
    source="cal.com",
    icon="caldotcom",
    provider="caldotcom",
    secrets=[CALDOTCOM_SECRET],
)


@hp.job(
    id="http-caldotcom",
    name="HTTP Caldotcom",
    version="1.0.0",
    trigger=caldotcom.on_request(filter={"body": {"triggerEvent": ["BOOKING_CANCELLED"]}}),
)
async def booking_cancelled(request: WebhookRequest, io: Any, ctx: Any) -> None:
    body = await request.json()
    await io.logger.info("Body", body)


# -- WhatsApp, as the seed wrote it ---------------------------------------------------------------
def whatsapp_handshake(request: WebhookRequest, verify: Any) -> Response:
    # The token is a secret: compare it in constant time (`!=` stops at the first differing
    # character, so response times would tell a guesser how much of a guess is right).
    token = (request.query.get("hub.verify_token") or "").encode()
    if not token or not hmac.compare_digest(token, WHATSAPP_WEBHOOK_SECRET.encode()):
        return Response("Unauthorized", status=401)
    return Response(request.query.get("hub.challenge") or "OK", status=200)


whatsapp = hp.define_http_endpoint(
    id="whatsapp",
    source="whatsapp.com",
    icon="whatsapp",
    verify=lambda request: verify_request_signature(
        request,
        header_name="x-hub-signature-256",
        secret=WHATSAPP_APP_SECRET,
        algorithm="sha256",
    ),
    respond_with=RespondWith(
        skip_triggering_runs=True,
        filter={"method": ["GET"], "query": {"hub.mode": [{"$startsWith": "sub"}]}},
        handler=whatsapp_handshake,
    ),
)


@hp.job(
    id="http-whatsapp",
    name="HTTP WhatsApp",
    version="1.1.0",
    enabled=True,
    trigger=whatsapp.on_request(),
)
async def whatsapp_message(request: WebhookRequest, io: Any, ctx: Any) -> None:
    body = await request.json()
    await io.logger.info("Body", body)


# -- WhatsApp through its plugin: handshake and signature come with hookpoint-whatsapp ------------
whatsapp_plugin = hp.define_http_endpoint(
    id="whatsapp-plugin",
    source="whatsapp.com",
    icon="whatsapp",
    provider="whatsapp",
    secrets=[WHATSAPP_APP_SECRET],
    settings={"verify_token": WHATSAPP_WEBHOOK_SECRET},
)


@hp.job(
    id="whatsapp-text",
    name="WhatsApp text messages",
    version="1.0.0",
    trigger=whatsapp_plugin.on_request(
        filter={"event": {"message_types": [{"$includes": "text"}]}}
    ),
)
async def whatsapp_text(request: WebhookRequest, io: Any, ctx: Any) -> None:
    await io.logger.info("Text message", {"event": ctx.event_type, "id": ctx.event_id})
