"""The SQLite file deleted while serving: noticed, reported by /readyz and the log, and the
records kept in the spool until a restart puts them in the new file."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx
import pytest

from guard.app import create_app
from guard.audit.database import Database
from guard.config import Settings
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parents[2]


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        generator="fake",
        database_url=f"sqlite:///{tmp_path / 'guard.db'}",
        spool_dir=tmp_path / "spool",
        policy_dir=ROOT / "policies",
        policy_watch=False,
    )


def _chat(base: str) -> str:
    body = {"model": "fake-model", "messages": [{"role": "user", "content": "Hello there"}]}
    response = httpx.post(f"{base}/v1/chat/completions", json=body)
    assert response.status_code == 200
    return response.headers["x-guard-decision-id"]


def test_a_deleted_database_file_is_reported_and_its_records_survive_a_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "guard.db"
    with live_server(create_app(_settings(tmp_path))) as base:
        assert httpx.get(f"{base}/readyz").status_code == 200
        first = _chat(base)
        _wait_stored(db, first)
        for path in tmp_path.glob("guard.db*"):
            path.unlink()
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 503
        assert "was deleted while serving" in ready.json()["checks"]["database"]
        with caplog.at_level(logging.ERROR, logger="guard.audit"):
            lost = _chat(base)
    assert any("deleted while serving" in r.getMessage() for r in caplog.records)
    assert any(lost in p.read_text() for p in (tmp_path / "spool").glob("spool-*.jsonl"))

    with live_server(create_app(_settings(tmp_path))) as base:  # the next start
        assert httpx.get(f"{base}/readyz").status_code == 200
    with Database(f"sqlite:///{db}").engine.connect() as conn:
        from sqlalchemy import text

        found = conn.execute(text("SELECT id FROM decisions WHERE id = :id"), {"id": lost})
        assert found.first() is not None, "the spooled record reached the new file"


def test_a_database_file_made_immutable_does_not_kill_the_process(tmp_path: Path) -> None:
    import subprocess

    db = tmp_path / "guard.db"
    with live_server(create_app(_settings(tmp_path))) as base:
        _wait_stored(db, _chat(base))  # the writer is idle: nothing is mid-write below
        files = [str(p) for p in tmp_path.glob("guard.db*")]
        if subprocess.run(["chattr", "+i", *files], capture_output=True).returncode != 0:
            pytest.skip("this file system has no immutable flag (chattr)")
        try:
            # SQLite writes its memory-mapped WAL index even to read: this was a SIGBUS.
            held = _chat(base)
            ready = httpx.get(f"{base}/readyz")
            assert ready.status_code == 503
            assert "is not writable" in ready.json()["checks"]["database"]
        finally:
            subprocess.run(["chattr", "-i", *files], check=True)
        deadline = time.monotonic() + 10
        while not _stored(db, held):
            assert time.monotonic() < deadline, "the spooled record was not replayed"
            time.sleep(0.2)


def _wait_stored(db: Path, decision_id: str) -> None:
    deadline = time.monotonic() + 10
    while not _stored(db, decision_id):
        assert time.monotonic() < deadline, "the record did not reach the database"
        time.sleep(0.05)


def _stored(db: Path, decision_id: str) -> bool:
    from sqlalchemy import text

    database = Database(f"sqlite:///{db}")
    try:
        with database.engine.connect() as conn:
            query = text("SELECT id FROM decisions WHERE id = :id")
            return conn.execute(query, {"id": decision_id}).first() is not None
    finally:
        database.dispose()
