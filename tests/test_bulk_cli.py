"""``hookpoint runs replay`` / ``hookpoint requests redeliver`` (recovery by query) through
click's CliRunner, against a real SQLite store: dry run, the confirmation prompt (no, yes,
``--yes``), exactly the matching runs replayed, the audit log, bad input, and ``--since 9:00``."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hookpoint.cli import _clock_time, cli
from hookpoint.store import NewRequest, NewRun, RunQuery, new_id, open_store

ROOT = Path(__file__).resolve().parent.parent


def seed(db: Path, endpoint: str, n: int, *, fail: int, body: bytes = b"{}") -> list[str]:
    """``n`` accepted requests with one run each of job ``<endpoint>-job``; ``fail`` of them
    claimed and failed for good (as a worker does), the rest still queued. Their run ids."""

    job = f"{endpoint}-job"

    async def go() -> list[str]:
        async with open_store(str(db)) as store:
            run_ids = []
            for _ in range(n):
                result = await store.ingest(
                    NewRequest(
                        id=new_id(),
                        endpoint_id=endpoint,
                        method="POST",
                        url=f"http://127.0.0.1/webhooks/{endpoint}",
                        headers=(("content-type", "application/json"),),
                        body=body,
                        received_at=time.time(),
                        runs=(NewRun(job_id=job, job_version="1", max_attempts=1),),
                    )
                )
                run_ids += result.run_ids
            for _ in range(fail):
                claimed = await store.claim_runs("w", limit=1, lease_seconds=30, job_ids=[job])
                (one,) = claimed
                await store.fail_attempt("w", one.run.id, one.attempt, error="boom", retry_at=None)
            return run_ids

    return asyncio.run(go())


def all_runs(db: Path) -> list[Any]:
    async def go() -> list[Any]:
        async with open_store(str(db)) as store:
            return list((await store.list_runs(RunQuery(limit=1000))).items)

    return asyncio.run(go())


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HOOKPOINT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(ROOT)  # examples.app:hp
    return CliRunner()


def test_runs_replay_dry_run_prompt_and_yes(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    alpha = seed(db, "alpha", 5, fail=3)
    seed(db, "beta", 2, fail=2)
    failed_alpha = {r.id for r in all_runs(db) if r.endpoint_id == "alpha" and r.status == "failed"}
    assert len(failed_alpha) == 3 and failed_alpha <= set(alpha)
    args = ["runs", "replay", "--endpoint", "alpha", "--status", "failed"]

    dry = runner.invoke(cli, [*args, "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    shown = json.loads(dry.output)
    assert shown["dry_run"] is True and shown["count"] == 3
    assert {r["id"] for r in shown["sample"]} == failed_alpha
    assert len(all_runs(db)) == 7

    # the prompt: "no" changes nothing
    refused = runner.invoke(cli, args, input="n\n")
    assert refused.exit_code == 1 and "nothing done" in refused.output
    assert "3 run(s) match" in refused.output and "Replay these 3 run(s)?" in refused.output
    assert len(all_runs(db)) == 7

    # "yes": exactly the three failed alpha runs, once each
    done = runner.invoke(cli, args, input="y\n")
    assert done.exit_code == 0, done.output
    assert "replayed 3 of 3 run(s); 0 skipped; bulk action" in done.output
    runs = all_runs(db)
    assert len(runs) == 10
    assert sorted(r.replay_of for r in runs if r.replay_of) == sorted(failed_alpha)

    # --yes --json: no prompt; beta's two
    beta = runner.invoke(cli, ["runs", "replay", "--endpoint", "beta", "--yes", "--json"])
    assert beta.exit_code == 0, beta.output
    action = json.loads(beta.output)
    assert action["replayed"] == action["new_runs"] == 2 and action["actor"].startswith("cli ")
    assert action["query"] == {"endpoint": "beta"} and len(action["run_ids"]) == 2

    # the audit log, newest first
    logged = json.loads(runner.invoke(cli, ["bulk-actions", "--json"]).output)
    assert [a["query"] for a in logged] == [
        {"endpoint": "beta"},
        {"endpoint": "alpha", "status": "failed"},
    ]
    one = json.loads(runner.invoke(cli, ["bulk-actions", logged[0]["id"]]).output)
    assert one["run_ids"] == action["run_ids"]

    # the old bulk form of `hookpoint replay` is the same command (dry run unless --yes)
    old = runner.invoke(cli, ["replay", "--status", "queued", "--json"])
    assert old.exit_code == 0 and json.loads(old.output)["count"] == 2 + 5  # 2 left, 5 new


def test_runs_replay_refuses_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    seed(tmp_path / "cli.db", "alpha", 1, fail=1)
    empty = runner.invoke(cli, ["runs", "replay", "--yes"])
    assert empty.exit_code == 2 and "no filter given" in empty.output
    bad = runner.invoke(cli, ["runs", "replay", "--since", "last tuesday", "--yes"])
    assert bad.exit_code == 2 and "since must be Unix seconds, ISO-8601" in bad.output
    both = runner.invoke(cli, ["runs", "replay", "--all", "--job", "alpha-job", "--yes"])
    assert both.exit_code == 2 and "means no filter" in both.output
    everything = runner.invoke(cli, ["runs", "replay", "--all", "--dry-run", "--json"])
    assert everything.exit_code == 0 and json.loads(everything.output)["count"] == 1
    none = runner.invoke(cli, ["runs", "replay", "--job", "nope", "--yes"])
    assert none.exit_code == 0 and "no run(s) match" in none.output
    assert len(all_runs(tmp_path / "cli.db")) == 1


def test_requests_redeliver_offers_them_to_todays_jobs(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    body = json.dumps({"triggerEvent": "BOOKING_CANCELLED", "payload": {"uid": "u1"}}).encode()
    seed(db, "caldotcom", 2, fail=0, body=body)
    result = runner.invoke(
        cli,
        ["requests", "redeliver", "--app", "examples.app:hp", "--endpoint", "caldotcom", "-y"],
    )
    assert result.exit_code == 0, result.output
    assert "re-delivered 2 of 2 request(s), 2 new run(s)" in result.output
    jobs = [r.job_id for r in all_runs(db)]
    assert jobs.count("http-caldotcom") == 2  # examples.app's job for BOOKING_CANCELLED
    missing_app = runner.invoke(cli, ["requests", "redeliver", "--endpoint", "x", "-y"])
    assert missing_app.exit_code == 2 and "--app" in missing_app.output


def test_a_bare_time_of_day_is_the_last_such_moment_here() -> None:
    tz = timezone(timedelta(hours=2))
    now = datetime(2026, 11, 27, 10, 30, tzinfo=tz)
    assert _clock_time("9:00", now) == str(datetime(2026, 11, 27, 9, 0, tzinfo=tz).timestamp())
    yesterday = datetime(2026, 11, 26, 11, 15, 30, tzinfo=tz).timestamp()
    assert _clock_time("11:15:30", now) == str(yesterday)
    assert _clock_time("2026-11-27T09:00Z", now) == "2026-11-27T09:00Z"
    assert _clock_time("25:00", now) == "25:00"  # left to the model's message
