"""Checkpoints by time and on demand, and a database from before chaining upgraded with its
reviews and access log chained so that it verifies."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from guard.audit import queries
from guard.audit.checkpoints import CheckpointLog, read_file
from guard.audit.database import Database
from guard.audit.migrate import upgrade
from guard.audit.models import CheckpointRow
from guard.audit.signing import generate, load_verifier
from guard.audit.verify import verify
from guard.audit.writer import DatabaseAuditSink
from guard.cli import app as cli
from guard.config import Settings
from tests.audit.records import a_record


def _kinds(database: Database) -> list[tuple[str, int]]:
    with database.engine.connect() as conn:
        query = select(CheckpointRow.kind, CheckpointRow.seq).order_by(CheckpointRow.id)
        return [(k, s) for k, s in conn.execute(query)]


async def test_a_quiet_writer_still_signs_its_head_after_the_interval(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'g.db'}")
    upgrade(database.engine)
    log = CheckpointLog(database, signer=None, directory=tmp_path / "cp")
    sink = DatabaseAuditSink(
        database,
        spool_dir=tmp_path / "spool",
        replica="t",
        checkpoints=log,
        checkpoint_every=(None, 0.3),
    )
    await sink.start()
    for i in range(3):
        await sink.record(a_record(i))
    for _ in range(60):
        await asyncio.sleep(0.1)
        if ("checkpoint", 2) in _kinds(database):
            break
    assert _kinds(database) == [("open", -1), ("checkpoint", 2)], "signed before any shutdown"
    await sink.aclose()
    assert _kinds(database)[-1] == ("close", 2)
    assert [c["kind"] for c in read_file(tmp_path / "cp") or []] == ["open", "checkpoint", "close"]


def test_checkpoint_every_accepts_records_seconds_or_both() -> None:
    assert Settings(audit_checkpoint_every="500").checkpoint_interval == (500, None)
    assert Settings(audit_checkpoint_every="30s").checkpoint_interval == (None, 30.0)
    assert Settings().checkpoint_interval == (1000, 60.0)
    with pytest.raises(ValueError, match="GUARD_AUDIT_CHECKPOINT_EVERY"):
        Settings(audit_checkpoint_every="often")


def test_checkpoint_command_signs_every_uncovered_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(tmp_path / "keys")
    url = f"sqlite:///{tmp_path / 'g.db'}"
    database = Database(url)
    upgrade(database.engine)
    sink = DatabaseAuditSink(database, spool_dir=tmp_path / "spool", replica="t")  # no checkpoints

    async def write() -> None:
        await sink.start()
        for i in range(4):
            await sink.record(a_record(i))
        await sink.aclose()

    asyncio.run(write())
    queries.record_access(database, actor="a", action="list", target={})
    key = tmp_path / "keys" / "audit-signing.key"
    verifier = load_verifier(tmp_path / "keys" / "audit-signing.pub")
    unsigned = verify(database, verifier=verifier, checkpoint_dir=tmp_path / "cp")
    assert "no checkpoint signed by the audit key" in str(unsigned.problems[0])
    monkeypatch.setenv("GUARD_DATABASE_URL", url)
    monkeypatch.setenv("GUARD_AUDIT_SIGNING_KEY", str(key))
    monkeypatch.setenv("GUARD_AUDIT_CHECKPOINT_DIR", str(tmp_path / "cp"))
    done = CliRunner().invoke(cli, ["audit", "checkpoint"])
    assert done.exit_code == 0 and "2 checkpoints written, signed" in done.stdout
    assert verify(database, verifier=verifier, checkpoint_dir=tmp_path / "cp").problems == []
    again = CliRunner().invoke(cli, ["audit", "checkpoint"])
    assert "0 checkpoints written" in again.stdout


def test_upgrading_a_database_from_before_chaining_chains_its_reviews_and_access_log(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(database.engine, "0002")
    with database.engine.begin() as conn:  # rows as the previous release wrote them
        conn.execute(
            text(
                "INSERT INTO reviews (decision_id, reviewer, verdict, note, time) VALUES "
                "(:d, 'rita', 'confirmed', 'old note', '2026-11-30 10:00:00.000000')"
            ),
            {"d": "00000000-0000-7000-8000-000000000000"},
        )
        for i in range(2):
            conn.execute(
                text(
                    "INSERT INTO audit_access (time, actor, action, target) VALUES "
                    "(:t, 'rita', 'list', '{\"app\": \"x\"}')"
                ),
                {"t": f"2026-11-30 10:00:0{i}.000000"},
            )
    upgrade(database.engine)
    assert verify(database).problems == []
    sink = DatabaseAuditSink(database, spool_dir=tmp_path / "spool", replica="t")

    async def write() -> None:
        await sink.start()
        await sink.record(a_record(0))
        await sink.aclose()

    asyncio.run(write())
    queries.add_review(
        database,
        decision_id="00000000-0000-7000-8000-000000000000",
        reviewer="rita",
        verdict="false_positive",
        note="",
    )
    queries.record_access(database, actor="rita", action="list", target={})
    report = verify(database)
    assert report.problems == [] and report.by_table == {
        "decisions": 1,
        "reviews": 2,
        "audit_access": 3,
    }
