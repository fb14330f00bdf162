"""Retention and legal holds: what is due is deleted, and each deletion is signed.

``purge`` deletes decisions older than the retention period (never below its floor),
except those under a legal hold (a hold on their app or on the decision itself), together
with their reviews, and access-log entries older than the period. Each deleted range of a
chain is replaced by a signed ``purge`` checkpoint that carries the hashes on both sides
of the gap (``prev``: the hash the range's first record followed; ``head``: its last
record's hash), so ``guard audit verify`` still walks the chain across it and reports
what was purged, when and why. The checkpoint is appended to the checkpoint file before
the rows are deleted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from uuid6 import uuid7

from guard.audit import queries
from guard.audit.checkpoints import CheckpointLog
from guard.audit.database import Database
from guard.audit.models import AccessRow, DecisionRow, HoldRow, ReviewRow


@dataclass(frozen=True)
class Holds:
    apps: frozenset[str]
    decisions: frozenset[str]

    def covers(self, app: str, decision_id: str) -> bool:
        return app in self.apps or decision_id in self.decisions


def active_holds(conn: Connection) -> Holds:
    rows = conn.execute(
        select(HoldRow.app, HoldRow.decision_id).where(HoldRow.released_at.is_(None))
    ).all()
    return Holds(
        apps=frozenset(r.app for r in rows if r.app),
        decisions=frozenset(r.decision_id for r in rows if r.decision_id),
    )


def create_hold(
    database: Database,
    *,
    reason: str,
    actor: str,
    app: str | None = None,
    decision_id: str | None = None,
) -> str:
    """A new legal hold on an app's records or on one decision; its id."""
    if (app is None) == (decision_id is None):
        raise ValueError("a hold is on an app or on a decision")
    if not reason.strip():
        raise ValueError("a hold needs a reason")
    ident = str(uuid7())
    with database.engine.begin() as conn:
        conn.execute(
            insert(HoldRow).values(
                id=ident,
                app=app,
                decision_id=decision_id,
                reason=reason,
                created_at=datetime.now(UTC),
                created_by=actor,
            )
        )
    target = {"hold": ident, "reason": reason, **({"app": app} if app else {})}
    if decision_id:
        target["decision"] = decision_id
    queries.record_access(database, actor=actor, action="hold", target=target)
    return ident


def release_hold(database: Database, hold_id: str, *, actor: str) -> bool:
    with database.engine.begin() as conn:
        changed = conn.execute(
            update(HoldRow)
            .where(HoldRow.id == hold_id, HoldRow.released_at.is_(None))
            .values(released_at=datetime.now(UTC), released_by=actor)
        ).rowcount
    if changed:
        queries.record_access(database, actor=actor, action="release", target={"hold": hold_id})
    return bool(changed)


def list_holds(database: Database) -> list[dict[str, Any]]:
    with database.engine.connect() as conn:
        rows = conn.execute(select(HoldRow.__table__).order_by(HoldRow.created_at)).mappings()
        return [queries.public(dict(r)) for r in rows]


@dataclass
class PurgeReport:
    before: datetime
    deleted: dict[str, int] = field(default_factory=dict)
    held: int = 0
    checkpoints: list[dict[str, Any]] = field(default_factory=list)


def _ranges(rows: list[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """Consecutive sequences of (seq, prev_hash, hash), sorted, as purged ranges."""
    ranges: list[dict[str, Any]] = []
    for seq, prev, digest in rows:
        if ranges and ranges[-1]["to"] == seq - 1:
            ranges[-1].update(to=seq, head=digest, count=ranges[-1]["count"] + 1)
        else:
            ranges.append({"from": seq, "to": seq, "prev": prev, "head": digest, "count": 1})
    return ranges


def purge(
    database: Database,
    log: CheckpointLog,
    *,
    retention_days: int,
    min_retention_days: int,
    actor: str = "retention",
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Delete what is due (see the module's docstring); a signed record per range."""
    if retention_days < min_retention_days:
        raise ValueError(
            f"retention of {retention_days} days is below the floor of {min_retention_days}"
        )
    before = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    report = PurgeReport(before=before)
    reason = f"retention: older than {retention_days} days"
    due: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
    doomed: dict[str, list[Any]] = defaultdict(list)  # table -> ids to delete
    with database.engine.connect() as conn:
        holds = active_holds(conn)
        decided = conn.execute(
            select(
                DecisionRow.id,
                DecisionRow.app,
                DecisionRow.chain_id,
                DecisionRow.seq,
                DecisionRow.prev_hash,
                DecisionRow.hash,
            )
            .where(DecisionRow.time < before)
            .order_by(DecisionRow.chain_id, DecisionRow.seq)
        ).all()
        purged_ids = []
        for row in decided:
            if holds.covers(row.app, row.id):
                report.held += 1
                continue
            purged_ids.append(row.id)
            due[("decisions", row.chain_id)].append((row.seq, row.prev_hash, row.hash))
        doomed["decisions"] = purged_ids
        for start in range(0, len(purged_ids), 500):
            chunk = purged_ids[start : start + 500]
            for review in conn.execute(
                select(
                    ReviewRow.id,
                    ReviewRow.chain_id,
                    ReviewRow.seq,
                    ReviewRow.prev_hash,
                    ReviewRow.hash,
                ).where(ReviewRow.decision_id.in_(chunk))
            ):
                doomed["reviews"].append(review.id)
                due[("reviews", review.chain_id)].append(
                    (review.seq, review.prev_hash, review.hash)
                )
        for access in conn.execute(
            select(
                AccessRow.id, AccessRow.chain_id, AccessRow.seq, AccessRow.prev_hash, AccessRow.hash
            ).where(AccessRow.time < before)
        ):
            doomed["audit_access"].append(access.id)
            due[("audit_access", access.chain_id)].append(
                (access.seq, access.prev_hash, access.hash)
            )
    report.deleted = {table: len(ids) for table, ids in doomed.items() if ids}
    if dry_run or not due:
        return report
    for (table, chain_id), rows in sorted(due.items()):
        ranges = _ranges(sorted(rows))
        last = max(ranges, key=lambda r: r["to"])
        report.checkpoints.append(
            log.make(
                table=table,
                chain_id=chain_id,
                kind="purge",
                seq=last["to"],
                head=last["head"],
                count=sum(r["count"] for r in ranges),
                payload={
                    "ranges": ranges,
                    "reason": reason,
                    "before": before.isoformat(),
                    "by": actor,
                },
            )
        )
    for checkpoint in report.checkpoints:
        log.append_file(checkpoint)
    with database.engine.begin() as conn:
        for checkpoint in report.checkpoints:
            log.insert(conn, checkpoint)
        for table, model in (
            ("reviews", ReviewRow),
            ("decisions", DecisionRow),
            ("audit_access", AccessRow),
        ):
            ids = doomed.get(table, [])
            for start in range(0, len(ids), 500):
                conn.execute(delete(model).where(model.id.in_(ids[start : start + 500])))
    return report
