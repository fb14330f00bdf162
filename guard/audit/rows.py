"""Turning a DecisionRecord into the row the audit log keeps, and hashing rows into a chain.

A row holds metadata, findings (spans, scores, thresholds, evidence: never matched text),
the explanation, and redacted prompt and answer. Each row's hash covers its content and the
previous row's hash in the same chain, so an edited, deleted or reordered row is detected.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from guard.audit.cards import mask_cards, mask_cards_in
from guard.audit.record import DecisionRecord
from guard.policy.explain import explain, finding_record

GENESIS = "0" * 64
# Columns the chain hash covers (everything but the hash itself and the review status,
# which reviews change; reviews are their own append-only history).
UNHASHED = {"hash", "review_status"}


def to_row(record: DecisionRecord, raw_encrypted: bytes | None = None) -> dict[str, Any]:
    """The audit row for ``record``, without its chain fields."""
    rules = [r for s in record.stages for r in s.rules]
    return {
        "id": record.decision_id,
        "time": record.time.astimezone(UTC),
        "app": record.app,
        "key_id": record.key_id,
        "request_id": record.request_id,
        "replica": record.replica,
        "endpoint": record.endpoint,
        "model": record.model,
        "stream": record.stream,
        "action": record.action,
        "outcome": record.outcome,
        "error_code": record.error_code,
        "rules": "," + ",".join(dict.fromkeys(rules)) + "," if rules else "",
        "stages": [
            {
                "stage": s.stage,
                "action": s.action,
                "rules": list(s.rules),
                "shadow_rules": list(s.shadow_rules),
                "failures": [
                    {"rule_id": f.rule_id, "detector": f.detector, "fail_mode": f.fail_mode}
                    for f in s.failures
                ],
                "elapsed_ms": round(s.elapsed_s * 1000, 3),
                "policy_chain": list(s.policy_chain),
                "texts": [mask_cards(t) for t in s.redacted],
                "highlights": list(s.highlights),
            }
            for s in record.stages
        ],
        "findings": [finding_record(f) for s in record.stages for f in s.fired],
        "explanation": explain(record.stages),
        "redacted_prompt": mask_cards(record.redacted_prompt),
        "redacted_answer": mask_cards(record.redacted_answer),
        "params": mask_cards_in(_jsonable(record.params)),
        "prompt_tokens": record.prompt_tokens,
        "completion_tokens": record.completion_tokens,
        "guard_input_ms": record.guard_input_ms,
        "generation_ms": record.generation_ms,
        "guard_output_ms": record.guard_output_ms,
        "time_to_first_token_ms": record.time_to_first_token_ms,
        "policy": record.policy,
        "policy_version": record.policy_version,
        "raw_encrypted": raw_encrypted,
        "user_hash": record.user_hash,
        "session_id": record.session_id,
        "card_hashes": list(record.card_hashes) or None,
        "review_status": "unreviewed",
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=list))


def utc_iso(moment: datetime) -> str:
    """A time as the log hashes and signs it: UTC, ISO 8601, microseconds (naive is UTC)."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


# Columns added after rows were first written: hashed only when set, so older rows verify.
_HASHED_WHEN_SET = {"user_hash", "card_hashes", "session_id"}


def row_hash(row: dict[str, Any], unhashed: frozenset[str] | set[str] = UNHASHED) -> str:
    """SHA-256 over the row's hashed columns (which include ``prev_hash``), canonically."""
    content = {
        k: _canonical(v)
        for k, v in sorted(row.items())
        if k not in unhashed and not (v is None and k in _HASHED_WHEN_SET)
    }
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def chain(row: dict[str, Any], *, chain_id: str, seq: int, prev_hash: str) -> dict[str, Any]:
    """``row`` with its chain fields and hash filled in."""
    linked = {**row, "chain_id": chain_id, "seq": seq, "prev_hash": prev_hash}
    linked["hash"] = row_hash(linked)
    return linked


def to_spool(row: dict[str, Any]) -> str:
    """One JSON line for the spool file."""
    return json.dumps({k: _canonical(v) for k, v in row.items()}, ensure_ascii=False)


def from_spool(line: str) -> dict[str, Any]:
    row: dict[str, Any] = json.loads(line)
    row["time"] = datetime.fromisoformat(row["time"])
    if row.get("raw_encrypted") is not None:
        row["raw_encrypted"] = base64.b64decode(row["raw_encrypted"])
    return row
