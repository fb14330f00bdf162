"""API keys and roles. Keys are random; only their SHA-256 is stored.

Roles: ``app`` calls the proxy; ``reviewer`` reads and reviews the audit log; ``admin``
does what a reviewer does and also manages policies and keys.

Every check asks the database, so a key revoked by any process (the CLI, another replica)
stops working at once. While the database cannot answer, keys this process has seen active
recently (a bounded memory of their hashes) keep working, and any other key is refused with
503: it cannot be checked, so it is not let in.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from cachetools import LRUCache
from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, OperationalError

from guard.audit.database import Database
from guard.audit.models import ApiKeyRow
from guard.errors import KeyStoreUnavailableError
from guard.limits import Limits

log = logging.getLogger(__name__)

Role = Literal["app", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("app", "reviewer", "admin")
KEY_PREFIX = "gk_"
_KNOWN_KEYS = 10_000


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None
    limits: Limits = field(default_factory=Limits)


def key_hash(key: str) -> str:
    """Keys carry 256 random bits, so a plain SHA-256 is a safe stored form."""
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    """Creates, lists, revokes and checks keys in the audit database."""

    def __init__(self, database: Database):
        self.database = database
        # Active keys seen recently, by hash: what keeps known apps working in an outage.
        self._known: LRUCache[str, ApiKey] = LRUCache(maxsize=_KNOWN_KEYS)

    def create(self, name: str, role: Role, limits: Limits | None = None) -> tuple[ApiKey, str]:
        """A new key (with its rate limits); the secret is returned once and never stored."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKeyRow(
            id=secrets.token_hex(8),
            name=name,
            role=role,
            key_hash=key_hash(secret),
            created_at=datetime.now(UTC),
            **(limits or Limits()).model_dump(),
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
        self._known.clear()
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def check(self, presented: str) -> ApiKey | None:
        """The active key matching ``presented``, or None (constant-time on the hash).

        Raises ``KeyStoreUnavailableError`` when the database cannot answer and the key is
        not one this process has seen active.
        """
        digest = key_hash(presented)
        try:
            with self.database.session() as session:
                row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.key_hash == digest)).first()
        except (OperationalError, InterfaceError) as exc:
            known = self._known.get(digest)
            if known is None:
                raise KeyStoreUnavailableError(
                    "the key store is unreachable, so this key cannot be checked; "
                    "keys in use before the outage keep working"
                ) from exc
            log.warning("key store unreachable; %s allowed from memory", known.name)
            return known
        if row is None or not hmac.compare_digest(row.key_hash, digest) or row.revoked_at:
            self._known.pop(digest, None)
            return None
        found = _key(row)
        self._known[digest] = found
        return found


def _key(row: ApiKeyRow) -> ApiKey:
    limits = Limits(rpm=row.rpm, tpm=row.tpm, tpd=row.tpd, max_streams=row.max_streams)
    return ApiKey(row.id, row.name, row.role, row.created_at, row.revoked_at, limits)  # type: ignore[arg-type]
