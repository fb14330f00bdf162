"""Card numbers in the audit log: masked to first 6 / last 4 wherever stored, found again
only by HMAC; shown through the real server and `guard audit find`."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from guard.app import create_app
from guard.audit.cards import mask_cards
from guard.audit.database import Database
from guard.audit.models import DecisionRow
from guard.cli import app as cli
from guard.config import Settings
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("card 4111 1111 1111 1111 ok", "card 4111 11** **** 1111 ok"),
        ("5555-5555-5555-4444", "555555******4444"[:4] + "-55**-****-4444"),
        ("jcb 3530111333300000.", "jcb 353011******0000."),
        ("order 1234 5678 and phone 555-0100", "order 1234 5678 and phone 555-0100"),
    ],
)
def test_masking_keeps_first_six_and_last_four_and_the_length(text: str, masked: str) -> None:
    assert mask_cards(text) == masked
    assert len(mask_cards(text)) == len(text)


def test_a_card_a_policy_lets_through_is_still_masked_in_the_log_and_found_by_hmac(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a policy that lets everything through: nothing redacts the card before storage
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "open.yaml").write_text(
        "name: open\napplies_to: {apps: ['*']}\nrules:\n"
        "  - id: note-cards\n    stages: [input]\n    mode: shadow\n    action: block\n"
        "    detector: {type: keywords, words: [card]}\n"
    )
    settings = Settings(
        generator="fake",
        database_url=f"sqlite:///{tmp_path / 'guard.db'}",
        spool_dir=tmp_path / "spool",
        policy_dir=policies,
        policy_watch=False,
        hash_key="k",
    )
    with live_server(create_app(settings)) as base:
        answer = httpx.post(
            f"{base}/v1/chat/completions",
            json={
                "model": "fake-model",
                "messages": [{"role": "user", "content": "my card is 4111-1111-1111-1111"}],
            },
        )
        assert answer.status_code == 200, answer.text
        decision = answer.headers["x-guard-decision-id"]
    with Database(settings.database_url).engine.connect() as conn:
        row = dict(conn.execute(select(DecisionRow.__table__)).mappings().one())
    stored = json.dumps({k: str(v) for k, v in row.items()})
    assert "4111-1111-1111-1111" not in stored and "111111111111" not in stored
    assert "4111-11**-****-1111" in row["redacted_prompt"]
    assert len(row["card_hashes"]) == 1
    monkeypatch.setenv("GUARD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GUARD_HASH_KEY", "k")
    found = CliRunner().invoke(cli, ["audit", "find", "--card", "4111 1111 1111 1111"])
    assert found.exit_code == 0 and decision in found.stdout
    other = CliRunner().invoke(cli, ["audit", "find", "--card", "5555 5555 5555 4444"])
    assert decision not in other.stdout


def test_a_card_number_typed_into_a_search_is_masked_in_the_access_log(tmp_path: Path) -> None:
    from guard.audit import queries
    from guard.audit.migrate import upgrade
    from guard.audit.models import AccessRow

    database = Database(f"sqlite:///{tmp_path / 'g.db'}")
    upgrade(database.engine)
    queries.record_access(
        database, actor="rita", action="list", target={"text": "4111111111111111"}
    )
    with database.engine.connect() as conn:
        [target] = conn.execute(select(AccessRow.target)).scalars()
    assert target == {"text": "411111******1111"}
