"""subscribe_app: Graph API ``POST /<WABA_ID>/subscribed_apps``, tested with MockTransport."""

from __future__ import annotations

import json

import httpx
import pytest

from hookpoint_whatsapp import subscribe_app


def recording_client(seen: list[httpx.Request], response: httpx.Response) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return response

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_subscribe_app() -> None:
    seen: list[httpx.Request] = []
    async with recording_client(seen, httpx.Response(200, json={"success": True})) as client:
        answer = await subscribe_app(client, waba_id="102290129340398", access_token="EAAG")
    (request,) = seen
    assert str(request.url) == "https://graph.facebook.com/v23.0/102290129340398/subscribed_apps"
    assert request.headers["authorization"] == "Bearer EAAG"
    assert request.content == b""
    assert answer == {"success": True}


async def test_subscribe_app_with_callback_override() -> None:
    seen: list[httpx.Request] = []
    async with recording_client(seen, httpx.Response(200, json={"success": True})) as client:
        await subscribe_app(
            client,
            waba_id="1",
            access_token="t",
            override_callback_uri="https://hooks.example.com/webhooks/wa",
            verify_token="meatyhamhock",
        )
    assert json.loads(seen[0].content) == {
        "override_callback_uri": "https://hooks.example.com/webhooks/wa",
        "verify_token": "meatyhamhock",
    }


async def test_subscribe_app_errors() -> None:
    seen: list[httpx.Request] = []
    refused = httpx.Response(400, json={"error": {"message": "Invalid OAuth access token"}})
    async with recording_client(seen, refused) as client:
        with pytest.raises(httpx.HTTPStatusError, match="400") as info:
            await subscribe_app(client, waba_id="1", access_token="secret-token")
        assert "Invalid OAuth" in info.value.response.text
        assert "secret-token" not in str(info.value)
        with pytest.raises(ValueError, match="go together"):
            await subscribe_app(client, waba_id="1", access_token="t", verify_token="x")
