"""Data subjects: the keyed hash guard keeps of OpenAI's ``user`` field, and each subject's
own key for encrypted raw text (so erasing a subject can destroy it).

The hash is HMAC-SHA256 under GUARD_HASH_KEY; without one, guard makes a random key once in
GUARD_HASH_KEY_FILE (mode 0600) and uses it from then on. Replicas that share a database
must share the key (set GUARD_HASH_KEY on all of them), or one subject gets several hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from guard.audit.database import Database
from guard.audit.models import SubjectKeyRow

log = logging.getLogger("guard.audit")

# how long a subject's key is used from memory: an erasure by another process is seen
# after at most this long
CACHE_S = 30.0


def subject_hash(key: bytes, user: str) -> str:
    return hmac.new(key, user.encode(), hashlib.sha256).hexdigest()


def hash_key(configured: str | None, key_file: Path) -> bytes:
    """GUARD_HASH_KEY, else the key in ``key_file`` (made once, mode 0600)."""
    if configured:
        return configured.encode()
    try:
        return bytes.fromhex(key_file.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_hex(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return bytes.fromhex(key_file.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(fresh + "\n")
    log.warning("made a new subject hash key in %s (set GUARD_HASH_KEY to share one)", key_file)
    return bytes.fromhex(fresh)


class SubjectKeys:
    """Per-subject Fernet keys, stored encrypted under GUARD_RAW_KEY, cached in memory."""

    def __init__(self, database: Database, master: Any):
        self.database = database
        self._master = master
        self._cache: dict[str, Any] = {}
        self._lock = threading.RLock()

    def cached(self, user_hash: str) -> Any | None:
        found = self._cache.get(user_hash)
        if found is None or time.monotonic() - found[1] > CACHE_S:
            return None
        return found[0]

    def fernet_for(self, user_hash: str) -> Any | None:
        """The subject's key (made on first use); None when the database cannot say, in
        which case no raw text is stored for the request."""
        from cryptography.fernet import Fernet

        with self._lock:
            known = self.cached(user_hash)
            if known is not None:
                return known
            try:
                with self.database.engine.begin() as conn:
                    stored = conn.execute(
                        select(SubjectKeyRow.key_encrypted).where(
                            SubjectKeyRow.user_hash == user_hash
                        )
                    ).scalar_one_or_none()
                    if stored is None:
                        raw = Fernet.generate_key()
                        conn.execute(
                            insert(SubjectKeyRow).values(
                                user_hash=user_hash,
                                key_encrypted=self._master.encrypt(raw),
                                created_at=datetime.now(UTC),
                            )
                        )
                    else:
                        raw = self._master.decrypt(stored)
            except IntegrityError:  # made by another process meanwhile: read theirs
                return self.fernet_for(user_hash)
            except SQLAlchemyError as exc:
                log.error("no subject key (raw text not stored): %s", type(exc).__name__)
                return None
            fernet = Fernet(raw)
            self._cache[user_hash] = (fernet, time.monotonic())
            return fernet

    def forget(self, user_hash: str) -> None:
        with self._lock:
            self._cache.pop(user_hash, None)


def decrypt_raw(
    database: Database, raw_key: str, token: bytes, user_hash: str | None
) -> dict[str, str] | None:
    """A record's raw text: under its subject's key when it has one (None once that key
    was destroyed by an erasure), else under GUARD_RAW_KEY."""
    import json

    from cryptography.fernet import Fernet, InvalidToken

    master = Fernet(raw_key.encode())
    fernet = master
    if user_hash:
        with database.engine.connect() as conn:
            stored = conn.execute(
                select(SubjectKeyRow.key_encrypted).where(SubjectKeyRow.user_hash == user_hash)
            ).scalar_one_or_none()
        if stored is None:
            return None
        fernet = Fernet(master.decrypt(stored))
    try:
        raw: dict[str, str] = json.loads(fernet.decrypt(token))
    except InvalidToken:
        return None
    return raw
