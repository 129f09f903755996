"""Code ported line by line from Trigger.dev v2 keeps its meaning.

Trigger.dev's ``verifyRequestSignature`` returns ``{ success: boolean, reason?: string }``, and its
users check ``if (!(await verify()).success)``. The same line in Python must refuse a forged
request: ``Verification.success`` is a field, never a method (a bound method is always truthy).
"""

from __future__ import annotations

import hashlib
import hmac
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from examples.app import WHATSAPP_WEBHOOK_SECRET, whatsapp_handshake
from hookpoint import (
    Hookpoint,
    RespondWith,
    Response,
    Verification,
    WebhookRequest,
    verify_request_signature,
)
from hookpoint._app import normalise_verification
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings

ROOT = Path(__file__).resolve().parent.parent
APP_SECRET = "wa-app-secret"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def signed(body: bytes = BODY, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"x-hub-signature-256": "sha256=" + digest, "content-type": "application/json"}


def seed_verify(request: WebhookRequest) -> Verification:
    return verify_request_signature(
        request, header_name="x-hub-signature-256", secret=APP_SECRET, algorithm="sha256"
    )


def build_app(seen: list[object], ran: list[str]) -> Hookpoint:
    """The seed's WhatsApp endpoint (GET handshake), and its POST handler ported as written."""
    hp = Hookpoint(id="seed-parity", load_entrypoints=False)

    # The seed's endpoint as examples/app.py ports it: signature check, GET handshake.
    whatsapp = hp.define_http_endpoint(
        id="whatsapp",
        source="whatsapp.com",
        verify=lambda request: verify_request_signature(
            request, header_name="x-hub-signature-256", secret=APP_SECRET, algorithm="sha256"
        ),
        respond_with=RespondWith(
            skip_triggering_runs=True,
            filter={"method": ["GET"], "query": {"hub.mode": [{"$startsWith": "sub"}]}},
            handler=whatsapp_handshake,
        ),
    )

    # A POST handler written the Trigger.dev way: `if (!(await verify()).success) return 401`.
    async def h(request: WebhookRequest, verify: Any) -> Response:
        result = await verify()
        seen.append(result.success)
        if not result.success:
            return Response("Unauthorized", status=401)
        return Response("OK", status=200)

    awaited = hp.define_http_endpoint(
        id="whatsapp-post",
        source="whatsapp.com",
        verify=lambda request: verify_request_signature(
            request, header_name="x-hub-signature-256", secret=APP_SECRET, algorithm="sha256"
        ),
        respond_with=RespondWith(
            skip_triggering_runs=False, filter={"method": ["POST"]}, handler=h
        ),
    )

    # The sync call form: the endpoint's verify is sync, so `verify().success` works unawaited.
    def h_sync(request: WebhookRequest, verify: Any) -> Response:
        seen.append(verify().success)
        if not verify().success:
            return Response("Unauthorized", status=401)
        return Response("OK", status=200)

    sync = hp.define_http_endpoint(
        id="whatsapp-post-sync",
        source="whatsapp.com",
        verify=seed_verify,
        respond_with=RespondWith(
            skip_triggering_runs=False, filter={"method": ["POST"]}, handler=h_sync
        ),
    )

    # The handler's answer is all the sender gets here: the check is the only thing in the way.
    answered = hp.define_http_endpoint(
        id="whatsapp-answered",
        source="whatsapp.com",
        verify=seed_verify,
        respond_with=RespondWith(skip_triggering_runs=True, filter={"method": ["POST"]}, handler=h),
    )

    for endpoint in (whatsapp, awaited, sync, answered):

        @hp.job(id=f"job-{endpoint.id}", trigger=endpoint.on_request())
        async def job(request: WebhookRequest, io: Any, ctx: Any) -> None:
            ran.append(ctx.endpoint_id)

    return hp


@pytest.fixture
async def served(
    tmp_path: Path,
) -> AsyncIterator[tuple[httpx.AsyncClient, list[object], list[str]]]:
    seen: list[object] = []
    ran: list[str] = []
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'hp.db'}", lease_seconds=5)
    server = HookpointServer(build_app(seen, ran), settings)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            yield client, seen, ran


async def listed(client: httpx.AsyncClient, endpoint: str, status: str) -> list[dict[str, Any]]:
    reply = await client.get("/api/requests", params={"endpoint": endpoint, "status": status})
    assert reply.status_code == 200, reply.text
    return list(reply.json()["items"])


async def run_count(client: httpx.AsyncClient, endpoint: str) -> int:
    items = (await client.get("/api/runs", params={"limit": 500})).json()["items"]
    return sum(1 for run in items if run["endpoint"] == endpoint)


async def wait_for_run(client: httpx.AsyncClient, ran: list[str], endpoint: str) -> None:
    import asyncio

    deadline = asyncio.get_running_loop().time() + 10
    while endpoint not in ran:
        assert asyncio.get_running_loop().time() < deadline, f"no run for {endpoint}"
        await asyncio.sleep(0.05)


# -- the ported POST handler, through the real host ----------------------------------------------


@pytest.mark.parametrize("endpoint", ["whatsapp-post", "whatsapp-post-sync"])
async def test_a_forged_post_is_refused_by_the_ported_success_check(
    served: Any, endpoint: str
) -> None:
    client, seen, ran = served
    forged = await client.post(
        f"/webhooks/{endpoint}", content=BODY, headers=signed(secret="not-the-app-secret")
    )
    assert forged.status_code == 401
    assert seen and all(value is False for value in seen)  # the handler saw a refusal
    assert await listed(client, endpoint, "accepted") == []
    assert len(await listed(client, endpoint, "rejected")) == 1
    assert await run_count(client, endpoint) == 0 and endpoint not in ran


@pytest.mark.parametrize("endpoint", ["whatsapp-post", "whatsapp-post-sync"])
async def test_a_signed_post_passes_the_ported_check_and_starts_its_run(
    served: Any, endpoint: str
) -> None:
    client, seen, ran = served
    valid = await client.post(f"/webhooks/{endpoint}", content=BODY, headers=signed())
    assert (valid.status_code, valid.text) == (200, "OK")
    assert seen and all(value is True for value in seen)
    await wait_for_run(client, ran, endpoint)
    assert len(await listed(client, endpoint, "accepted")) == 1
    assert await run_count(client, endpoint) == 1


async def test_where_the_handler_alone_answers_a_forged_post_gets_its_401(served: Any) -> None:
    """With skip_triggering_runs=True nothing but the handler's check stands between a forged
    request and the handler's 200: a truthy bound method here was the hole."""
    client, seen, _ = served
    forged = await client.post(
        "/webhooks/whatsapp-answered", content=BODY, headers={"x-hub-signature-256": "sha256=00"}
    )
    assert (forged.status_code, forged.text) == (401, "Unauthorized")
    valid = await client.post("/webhooks/whatsapp-answered", content=BODY, headers=signed())
    assert (valid.status_code, valid.text) == (200, "OK")
    assert seen == [False, True]
    assert await run_count(client, "whatsapp-answered") == 0


async def test_the_example_handshake_answers_only_the_right_verify_token(served: Any) -> None:
    client: httpx.AsyncClient = served[0]
    ran: list[str] = served[2]

    async def handshake(token: str | None) -> httpx.Response:
        params = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
        if token is not None:
            params["hub.verify_token"] = token
        return await client.get("/webhooks/whatsapp", params=params)

    ok = await handshake(WHATSAPP_WEBHOOK_SECRET)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    for wrong in (None, "", WHATSAPP_WEBHOOK_SECRET[:-1], WHATSAPP_WEBHOOK_SECRET + "x", "é"):
        refused = await handshake(wrong)
        assert refused.status_code == 401, wrong
        assert "1158201444" not in refused.text
    assert len(await listed(client, "whatsapp", "handshake")) == 1
    assert await run_count(client, "whatsapp") == 0 and not ran


# -- the type checker catches the old call form --------------------------------------------------


def test_mypy_rejects_calling_success_on_a_verification(tmp_path: Path) -> None:
    from mypy import api

    called = tmp_path / "called.py"
    called.write_text(
        textwrap.dedent(
            """\
            from hookpoint import Verification


            def check(result: Verification) -> None:
                if not result.success():
                    raise PermissionError(result.reason)
            """
        )
    )
    read = tmp_path / "read.py"
    read.write_text(
        textwrap.dedent(
            """\
            from hookpoint import Verification


            def check(result: Verification) -> None:
                if not result.success:
                    raise PermissionError(result.reason)
            """
        )
    )
    config = tmp_path / "mypy.ini"
    config.write_text(f"[mypy]\nmypy_path = {ROOT / 'core' / 'src'}\n")
    stdout, stderr, status = api.run(
        [
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--python-executable",
            sys.executable,
            str(called),
            str(read),
        ]
    )
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert status == 1, stdout + stderr
    assert len(errors) == 1, stdout
    assert errors[0].startswith(f"{called}:5:"), stdout
    assert '"bool" not callable' in errors[0], stdout


# -- the model ------------------------------------------------------------------------------------


def test_the_constructors_give_the_seed_shape() -> None:
    verified = Verification.verified()
    assert verified.success is True and verified.reason == "" and verified.unsigned is False
    assert Verification.verified(unsigned=True).unsigned is True
    refused = Verification.refused("signature mismatch")
    assert refused.success is False and refused.reason == "signature mismatch"
    assert refused.model_dump() == {
        "success": False,
        "reason": "signature mismatch",
        "unsigned": False,
        "status": None,  # the host's 401 (or the provider's refusal_status)
    }


@pytest.mark.parametrize(
    "result", [Verification.verified(), Verification.refused("x"), Verification(success=True)]
)
def test_truth_and_the_ok_alias_follow_success(result: Verification) -> None:
    assert bool(result) is result.success
    assert result.ok is result.success
    for name in ("ok", "success"):  # read-only: a verdict cannot be flipped after the fact
        with pytest.raises((AttributeError, ValidationError)):
            setattr(result, name, not result.success)


def test_nothing_named_success_is_callable() -> None:
    assert not callable(getattr(Verification, "success", None))
    assert not callable(Verification.refused("x").success)
    assert not callable(Verification.verified().success)


def test_the_old_ok_keyword_fails_with_a_pointer_to_success() -> None:
    with pytest.raises(ValidationError, match=r"Verification\(success=\.\.\.\)"):
        Verification(ok=True)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Verification(success=True, surprise=1)  # type: ignore[call-arg]


def test_normalise_accepts_the_seed_shape() -> None:
    refused = normalise_verification({"success": False, "reason": "x"})
    assert (refused.success, refused.reason) == (False, "x")
    assert normalise_verification({"success": True}).success is True
    assert normalise_verification({"ok": True}).success is True  # the older key still reads
    missing = normalise_verification({})
    assert (missing.success, missing.reason) == (False, "verification failed")


def test_normalise_judges_an_object_of_the_seed_shape_by_its_success() -> None:
    """A user's own result type (always truthy as an object) is read by its ``success``."""

    @dataclass
    class Result:
        success: bool
        reason: str = ""

    refused = normalise_verification(Result(False, "bad signature"))
    assert (refused.success, refused.reason) == (False, "bad signature")
    assert normalise_verification(Result(True)).success is True


def test_verify_returns_the_seed_shape_directly() -> None:
    request = WebhookRequest(
        method="POST", url="http://h/webhooks/x", headers=list(signed().items()), body=BODY
    )
    assert seed_verify(request).success is True
    forged = WebhookRequest(
        method="POST", url="http://h/webhooks/x", headers=list(signed().items()), body=BODY + b" "
    )
    result = seed_verify(forged)
    assert result.success is False and result.reason == "signature mismatch"


def test_verified_results_are_shared_and_cannot_be_changed() -> None:
    """``verified()`` is on every request's path, so its two values are built once: sharing them
    is safe only because a Verification cannot be changed."""
    assert Verification.verified() is Verification.verified()
    unsigned = Verification.verified(unsigned=True)
    assert unsigned is Verification.verified(unsigned=True) and unsigned.unsigned
    assert not Verification.verified().unsigned
    with pytest.raises(ValidationError):
        Verification.verified().success = False
