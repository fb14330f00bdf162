"""Evidence packs: one zip an auditor can check offline.

``build`` writes the decisions of a time window (JSON lines, as the log keeps them: redacted
text, card numbers masked, no raw text), their reviews, the access log of the window, every
checkpoint, the verify report, every policy version active in the window with its files
and a diff to the version before, the keys' names and roles (never secrets), the settings
that matter, and ``manifest.json``: the SHA-256 of every other file, signed with the audit
key in ``manifest.sig``; the zip's comment seals the whole file (a signature of every
byte before it). ``check`` verifies the seal, the manifest's signature and every sum, so
one changed, added or removed byte fails, and a changed file is named. Building a pack is
itself recorded in the access log.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from guard import __version__
from guard.audit import checkpoints as cp
from guard.audit import queries
from guard.audit.database import Database
from guard.audit.models import AccessRow, ApiKeyRow, ReviewRow
from guard.audit.policy_history import diff, history
from guard.audit.signing import Signer, Verifier
from guard.audit.verify import verify

MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
# The zip's comment holds an Ed25519 signature (base64) of every byte before it, so that no
# byte of the file (headers, directory, compressed data) can change unnoticed.
_SEAL_LENGTH = 88


def _json(value: Any) -> str:
    def default(item: Any) -> Any:
        if isinstance(item, datetime):
            return (item if item.tzinfo else item.replace(tzinfo=UTC)).isoformat()
        if isinstance(item, bytes):
            return None
        return str(item)

    return json.dumps(value, default=default, ensure_ascii=False, sort_keys=True)


def _lines(rows: list[dict[str, Any]]) -> bytes:
    return "".join(_json(r) + "\n" for r in rows).encode()


@dataclass(frozen=True)
class PackSummary:
    path: Path
    files: int
    decisions: int
    manifest_sha256: str


def build(
    database: Database,
    *,
    since: datetime,
    until: datetime,
    out: Path,
    signer: Signer,
    actor: str,
    settings: dict[str, Any],
    checkpoint_dir: Path | None,
) -> PackSummary:
    """Write the pack for [since, until) to ``out`` (see the module's docstring)."""
    files: dict[str, bytes] = {}
    filters = queries.Filters(since=since, until=until)
    decisions = list(queries.iter_rows(database, filters=filters))
    files["decisions.jsonl"] = _lines(decisions)
    with database.engine.connect() as conn:
        reviews = _window(conn, ReviewRow, since, until)
        access = _window(conn, AccessRow, since, until)
        k = ApiKeyRow
        keys = [
            dict(r)
            for r in conn.execute(
                select(k.id, k.name, k.role, k.created_at, k.revoked_at).order_by(k.created_at)
            ).mappings()
        ]
    files["reviews.jsonl"] = _lines(reviews)
    files["access.jsonl"] = _lines(access)
    files["checkpoints.jsonl"] = _lines([cp.as_json(c) for c in cp.read_database(database)])
    report = verify(database, verifier=signer.verifier, checkpoint_dir=checkpoint_dir)
    files["verify-report.json"] = _json(report.as_json()).encode()
    files["keys.json"] = _json(keys).encode()
    files["settings.json"] = _json(settings).encode()
    files["audit-signing.pub"] = _public_pem(signer)
    versions = history(database, since=since, until=until)
    every = history(database)
    for item in versions:
        folder = f"policies/{item['name']}/{item['version']}-{item['replica']}"
        for name, text in item["files"].items():
            files[f"{folder}/{name}"] = text.encode()
        before = _previous(every, item)
        files[f"{folder}.diff"] = diff(before["files"] if before else None, item["files"]).encode()
        files[f"{folder}.json"] = _json({k: v for k, v in item.items() if k != "files"}).encode()
    manifest = {
        "guard_version": __version__,
        "created": datetime.now(UTC).isoformat(),
        "since": since.isoformat(),
        "until": until.isoformat(),
        "created_by": actor,
        "key_id": signer.key_id,
        "verify_problems": len(report.problems),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        for name, data in sorted(files.items()):
            pack.writestr(name, data)
        pack.writestr(MANIFEST, manifest_bytes)
        pack.writestr(SIGNATURE, signer.sign(manifest_bytes))
        pack.comment = b"=" * _SEAL_LENGTH
    _seal(out, signer)
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    queries.record_access(
        database,
        actor=actor,
        action="evidence-pack",
        target={"since": since.isoformat(), "until": until.isoformat(), "manifest": digest},
    )
    return PackSummary(out, len(files), len(decisions), digest)


def _seal(path: Path, signer: Signer) -> None:
    data = path.read_bytes()
    body = data[:-_SEAL_LENGTH]
    seal = signer.sign(body).encode()
    assert len(seal) == _SEAL_LENGTH and data[-_SEAL_LENGTH:] == b"=" * _SEAL_LENGTH
    path.write_bytes(body + seal)


def _window(conn: Any, model: Any, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """A chained table's rows of the window, in chain order."""
    query = (
        select(model.__table__).where(model.time >= since, model.time < until).order_by(model.seq)
    )
    return [queries.public(dict(r)) for r in conn.execute(query).mappings()]


def _previous(every: list[dict[str, Any]], item: dict[str, Any]) -> dict[str, Any] | None:
    earlier = [
        v
        for v in every
        if v["name"] == item["name"]
        and v["replica"] == item["replica"]
        and v["active_from"] < item["active_from"]
    ]
    return earlier[-1] if earlier else None


def _public_pem(signer: Signer) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return signer.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def check(path: Path, verifier: Verifier) -> list[str]:
    """What is wrong with the pack at ``path``: nothing when it is exactly as signed."""
    try:
        pack = zipfile.ZipFile(path)
    except Exception as exc:  # any damage to the file is a failed check, never a crash
        return [f"{path}: not a readable zip ({exc})"]
    problems = []
    data = path.read_bytes()
    if pack.comment and len(pack.comment) == _SEAL_LENGTH and data.endswith(pack.comment):
        if not verifier.verify(data[:-_SEAL_LENGTH], pack.comment.decode("ascii", "replace")):
            problems.append("the file's seal does not verify: some byte of it was changed")
    else:
        problems.append("the file carries no seal (its zip comment was changed or removed)")
    with pack:
        names = set(pack.namelist())
        if MANIFEST not in names or SIGNATURE not in names:
            return [f"{path}: no {MANIFEST} or {SIGNATURE}"]
        try:
            manifest_bytes = pack.read(MANIFEST)
            signature = pack.read(SIGNATURE).decode()
        except (
            zipfile.BadZipFile,
            zlib.error,
            KeyError,
            UnicodeDecodeError,
            RuntimeError,
            NotImplementedError,
        ) as exc:
            return [f"{path}: the manifest cannot be read ({exc})"]
        if not verifier.verify(manifest_bytes, signature):
            problems.append("the manifest's signature does not verify with this public key")
        try:
            manifest = json.loads(manifest_bytes)
            listed: dict[str, str] = manifest["files"]
        except (ValueError, KeyError, TypeError):
            return [*problems, "the manifest is not valid"]
        for name, expected in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name}: listed in the manifest but missing")
                continue
            try:
                actual = hashlib.sha256(pack.read(name)).hexdigest()
            except (
                zipfile.BadZipFile,
                zlib.error,
                OSError,
                RuntimeError,
                NotImplementedError,
            ) as exc:
                problems.append(f"{name}: cannot be read ({exc})")
                continue
            if actual != expected:
                problems.append(f"{name}: its SHA-256 does not match the manifest (changed)")
        for name in sorted(names - set(listed) - {MANIFEST, SIGNATURE}):
            problems.append(f"{name}: not in the manifest (added)")
    return problems
