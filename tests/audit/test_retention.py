"""Retention with legal holds: due records go, held ones stay, every chain still verifies
and says what was purged; the floor holds; `guard serve` purges by itself."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from typer.testing import CliRunner

import guard.app
from guard.app import create_app
from guard.audit import chained, queries
from guard.audit.checkpoints import CheckpointLog
from guard.audit.database import Database
from guard.audit.migrate import upgrade
from guard.audit.models import AccessRow, DecisionRow, ReviewRow
from guard.audit.retention import create_hold, purge, release_hold
from guard.audit.signing import generate, load_signer, load_verifier
from guard.audit.verify import verify
from guard.audit.writer import DatabaseAuditSink
from guard.cli import app
from guard.config import Settings
from tests.audit.records import a_record
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parents[2]
OLD = datetime.now(UTC) - timedelta(days=400)


async def _seed(database: Database, log: CheckpointLog, tmp_path: Path) -> list[str]:
    """Old records of apps a and b interleaved (b held later), then recent ones."""
    upgrade(database.engine)
    sink = DatabaseAuditSink(database, spool_dir=tmp_path / "spool", replica="t", checkpoints=log)
    await sink.start()
    plan = [("a", OLD)] * 3 + [("b", OLD)] + [("a", OLD)] * 2 + [("a", datetime.now(UTC))] * 2
    ids = []
    for i, (app_name, when) in enumerate(plan):
        record = a_record(i, app=app_name, when=when)
        await sink.record(record)
        ids.append(record.decision_id)
    await sink.aclose()
    queries.add_review(database, decision_id=ids[0], reviewer="r", verdict="confirmed", note="")
    queries.add_review(database, decision_id=ids[7], reviewer="r", verdict="confirmed", note="")
    chained.in_chain_transaction(
        database,
        lambda conn: chained.append(
            conn, "audit_access", {"time": OLD, "actor": "r", "action": "list", "target": {}}
        ),
    )
    return ids


def _ids(database: Database, model: type) -> list[object]:
    with database.engine.connect() as conn:
        column = model.decision_id if model is ReviewRow else model.id  # type: ignore[attr-defined]
        return sorted(conn.execute(select(column)).scalars())


async def test_purge_keeps_held_and_recent_records_and_the_chains_verify(tmp_path: Path) -> None:
    generate(tmp_path / "keys")
    verifier = load_verifier(tmp_path / "keys" / "audit-signing.pub")
    database = Database(f"sqlite:///{tmp_path / 'guard.db'}")
    log = CheckpointLog(
        database,
        signer=load_signer(tmp_path / "keys" / "audit-signing.key"),
        directory=tmp_path / "checkpoints",
    )
    ids = await _seed(database, log, tmp_path)
    hold = create_hold(database, reason="case 2026-17", actor="legal", app="b")

    report = purge(database, log, retention_days=365, min_retention_days=180, actor="test")
    assert report.held == 1
    assert report.deleted == {"decisions": 5, "reviews": 1, "audit_access": 1}
    assert _ids(database, DecisionRow) == [ids[3], ids[6], ids[7]]
    assert _ids(database, ReviewRow) == [ids[7]]
    checked = verify(database, verifier=verifier, checkpoint_dir=tmp_path / "checkpoints")
    assert checked.problems == []
    decisions_purge = next(p for p in checked.purges if p["table"] == "decisions")
    assert decisions_purge["reason"] == "retention: older than 365 days"
    assert [r["count"] for r in decisions_purge["ranges"]] == [3, 2]  # split by the held record

    assert release_hold(database, hold, actor="legal")
    assert not release_hold(database, hold, actor="legal")
    again = purge(database, log, retention_days=365, min_retention_days=180)
    assert again.deleted == {"decisions": 1}
    assert _ids(database, DecisionRow) == [ids[6], ids[7]]
    assert (
        verify(database, verifier=verifier, checkpoint_dir=tmp_path / "checkpoints").problems == []
    )
    with database.engine.connect() as conn:
        actions = list(conn.execute(select(AccessRow.action).order_by(AccessRow.seq)).scalars())
    assert actions == ["hold", "release"], "holds are themselves in the chained access log"


def test_retention_cannot_go_below_its_floor_unless_the_floor_is_lowered() -> None:
    with pytest.raises(ValidationError, match="below the floor"):
        Settings(audit_retention_days=90)
    assert Settings(audit_retention_days=90, audit_min_retention_days=30).audit_retention_days == 90
    assert Settings().audit_retention_days == 365 and Settings().audit_min_retention_days == 180


def test_purge_refuses_a_period_below_the_floor(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'guard.db'}")
    log = CheckpointLog(database, signer=None, directory=tmp_path / "checkpoints")
    with pytest.raises(ValueError, match="below the floor"):
        purge(database, log, retention_days=30, min_retention_days=180)


def test_hold_and_purge_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    url = f"sqlite:///{tmp_path / 'guard.db'}"
    monkeypatch.setenv("GUARD_DATABASE_URL", url)
    database = Database(url)
    log = CheckpointLog(database, signer=None, directory=tmp_path / "checkpoints")
    ids = asyncio.run(_seed(database, log, tmp_path))
    runner = CliRunner()
    held = runner.invoke(app, ["audit", "hold", "--decision", ids[0], "--reason", "subpoena"])
    assert held.exit_code == 0, held.output
    assert "subpoena" in runner.invoke(app, ["audit", "holds"]).stdout
    dry = runner.invoke(app, ["audit", "purge", "--dry-run"])
    assert "would delete 5 decisions, 1 access-log entries" in dry.stdout
    assert "1 records kept under legal hold" in dry.stdout
    assert len(_ids(database, DecisionRow)) == 8
    done = runner.invoke(app, ["audit", "purge"])
    assert done.exit_code == 0 and "deleted 5 decisions" in done.stdout
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    assert runner.invoke(app, ["audit", "release", held.stdout.strip()]).exit_code == 0
    assert runner.invoke(app, ["audit", "release", "nope"]).exit_code == 1


def test_guard_serve_purges_by_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    settings = Settings(
        generator="fake",
        database_url=f"sqlite:///{tmp_path / 'guard.db'}",
        spool_dir=tmp_path / "spool",
        policy_dir=ROOT / "policies",
        policy_watch=False,
    )
    database = Database(settings.database_url)
    log = CheckpointLog(database, signer=None, directory=settings.audit_checkpoint_dir)
    asyncio.run(_seed(database, log, tmp_path))
    monkeypatch.setattr(guard.app, "RETENTION_FIRST_AFTER_S", 0.1)
    with live_server(create_app(settings)):
        for _ in range(100):
            if len(_ids(database, DecisionRow)) == 2:
                break
            time.sleep(0.05)
    assert len(_ids(database, DecisionRow)) == 2  # the old ones of a and b are gone
    assert verify(database, checkpoint_dir=settings.audit_checkpoint_dir).problems == []
