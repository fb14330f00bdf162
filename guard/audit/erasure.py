"""Erasure for a data subject (GDPR Art. 17), with every chain still verifiable.

The subject is found by the keyed hash of the ``user`` field their application sent. Each
of their decisions not under a legal hold has its stored texts (prompt, answer, the
per-stage texts and highlights) replaced by a tombstone and its encrypted raw text dropped;
the subject's own raw-text key is destroyed; the notes of reviews on those decisions are
tombstoned too. A signed ``erasure`` checkpoint lists every changed row with its hash
before (the one the chain links through, which stays in the row) and after (what the row
now hashes to), so ``guard audit verify`` accepts exactly these changes and no others.
The erasure itself is recorded in the access log, by subject hash, never by value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update

from guard.audit import queries
from guard.audit.chained import UNHASHED_CHAINED
from guard.audit.checkpoints import CheckpointLog
from guard.audit.database import Database
from guard.audit.models import DecisionRow, HoldRow, ReviewRow, SubjectKeyRow
from guard.audit.retention import active_holds
from guard.audit.rows import GENESIS, UNHASHED, row_hash

TABLE = "erasures"


@dataclass
class ErasureReport:
    subject: str
    erased: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    reviews: int = 0
    checkpoint: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "subject_hash": self.subject,
            "erased_decisions": len(self.erased),
            "erased_reviews": self.reviews,
            "kept_under_legal_hold": self.held,
            "holds": self.holds,
            "note": (
                "records under a legal hold are kept until the hold is released; erase again then"
                if self.held
                else ""
            ),
        }


def tombstone(when: datetime) -> str:
    return f"[erased {when:%Y-%m-%d} at the data subject's request]"


def _tombstoned(row: dict[str, Any], mark: str) -> dict[str, Any]:
    stages = [
        {**stage, "texts": [mark for _ in stage.get("texts", [])], "highlights": []}
        for stage in row["stages"]
    ]
    return {
        **row,
        "redacted_prompt": mark if row["redacted_prompt"] else "",
        "redacted_answer": mark if row["redacted_answer"] else "",
        "stages": stages,
        "raw_encrypted": None,
        "card_hashes": None,
    }


def erase(
    database: Database,
    log: CheckpointLog,
    *,
    subject: str,
    actor: str,
    reason: str = "data subject erasure request",
) -> ErasureReport:
    """Erase what the log holds about the subject with hash ``subject`` (see module doc)."""
    now = datetime.now(UTC)
    mark = tombstone(now)
    report = ErasureReport(subject=subject)
    entries: list[dict[str, Any]] = []
    changed: list[tuple[Any, Any, dict[str, Any]]] = []
    columns = [c for c in DecisionRow.__table__.columns if c.name != "review_status"]
    with database.engine.connect() as conn:
        holds = active_holds(conn)
        rows = [
            dict(r)
            for r in conn.execute(
                select(*columns).where(DecisionRow.user_hash == subject).order_by(DecisionRow.id)
            ).mappings()
        ]
        for row in rows:
            if holds.covers(row["app"], row["id"]):
                report.held.append(row["id"])
                continue
            after = _tombstoned(row, mark)
            if after == row:
                continue  # erased before
            entries.append(_entry("decisions", row, row_hash(after, UNHASHED)))
            changed.append((DecisionRow, row["id"], _changes(row, after)))
            report.erased.append(row["id"])
        if report.held:
            report.holds = sorted(
                conn.execute(
                    select(HoldRow.id).where(
                        HoldRow.released_at.is_(None),
                        (HoldRow.decision_id.in_(report.held))
                        | (HoldRow.app.in_({r["app"] for r in rows if r["id"] in report.held})),
                    )
                ).scalars()
            )
        for start in range(0, len(report.erased), 500):
            chunk = report.erased[start : start + 500]
            for review in conn.execute(
                select(ReviewRow.__table__).where(ReviewRow.decision_id.in_(chunk))
            ).mappings():
                found = dict(review)
                if not found["note"] or found["note"] == mark:
                    continue
                after = {**found, "note": mark}
                entries.append(_entry("reviews", found, row_hash(after, UNHASHED_CHAINED)))
                changed.append((ReviewRow, found["id"], {"note": mark}))
                report.reviews += 1
    if entries:
        report.checkpoint = log.make(
            table=TABLE,
            chain_id=subject[:64],
            kind="erasure",
            seq=-1,
            head=GENESIS,
            count=len(entries),
            payload={"rows": entries, "reason": reason, "by": actor, "held": report.held},
        )
        log.append_file(report.checkpoint)
    with database.engine.begin() as conn:
        if report.checkpoint is not None:
            log.insert(conn, report.checkpoint)
        for model, ident, values in changed:
            conn.execute(update(model).where(model.id == ident).values(**values))
        conn.execute(delete(SubjectKeyRow).where(SubjectKeyRow.user_hash == subject))
    queries.record_access(
        database,
        actor=actor,
        action="erase",
        target={
            "subject_hash": subject,
            "decisions": len(report.erased),
            "reviews": report.reviews,
            "held": len(report.held),
        },
    )
    return report


def _entry(table: str, row: dict[str, Any], after: str) -> dict[str, Any]:
    return {
        "table": table,
        "chain_id": row["chain_id"],
        "seq": row["seq"],
        "id": str(row["id"]),
        "before": row["hash"],
        "after": after,
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in after.items() if before.get(k) != v}
