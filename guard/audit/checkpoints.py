"""Signed checkpoints: statements about a chain that no database writer can forge.

A checkpoint names a table, a chain, a kind and the chain's head (sequence and hash) at
that moment: ``open`` (a writer starts a chain), ``checkpoint`` (every so many records or
seconds, and on demand), ``close`` (a writer shut down: nothing may follow), ``purge``
(a range removed by retention, with the hashes that bridge it) and ``erasure`` (rows whose
text was erased for a data subject, with their hashes before and after). Each is signed
with the audit key (Ed25519) over its canonical JSON, stored in ``audit_checkpoints`` and
appended to ``checkpoints.jsonl`` in the checkpoint folder, so deleting one from the
database, or the file's copy, is itself detected.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select
from uuid6 import uuid7

from guard.audit.database import Database
from guard.audit.models import CheckpointRow
from guard.audit.rows import utc_iso
from guard.audit.signing import Signer, Verifier

FILE_NAME = "checkpoints.jsonl"
KINDS = ("open", "checkpoint", "close", "purge", "erasure")
_FIELDS = ("id", "table_name", "chain_id", "kind", "seq", "head", "count", "time", "payload")


def message(checkpoint: dict[str, Any]) -> bytes:
    """The bytes a checkpoint's signature covers: its fields and key id, canonical JSON."""
    body = {name: checkpoint[name] for name in _FIELDS}
    body["time"] = utc_iso(body["time"])
    body["key_id"] = checkpoint.get("key_id")
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature_ok(checkpoint: dict[str, Any], verifier: Verifier) -> bool:
    return checkpoint.get("key_id") == verifier.key_id and verifier.verify(
        message(checkpoint), checkpoint.get("signature")
    )


def as_json(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """A checkpoint as one JSON object (file lines, exports)."""
    return {**checkpoint, "time": utc_iso(checkpoint["time"])}


class CheckpointLog:
    """Makes, signs and writes checkpoints (to the database and to the checkpoint file)."""

    def __init__(self, database: Database, *, signer: Signer | None, directory: Path | None):
        self.database = database
        self.signer = signer
        self.directory = directory

    def make(
        self,
        *,
        table: str,
        chain_id: str,
        kind: str,
        seq: int,
        head: str,
        count: int,
        payload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if kind not in KINDS:
            raise ValueError(f"unknown checkpoint kind {kind!r}")
        checkpoint: dict[str, Any] = {
            "id": str(uuid7()),
            "table_name": table,
            "chain_id": chain_id,
            "kind": kind,
            "seq": seq,
            "head": head,
            "count": count,
            "time": datetime.now(UTC),
            "payload": payload or {},
            "key_id": self.signer.key_id if self.signer else None,
        }
        checkpoint["signature"] = self.signer.sign(message(checkpoint)) if self.signer else None
        return checkpoint

    def of_head(
        self, table: str, chain_id: str, seq: int, head: str, **payload: Any
    ) -> dict[str, Any]:
        """A ``checkpoint`` of a chain's head: the records up to ``seq`` end in ``head``."""
        return self.make(
            table=table,
            chain_id=chain_id,
            kind="checkpoint",
            seq=seq,
            head=head,
            count=seq + 1,
            payload=payload,
        )

    def append_file(self, checkpoint: dict[str, Any]) -> None:
        """Append to the checkpoint file and fsync (locked: many writers share the file)."""
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps(as_json(checkpoint), ensure_ascii=False, sort_keys=True) + "\n"
        fd = os.open(self.directory / FILE_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def insert(conn: Connection, checkpoint: dict[str, Any]) -> None:
        conn.execute(insert(CheckpointRow).values(**checkpoint))

    def write(self, checkpoint: dict[str, Any]) -> None:
        """File first (the anchor), then the database."""
        self.append_file(checkpoint)
        with self.database.engine.begin() as conn:
            self.insert(conn, checkpoint)


def read_database(database: Database) -> list[dict[str, Any]]:
    with database.engine.connect() as conn:
        rows = conn.execute(select(CheckpointRow.__table__).order_by(CheckpointRow.id)).mappings()
        return [dict(r) for r in rows]


def read_file(directory: Path) -> list[dict[str, Any]] | None:
    """The checkpoint file's entries, or None when there is no file. A line that is not a
    checkpoint (a write torn by a crash, an edit) comes back as ``{"line": N, "bad": text}``."""
    path = directory / FILE_NAME
    if not path.exists():
        return None
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            entry["time"] = datetime.fromisoformat(entry["time"])
            if not all(name in entry for name in _FIELDS):
                raise KeyError("fields")
        except (ValueError, KeyError, TypeError):
            entries.append({"line": number, "bad": line[:80]})
            continue
        entries.append(entry)
    return entries


def checkpoint_heads(log: CheckpointLog) -> list[dict[str, Any]]:
    """A checkpoint of every chain whose head no checkpoint covers yet (``guard audit
    checkpoint``): decisions chains, reviews and the access log."""
    from sqlalchemy import func

    from guard.audit.models import AccessRow, DecisionRow, ReviewRow

    made = []
    with log.database.engine.connect() as conn:
        covered: dict[tuple[str, str], int] = {}
        for table_name, chain_id, seq in conn.execute(
            select(CheckpointRow.table_name, CheckpointRow.chain_id, func.max(CheckpointRow.seq))
            .where(CheckpointRow.kind.in_(("checkpoint", "close")))
            .group_by(CheckpointRow.table_name, CheckpointRow.chain_id)
        ):
            covered[(table_name, chain_id)] = seq
        for table, model in (
            ("decisions", DecisionRow),
            ("reviews", ReviewRow),
            ("audit_access", AccessRow),
        ):
            heads = conn.execute(
                select(model.chain_id, func.max(model.seq)).group_by(model.chain_id)
            ).all()
            for chain_id, seq in heads:
                if covered.get((table, chain_id), -1) >= seq:
                    continue
                head = conn.execute(
                    select(model.hash).where(model.chain_id == chain_id, model.seq == seq)
                ).scalar_one()
                made.append(log.of_head(table, chain_id, seq, head, by="guard audit checkpoint"))
    for checkpoint in made:
        log.write(checkpoint)
    return made
