"""Erasure for a data subject through the admin API and the CLI, with the official `openai`
client sending `user`: the subject's texts and raw-text key go, a legal hold wins and is
named, other subjects are untouched, and every chain still verifies with the public key."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import openai
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update
from typer.testing import CliRunner

from guard.app import create_app
from guard.audit import queries
from guard.audit.database import Database
from guard.audit.models import DecisionRow, ReviewRow, SubjectKeyRow
from guard.audit.signing import generate, load_verifier
from guard.audit.subjects import subject_hash
from guard.audit.verify import verify
from guard.cli import app as cli
from guard.config import Settings
from tests.e2e.conftest import key_header
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parents[2]
ALICE, BOB = "alice-7731", "bob-1904"


def _rows(database: Database) -> list[dict[str, object]]:
    with database.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(DecisionRow.__table__)).mappings()]


def test_erasure_tombstones_a_subject_and_keeps_every_chain_verifiable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(tmp_path / "keys")
    settings = Settings(
        generator="fake",
        database_url=f"sqlite:///{tmp_path / 'guard.db'}",
        spool_dir=tmp_path / "spool",
        policy_dir=ROOT / "policies",
        policy_watch=False,
        store_raw=True,
        raw_key=Fernet.generate_key().decode(),
        hash_key="subject-hash-key-for-tests",
        audit_signing_key=tmp_path / "keys" / "audit-signing.key",
    )
    database = Database(settings.database_url)
    with live_server(create_app(settings)) as base:
        client = openai.OpenAI(base_url=f"{base}/v1", api_key="unused")
        decisions: dict[str, list[str]] = {ALICE: [], BOB: []}
        for user, text in [
            (ALICE, "My card is 4111 1111 1111 1111, can you check it?"),
            (ALICE, "Write to me at alice@example.com about my order"),
            (ALICE, "What is the capital of France?"),
            (BOB, "Mail bob@example.com the report"),
        ]:
            answer = client.chat.completions.with_raw_response.create(
                model="fake-model", messages=[{"role": "user", "content": text}], user=user
            )
            decisions[user].append(answer.headers["x-guard-decision-id"])
        for _ in range(100):  # records are written off the request path
            rows = _rows(database)
            if len(rows) == 4:
                break
            time.sleep(0.05)
        assert {r["user_hash"] for r in rows} == {
            subject_hash(b"subject-hash-key-for-tests", ALICE),
            subject_hash(b"subject-hash-key-for-tests", BOB),
        }
        assert ALICE not in json.dumps([str(v) for r in rows for v in r.values()])
        queries.add_review(
            database,
            decision_id=decisions[ALICE][1],
            reviewer="rita",
            verdict="confirmed",
            note="customer alice asked about order 5521",
        )
        admin = key_header(base, "admin")
        raw = httpx.get(
            f"{base}/v1/decisions/{decisions[ALICE][1]}?include_raw=true", headers=admin
        ).json()["raw"]
        assert "alice@example.com" in raw["prompt"], "readable under the subject's own key"
        held = httpx.post(
            f"{base}/v1/audit/holds",
            json={"decision_id": decisions[ALICE][0], "reason": "dispute 2026-88"},
            headers=admin,
        )
        assert held.status_code == 200, held.text
        refused = httpx.post(
            f"{base}/v1/audit/erasures", json={"user": ALICE}, headers=key_header(base, "reviewer")
        )
        assert refused.status_code == 403
        erased = httpx.post(f"{base}/v1/audit/erasures", json={"user": ALICE}, headers=admin)
        assert erased.status_code == 200, erased.text
        report = erased.json()
        gone = httpx.get(
            f"{base}/v1/decisions/{decisions[ALICE][1]}?include_raw=true", headers=admin
        ).json()
        assert gone["raw"] is None and "erased" in gone["redacted_prompt"]
        kept = httpx.get(
            f"{base}/v1/decisions/{decisions[BOB][0]}?include_raw=true", headers=admin
        ).json()
        assert "bob@example.com" in kept["raw"]["prompt"]
    assert report["erased_decisions"] == 2 and report["erased_reviews"] == 1
    assert report["kept_under_legal_hold"] == [decisions[ALICE][0]]
    assert report["holds"] == [held.json()["id"]]

    by_id = {r["id"]: r for r in _rows(database)}
    for ident in decisions[ALICE][1:]:
        row = by_id[ident]
        assert row["raw_encrypted"] is None
        assert "erased" in str(row["redacted_prompt"]) and "EMAIL" not in str(row["stages"])
    assert by_id[decisions[ALICE][0]]["raw_encrypted"] is not None, "the hold wins"
    assert by_id[decisions[BOB][0]]["raw_encrypted"] is not None
    with database.engine.connect() as conn:
        notes = list(conn.execute(select(ReviewRow.note)).scalars())
        subjects = list(conn.execute(select(SubjectKeyRow.user_hash)).scalars())
    assert notes == ["[erased " + notes[0].split("[erased ", 1)[1]] and "alice" not in notes[0]
    assert subjects == [subject_hash(b"subject-hash-key-for-tests", BOB)], "alice's key is gone"

    verifier = load_verifier(tmp_path / "keys" / "audit-signing.pub")
    checked = verify(database, verifier=verifier, checkpoint_dir=settings.audit_checkpoint_dir)
    assert checked.problems == [], [str(p) for p in checked.problems]
    assert checked.erasures and checked.erasures[0]["rows"] == 3

    # The CLI erases the other subject the same way.
    monkeypatch.setenv("GUARD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GUARD_HASH_KEY", "subject-hash-key-for-tests")
    monkeypatch.setenv("GUARD_AUDIT_SIGNING_KEY", str(settings.audit_signing_key))
    done = CliRunner().invoke(cli, ["audit", "erase", "--user", BOB])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["erased_decisions"] == 1
    public = str(tmp_path / "keys" / "audit-signing.pub")
    assert CliRunner().invoke(cli, ["audit", "verify", "--public-key", public]).exit_code == 0

    # An erased row changed again afterwards is an edit like any other.
    with database.engine.begin() as conn:
        conn.execute(
            update(DecisionRow)
            .where(DecisionRow.id == decisions[ALICE][1])
            .values(redacted_prompt="something else")
        )
    broken = verify(database, verifier=verifier, checkpoint_dir=settings.audit_checkpoint_dir)
    assert [p.decision_id for p in broken.problems] == [decisions[ALICE][1]]
