"""An endpoint's counts per hour, in-process: ``GET /api/endpoints/<id>/stats`` and the
dashboard's charts (the endpoints page's sparklines, the endpoint page's two charts), from real
deliveries to a real host on SQLite. The store's counting itself is tested on both backends in
``tests/store/test_hourly_activity.py``; the charts' drawing in ``tests/test_charts.py``."""

from __future__ import annotations

import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookpoint import StoreUnavailable
from hookpoint._server import HookpointServer
from hookpoint.store import HOUR, RunQuery

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    from test_dashboard import TOKEN, login, send_cal, wait_for_status
    from test_dashboard import dash as host  # noqa: F401 - the host with a token, as a fixture
finally:
    sys.path.remove(str(HERE))

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SVG = "{http://www.w3.org/2000/svg}"


async def deliver(server: HookpointServer, client: httpx.AsyncClient) -> None:
    """Two bookings, a repeat of the first, a forged one and a test delivery; waits for the
    runs (the app's one job takes every booking) to succeed."""
    assert (await send_cal(client, uid="uid-1")).json()["duplicate"] is False
    assert (await send_cal(client, uid="uid-2")).json()["duplicate"] is False
    assert (await send_cal(client, uid="uid-1")).json()["duplicate"] is True
    assert (await send_cal(client, uid="uid-3", secret="wrong")).status_code == 401
    await server.runtime.deliver_test("caldotcom", "booking_created")
    for run in (await server.store.list_runs(RunQuery())).items:
        await wait_for_status(server, run.id, "succeeded")


def svgs(html: str) -> list[ET.Element]:
    """Every inline ``<svg>`` of a page, parsed as XML."""
    found = []
    rest = html
    while "<svg" in rest:
        start = rest.index("<svg")
        end = rest.index("</svg>", start) + len("</svg>")
        found.append(ET.fromstring(rest[start:end]))
        rest = rest[end:]
    return found


def counts_of(svg: ET.Element) -> dict[str, int]:
    out: dict[str, int] = {}
    for rect in svg.iter(f"{SVG}rect"):
        classes = (rect.get("class") or "").split()
        if "seg" in classes:
            key = classes[1].removeprefix("seg-")
            out[key] = out.get(key, 0) + int(rect.get("data-count") or 0)
    return out


async def test_the_stats_route_counts_an_endpoints_hours(host: Any) -> None:
    server, client = host
    before = time.time()
    await deliver(server, client)
    r = await client.get("/api/endpoints/caldotcom/stats", headers=AUTH)
    assert r.status_code == 200, r.text
    stats = r.json()
    assert stats["endpoint"] == "caldotcom" and stats["hours"] == 24
    assert len(stats["buckets"]) == 24
    assert stats["totals"]["requests"] == {
        "accepted": 2,
        "duplicate": 1,
        "rejected": 1,
        "handshake": 0,
        "test": 1,  # the test delivery is not counted as the sender's
    }
    # the runs of the two bookings and of the test delivery
    assert stats["totals"]["runs"] == {
        "queued": 0,
        "running": 0,
        "succeeded": 3,
        "failed": 0,
        "cancelled": 0,
    }
    # everything arrived in the current hour (the last bucket); the others are zero
    current = {time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime(t)) for t in (before, time.time())}
    last = stats["buckets"][-1]
    assert last["hour"] in current
    assert last["requests"] == stats["totals"]["requests"] or len(current) == 2
    assert all(not any(b["requests"].values()) for b in stats["buckets"][:-2])
    hours = [b["hour"] for b in stats["buckets"]]
    assert hours == sorted(hours) and stats["since"] == hours[0]
    start = time.mktime(time.strptime(hours[-1], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert stats["until"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + HOUR))

    two = (await client.get("/api/endpoints/caldotcom/stats?hours=2", headers=AUTH)).json()
    assert two["hours"] == 2 and [b["hour"] for b in two["buckets"]] == hours[-2:]
    quiet = (await client.get("/api/endpoints/open/stats", headers=AUTH)).json()
    assert quiet["totals"]["requests"] == dict.fromkeys(stats["totals"]["requests"], 0)


async def test_the_stats_route_refuses_what_it_cannot_answer(host: Any) -> None:
    _, client = host
    assert (await client.get("/api/endpoints/caldotcom/stats")).status_code == 401
    missing = await client.get("/api/endpoints/nope/stats", headers=AUTH)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    for bad in ("0", "169", "-1", "1.5", "abc", "²", "9" * 40):
        r = await client.get(f"/api/endpoints/caldotcom/stats?hours={bad}", headers=AUTH)
        assert r.status_code == 400, bad
        assert r.json() == {
            "error": "bad_request",
            "message": "hours must be a whole number from 1 to 168",
        }
    assert (
        await client.get("/api/endpoints/caldotcom/stats?hours=168", headers=AUTH)
    ).status_code == 200


async def test_dashboard_pages_draw_the_counts(host: Any) -> None:
    server, client = host
    await deliver(server, client)
    await login(client)
    page = (await client.get("/dashboard/endpoints")).text
    sparks = svgs(page)
    assert len(sparks) == 2  # one per endpoint
    names = [s.find(f"{SVG}title") for s in sparks]
    cal, other = (server.hp.endpoints[e].title for e in ("caldotcom", "open"))
    assert [n.text if n is not None else None for n in names] == [
        f"Requests to {cal} per hour, last 24 hours: 5 "
        "(2 accepted, 1 duplicate, 1 rejected, 1 test)",
        f"Requests to {other} per hour, last 24 hours: none",
    ]
    assert all(s.get("role") == "img" for s in sparks)
    assert counts_of(sparks[0]) == {"accepted": 2, "duplicate": 1, "rejected": 1, "test": 1}
    assert counts_of(sparks[1]) == {}
    assert "5 requests" in page and "1 rejected" in page

    detail = (await client.get("/dashboard/endpoints/caldotcom")).text
    requests_chart, runs_chart = svgs(detail)
    assert counts_of(requests_chart) == {"accepted": 2, "duplicate": 1, "rejected": 1, "test": 1}
    assert counts_of(runs_chart) == {"succeeded": 3}
    for chart in (requests_chart, runs_chart):
        table_id = chart.get("aria-describedby")
        assert table_id
        assert f'<div class="visually-hidden"><table class="counts" id="{table_id}">' in detail
    assert '<th scope="col">Hour (UTC)</th>' in detail
    empty = svgs((await client.get("/dashboard/endpoints/open")).text)
    assert [counts_of(c) for c in empty] == [{}, {}]
    texts = [t.text for c in empty for t in c.iter(f"{SVG}text") if t.get("class") == "empty"]
    assert texts == ["No requests in the last 24 hours", "No runs in the last 24 hours"]


async def test_without_the_store_the_pages_still_show_the_endpoints(
    host: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, client = host
    await login(client)

    async def unavailable(**_: Any) -> Any:
        raise StoreUnavailable("the database is unreachable")

    monkeypatch.setattr(server.store, "hourly_activity", unavailable)
    page = await client.get("/dashboard/endpoints")
    assert page.status_code == 200 and "counts unavailable" in page.text
    detail = await client.get("/dashboard/endpoints/caldotcom")
    assert detail.status_code == 200 and "no counts to show" in detail.text
    api = await client.get("/api/endpoints/caldotcom/stats", headers=AUTH)
    assert api.status_code == 503 and api.json()["error"] == "store_unavailable"
