"""Building blocks for provider plugins: the parts several senders' schemes share, written once.

:mod:`hookpoint.signing` has the primitives (HMAC, decoding, header parsing, timestamp checks).
This module assembles them into the shapes webhook senders actually use, so a provider package
only *declares* its scheme and keeps nothing but what is unique to its sender:

* :class:`ProviderPlugin` - a one-provider plugin as one object (the ``provider != NAME``
  dispatch, settings coercion), named by the package's entry point (``"hookpoint_acme:PLUGIN"``);
* :class:`HmacScheme` - how a signature is encoded (algorithm, hex/base64, prefix) and the
  "every secret × every candidate signature, constant time" check, plus the matching signer;
* :class:`HeaderSignature` - an HMAC in one header over the raw body (or over given bytes):
  GitHub, Shopify, Linear, Square, Twilio, Typeform, Intercom, Dropbox, Asana, X …;
* :class:`SignedTemplate` - the signed string of a timestamped scheme (``"{timestamp}.{body}"``,
  ``"v0:{timestamp}:{body}"``, ``"{id}.{timestamp}.{body}"``) with the tolerance check in front;
* :class:`PairHeaderSignature` (``t=…,v1=…`` / ``ts=…;h1=…``: Stripe, Paddle, Calendly) and
  :class:`SplitHeaderSignature` (signature and timestamp in two headers, more signed headers
  such as a message id; :func:`v0_signature` is Slack's and Zoom's ``v0`` scheme), both
  subclasses of :class:`TimestampedScheme`, whose endpoint ``tolerance`` setting applies in both
  directions; timestamps in Unix seconds, milliseconds or RFC 3339 (:class:`SignedTemplate`);
* :class:`RequestScheme` - what :class:`ProviderPlugin` needs from a scheme
  (``verify_request``/``sign_request``): every scheme class here is one;
* :class:`StandardWebhooksScheme` - Standard Webhooks / Svix (``webhook-*`` or ``svix-*``
  headers, ``whsec_`` keys, space-separated ``v1,`` lists, ``v1a`` Ed25519): also Clerk, Resend
  and GitLab's signing token; its :meth:`~StandardWebhooksScheme.events` is the matching
  :class:`EventSpec` (dedupe id = the verified message id);
* :class:`JwsBodyHashSignature` - a compact HS256 JWS in one header whose payload names the
  body's SHA-256 (Netlify's ``X-Webhook-Signature``), on :func:`jws_hs256_verify` /
  :func:`jws_hs256_sign`, standard library only;
* :class:`HeaderToken` - a shared secret sent verbatim in one header (Telegram's secret token,
  GitLab's ``X-Gitlab-Token``), compared with :func:`matches_any_secret`;
* :func:`ed25519_verify` / :func:`ed25519_sign` - Ed25519 over raw keys (Standard Webhooks
  ``v1a``, Discord), importing ``cryptography`` only when called;
* :data:`META_SIGNATURE`, :class:`MetaSettings` and :func:`meta_challenge` - Meta's Graph API
  webhooks (WhatsApp, Messenger, Instagram, Pages): ``X-Hub-Signature-256`` over the raw body and
  the ``hub.challenge`` verification ``GET`` checked against the endpoint's ``verify_token``
  (:data:`META_HANDSHAKE_SAMPLES`: the documented verification request, as samples);
* :func:`echo_challenge` / :func:`json_challenge` - handshake answers that echo a value;
  :func:`signed_handshake` - answer a handshake the sender signs only once it verifies;
  :func:`refuse_handshake` - refuse one in the host's own JSON error shape, with its reason;
* :func:`with_headers` / :func:`with_body` - a copy of a request with headers set, or with
  other body bytes (senders that sign inside the body: Adyen, Braintree);
* :class:`EventSpec` - an :class:`~hookpoint.EventInfo` read from header/body/query/form paths,
  with a body-hash dedupe id when the sender names none;
* :class:`BatchSpec` / :func:`batch_id` - one :class:`~hookpoint.EventInfo` for a delivery that
  batches several events in a JSON array (GoCardless, LINE, SendGrid, HubSpot): first (or the
  shared) type, every type, latest (or first) time, and a dedupe id built from all the events'
  ids; :class:`ArrayBatchSpec` has the defaults of a body that is itself an array of events,
  read in order (SendGrid, HubSpot);
* :class:`ProviderSettings` / :func:`tolerance_field` - settings models (unknown keys forbidden)
  and the documented ``tolerance`` setting of timestamped schemes;
* :class:`PayloadModel` / :func:`payload_parser` - tolerant typed models of event bodies;
  :class:`PayloadBatch` - a body that is a JSON array of them.

The package is split by concern (every name is imported from ``hookpoint.providerkit`` itself;
the modules behind it are private): ``_plugin`` (the plugin object, settings), ``_hmac`` (HMAC
schemes, Standard Webhooks, shared tokens), ``_jws`` (compact HS256 JWS), ``_keys`` (Ed25519
and ECDSA public keys),
``_handshake`` (handshake answers), ``_meta`` (Meta's Graph API webhooks), ``_events``
(reading requests, describing events, payload models) and ``_batch`` (describing batched
deliveries).

Nothing here raises on hostile request input: verification returns a failed
:class:`~hookpoint.Verification` with a short, secret-free reason, description returns what it can.
"""

from __future__ import annotations

from ._batch import MAX_BATCH_ID, ArrayBatchSpec, BatchSpec, batch_id
from ._events import (
    EventSpec,
    PayloadBatch,
    PayloadModel,
    body_digest,
    compact_json,
    form_params,
    header,
    json_object,
    lookup,
    payload_parser,
    query_params,
    text,
    to_datetime,
    unix_seconds,
    with_body,
    with_headers,
)
from ._handshake import (
    HANDSHAKE_MAX_BODY,
    echo_challenge,
    handshake_json,
    json_challenge,
    refuse_handshake,
    signed_handshake,
)
from ._hmac import (
    REASON_BAD_KEY,
    REASON_TOKEN_MISMATCH,
    HeaderSignature,
    HeaderToken,
    HmacScheme,
    PairHeaderSignature,
    SignedTemplate,
    SplitHeaderSignature,
    StandardWebhooksScheme,
    TimestampedScheme,
    matches_any_secret,
    v0_signature,
)
from ._jws import (
    REASON_BODY_HASH_MISMATCH,
    REASON_CLAIM_MISMATCH,
    REASON_TOKEN_EXPIRED,
    JwsBodyHashSignature,
    jws_hs256_sign,
    jws_hs256_verify,
)
from ._keys import (
    REASON_NO_PUBLIC_KEY,
    PublicKeyAlgorithm,
    TimestampedKeySignature,
    ed25519_public_key,
    ed25519_sign,
    ed25519_verify,
    load_private_key,
    load_public_key,
    public_key_text,
    sign_with_private_key,
    verify_with_public_keys,
)
from ._meta import META_HANDSHAKE_SAMPLES, META_SIGNATURE, MetaSettings, meta_challenge
from ._plugin import (
    HOOK_NAMES,
    ProviderPlugin,
    ProviderSettings,
    RequestScheme,
    optional_tolerance_field,
    settings_tolerance,
    tolerance_field,
)

__all__ = [
    "HANDSHAKE_MAX_BODY",
    "HOOK_NAMES",
    "MAX_BATCH_ID",
    "META_HANDSHAKE_SAMPLES",
    "META_SIGNATURE",
    "REASON_BAD_KEY",
    "REASON_BODY_HASH_MISMATCH",
    "REASON_CLAIM_MISMATCH",
    "REASON_NO_PUBLIC_KEY",
    "REASON_TOKEN_EXPIRED",
    "REASON_TOKEN_MISMATCH",
    "ArrayBatchSpec",
    "BatchSpec",
    "EventSpec",
    "HeaderSignature",
    "HeaderToken",
    "HmacScheme",
    "JwsBodyHashSignature",
    "MetaSettings",
    "PairHeaderSignature",
    "PayloadBatch",
    "PayloadModel",
    "ProviderPlugin",
    "ProviderSettings",
    "PublicKeyAlgorithm",
    "RequestScheme",
    "SignedTemplate",
    "SplitHeaderSignature",
    "StandardWebhooksScheme",
    "TimestampedKeySignature",
    "TimestampedScheme",
    "batch_id",
    "body_digest",
    "compact_json",
    "echo_challenge",
    "ed25519_public_key",
    "ed25519_sign",
    "ed25519_verify",
    "form_params",
    "handshake_json",
    "header",
    "json_challenge",
    "json_object",
    "jws_hs256_sign",
    "jws_hs256_verify",
    "load_private_key",
    "load_public_key",
    "lookup",
    "matches_any_secret",
    "meta_challenge",
    "optional_tolerance_field",
    "payload_parser",
    "public_key_text",
    "query_params",
    "refuse_handshake",
    "settings_tolerance",
    "sign_with_private_key",
    "signed_handshake",
    "text",
    "to_datetime",
    "tolerance_field",
    "unix_seconds",
    "v0_signature",
    "verify_with_public_keys",
    "with_body",
    "with_headers",
]
