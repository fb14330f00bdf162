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
    # HMAC (GUARD_HASH_KEY) of the request's OpenAI ``user`` field; never the value itself
    user_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    session_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    # HMACs of the card numbers the request and answer held (``guard.audit.cards``)
    card_hashes: Mapped[Any] = mapped_column(JSON, nullable=True)
    review_status: Mapped[str] = mapped_column(String(30), default="unreviewed")

    __table_args__ = (
        Index("ix_decisions_chain_seq", "chain_id", "seq", unique=True),
        Index("ix_decisions_time", "time"),
        Index("ix_decisions_app_time", "app", "time"),
        Index("ix_decisions_action_time", "action", "time"),
    )


class ReviewRow(Base):
    """A reviewer's verdict on a decision; append-only history, one hash chain."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    chain_id: Mapped[str] = mapped_column(String(64), default="reviews")
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_reviews_chain_seq", "chain_id", "seq", unique=True),)


class ApiKeyRow(Base):
    """An API key: only a hash of the secret is stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # rate limits (guard.limits); None is no limit
    rpm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tpm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tpd: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_streams: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AccessRow(Base):
    """Reading or exporting the audit log is itself recorded."""

    __tablename__ = "audit_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[Any] = mapped_column(JSON)
    chain_id: Mapped[str] = mapped_column(String(64), default="access")
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_access_chain_seq", "chain_id", "seq", unique=True),)


class CheckpointRow(Base):
    """A signed statement about a chain: opened, its head at a sequence, closed, a range
    purged, rows erased. Also appended to the checkpoint file, so deleting one is seen."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(30))
    chain_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    seq: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[Any] = mapped_column(JSON)
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    signature: Mapped[str | None] = mapped_column(Text, nullable=True)


class HoldRow(Base):
    """A legal hold: records of an app, or one decision, kept past retention and erasure."""

    __tablename__ = "audit_holds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    app: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decision_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class SubjectKeyRow(Base):
    """A data subject's own key for encrypted raw text (itself encrypted with
    GUARD_RAW_KEY); erasure destroys it, which makes that subject's raw text unreadable."""

    __tablename__ = "audit_subject_keys"

    user_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PolicyVersionRow(Base):
    """A policy version that served: its files, and when it became active and until when."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(64))
    files: Mapped[Any] = mapped_column(JSON)
    replica: Mapped[str] = mapped_column(String(200))
    active_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_policy_versions_name_version", "name", "version"),)


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
