"""SQLAlchemy models of the audit database. Only Alembic migrations change the schema.

No table holds raw prompt or answer text: decisions keep redacted text and spans; raw text
is stored only when a setting enables it, encrypted, in ``raw_encrypted``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class DecisionRow(Base):
    """One audited decision; ``chain_id``/``seq``/``prev_hash``/``hash`` form the hash chain."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    chain_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    app: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    request_id: Mapped[str] = mapped_column(String(128))
    replica: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200))
    stream: Mapped[bool] = mapped_column(Boolean)
    action: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    rules: Mapped[str] = mapped_column(Text, default="")  # ",rule-a,rule-b," for filtering
    stages: Mapped[Any] = mapped_column(JSON)
    findings: Mapped[Any] = mapped_column(JSON)
    explanation: Mapped[Any] = mapped_column(JSON)
    redacted_prompt: Mapped[str] = mapped_column(Text, default="")
    redacted_answer: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[Any] = mapped_column(JSON)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    guard_input_ms: Mapped[float] = mapped_column(Float, default=0.0)
    generation_ms: Mapped[float] = mapped_column(Float, default=0.0)
    guard_output_ms: Mapped[float] = mapped_column(Float, default=0.0)
    time_to_first_token_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    policy: Mapped[str | None] = mapped_column(String(200), nullable=True)
    policy_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    raw_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    review_status: Mapped[str] = mapped_column(String(30), default="unreviewed")

    __table_args__ = (
        Index("ix_decisions_chain_seq", "chain_id", "seq", unique=True),
        Index("ix_decisions_time", "time"),
        Index("ix_decisions_app_time", "app", "time"),
        Index("ix_decisions_action_time", "action", "time"),
    )


class ReviewRow(Base):
    """A reviewer's verdict on a decision; append-only history."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKeyRow(Base):
    """An API key: only a hash of the secret is stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AccessRow(Base):
    """Reading or exporting the audit log is itself recorded."""

    __tablename__ = "audit_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[Any] = mapped_column(JSON)


class ReviewSessionRow(Base):
    """A review-page session: its own random token (only a hash is stored), not the key."""

    __tablename__ = "review_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    key_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
