"""API keys and roles. Keys are random; only their SHA-256 is stored.

Roles: ``app`` calls the proxy; ``reviewer`` reads and reviews the audit log; ``admin``
does what a reviewer does and also manages policies and keys.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select, update

from guard.audit.database import Database
from guard.audit.models import ApiKeyRow

Role = Literal["app", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("app", "reviewer", "admin")
KEY_PREFIX = "gk_"
_CACHE_S = 5.0


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None


def key_hash(key: str) -> str:
    """Keys carry 256 random bits, so a plain SHA-256 is a safe stored form."""
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    """Creates, lists, revokes and checks keys in the audit database."""

    def __init__(self, database: Database):
        self.database = database
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    def create(self, name: str, role: Role) -> tuple[ApiKey, str]:
        """A new key; the secret is returned once and never stored."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKeyRow(
            id=secrets.token_hex(8),
            name=name,
            role=role,
            key_hash=key_hash(secret),
            created_at=datetime.now(UTC),
        )
        with self.database.session() as session:
            session.add(row)
            session.commit()
            return _key(row), secret

    def list(self) -> list[ApiKey]:
        with self.database.session() as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()
            return [_key(r) for r in rows]

    def revoke(self, name_or_id: str) -> bool:
        with self.database.session() as session:
            result = session.execute(
                update(ApiKeyRow)
                .where((ApiKeyRow.name == name_or_id) | (ApiKeyRow.id == name_or_id))
                .where(ApiKeyRow.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
            session.commit()
        self._cache.clear()
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def check(self, presented: str) -> ApiKey | None:
        """The active key matching ``presented``, or None (constant-time on the hash)."""
        digest = key_hash(presented)
        cached = self._cache.get(digest)
        if cached is not None and time.monotonic() - cached[0] < _CACHE_S:
            return cached[1]
        with self.database.session() as session:
            row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.key_hash == digest)).first()
            found = None
            if (
                row is not None
                and hmac.compare_digest(row.key_hash, digest)
                and row.revoked_at is None
            ):
                found = _key(row)
        self._cache[digest] = (time.monotonic(), found)
        return found


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(row.id, row.name, row.role, row.created_at, row.revoked_at)  # type: ignore[arg-type]
