"""The review history and the access log: each one hash chain shared by every writer.

Reviews and reads of the log are few, so they are chained in the database itself: a new
row takes the next sequence and the head's hash inside its transaction, and the unique
``(chain_id, seq)`` index turns a race between two writers into a retry, never a fork.
The row's database id is not hashed (the database assigns it); its sequence is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from guard.audit.database import Database
from guard.audit.models import AccessRow, CheckpointRow, ReviewRow
from guard.audit.rows import GENESIS, row_hash

# table name -> (model, chain id)
CHAINED: dict[str, tuple[Any, str]] = {
    "reviews": (ReviewRow, "reviews"),
    "audit_access": (AccessRow, "access"),
}
UNHASHED_CHAINED = frozenset({"id", "hash"})

T = TypeVar("T")


def head(conn: Connection, table: str, chain_id: str) -> tuple[int, str]:
    """The last sequence and hash of a chain: its newest row, else its newest purged one."""
    model = CHAINED[table][0]
    row = conn.execute(
        select(model.seq, model.hash)
        .where(model.chain_id == chain_id)
        .order_by(model.seq.desc())
        .limit(1)
    ).first()
    if row is not None:
        return int(row[0]), str(row[1])
    purged = conn.execute(
        select(CheckpointRow.seq, CheckpointRow.head)
        .where(
            CheckpointRow.table_name == table,
            CheckpointRow.chain_id == chain_id,
            CheckpointRow.kind == "purge",
        )
        .order_by(CheckpointRow.seq.desc())
        .limit(1)
    ).first()
    if purged is not None:
        return int(purged[0]), str(purged[1])
    return -1, GENESIS


def append(conn: Connection, table: str, values: dict[str, Any]) -> dict[str, Any]:
    """Insert ``values`` as the next row of the table's chain, inside ``conn``'s transaction."""
    model, chain_id = CHAINED[table]
    seq, prev = head(conn, table, chain_id)
    row = {**values, "chain_id": chain_id, "seq": seq + 1, "prev_hash": prev}
    row["hash"] = row_hash(row, UNHASHED_CHAINED)
    conn.execute(insert(model).values(**row))
    return row


def in_chain_transaction(database: Database, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in a transaction, again when another writer took the same sequence."""
    for attempt in range(20):
        try:
            with database.engine.begin() as conn:
                return work(conn)
        except IntegrityError:
            if attempt == 19:
                raise
        except OperationalError as exc:
            if "locked" not in str(exc).lower() or attempt == 19:
                raise
        time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")
