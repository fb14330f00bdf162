"""Checking the audit log: hash chains, signed checkpoints, purges and erasures.

Every table that is chained (decisions, reviews, the access log) is walked chain by chain in
sequence order. A record must follow the one before it (``prev_hash``) and match its own hash;
a gap must be bridged by a signed purge record; a record whose text was erased must match
the hashes a signed erasure record gives for it. Then every checkpoint is held against the
chain: its head must be the record at its sequence (a chain recomputed after an edit fails
here), the records it covers must exist (a truncated tail fails), nothing may follow a
``close``, and with a public key every chain must carry a checkpoint signed by that key (a
forged chain has none). The checkpoint file and the database's copy must hold the same
checkpoints.

What cannot be seen: records written after the last checkpoint of a chain that is still
open (or whose writer died) can be removed or changed by someone who can write the
database; the checkpoint interval bounds that window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from guard.audit import checkpoints as cp
from guard.audit.chained import UNHASHED_CHAINED
from guard.audit.database import Database
from guard.audit.models import AccessRow, DecisionRow, ReviewRow
from guard.audit.rows import GENESIS, UNHASHED, row_hash
from guard.audit.signing import Verifier

# table name -> (model, columns the hash leaves out)
TABLES: dict[str, tuple[Any, frozenset[str]]] = {
    "decisions": (DecisionRow, frozenset(UNHASHED)),
    "reviews": (ReviewRow, UNHASHED_CHAINED),
    "audit_access": (AccessRow, UNHASHED_CHAINED),
}
_LABEL = {"decisions": "chain", "reviews": "review chain", "audit_access": "access-log chain"}


@dataclass(frozen=True)
class ChainProblem:
    chain_id: str
    seq: int | None
    decision_id: str | None
    reason: str
    table: str = "decisions"

    def __str__(self) -> str:
        where = f"{_LABEL.get(self.table, self.table)} {self.chain_id}"
        if self.seq is not None:
            where += f": record {self.seq}"
        who = f" (decision {self.decision_id})" if self.decision_id else ""
        return f"{where}{who}: {self.reason}"


@dataclass
class ChainReport:
    chains: int
    records: int
    problems: list[ChainProblem]
    checkpoints: int = 0
    signed: bool = False
    purges: list[dict[str, Any]] = field(default_factory=list)
    erasures: list[dict[str, Any]] = field(default_factory=list)
    unchecked_tails: dict[str, int] = field(default_factory=dict)
    by_table: dict[str, int] = field(default_factory=dict)
    decision_chains: int = 0

    def summary(self) -> str:
        signed = "signatures checked" if self.signed else "signatures NOT checked (no public key)"
        tails = sum(self.unchecked_tails.values())
        return (
            f"{self.by_table.get('decisions', 0)} decisions in {self.decision_chains} chains, "
            f"{self.by_table.get('reviews', 0)} reviews, "
            f"{self.by_table.get('audit_access', 0)} access-log entries; "
            f"{self.checkpoints} checkpoints, {signed}; {tails} records after the last "
            f"checkpoint; {len(self.problems)} problems"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "chains": self.chains,
            "records": self.records,
            "checkpoints": self.checkpoints,
            "signatures_checked": self.signed,
            "problems": [str(p) for p in self.problems],
            "purges": self.purges,
            "erasures": self.erasures,
            "records_after_last_checkpoint": self.unchecked_tails,
            "records_by_table": self.by_table,
        }


def _rows(database: Database, table: str) -> Iterator[dict[str, Any]]:
    model = TABLES[table][0]
    columns = [c for c in model.__table__.columns if c.name != "review_status"]
    query = select(*columns).order_by(model.chain_id, model.seq)
    with database.engine.connect() as conn:
        for row in conn.execute(query).mappings():
            yield dict(row)


@dataclass
class _Chain:
    """What the walk of one chain found."""

    rows: int = 0
    last: int = -1  # the last sequence accounted for (a record or a purged range)
    hashes: dict[int, str] = field(default_factory=dict)  # at checkpointed sequences
    broken: bool = False


class _Walk:
    def __init__(self, checkpoints: list[dict[str, Any]]):
        self.by_chain: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.purged: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
        self.erased: dict[tuple[str, str, int], dict[str, Any]] = {}
        for checkpoint in checkpoints:
            key = (checkpoint["table_name"], checkpoint["chain_id"])
            self.by_chain[key].append(checkpoint)
            payload = checkpoint.get("payload") or {}
            if checkpoint["kind"] == "purge":
                for span in payload.get("ranges", []):
                    self.purged[(*key, int(span["from"]))].append(span)
            if checkpoint["kind"] == "erasure":
                for entry in payload.get("rows", []):
                    erased_key = (entry["table"], entry["chain_id"], int(entry["seq"]))
                    self.erased[erased_key] = entry

    def bridge(
        self, table: str, chain_id: str, expected: int, prev: str, before: int | None = None
    ) -> tuple[int, str]:
        """Follow signed purged ranges from ``expected`` (ending before ``before``, when
        given): the next sequence and the hash it must follow."""
        while True:
            spans = [
                s
                for s in self.purged.get((table, chain_id, expected), [])
                if s["prev"] == prev and (before is None or int(s["to"]) < before)
            ]
            if not spans:
                return expected, prev
            span = max(spans, key=lambda s: int(s["to"]))
            expected, prev = int(span["to"]) + 1, span["head"]


def _walk_table(
    database: Database, table: str, walk: _Walk, problems: list[ChainProblem]
) -> tuple[dict[str, _Chain], int]:
    unhashed = TABLES[table][1]
    chains: dict[str, _Chain] = {}
    wanted: dict[str, set[int]] = defaultdict(set)
    for (t, chain_id), found in walk.by_chain.items():
        if t == table:
            wanted[chain_id] = {c["seq"] for c in found if c["seq"] >= 0}
    records = 0
    current: str | None = None
    state = _Chain()
    expected, prev = 0, GENESIS

    def finish() -> None:
        if current is not None and not state.broken:
            state.last = walk.bridge(table, current, expected, prev)[0] - 1

    for row in _rows(database, table):
        records += 1
        chain_id = row["chain_id"]
        if chain_id != current:
            finish()
            current, state = chain_id, _Chain()
            chains[chain_id] = state
            expected, prev = 0, GENESIS
        state.rows += 1
        if state.broken:
            continue
        decision = row["id"] if table == "decisions" else None
        if row["seq"] > expected:
            expected, prev = walk.bridge(table, chain_id, expected, prev, before=row["seq"])
        problem = None
        if row["seq"] != expected:
            problem = f"records {expected}..{row['seq'] - 1} are missing (deleted)"
        elif row["prev_hash"] != prev:
            problem = "does not follow the record before it (reordered or a record was replaced)"
        else:
            actual = row_hash(row, unhashed)
            if actual != row["hash"]:
                erased = walk.erased.get((table, chain_id, row["seq"]))
                if erased is None or erased["before"] != row["hash"] or erased["after"] != actual:
                    problem = "content does not match its hash (edited)"
        if problem:
            problems.append(ChainProblem(chain_id, row["seq"], decision, problem, table))
            state.broken = True
            state.last = expected - 1
            continue
        if row["seq"] in wanted[chain_id]:
            state.hashes[row["seq"]] = row["hash"]
        expected, prev = row["seq"] + 1, row["hash"]
        state.last = row["seq"]
    finish()
    return chains, records


def _check_checkpoints(
    table: str,
    chain_id: str,
    found: list[dict[str, Any]],
    state: _Chain | None,
    walk: _Walk,
    verifier: Verifier | None,
    problems: list[ChainProblem],
) -> int | None:
    """Problems of one chain against its checkpoints (the trusted ones: signatures were
    checked before the walk); the sequence of the last one."""

    def problem(seq: int | None, reason: str) -> None:
        problems.append(ChainProblem(chain_id, seq, None, reason, table))

    covering = [c for c in found if c["kind"] in ("checkpoint", "close", "purge")]
    last_signed = max((c["seq"] for c in covering), default=-1)
    if state is None:
        if last_signed >= 0 and walk.bridge(table, chain_id, 0, GENESIS)[0] <= last_signed:
            problem(
                None,
                f"the chain is gone: records 0..{last_signed} are covered by signed "
                "checkpoints (deleted chain)",
            )
        return last_signed
    if state.broken:
        return last_signed
    if verifier is not None and not found:
        problem(
            None,
            "no checkpoint signed by the audit key (a forged chain, or its "
            "checkpoints were deleted)",
        )
        return None
    for checkpoint in sorted(covering, key=lambda c: c["seq"]):
        actual = state.hashes.get(checkpoint["seq"])
        if checkpoint["kind"] != "purge" and actual is not None and actual != checkpoint["head"]:
            when = cp.as_json(checkpoint)["time"]
            problem(
                checkpoint["seq"],
                f"does not match the signed checkpoint of {when} (the "
                "chain was rewritten after it)",
            )
            break
    beyond = [c for c in covering if c["seq"] > state.last]
    if beyond:
        newest = max(beyond, key=lambda c: c["seq"])
        when = cp.as_json(newest)["time"]
        problem(
            state.last + 1,
            f"records {state.last + 1}..{newest['seq']} are missing: the "
            f"signed {newest['kind']} of {when} covers them (truncated)",
        )
    closes = [c for c in found if c["kind"] == "close"]
    if closes:
        closed_at = max(c["seq"] for c in closes)
        if state.last > closed_at:
            problem(
                closed_at + 1,
                f"records {closed_at + 1}..{state.last} follow the chain's signed close (forged)",
            )
    return last_signed


def verify(
    database: Database,
    *,
    verifier: Verifier | None = None,
    checkpoint_dir: Path | None = None,
) -> ChainReport:
    """Walk every chain of every chained table; report what is wrong, chain by chain."""
    problems: list[ChainProblem] = []
    stored = cp.read_database(database)
    on_file = cp.read_file(checkpoint_dir) if checkpoint_dir is not None else None
    for bad in [e for e in on_file or [] if "bad" in e]:
        problems.append(
            ChainProblem(
                "-",
                None,
                None,
                f"line {bad['line']} of the checkpoint file is not a checkpoint ({bad['bad']!r})",
                "audit_checkpoints",
            )
        )
    on_file = [e for e in on_file if "bad" not in e] if on_file is not None else None
    _compare_copies(stored, on_file, checkpoint_dir, problems)
    known = {c["id"]: c for c in stored}
    for entry in on_file or []:
        known.setdefault(entry["id"], entry)
    everything = list(known.values())
    if verifier is not None:
        for checkpoint in everything:
            if not cp.signature_ok(checkpoint, verifier):
                why = (
                    "is unsigned (written without GUARD_AUDIT_SIGNING_KEY, or its signature "
                    "was removed)"
                    if not checkpoint.get("signature")
                    else "is not signed by the audit key (forged or altered)"
                )
                problems.append(
                    ChainProblem(
                        checkpoint["chain_id"],
                        None,
                        None,
                        f"checkpoint {checkpoint['id']} ({checkpoint['kind']}) {why}",
                        checkpoint["table_name"],
                    )
                )
    trusted = [c for c in everything if verifier is None or cp.signature_ok(c, verifier)]
    walk = _Walk(trusted)
    report = ChainReport(chains=0, records=0, problems=problems, checkpoints=len(everything))
    report.signed = verifier is not None
    for table in TABLES:
        chains, records = _walk_table(database, table, walk, problems)
        report.records += records
        report.chains += len(chains)
        report.by_table[table] = records
        if table == "decisions":
            report.decision_chains = len(chains)
        names = set(chains) | {c for (t, c) in walk.by_chain if t == table}
        for chain_id in sorted(names):
            state = chains.get(chain_id)
            last = _check_checkpoints(
                table,
                chain_id,
                walk.by_chain.get((table, chain_id), []),
                state,
                walk,
                verifier,
                problems,
            )
            if state is not None and last is not None and state.last > last:
                report.unchecked_tails[f"{table}:{chain_id}"] = state.last - last
    for checkpoint in sorted(trusted, key=lambda c: cp.as_json(c)["time"]):
        summary = {
            "table": checkpoint["table_name"],
            "chain_id": checkpoint["chain_id"],
            "time": cp.as_json(checkpoint)["time"],
            **{k: v for k, v in (checkpoint.get("payload") or {}).items() if k != "rows"},
        }
        if checkpoint["kind"] == "purge":
            report.purges.append(summary)
        elif checkpoint["kind"] == "erasure":
            summary["rows"] = len((checkpoint.get("payload") or {}).get("rows", []))
            report.erasures.append(summary)
    return report


def _compare_copies(
    stored: list[dict[str, Any]],
    on_file: list[dict[str, Any]] | None,
    directory: Path | None,
    problems: list[ChainProblem],
) -> None:
    """The database's checkpoints and the file's must be the same ones."""
    if directory is None:
        return
    if on_file is None:
        if stored:
            problems.append(
                ChainProblem(
                    "-",
                    None,
                    None,
                    f"the checkpoint file {directory / cp.FILE_NAME} is missing "
                    f"({len(stored)} checkpoints in the database)",
                    "audit_checkpoints",
                )
            )
        return
    in_db = {c["id"]: c for c in stored}
    in_file = {c["id"]: c for c in on_file}
    for ident, entry in in_file.items():
        row = in_db.get(ident)
        if row is None:
            reason = "was deleted from the database (it is in the checkpoint file)"
        elif cp.message(row) != cp.message(entry) or row.get("signature") != entry.get("signature"):
            reason = "differs between the database and the checkpoint file (altered)"
        else:
            continue
        problems.append(
            ChainProblem(
                entry["chain_id"],
                None,
                None,
                f"checkpoint {ident} ({entry['kind']} at record {entry['seq']}) {reason}",
                entry["table_name"],
            )
        )
    for ident, row in in_db.items():
        if ident not in in_file:
            problems.append(
                ChainProblem(
                    row["chain_id"],
                    None,
                    None,
                    f"checkpoint {ident} ({row['kind']} at record {row['seq']}) is not "
                    "in the checkpoint file (forged, or the file was cut)",
                    row["table_name"],
                )
            )
