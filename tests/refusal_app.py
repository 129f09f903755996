"""The app tests/test_refusal_status.py serves (not a test module): one endpoint per way a
refusal gets its HTTP status.

``gocardless`` is a provider that declares ``ProviderInfo.refusal_status=498``; ``caldotcom``
and ``hmac`` are providers that declare nothing (401); ``forbidden`` is a ``verify=`` callable
that refuses with its own status (403); ``plain`` a callable that refuses without one (401).
"""

from __future__ import annotations

import hashlib
import hmac

from hookpoint import Hookpoint, Verification, WebhookRequest

GOCARDLESS_SECRET = "refusal-gocardless-secret"
CAL_SECRET = "refusal-cal-secret"
HMAC_SECRET = "refusal-hmac-secret"

hp = Hookpoint(id="refusals")

hp.define_http_endpoint(
    id="gocardless", source="gocardless.com", provider="gocardless", secrets=[GOCARDLESS_SECRET]
)
hp.define_http_endpoint(
    id="caldotcom", source="cal.com", provider="caldotcom", secrets=[CAL_SECRET]
)
hp.define_http_endpoint(
    id="generic",
    source="acme.dev",
    provider="hmac",
    secrets=[HMAC_SECRET],
    settings={"header_name": "X-Acme-Signature", "algorithm": "sha256"},
)


def _refuse_with_403(request: WebhookRequest) -> Verification:
    if request.headers.get("X-Let-In") == "yes":
        return Verification.verified()
    return Verification.refused("not on the list", status=403)


def _refuse_plainly(request: WebhookRequest) -> Verification:
    return Verification.refused("never")


hp.define_http_endpoint(id="forbidden", source="acme.dev", verify=_refuse_with_403)
hp.define_http_endpoint(id="plain", source="acme.dev", verify=_refuse_plainly)


def hex_hmac(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
