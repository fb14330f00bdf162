"""Tampering with copies of a signed audit log, on SQLite and PostgreSQL: every case is
named by `verify` with the public key (chain and record), and an untouched copy passes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import delete, select, update

from guard.audit import queries
from guard.audit.checkpoints import FILE_NAME, CheckpointLog
from guard.audit.database import Database
from guard.audit.migrate import upgrade
from guard.audit.models import AccessRow, CheckpointRow, DecisionRow, ReviewRow
from guard.audit.rows import UNHASHED, chain, row_hash
from guard.audit.signing import generate, load_signer, load_verifier
from guard.audit.verify import ChainReport, verify
from guard.audit.writer import DatabaseAuditSink
from tests.audit.records import a_record

PG = "postgresql://postgres@127.0.0.1:5432"


@dataclass
class Log:
    database: Database
    checkpoints: Path
    chain_id: str
    ids: list[str]
    public_key: Path

    def verify(self) -> ChainReport:
        return verify(
            self.database,
            verifier=load_verifier(self.public_key),
            checkpoint_dir=self.checkpoints,
        )

    def rows(self) -> list[dict[str, object]]:
        with self.database.engine.connect() as conn:
            query = select(DecisionRow.__table__).order_by(DecisionRow.seq)
            return [
                dict(r)
                for r in conn.execute(query.where(DecisionRow.chain_id == self.chain_id)).mappings()
            ]


async def _build(database: Database, folder: Path, keys: Path) -> Log:
    upgrade(database.engine)
    signer = load_signer(keys / "audit-signing.key")
    log = CheckpointLog(database, signer=signer, directory=folder)
    sink = DatabaseAuditSink(
        database,
        spool_dir=folder / "spool",
        replica="t",
        checkpoints=log,
        checkpoint_every=(5, None),
        batch_size=1,
    )
    await sink.start()
    ids = []
    for i in range(12):
        record = a_record(i, redacted_prompt=f"prompt {i} from <PERSON_1>")
        await sink.record(record)
        ids.append(record.decision_id)
        await sink._queue.join()
        if i == 3:
            queries.add_review(
                database, decision_id=ids[0], reviewer="ann", verdict="confirmed", note="ok"
            )
            queries.record_access(database, actor="ann", action="list", target={})
    queries.add_review(database, decision_id=ids[1], reviewer="ann", verdict="confirmed", note="")
    queries.record_access(database, actor="ann", action="export-jsonl", target={})
    await sink.aclose()
    return Log(database, folder, sink.chain_id, ids, keys / "audit-signing.pub")


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    generate(folder)
    return folder


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def original(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, keys: Path
) -> Iterator[tuple[str, Log]]:
    import asyncio

    folder = tmp_path_factory.mktemp(f"original-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'guard.db'}"
    else:
        with psycopg.connect(f"{PG}/test", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS guard_tamper_original WITH (FORCE)")
            conn.execute("CREATE DATABASE guard_tamper_original")
        url = f"{PG}/guard_tamper_original"
    database = Database(url)
    built = asyncio.run(_build(database, folder / "checkpoints", keys))
    database.engine.dispose()
    yield request.param, built


_copies = 0


@pytest.fixture
def log(original: tuple[str, Log], tmp_path: Path) -> Iterator[Log]:
    """A fresh copy of the original log (database and checkpoint folder) for one test."""
    global _copies
    backend, source = original
    shutil.copytree(source.checkpoints, tmp_path / "checkpoints")
    if backend == "sqlite":
        shutil.copy(source.database.url.database, tmp_path / "guard.db")  # type: ignore[arg-type]
        url = f"sqlite:///{tmp_path / 'guard.db'}"
    else:
        _copies += 1
        name = f"guard_tamper_{_copies}"
        with psycopg.connect(f"{PG}/test", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name} TEMPLATE guard_tamper_original")
        url = f"{PG}/{name}"
    database = Database(url)
    yield Log(database, tmp_path / "checkpoints", source.chain_id, source.ids, source.public_key)
    database.engine.dispose()


def _reasons(report: ChainReport) -> str:
    return "\n".join(str(p) for p in report.problems)


def _recompute_from(log: Log, seq: int) -> None:
    """What someone who can write the database does after an edit: rehash the rest."""
    rows = log.rows()
    prev = rows[seq - 1]["hash"] if seq else "0" * 64
    with log.database.engine.begin() as conn:
        for row in rows[seq:]:
            content = {k: v for k, v in row.items() if k not in UNHASHED}
            linked = chain(content, chain_id=log.chain_id, seq=row["seq"], prev_hash=prev)  # type: ignore[arg-type]
            conn.execute(
                update(DecisionRow)
                .where(DecisionRow.id == row["id"])
                .values(prev_hash=prev, hash=linked["hash"])
            )
            prev = linked["hash"]


def test_an_untouched_copy_verifies_with_its_checkpoints(log: Log) -> None:
    report = log.verify()
    assert report.problems == []
    assert report.signed and report.checkpoints >= 4  # open, two periodic, close, shared heads
    assert report.records == 12 + 2 + 2
    assert report.unchecked_tails == {}


def _edit(log: Log) -> None:
    with log.database.engine.begin() as conn:
        conn.execute(
            update(DecisionRow).where(DecisionRow.id == log.ids[2]).values(action="allow", app="x")
        )


def _edit_and_recompute(log: Log) -> None:
    _edit(log)
    _recompute_from(log, 2)


def _delete_one(log: Log) -> None:
    with log.database.engine.begin() as conn:
        conn.execute(delete(DecisionRow).where(DecisionRow.id == log.ids[6]))


def _delete_last(log: Log) -> None:
    with log.database.engine.begin() as conn:
        conn.execute(delete(DecisionRow).where(DecisionRow.id == log.ids[-1]))


def _delete_last_ten(log: Log) -> None:
    with log.database.engine.begin() as conn:
        conn.execute(delete(DecisionRow).where(DecisionRow.id.in_(log.ids[-10:])))


def _reorder(log: Log) -> None:
    with log.database.engine.begin() as conn:
        conn.execute(update(DecisionRow).where(DecisionRow.id == log.ids[3]).values(seq=-3))
        conn.execute(update(DecisionRow).where(DecisionRow.id == log.ids[4]).values(seq=3))
        conn.execute(update(DecisionRow).where(DecisionRow.id == log.ids[3]).values(seq=4))


def _append_forged(log: Log) -> None:
    last = log.rows()[-1]
    content = {k: v for k, v in last.items() if k not in UNHASHED}
    content["id"], content["request_id"] = "00000000-0000-7000-8000-999999999999", "forged"
    forged = chain(content, chain_id=log.chain_id, seq=12, prev_hash=last["hash"])  # type: ignore[arg-type]
    with log.database.engine.begin() as conn:
        conn.execute(DecisionRow.__table__.insert().values(**forged, review_status="unreviewed"))


def _delete_chain(log: Log) -> None:
    with log.database.engine.begin() as conn:
        conn.execute(delete(ReviewRow))
        conn.execute(delete(DecisionRow).where(DecisionRow.chain_id == log.chain_id))


def _delete_chain_and_its_checkpoints(log: Log) -> None:
    _delete_chain(log)
    with log.database.engine.begin() as conn:
        conn.execute(delete(CheckpointRow).where(CheckpointRow.chain_id == log.chain_id))


def _forged_chain(log: Log) -> None:
    rows = log.rows()
    prev = "0" * 64
    with log.database.engine.begin() as conn:
        for seq, row in enumerate(rows[:3]):
            content = {k: v for k, v in row.items() if k not in UNHASHED}
            content["id"] = f"00000000-0000-7000-9000-{seq:012d}"
            forged = chain(content, chain_id="t:forged", seq=seq, prev_hash=prev)  # type: ignore[arg-type]
            conn.execute(
                DecisionRow.__table__.insert().values(**forged, review_status="unreviewed")
            )
            prev = forged["hash"]


def _forged_checkpoint(log: Log, tmp: Path) -> None:
    """A checkpoint signed with another key, in the database and in the file."""
    generate(tmp / "other")
    other = CheckpointLog(
        log.database,
        signer=load_signer(tmp / "other" / "audit-signing.key"),
        directory=log.checkpoints,
    )
    last = log.rows()[-1]
    other.write(
        other.make(
            table="decisions",
            chain_id=log.chain_id,
            kind="checkpoint",
            seq=int(last["seq"]),
            head=str(last["hash"]),
            count=12,
        )
    )  # type: ignore[call-overload]


def _recompute_and_rewrite_checkpoints(log: Log) -> None:
    """Edit, rehash, and rewrite every checkpoint's head to match, in database and file."""
    _edit_and_recompute(log)
    heads = {int(r["seq"]): str(r["hash"]) for r in log.rows()}  # type: ignore[call-overload]
    with log.database.engine.begin() as conn:
        for row in conn.execute(
            select(CheckpointRow.id, CheckpointRow.seq).where(
                CheckpointRow.chain_id == log.chain_id
            )
        ):
            if row.seq in heads:
                conn.execute(
                    update(CheckpointRow)
                    .where(CheckpointRow.id == row.id)
                    .values(head=heads[row.seq])
                )
    path = log.checkpoints / FILE_NAME
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for entry in lines:
        if entry["chain_id"] == log.chain_id and entry["seq"] in heads:
            entry["head"] = heads[entry["seq"]]
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))


def _delete_checkpoint_from_database(log: Log) -> None:
    with log.database.engine.begin() as conn:
        first = (
            conn.execute(select(CheckpointRow.id).where(CheckpointRow.kind == "checkpoint"))
            .scalars()
            .first()
        )
        conn.execute(delete(CheckpointRow).where(CheckpointRow.id == first))


def _cut_checkpoint_file(log: Log) -> None:
    path = log.checkpoints / FILE_NAME
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-1]))


def _garble_checkpoint_file(log: Log) -> None:
    path = log.checkpoints / FILE_NAME
    path.write_text(path.read_text() + '{"id": "torn-wri')


def _delete_everything(log: Log) -> None:
    with log.database.engine.begin() as conn:
        for model in (ReviewRow, AccessRow, DecisionRow, CheckpointRow):
            conn.execute(delete(model))


def _edit_review(log: Log) -> None:
    with log.database.engine.begin() as conn:
        conn.execute(update(ReviewRow).values(verdict="false_positive"))


def _delete_access_row(log: Log) -> None:
    with log.database.engine.begin() as conn:
        first = conn.execute(select(AccessRow.id).order_by(AccessRow.seq)).scalars().first()
        conn.execute(delete(AccessRow).where(AccessRow.id == first))


CASES: dict[str, tuple[Callable[..., None], str]] = {
    "edited record": (
        _edit,
        "record 2 (decision 00000000-0000-7000-8000-000000000002): "
        "content does not match its hash (edited)",
    ),
    "edited record, chain recomputed": (
        _edit_and_recompute,
        "does not match the signed checkpoint",
    ),
    "recomputed, checkpoints rewritten": (
        _recompute_and_rewrite_checkpoints,
        "is not signed by the audit key",
    ),
    "deleted record": (
        _delete_one,
        "record 7 (decision 00000000-0000-7000-8000-000000000007): "
        "records 6..6 are missing (deleted)",
    ),
    "deleted last record": (
        _delete_last,
        "record 11: records 11..11 are missing: the signed close",
    ),
    "deleted last ten": (_delete_last_ten, "record 2: records 2..11 are missing"),
    "reordered": (
        _reorder,
        "record 3 (decision 00000000-0000-7000-8000-000000000004): "
        "does not follow the record before it",
    ),
    "forged record appended": (
        _append_forged,
        "record 12: records 12..12 follow the chain's signed close (forged)",
    ),
    "deleted chain": (_delete_chain, "the chain is gone"),
    "deleted chain and its checkpoints": (
        _delete_chain_and_its_checkpoints,
        "was deleted from the database",
    ),
    "forged chain": (_forged_chain, "chain t:forged: no checkpoint signed by the audit key"),
    "forged checkpoint": (_forged_checkpoint, "is not signed by the audit key (forged or altered)"),
    "checkpoint deleted from the database": (
        _delete_checkpoint_from_database,
        "was deleted from the database",
    ),
    "checkpoint file cut": (_cut_checkpoint_file, "is not in the checkpoint file"),
    "checkpoint file garbled": (
        _garble_checkpoint_file,
        "of the checkpoint file is not a checkpoint",
    ),
    "everything deleted": (_delete_everything, "the chain is gone"),
    "edited review": (
        _edit_review,
        "review chain reviews: record 0: content does not match its hash (edited)",
    ),
    "deleted access-log row": (
        _delete_access_row,
        "access-log chain access: record 1: records 0..0 are missing (deleted)",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_named(case: str, log: Log, tmp_path: Path) -> None:
    tamper, expected = CASES[case]
    tamper(log, tmp_path) if tamper is _forged_checkpoint else tamper(log)
    report = log.verify()
    assert expected in _reasons(report), _reasons(report)
    if "record" in expected:
        assert (
            log.chain_id in _reasons(report)
            or "reviews" in expected
            or "access" in expected
            or "forged" in expected
        )


def test_without_the_public_key_a_recomputed_chain_with_rewritten_checkpoints_passes(
    log: Log,
) -> None:
    """What the key is for: an unkeyed check cannot tell a careful rewrite."""
    _recompute_and_rewrite_checkpoints(log)
    assert verify(log.database, checkpoint_dir=log.checkpoints).problems == []
    assert log.verify().problems


def test_hash_is_stable_for_rows_written_before_the_user_hash_column() -> None:
    row = {"id": "a", "user_hash": None, "seq": 0}
    assert row_hash(row) == row_hash({"id": "a", "seq": 0})
