"""DatabaseAuditSink: the writer that never loses a record and never slows a request much.

``record`` chains the row (sequence and hash, in call order) and puts it on a bounded
queue; a full queue makes the caller wait (backpressure), it never drops. One task writes
batches. When the database fails, the batch is appended to a local spool file and fsync'd;
the spool is replayed as soon as the database answers again, and at the next start if the
process died first. Shutdown drains the queue.

With a checkpoint log, the writer opens its chain with a signed ``open`` checkpoint, signs
the chain's head every so many records or seconds (and the shared review and access-log
chains' heads when they moved), and closes the chain with a signed ``close`` at shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from uuid6 import uuid7

from guard.audit import chained
from guard.audit.checkpoints import CheckpointLog
from guard.audit.database import Database
from guard.audit.models import DecisionRow
from guard.audit.record import DecisionRecord
from guard.audit.rows import GENESIS, chain, from_spool, to_row, to_spool
from guard.audit.subjects import SubjectKeys

log = logging.getLogger("guard.audit")

_RETRY_S = 1.0


class DatabaseAuditSink:
    """An ``AuditSink`` writing hash-chained rows to the database, with a spool for outages."""

    def __init__(
        self,
        database: Database,
        *,
        spool_dir: Path,
        replica: str,
        queue_size: int = 10_000,
        batch_size: int = 200,
        raw_key: str | None = None,
        checkpoints: CheckpointLog | None = None,
        checkpoint_every: tuple[int | None, float | None] = (1000, 60.0),
    ):
        self.database = database
        self._replica = replica
        self.chain_id = f"{replica}:{uuid7()}"[:64]
        self._seq = 0
        self._prev = GENESIS
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=queue_size)
        self._batch_size = batch_size
        self._spool_dir = spool_dir
        self._pid = os.getpid()
        self._spool = spool_dir / f"spool-{self._pid}-{self.chain_id.split(':')[-1]}.jsonl"
        self._fernet = _fernet(raw_key)
        self.subjects = SubjectKeys(database, self._fernet) if self._fernet else None
        self._task: asyncio.Task[None] | None = None
        self._recent: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.healthy = True
        self.written = 0
        self.spooled = 0
        self._checkpoints = checkpoints
        self._every_records, self._every_seconds = checkpoint_every
        self._durable: tuple[int, str] = (-1, GENESIS)  # the last row written or spooled
        self._checkpointed = -1
        self._checkpointed_at = time.monotonic()
        self._unstored: list[dict[str, Any]] = []  # checkpoints the database did not take yet
        self._shared_heads: dict[str, tuple[int, str]] = {}

    async def start(self) -> None:
        if self._pid != os.getpid():  # forked after it was built: a chain of its own
            self._pid = os.getpid()
            self.chain_id = f"{self._replica}:{uuid7()}"[:64]
            self._spool = (
                self._spool_dir / f"spool-{self._pid}-{self.chain_id.split(':')[-1]}.jsonl"
            )
        self._spool_dir.mkdir(parents=True, exist_ok=True)
        await self._replay()
        await self._checkpoint("open")
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def checkpoint_due(self) -> None:
        """Sign the chain's head when enough records or seconds have passed since the last."""
        new = self._durable[0] - self._checkpointed
        if self._checkpoints is None or new <= 0:
            return
        by_count = self._every_records is not None and new >= self._every_records
        by_time = (
            self._every_seconds is not None
            and time.monotonic() - self._checkpointed_at >= self._every_seconds
        )
        if by_count or by_time:
            await self._checkpoint("checkpoint")

    async def _checkpoint(self, kind: str) -> None:
        log_ = self._checkpoints
        if log_ is None:
            return
        seq, head = self._durable
        made = [
            log_.make(
                table="decisions",
                chain_id=self.chain_id,
                kind=kind,
                seq=seq,
                head=head,
                count=seq + 1,
                payload={"replica": self.chain_id.rsplit(":", 1)[0], "pid": os.getpid()},
            )
        ]
        if kind != "open" and self.healthy:
            made += await asyncio.to_thread(self._shared_checkpoints, log_)
        self._checkpointed, self._checkpointed_at = seq, time.monotonic()
        for checkpoint in made:
            try:
                await asyncio.to_thread(log_.append_file, checkpoint)
            except OSError as exc:
                log.error("cannot append to the audit checkpoint file: %s", exc)
            self._unstored.append(checkpoint)
        await self._store_checkpoints()

    def _shared_checkpoints(self, log_: CheckpointLog) -> list[dict[str, Any]]:
        """Checkpoints of the review and access-log chains whose heads moved."""
        made = []
        try:
            with self.database.engine.connect() as conn:
                for table, (_, chain_id) in chained.CHAINED.items():
                    seq, head = chained.head(conn, table, chain_id)
                    if seq >= 0 and self._shared_heads.get(table) != (seq, head):
                        made.append(log_.of_head(table, chain_id, seq, head))
                        self._shared_heads[table] = (seq, head)
        except SQLAlchemyError:
            return []
        return made

    async def _store_checkpoints(self) -> None:
        log_ = self._checkpoints
        if log_ is None or not self._unstored or not self.healthy:
            return
        pending, self._unstored = self._unstored, []

        def insert_all() -> None:
            with self.database.engine.begin() as conn:
                for checkpoint in pending:
                    log_.insert(conn, checkpoint)

        try:
            await asyncio.to_thread(insert_all)
        except SQLAlchemyError:
            self._unstored = pending + self._unstored

    async def record(self, record: DecisionRecord) -> None:
        raw = None
        if record.raw is not None and self._fernet is not None:
            import json

            fernet = self._fernet
            if record.user_hash and self.subjects is not None:
                # the subject's own key, so that erasing them can destroy it
                fernet = self.subjects.cached(record.user_hash) or await asyncio.to_thread(
                    self.subjects.fernet_for, record.user_hash
                )
            if fernet is not None:
                raw = fernet.encrypt(json.dumps(record.raw).encode())
        row = chain(
            to_row(record, raw), chain_id=self.chain_id, seq=self._seq, prev_hash=self._prev
        )
        self._seq += 1
        self._prev = row["hash"]
        self._remember(row)
        await self._queue.put(row)

    def _remember(self, row: dict[str, Any]) -> None:
        self._recent[row["id"]] = row
        while len(self._recent) > 1000:
            self._recent.popitem(last=False)

    async def fetch(self, decision_id: str) -> dict[str, Any] | None:
        """A decision's row: from the database, or from memory while it is on its way."""
        try:
            found = await asyncio.to_thread(self._select, decision_id)
        except SQLAlchemyError:
            found = None
        return found or self._recent.get(decision_id)

    def _select(self, decision_id: str) -> dict[str, Any] | None:
        with self.database.engine.connect() as conn:
            row = (
                conn.execute(select(DecisionRow.__table__).where(DecisionRow.id == decision_id))
                .mappings()
                .first()
            )
        return dict(row) if row else None

    async def _run(self) -> None:
        while True:
            try:
                first = await asyncio.wait_for(self._queue.get(), timeout=_RETRY_S)
            except TimeoutError:
                if not self.healthy or self._spool.exists():
                    await self._replay()
                await self.checkpoint_due()
                continue
            batch = [first]
            while len(batch) < self._batch_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._write(batch)
            self._durable = (batch[-1]["seq"], batch[-1]["hash"])
            for _ in batch:
                self._queue.task_done()
            await self.checkpoint_due()

    async def _write(self, batch: list[dict[str, Any]]) -> None:
        gone = self.database.file_problem()
        if gone is not None:
            if self.healthy:
                log.error("%s: spooling audit records locally until a restart", gone)
            self.healthy = False
        if self.healthy and not self._spool.exists():
            try:
                await asyncio.to_thread(self._insert, batch)
                self.written += len(batch)
                return
            except SQLAlchemyError as exc:
                self.healthy = False
                await asyncio.to_thread(self.database.dispose)  # drop broken connections
                log.error(
                    "audit database unavailable, spooling records locally: %s", type(exc).__name__
                )
        await asyncio.to_thread(self._append_spool, batch)
        self.spooled += len(batch)
        await self._replay()

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """Insert the rows that are not stored yet (a batch replayed from the spool may have
        been committed before the failure that spooled it). The first try inserts them all
        at once, without the look-up: a live batch is new, and a duplicate id fails it."""
        with contextlib.suppress(IntegrityError), self.database.engine.begin() as conn:
            conn.execute(insert(DecisionRow), rows)
            return
        with self.database.engine.begin() as conn:
            ids = [r["id"] for r in rows]
            present = set(
                conn.execute(select(DecisionRow.id).where(DecisionRow.id.in_(ids))).scalars()
            )
            fresh = [r for r in rows if r["id"] not in present]
            if fresh:
                conn.execute(insert(DecisionRow), fresh)

    def _append_spool(self, rows: list[dict[str, Any]]) -> None:
        with open(self._spool, "a", encoding="utf-8") as spool:
            for row in rows:
                spool.write(to_spool(row) + "\n")
            spool.flush()
            os.fsync(spool.fileno())

    async def _replay(self) -> None:
        """Move spooled rows (this process's and any left by a dead one) into the database."""
        if self.database.file_problem() is not None:
            return  # records written now would vanish with the deleted file
        for path in sorted(self._spool_dir.glob("spool-*.jsonl")):
            if path != self._spool and not _owner_gone(path):
                continue
            try:
                rows = [
                    from_spool(line)
                    for line in path.read_text(encoding="utf-8").split("\n")
                    if line
                ]
                for start in range(0, len(rows), self._batch_size):
                    await asyncio.to_thread(self._insert, rows[start : start + self._batch_size])
            except SQLAlchemyError:
                self.healthy = False
                await asyncio.to_thread(self.database.dispose)
                return
            path.unlink()
            self.written += len(rows)
            log.warning("replayed %d spooled audit records from %s", len(rows), path.name)
        self.healthy = True
        await self._store_checkpoints()

    async def aclose(self) -> None:
        """Drain: every queued record is written (or spooled) before shutdown completes."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        await self._replay()
        await self._checkpoint("close")
        if self._spool.exists():  # still unwritten: any later writer may replay it
            self._spool.rename(self._spool.with_name(f"spool-closed-{self._spool.name[6:]}"))


def _owner_gone(path: Path) -> bool:
    """A spool file whose writing process no longer runs may be replayed by anyone."""
    try:
        pid = int(path.name.split("-")[1])
    except (IndexError, ValueError):
        return True
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _fernet(key: str | None) -> Any:
    if not key:
        return None
    from cryptography.fernet import Fernet

    return Fernet(key.encode())
