"""The app `hookpoint listen` tests serve in a subprocess (not a test module): endpoints signed
with the built-in generic HMAC provider, as a developer's own app would verify them."""

from __future__ import annotations

from hookpoint import Hookpoint

SECRET = "listen-secret"
ENDPOINTS = ("acme", "beta", "gamma", "delta", "epsilon")

hp = Hookpoint(id="listen")
for endpoint_id in ENDPOINTS:
    hp.define_http_endpoint(
        id=endpoint_id,
        source="acme.dev",
        provider="hmac",
        secrets=[SECRET],
        settings={"header_name": "X-Acme-Signature"},
    )
