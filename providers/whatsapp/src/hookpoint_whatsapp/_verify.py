"""Settings, the verification handshake and the signature of WhatsApp notifications.

WhatsApp's webhooks are Meta's Graph API webhooks ("Webhooks - Getting Started",
https://developers.facebook.com/docs/graph-api/webhooks/getting-started), so the handshake and
the signature are the ones ``hookpoint.providerkit`` has for every Meta product: the
verification ``GET ?hub.mode=subscribe&hub.challenge=<int>&hub.verify_token=<string>`` is
answered ``200`` with the bare challenge by :func:`~hookpoint.providerkit.meta_challenge`, and
``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, payload)>`` over the bytes as sent is
:data:`~hookpoint.providerkit.META_SIGNATURE`. The legacy ``X-Hub-Signature`` (SHA-1) is ignored.
"""

from __future__ import annotations

from hookpoint.providerkit import META_SIGNATURE, MetaSettings

__all__ = ["SIGNATURE_HEADER", "SIGNATURE_PREFIX", "WhatsAppSettings"]

SIGNATURE_HEADER = META_SIGNATURE.header
SIGNATURE_PREFIX = META_SIGNATURE.scheme.prefix


# ``verify_token`` (from MetaSettings): the Verify token typed into App Dashboard -> WhatsApp ->
# Configuration. Without it every verification request is answered 403.
class WhatsAppSettings(MetaSettings):
    """Endpoint settings of the ``whatsapp`` provider."""
