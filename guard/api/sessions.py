"""Review-page sessions: a random 256-bit token in an HttpOnly cookie, idle and absolute
timeouts, and a per-session CSRF token for every form that changes state."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from guard.audit.database import Database
from guard.audit.models import ApiKeyRow, ReviewSessionRow
from guard.keys import ApiKey

COOKIE = "guard_review"
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=8)


@dataclass(frozen=True)
class ReviewSession:
    key_id: str
    key_name: str
    role: str
    csrf: str

    def csrf_ok(self, presented: str) -> bool:
        return hmac.compare_digest(self.csrf.encode(), presented.encode())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SessionStore:
    """Sessions live in the audit database, so any replica can serve the page."""

    def __init__(self, database: Database):
        self.database = database

    def create(self, key: ApiKey) -> str:
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.database.session() as session:
            session.add(
                ReviewSessionRow(
                    token_hash=_hash(token),
                    key_id=key.id,
                    key_name=key.name,
                    role=key.role,
                    csrf=secrets.token_urlsafe(32),
                    created_at=now,
                    last_seen=now,
                )
            )
            session.commit()
        return token

    def get(self, token: str) -> ReviewSession | None:
        """The live session for ``token``; expired ones are deleted and give None."""
        now = datetime.now(UTC)
        digest = _hash(token)
        with self.database.session() as session:
            row = session.scalars(
                select(ReviewSessionRow).where(ReviewSessionRow.token_hash == digest)
            ).first()
            if row is None:
                return None
            revoked = session.scalars(
                select(ApiKeyRow.revoked_at).where(ApiKeyRow.id == row.key_id)
            ).first()
            expired = now - _aware(row.last_seen) > IDLE or now - _aware(row.created_at) > ABSOLUTE
            if expired or revoked is not None:
                session.execute(
                    delete(ReviewSessionRow).where(ReviewSessionRow.token_hash == digest)
                )
                session.commit()
                return None
            session.execute(
                update(ReviewSessionRow)
                .where(ReviewSessionRow.token_hash == digest)
                .values(last_seen=now)
            )
            session.commit()
            return ReviewSession(row.key_id, row.key_name, row.role, row.csrf)

    def end(self, token: str) -> None:
        with self.database.session() as session:
            session.execute(
                delete(ReviewSessionRow).where(ReviewSessionRow.token_hash == _hash(token))
            )
            session.commit()
