"""DecisionRecord: what the audit log keeps about one request (no prompt or answer text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from guard.policy.base import Action, StageOutcome

Outcome = Literal["ok", "error", "cancelled"]


@dataclass
class DecisionRecord:
    """One audited decision: who, what, when, where, the outcome and the timings."""

    decision_id: str
    request_id: str
    time: datetime
    endpoint: str
    app: str
    key_id: str | None
    replica: str
    model: str
    stream: bool
    action: Action = "allow"
    outcome: Outcome = "ok"
    error_code: str | None = None
    stages: list[StageOutcome] = field(default_factory=list)
    params: dict[str, object] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    guard_input_ms: float = 0.0
    generation_ms: float = 0.0
    guard_output_ms: float = 0.0
    time_to_first_token_ms: float | None = None
    policy: str | None = None
    policy_version: str | None = None
    redacted_prompt: str = ""
    redacted_answer: str = ""
    # HMAC of the request's ``user`` field (GUARD_HASH_KEY); the value is never kept
    user_hash: str | None = None
    # the session or conversation the application names (``x-guard-session``), an identifier
    session_id: str | None = None
    # HMACs of the card numbers in the request and answer (the numbers are never kept)
    card_hashes: list[str] = field(default_factory=list)
    # Only when GUARD_STORE_RAW is on; encrypted before it is written.
    raw: dict[str, str] | None = None
