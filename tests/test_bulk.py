"""Recovery by query through the API, on SQLite and PostgreSQL: ``POST /api/runs/replay`` and
``POST /api/requests/redeliver`` replay exactly what ``GET /api/runs`` / ``GET /api/requests``
list for the same filters (every page), a dry run changes nothing, an idempotency key makes a
second submit return the first action, each action is in the audit log (``bulk_actions``), and
bad input is a 400 with a message.

A real host in-process (its worker runs the jobs): deliveries to two endpoints, jobs that
succeed and jobs that fail, in two batches some time apart (the time filters).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookpoint import Hookpoint, WebhookRequest
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings
from hookpoint.store import RunQuery, _queries

TOKEN = "bulk-test-admin-token-7d1e0c9a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def build_app() -> Hookpoint:
    """``alpha`` has a job that succeeds and one that fails for bodies saying ``fail``;
    ``beta`` one that always fails; ``gamma`` verifies a header (so it can reject)."""
    hp = Hookpoint(id="bulk")
    alpha = hp.define_http_endpoint(id="alpha", source="x", verify="none")
    beta = hp.define_http_endpoint(id="beta", source="x", verify="none")
    hp.define_http_endpoint(id="gamma", source="x", verify=lambda r: r.headers.get("x-ok") == "yes")

    @hp.job(id="ok", trigger=alpha.on_request())
    async def ok(request: WebhookRequest, io: Any, ctx: Any) -> None:
        return None

    @hp.job(id="picky", trigger=alpha.on_request(), retry={"max_attempts": 1})
    async def picky(request: WebhookRequest, io: Any, ctx: Any) -> None:
        if (await request.json()).get("fail"):
            raise RuntimeError("told to fail")

    @hp.job(id="broken", trigger=beta.on_request(), retry={"max_attempts": 1})
    async def broken(request: WebhookRequest, io: Any, ctx: Any) -> None:
        raise RuntimeError("always fails")

    return hp


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bulk.db'}"
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
async def host(database_url: str) -> AsyncIterator[tuple[HookpointServer, httpx.AsyncClient]]:
    settings = Settings(database_url=database_url, admin_token=TOKEN, lease_seconds=5)
    server = HookpointServer(build_app(), settings)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost", headers=AUTH, timeout=30
        ) as client:
            yield server, client


async def deliver(client: httpx.AsyncClient, endpoint: str, n: int, **body: Any) -> list[str]:
    ids = []
    for i in range(n):
        payload = json.dumps({"n": i, **body}).encode()
        r = await client.post(f"/webhooks/{endpoint}", content=payload)
        assert r.status_code == 200, r.text
        ids.append(r.json()["id"])
    return ids


async def settled(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every run, once none is queued or running (the worker is done)."""
    for _ in range(400):
        runs = await listing(client, "/api/runs", {}, limit=500)
        if all(r["status"] in ("succeeded", "failed") for r in runs):
            return runs
        await asyncio.sleep(0.05)
    raise AssertionError("runs did not settle")


async def listing(
    client: httpx.AsyncClient, path: str, filters: dict[str, Any], limit: int = 5
) -> list[dict[str, Any]]:
    """Everything ``GET path`` lists for ``filters``, page after page (``limit`` a page)."""
    items: list[dict[str, Any]] = []
    before: str | None = None
    pages = 0
    while True:
        params = {**filters, "limit": limit, **({"before": before} if before else {})}
        r = await client.get(path, params=params)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        pages += 1
        before = r.json()["next"]
        if before is None:
            return items


async def bulk(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return await client.post(path, json=body, headers=headers)


async def mixed_history(client: httpx.AsyncClient) -> float:
    """Two batches of deliveries; returns a time between them."""
    await deliver(client, "alpha", 6, fail=True)
    await deliver(client, "alpha", 3)
    await deliver(client, "beta", 4)
    await settled(client)
    await asyncio.sleep(0.05)
    between = time.time()
    await asyncio.sleep(0.05)
    await deliver(client, "alpha", 5, fail=True)
    await deliver(client, "beta", 3)
    await settled(client)
    return between


async def test_replay_runs_replays_exactly_what_the_listing_lists(
    host: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, client = host
    # the store reads matches in pages of MATCH_PAGE: small here, so that this takes several
    monkeypatch.setattr(_queries, "MATCH_PAGE", 4)
    await mixed_history(client)
    before = await listing(client, "/api/runs", {}, limit=500)
    filters = {"endpoint": "alpha", "status": "failed"}
    listed = await listing(client, "/api/runs", filters)  # 3 pages of 5
    assert len(listed) == 11 and {r["job"] for r in listed} == {"picky"}

    # -- a dry run: the count and the first few, nothing changed, nothing recorded -------------
    dry = await bulk(client, "/api/runs/replay", {**filters, "dry_run": True})
    assert dry.status_code == 200, dry.text
    preview = dry.json()
    assert preview["dry_run"] is True and preview["count"] == len(listed)
    assert [r["id"] for r in preview["sample"]] == [r["id"] for r in listed[:10]]
    assert preview["query"] == filters and len(preview["snapshot"]) == 26
    assert len(await listing(client, "/api/runs", {}, limit=500)) == len(before)
    assert (await client.get("/api/bulk-actions")).json()["items"] == []

    # -- the action: each matching run replayed once, nothing else ----------------------------
    r = await bulk(client, "/api/runs/replay", filters, key="outage-1")
    assert r.status_code == 202, r.text
    action = r.json()
    assert action["status"] == "done" and action["repeated"] is False
    assert action["matched"] == action["replayed"] == action["new_runs"] == len(listed)
    assert action["skipped"] == 0 and action["kind"] == "replay_runs"
    assert action["actor"] == "api token" and action["query"] == filters
    after = await settled(client)
    new = [run for run in after if run["id"] in set(action["run_ids"])]
    assert len(new) == len(listed) == len(after) - len(before)
    assert sorted(run["replay_of"] for run in new) == sorted(run["id"] for run in listed)
    assert {run["job"] for run in new} == {"picky"}
    # the replays fail again (same bodies): the action did not replay its own new runs
    assert {run["status"] for run in new} == {"failed"}
    assert not {run["replay_of"] for run in after} & set(action["run_ids"])

    # -- the same key again: the first action, no second replay ----------------------------
    again = await bulk(client, "/api/runs/replay", filters, key="outage-1")
    assert again.status_code == 200, again.text
    assert again.json()["repeated"] is True and again.json()["id"] == action["id"]
    assert again.json()["run_ids"] == action["run_ids"]
    assert len(await listing(client, "/api/runs", {}, limit=500)) == len(after)
    # the same key for another query is a conflict, not a silent repeat
    other = await bulk(client, "/api/runs/replay", {"endpoint": "beta"}, key="outage-1")
    assert other.status_code == 409 and "another bulk action" in other.json()["message"]

    # -- the audit log -------------------------------------------------------------------------
    logged = (await client.get("/api/bulk-actions")).json()["items"]
    assert [a["id"] for a in logged] == [action["id"]]
    assert logged[0]["matched"] == len(listed) and "run_ids" not in logged[0]
    one = (await client.get(f"/api/bulk-actions/{action['id']}")).json()
    assert one["run_ids"] == action["run_ids"] and one["client"]
    assert (await client.get("/api/bulk-actions/nope")).status_code == 404
    stored = await server.store.get_bulk_action(action["id"])
    assert stored is not None and stored.idempotency_key == "api:outage-1"


async def test_time_filters_and_snapshot_bound_the_replay(host: Any) -> None:
    _, client = host
    between = await mixed_history(client)
    filters = {"status": "failed", "since": between}
    listed = await listing(client, "/api/runs", filters)
    assert len(listed) == 8  # the second batch: 5 picky, 3 broken
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(between)) + f"{between % 1:.6f}"[1:]
    same = await bulk(
        client, "/api/runs/replay", {"status": "failed", "since": iso + "Z"} | {"dry_run": True}
    )
    assert same.json()["count"] == len(listed)

    # a dry run's snapshot bounds the action to what it counted: runs made after it are left
    dry = (await bulk(client, "/api/runs/replay", {**filters, "dry_run": True})).json()
    await deliver(client, "beta", 2)
    await settled(client)
    assert len(await listing(client, "/api/runs", filters)) == len(listed) + 2
    r = await bulk(
        client, "/api/runs/replay", {**filters, "snapshot": dry["snapshot"]}, key="k-snapshot"
    )
    assert r.status_code == 202 and r.json()["replayed"] == len(listed)
    replayed = {run["replay_of"] for run in await settled(client) if run["replay_of"]}
    assert replayed == {run["id"] for run in listed}
    until = await bulk(
        client, "/api/runs/replay", {"status": "failed", "until": between, "dry_run": True}
    )
    assert (
        until.json()["count"]
        == len(await listing(client, "/api/runs", {"status": "failed", "until": between}))
        == 10
    )


async def test_without_a_key_a_double_submit_replays_once(host: Any) -> None:
    """A caller that sends no Idempotency-Key: the same query submitted twice (a retried
    request, a double click) acts once; a confirmed dry run's snapshot is acted on once; a
    different query is a new action."""
    _, client = host
    await mixed_history(client)
    filters = {"endpoint": "alpha", "status": "failed"}
    listed = await listing(client, "/api/runs", filters)
    before = len(await listing(client, "/api/runs", {}, limit=500))

    first, second = await asyncio.gather(
        bulk(client, "/api/runs/replay", filters), bulk(client, "/api/runs/replay", filters)
    )
    codes = sorted([first.status_code, second.status_code])
    assert codes in ([200, 202], [202, 409]), (first.text, second.text)
    done = first if first.status_code == 202 else second
    assert done.json()["replayed"] == len(listed)
    again = await bulk(client, "/api/runs/replay", filters)
    assert again.status_code == 200 and again.json()["repeated"] is True
    assert again.json()["id"] == done.json()["id"]
    after = await settled(client)
    assert len(after) == before + len(listed)  # replayed once, not twice or three times

    # a dry run's snapshot: acting on it twice (no key) acts once
    beta = {"endpoint": "beta"}
    dry = (await bulk(client, "/api/runs/replay", {**beta, "dry_run": True})).json()
    act = {**beta, "snapshot": dry["snapshot"]}
    one = await bulk(client, "/api/runs/replay", act)
    two = await bulk(client, "/api/runs/replay", act)
    assert (one.status_code, two.status_code) == (202, 200), (one.text, two.text)
    assert one.json()["replayed"] == dry["count"] and two.json()["id"] == one.json()["id"]
    assert len(await settled(client)) == len(after) + dry["count"]
    actions = (await client.get("/api/bulk-actions")).json()["items"]
    assert len(actions) == 2


async def test_redeliver_requests_matches_the_listing_and_skips_what_cannot_go(
    host: Any,
) -> None:
    server, client = host
    await deliver(client, "alpha", 3)
    # a duplicate (same Idempotency-Key), a rejected request and one more accepted on gamma
    for _ in range(2):
        r = await client.post(
            "/webhooks/gamma",
            content=b"{}",
            headers={"x-ok": "yes", "Idempotency-Key": "same-delivery"},
        )
        assert r.status_code == 200
    assert r.json()["duplicate"] is True
    assert (await client.post("/webhooks/gamma", content=b"{}")).status_code == 401
    await settled(client)

    filters = {"endpoint": "gamma"}
    listed = await listing(client, "/api/requests", filters, limit=2)
    assert sorted(x["status"] for x in listed) == ["accepted", "duplicate", "rejected"]
    original = next(x["id"] for x in listed if x["status"] == "accepted")
    dry = (await bulk(client, "/api/requests/redeliver", {**filters, "dry_run": True})).json()
    assert dry["count"] == 3 and [x["id"] for x in dry["sample"]] == [x["id"] for x in listed]

    r = await bulk(client, "/api/requests/redeliver", filters, key="gamma-1")
    assert r.status_code == 202, r.text
    action = r.json()
    assert action["kind"] == "redeliver_requests" and action["matched"] == 3
    # the original re-delivered once (its duplicate repeats it), the rejected one skipped
    assert action["replayed"] == 1 and action["skipped"] == 2 and action["new_runs"] == 0
    reasons = {x["id"]: x["reason"] for x in action["skipped_items"]}
    rejected = next(x["id"] for x in listed if x["status"] == "rejected")
    assert "rejected request cannot be re-delivered" in reasons[rejected]
    assert original in next(v for k, v in reasons.items() if k != rejected)

    # alpha: every request re-delivered to today's jobs (two each: ok and picky)
    runs_before = len(await listing(client, "/api/runs", {}, limit=500))
    r = await bulk(client, "/api/requests/redeliver", {"endpoint": "alpha"}, key="alpha-1")
    assert r.json()["replayed"] == 3 and r.json()["new_runs"] == 6
    assert len(await settled(client)) == runs_before + 6
    again = await bulk(client, "/api/requests/redeliver", {"endpoint": "alpha"}, key="alpha-1")
    assert again.status_code == 200 and again.json()["repeated"] is True
    assert len(await listing(client, "/api/runs", {}, limit=500)) == runs_before + 6
    kinds = [a["kind"] for a in (await client.get("/api/bulk-actions")).json()["items"]]
    assert kinds == ["redeliver_requests", "redeliver_requests"]
    assert (await server.store.list_bulk_actions(limit=1)).next_before_id is not None


async def test_bulk_input_is_checked_and_needs_the_token(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bad.db'}", admin_token=TOKEN)
    server = HookpointServer(build_app(), settings)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as anon:
            r = await anon.post("/api/runs/replay", json={"all": True})
            assert r.status_code == 401
            r = await anon.get("/api/bulk-actions")
            assert r.status_code == 401
            anon.headers.update(AUTH)
            cases: list[tuple[str, Any, str]] = [
                ("/api/runs/replay", {}, 'no filter given: to act on every one, say so with "all"'),
                ("/api/runs/replay", {"stauts": "failed"}, "unknown field 'stauts'"),
                ("/api/runs/replay", {"status": "broken"}, "status must be one of cancelled"),
                ("/api/runs/replay", {"since": "yesterday"}, "since must be Unix seconds, ISO"),
                ("/api/runs/replay", {"until": "nan"}, "until must be Unix seconds, ISO"),
                ("/api/runs/replay", {"until": 10**400}, "until must be Unix seconds, ISO"),
                ("/api/runs/replay", {"all": True, "job": "ok"}, '"all": true means no filter'),
                ("/api/runs/replay", {"all": "yes"}, "all: Input should be a valid boolean"),
                ("/api/runs/replay", {"job": "ok", "snapshot": "x"}, "snapshot must be an id"),
                ("/api/runs/replay", [1], "the body must be a JSON object"),
                ("/api/requests/redeliver", {"job": "ok"}, "unknown field 'job'"),
                ("/api/requests/redeliver", {"status": "failed"}, "status must be one of accepted"),
                ("/api/requests/redeliver", {"endpoint": "a\x00"}, "NUL characters"),
            ]
            for path, body, message in cases:
                r = await anon.post(path, json=body, headers={"Idempotency-Key": "k"})
                assert r.status_code == 400, (body, r.text)
                assert r.json()["error"] == "bad_request" and message in r.json()["message"], (
                    body,
                    r.json(),
                )
            r = await anon.post(
                "/api/runs/replay", content=b"{nope", headers={"Content-Type": "application/json"}
            )
            assert r.status_code == 400 and r.json()["message"] == "the body is not JSON"
            r = await anon.post("/api/runs/replay", data={"all": "true"})
            assert r.status_code == 415
            r = await anon.post(
                "/api/runs/replay", json={"all": True}, headers={"Idempotency-Key": "x" * 201}
            )
            assert r.status_code == 400
            # a dry run needs no key; an empty store matches nothing
            r = await anon.post("/api/runs/replay", json={"all": True, "dry_run": True})
            assert r.status_code == 200 and r.json()["count"] == 0
            r = await anon.get("/api/runs", params={"status": "nope"})
            assert r.status_code == 400 and "status must be one of" in r.json()["message"]
            assert (await server.store.list_bulk_actions()).items == ()


# -- the dashboard's forms (the browser test clicks through them; here: what they refuse) -------


async def test_dashboard_bulk_forms(tmp_path: Path) -> None:
    import re

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'dash.db'}", admin_token=TOKEN)
    server = HookpointServer(build_app(), settings)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            await deliver(c, "alpha", 2)
            await c.post("/webhooks/gamma", content=b"{}")  # rejected
            c.headers.update(AUTH)
            await settled(c)
            del c.headers["Authorization"]
            login_page = await c.get("/dashboard/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text)
            assert csrf
            r = await c.post("/dashboard/login", data={"csrf_token": csrf.group(1), "token": TOKEN})
            assert r.status_code == 303

            # no filter: the confirm page asks for the box to be ticked, and the form needs it
            page = await c.get("/dashboard/requests/bulk-redeliver")
            assert page.status_code == 200
            assert "every request in the store" in page.text and 'name="all"' in page.text
            assert '<span id="bulk-count">3</span>' in page.text  # 2 alpha, 1 rejected
            form = dict(
                re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
            )
            assert set(form) == {"csrf_token", "key", "snapshot"}
            r = await c.post("/dashboard/requests/bulk-redeliver", data=form)
            assert r.status_code == 400 and "no filter given" in r.text
            bad = {**form, "all": "1", "key": "short"}
            r = await c.post("/dashboard/requests/bulk-redeliver", data=bad)
            assert r.status_code == 400 and "no valid token" in r.text
            r = await c.post(
                "/dashboard/requests/bulk-redeliver",
                data={**form, "all": "1"} | {"csrf_token": "x" * 40},
            )
            assert r.status_code == 403
            r = await c.post(
                "/dashboard/requests/bulk-redeliver", data={"all": "1", "key": form["key"]}
            )
            assert r.status_code == 400  # no CSRF token
            assert (await server.store.list_bulk_actions()).items == ()

            r = await c.post("/dashboard/requests/bulk-redeliver", data={**form, "all": "1"})
            assert r.status_code == 303
            result = await c.get(r.headers["location"])
            assert "Re-delivered 2 of 3 requests: 4 new run(s); 1 skipped." in result.text
            assert "rejected request cannot be re-delivered" in result.text
            again = await c.post("/dashboard/requests/bulk-redeliver", data={**form, "all": "1"})
            assert again.headers["location"] == r.headers["location"]
            (action,) = (await server.store.list_bulk_actions()).items
            assert action.actor.startswith("dashboard login ") and action.query == {"all": True}

            # bad filters are a 400 page, on the listing and on the confirm page
            for path in ("/dashboard/runs", "/dashboard/runs/bulk-replay"):
                r = await c.get(path, params={"since": "soon"})
                assert r.status_code == 400 and "since must be Unix seconds" in r.text
            listing = await c.get("/dashboard/runs", params={"endpoint": "alpha", "job": "ok"})
            assert "/dashboard/runs/bulk-replay?endpoint=alpha&amp;job=ok" in listing.text
            log = await c.get("/dashboard/bulk-actions")
            assert action.id in log.text and "re-deliver requests" in log.text


async def test_an_action_stopped_half_way_is_recorded_as_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted after its first chunk (Ctrl-C in the CLI, a host shutting down): the record
    says failed, with what was done; its key returns that record, it does not start again."""
    from hookpoint import _bulk
    from hookpoint.store import NewRequest, NewRun, new_id, open_store

    monkeypatch.setattr(_bulk, "CHUNK", 2)
    async with open_store(f"sqlite:///{tmp_path / 'stop.db'}") as store:
        for _ in range(5):
            await store.ingest(
                NewRequest(
                    id=new_id(),
                    endpoint_id="alpha",
                    method="POST",
                    url="http://127.0.0.1/webhooks/alpha",
                    headers=(),
                    body=b"{}",
                    received_at=time.time(),
                    runs=(NewRun(job_id="ok", job_version="1", max_attempts=1),),
                )
            )

        def stop(n: int) -> None:
            raise KeyboardInterrupt

        selection = _bulk.RunReplay(endpoint="alpha")
        with pytest.raises(KeyboardInterrupt):
            await _bulk.perform(
                store, selection, actor="cli t@h", client=None, key="cli:k", progress=stop
            )
        (action,) = (await store.list_bulk_actions()).items
        assert action.status == "failed" and action.error == "stopped: interrupted"
        assert (action.matched, action.replayed, action.skipped) == (5, 2, 3)
        assert len(action.run_ids) == 2
        again, created = await _bulk.perform(
            store, selection, actor="cli t@h", client=None, key="cli:k"
        )
        assert not created and again.id == action.id and again.status == "failed"
        assert len((await store.list_runs(RunQuery(limit=100))).items) == 7
