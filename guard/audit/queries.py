"""Reading the audit log for review: filters, cursor pages, reviews, stats, export, access log.

Plain keyword-only functions over a ``Database``. Every read or export by a person is
itself recorded in ``audit_access`` (who, when, what filter).
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, and_, or_, select, update

from guard.audit import chained
from guard.audit.cards import mask_cards_in
from guard.audit.database import Database
from guard.audit.models import DecisionRow, ReviewRow

Verdict = Literal["confirmed", "false_positive", "needs_policy_change"]
VERDICTS: tuple[str, ...] = ("confirmed", "false_positive", "needs_policy_change")
SUMMARY_COLUMNS = (
    "id",
    "time",
    "app",
    "key_id",
    "session_id",
    "user_hash",
    "endpoint",
    "model",
    "action",
    "outcome",
    "rules",
    "policy",
    "policy_version",
    "review_status",
)
HIDDEN = {"raw_encrypted"}


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    app: str | None = None
    action: str | None = None
    rule: str | None = None
    review_status: str | None = None
    text: str | None = None
    session: str | None = None

    def describe(self) -> dict[str, str]:
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in vars(self).items() if v
        }


def _where(query: Any, filters: Filters) -> Any:
    d = DecisionRow
    conditions = []
    if filters.since:
        conditions.append(d.time >= filters.since)
    if filters.until:
        conditions.append(d.time < filters.until)
    if filters.app:
        conditions.append(d.app == filters.app)
    if filters.action:
        conditions.append(d.action == filters.action)
    if filters.rule:
        conditions.append(d.rules.contains(f",{filters.rule},", autoescape=True))
    if filters.review_status:
        conditions.append(d.review_status == filters.review_status)
    if filters.session:
        conditions.append(d.session_id == filters.session)
    if filters.text:
        needle = filters.text
        conditions.append(
            or_(
                d.redacted_prompt.icontains(needle, autoescape=True),
                d.redacted_answer.icontains(needle, autoescape=True),
            )
        )
    return query.where(and_(*conditions)) if conditions else query


def public(row: dict[str, Any]) -> dict[str, Any]:
    """A row as the API shows it: times in UTC ISO form, rules as a list, no raw column."""
    shown = {k: v for k, v in row.items() if k not in HIDDEN}
    if isinstance(shown.get("time"), datetime):
        moment = shown["time"]
        shown["time"] = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
    if isinstance(shown.get("rules"), str):
        shown["rules"] = [r for r in shown["rules"].split(",") if r]
    return shown


def _encode_cursor(row: dict[str, Any]) -> str:
    moment = row["time"] if isinstance(row["time"], str) else row["time"].isoformat()
    return base64.urlsafe_b64encode(json.dumps([moment, row["id"]]).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    moment, ident = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    parsed = datetime.fromisoformat(moment)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)), str(ident)


def list_decisions(
    database: Database, *, filters: Filters, limit: int = 50, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first; ``cursor`` continues after the last row of the previous page."""
    d = DecisionRow
    columns = [getattr(d, name) for name in SUMMARY_COLUMNS]
    query = _where(select(*columns), filters)
    if cursor:
        moment, ident = _decode_cursor(cursor)
        query = query.where(or_(d.time < moment, and_(d.time == moment, d.id < ident)))
    query = query.order_by(d.time.desc(), d.id.desc()).limit(limit + 1)
    with database.engine.connect() as conn:
        rows = [public(dict(r)) for r in conn.execute(query).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_encode_cursor(rows[-1]) if more and rows else None)


def get_decision(database: Database, decision_id: str) -> dict[str, Any] | None:
    with database.engine.connect() as conn:
        row = (
            conn.execute(select(DecisionRow.__table__).where(DecisionRow.id == decision_id))
            .mappings()
            .first()
        )
        if row is None:
            return None
        found = dict(row)
        reviews = conn.execute(
            select(ReviewRow.__table__)
            .where(ReviewRow.decision_id == decision_id)
            .order_by(ReviewRow.id)
        ).mappings()
        found["reviews"] = [public(dict(r)) for r in reviews]
    return found


def add_review(
    database: Database, *, decision_id: str, reviewer: str, verdict: str, note: str
) -> dict[str, Any] | None:
    """Append a verdict to the decision's history; None if there is no such decision."""
    now = datetime.now(UTC)

    def write(conn: Connection) -> bool:
        exists = conn.execute(select(DecisionRow.id).where(DecisionRow.id == decision_id)).first()
        if exists is None:
            return False
        values = {
            "decision_id": decision_id,
            "reviewer": reviewer,
            "verdict": verdict,
            "note": note,
            "time": now,
        }
        chained.append(conn, "reviews", values)
        conn.execute(
            update(DecisionRow).where(DecisionRow.id == decision_id).values(review_status=verdict)
        )
        return True

    if not chained.in_chain_transaction(database, write):
        return None
    return {
        "decision_id": decision_id,
        "reviewer": reviewer,
        "verdict": verdict,
        "note": note,
        "time": now.isoformat(),
    }


def iter_rows(
    database: Database, *, filters: Filters, chunk: int = 500
) -> Iterator[dict[str, Any]]:
    """Every matching row, oldest first, fetched in chunks (for streamed export)."""
    d = DecisionRow
    columns = [c for c in d.__table__.columns if c.name not in HIDDEN]
    last: tuple[datetime, str] | None = None
    while True:
        query = _where(select(*columns), filters)
        if last is not None:
            query = query.where(or_(d.time > last[0], and_(d.time == last[0], d.id > last[1])))
        query = query.order_by(d.time, d.id).limit(chunk)
        with database.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        if not rows:
            return
        for row in rows:
            yield public(dict(row))
        last = (rows[-1]["time"], rows[-1]["id"])


def stats(
    database: Database, *, filters: Filters, bucket: Literal["hour", "day"] = "hour"
) -> dict[str, Any]:
    """Counts by action, rule and app, and by action over time."""
    d = DecisionRow
    query = _where(select(d.time, d.action, d.app, d.rules), filters)
    by_action: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    by_app: Counter[str] = Counter()
    over_time: dict[str, Counter[str]] = {}
    width = 13 if bucket == "hour" else 10  # "YYYY-MM-DDTHH" or "YYYY-MM-DD"
    with database.engine.connect() as conn:
        for moment, action, app, rules in conn.execute(query):
            by_action[action] += 1
            by_app[app] += 1
            for rule in (r for r in rules.split(",") if r):
                by_rule[rule] += 1
            key = moment.isoformat()[:width]
            over_time.setdefault(key, Counter())[action] += 1
    return {
        "bucket": bucket,
        "by_action": dict(by_action),
        "by_rule": dict(by_rule.most_common()),
        "by_app": dict(by_app.most_common()),
        "over_time": [{"bucket": k, "counts": dict(v)} for k, v in sorted(over_time.items())],
    }


def record_access(database: Database, *, actor: str, action: str, target: dict[str, Any]) -> None:
    # a filter can carry what a reviewer typed: a card number in it is masked like any other
    values = {
        "time": datetime.now(UTC),
        "actor": actor,
        "action": action,
        "target": mask_cards_in(target),
    }
    chained.in_chain_transaction(
        database, lambda conn: chained.append(conn, "audit_access", values)
    )
