"""audit evidence: chained reviews and access log, checkpoints, holds, subject keys,
policy history, user hash

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 13:30:00
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    # the same canonical form as guard.audit.rows (frozen here, as this migration ran)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def _hash(row: dict[str, Any]) -> str:
    content = {k: _canonical(v) for k, v in sorted(row.items()) if k not in {"id", "hash"}}
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _chain_existing(table: str, chain_id: str, columns: list[str]) -> None:
    """Chain the rows written before chaining existed, oldest first."""
    bind = op.get_bind()
    meta = sa.MetaData()
    target = sa.Table(table, meta, autoload_with=bind)
    rows = bind.execute(sa.select(target).order_by(target.c.id)).mappings().all()
    prev = GENESIS
    for seq, found in enumerate(rows):
        row = {c: found[c] for c in columns}
        if isinstance(row.get("target"), str):
            row["target"] = json.loads(row["target"])
        row.update(chain_id=chain_id, seq=seq, prev_hash=prev)
        digest = _hash(row)
        bind.execute(
            target.update()
            .where(target.c.id == found["id"])
            .values(chain_id=chain_id, seq=seq, prev_hash=prev, hash=digest)
        )
        prev = digest


def _chain_columns(table: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column("chain_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))


def _chain_required(table: str, index: str) -> None:
    with op.batch_alter_table(table) as batch:
        for name, kind in (
            ("chain_id", sa.String(64)),
            ("seq", sa.Integer()),
            ("prev_hash", sa.String(64)),
            ("hash", sa.String(64)),
        ):
            batch.alter_column(name, existing_type=kind, nullable=False)
        batch.create_index(index, ["chain_id", "seq"], unique=True)


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("user_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("card_hashes", sa.JSON(), nullable=True))
        batch.create_index("ix_decisions_user_hash", ["user_hash"], unique=False)
    _chain_columns("reviews")
    _chain_columns("audit_access")
    _chain_existing("reviews", "reviews", ["decision_id", "reviewer", "verdict", "note", "time"])
    _chain_existing("audit_access", "access", ["time", "actor", "action", "target"])
    _chain_required("reviews", "ix_reviews_chain_seq")
    _chain_required("audit_access", "ix_audit_access_chain_seq")
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("table_name", sa.String(30), nullable=False),
        sa.Column("chain_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=True),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_checkpoints_chain_id", "audit_checkpoints", ["chain_id"])
    op.create_table(
        "audit_holds",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("app", sa.String(200), nullable=True),
        sa.Column("decision_id", sa.String(36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_subject_keys",
        sa.Column("user_hash", sa.String(64), nullable=False),
        sa.Column("key_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user_hash"),
    )
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("replica", sa.String(200), nullable=False),
        sa.Column("active_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_policy_versions_name_version", "policy_versions", ["name", "version"])


def downgrade() -> None:
    op.drop_index("ix_policy_versions_name_version", "policy_versions")
    op.drop_table("policy_versions")
    op.drop_table("audit_subject_keys")
    op.drop_table("audit_holds")
    op.drop_index("ix_audit_checkpoints_chain_id", "audit_checkpoints")
    op.drop_table("audit_checkpoints")
    for table, index in (
        ("audit_access", "ix_audit_access_chain_seq"),
        ("reviews", "ix_reviews_chain_seq"),
    ):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(index)
            for name in ("hash", "prev_hash", "seq", "chain_id"):
                batch.drop_column(name)
    with op.batch_alter_table("decisions") as batch:
        batch.drop_index("ix_decisions_user_hash")
        batch.drop_column("card_hashes")
        batch.drop_column("user_hash")
