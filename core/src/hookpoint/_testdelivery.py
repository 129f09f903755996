"""Test deliveries: an endpoint's example delivered to its jobs as a *test* (the dashboard's
**Test** action and ``hookpoint test``), as Trigger.dev's test runs are.

A test delivery is stored like a delivery (a request with runs for the jobs whose filters
match it, picked by :meth:`Runtime.runs_for` as for every delivery) and marked ``test``
everywhere: the request, its runs (``ctx.test`` in the job), the lists, the API and the CLI.
It did not come from the sender, so it is not verified (``verification="skipped"``) and not
de-duplicated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._ingest import _escape_for_store, _timestamp
from ._presentation import EndpointExample, examples_of
from ._request import WebhookRequest
from .store import IngestResult, NewRequest, new_id

if TYPE_CHECKING:
    from ._app import Endpoint
    from ._runtime import Runtime

__all__ = ["TEST_VERIFICATION", "deliver_test", "find_example"]

TEST_VERIFICATION = "skipped"
"""The ``verification`` a test delivery is stored with: it was not verified."""


def find_example(endpoint: Endpoint, example_id: str | None) -> EndpointExample:
    """The example ``example_id`` of ``endpoint`` (None: the first). :raises LookupError: with
    a message listing the example ids there are."""
    if not endpoint.enabled:
        raise LookupError(f"endpoint {endpoint.id!r} is disabled")
    examples = examples_of(endpoint)
    if not examples:
        raise LookupError(
            f"endpoint {endpoint.id!r} has no examples: pass examples=[...] to "
            "define_http_endpoint (endpoints with a provider use its samples)"
        )
    if example_id is None:
        return examples[0]
    for example in examples:
        if example.id == example_id:
            return example
    ids = ", ".join(e.id for e in examples)
    raise LookupError(f"endpoint {endpoint.id!r} has no example {example_id!r}; examples: {ids}")


async def deliver_test(
    runtime: Runtime,
    endpoint: Endpoint,
    example: EndpointExample,
    *,
    base_url: str,
    client: str | None = None,
) -> IngestResult:
    """Store ``example`` as a test delivery to ``endpoint`` (``base_url``: the webhook URL
    prefix senders use) with runs for the jobs it matches; the store's result."""
    hp = runtime.hp
    url = f"{base_url}/{endpoint.id}" + (f"?{example.query}" if example.query else "")
    provider = hp.plugins.providers.get(endpoint.provider) if endpoint.provider else None
    request = WebhookRequest(
        method=example.method,
        url=url,
        headers=list(example.request_headers.items()),
        body=example.body_bytes,
        client=client,
        endpoint_id=endpoint.id,
        payload_model=provider.payload_model if provider is not None else None,
    )
    info = None
    if endpoint.provider is not None and endpoint.settings is not None:
        info = hp.plugins.describe(endpoint.provider, request, endpoint.settings)
        if info is not None:
            request = request.with_context(event=info)
    record = NewRequest(
        id=new_id(),
        endpoint_id=endpoint.id,
        method=request.method,
        url=request.url,
        headers=tuple(request.headers.items()),
        body=request.body,
        received_at=request.received_at.timestamp(),
        client=client,
        status="accepted",
        verification=TEST_VERIFICATION,
        event_type=_escape_for_store(info.type) if info else None,
        event_id=_escape_for_store(info.id) if info else None,
        event_time=_timestamp(info.time) if info else None,
        dedupe_window=0.0,  # a test is never a duplicate, nor makes later deliveries ones
        runs=runtime.runs_for(endpoint, request),
        test=True,
    )
    return await runtime.store.ingest(record)
