"""Every policy version that ever served: its files, and from when until when.

When a replica loads or reloads its policies, each policy whose version changed gets a row
(name, version, the text of every file the version hash covers) active from now, and the
row of the version it replaced is closed. A decision names its policy and version, so the
exact text it was made under can always be shown (``GET /v1/policies/history``, the
decision page, the evidence pack).
"""

from __future__ import annotations

import difflib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from guard.audit.database import Database
from guard.audit.models import PolicyVersionRow
from guard.policy.loader import PolicySet


def record_active(database: Database, policies: PolicySet, *, replica: str) -> int:
    """Note the versions now serving on ``replica``; how many new rows were written."""
    now = datetime.now(UTC)
    written = 0
    p = PolicyVersionRow
    with database.engine.begin() as conn:
        open_rows = {
            row.name: row
            for row in conn.execute(
                select(p.id, p.name, p.version).where(
                    p.replica == replica, p.active_until.is_(None)
                )
            )
        }
        for name, policy in policies.policies.items():
            current = open_rows.pop(name, None)
            if current is not None and current.version == policy.version:
                continue
            if current is not None:
                conn.execute(update(p).where(p.id == current.id).values(active_until=now))
            conn.execute(
                insert(p).values(
                    name=name,
                    version=policy.version,
                    files=dict(policy.sources),
                    replica=replica,
                    active_from=now,
                )
            )
            written += 1
        for gone in open_rows.values():  # a policy that no longer exists
            conn.execute(update(p).where(p.id == gone.id).values(active_until=now))
    return written


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        if value is None:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()

    return {
        "name": row["name"],
        "version": row["version"],
        "replica": row["replica"],
        "active_from": moment(row["active_from"]),
        "active_until": moment(row["active_until"]),
        "files": row["files"],
    }


def history(
    database: Database,
    *,
    name: str | None = None,
    version: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """Versions oldest first; ``since``/``until`` keep those active at some time between."""
    p = PolicyVersionRow
    query = select(p.__table__).order_by(p.active_from, p.id)
    if name:
        query = query.where(p.name == name)
    if version:
        query = query.where(p.version == version)
    if until is not None:
        query = query.where(p.active_from < until)
    if since is not None:
        query = query.where((p.active_until.is_(None)) | (p.active_until >= since))
    with database.engine.connect() as conn:
        return [_shown(dict(r)) for r in conn.execute(query).mappings()]


def diff(before: dict[str, str] | None, after: dict[str, str], label: str = "") -> str:
    """A unified diff of two versions' files (all of them, by name)."""
    before = before or {}
    lines: list[str] = []
    for file in sorted(set(before) | set(after)):
        lines += difflib.unified_diff(
            before.get(file, "").splitlines(keepends=True),
            after.get(file, "").splitlines(keepends=True),
            fromfile=f"a/{label}{file}",
            tofile=f"b/{label}{file}",
        )
    return "".join(lines)
