"""Checking the hash chains of the audit log: edits, deletions and reorderings are named."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from guard.audit.database import Database
from guard.audit.models import DecisionRow
from guard.audit.rows import GENESIS, row_hash


@dataclass(frozen=True)
class ChainProblem:
    chain_id: str
    seq: int
    decision_id: str | None
    reason: str

    def __str__(self) -> str:
        who = f" (decision {self.decision_id})" if self.decision_id else ""
        return f"chain {self.chain_id}: record {self.seq}{who}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    chains: int
    records: int
    problems: list[ChainProblem]


def _rows(database: Database) -> Iterator[dict[str, Any]]:
    columns = [c for c in DecisionRow.__table__.columns if c.name != "review_status"]
    query = select(*columns).order_by(DecisionRow.chain_id, DecisionRow.seq)
    with database.engine.connect() as conn:
        for row in conn.execute(query).mappings():
            yield dict(row)


def verify(database: Database) -> ChainReport:
    """Walk every chain in order; report the first bad record of each chain."""
    problems: list[ChainProblem] = []
    chains = records = 0
    current: str | None = None
    expected_seq, prev, broken = 0, GENESIS, False
    for row in _rows(database):
        records += 1
        if row["chain_id"] != current:
            current, expected_seq, prev, broken = row["chain_id"], 0, GENESIS, False
            chains += 1
        if broken:
            continue
        problem = None
        if row["seq"] != expected_seq:
            problem = f"records {expected_seq}..{row['seq'] - 1} are missing (deleted)"
        elif row["prev_hash"] != prev:
            problem = "does not follow the record before it (reordered or a record was replaced)"
        elif row_hash(row) != row["hash"]:
            problem = "content does not match its hash (edited)"
        if problem:
            problems.append(ChainProblem(row["chain_id"], row["seq"], row["id"], problem))
            broken = True
            continue
        expected_seq, prev = row["seq"] + 1, row["hash"]
    return ChainReport(chains=chains, records=records, problems=problems)
