"""RecordingAuditSink: a fake AuditSink that keeps records in memory so tests can count them."""

from __future__ import annotations

from typing import Any

from guard.audit.record import DecisionRecord
from guard.audit.rows import to_row


class RecordingAuditSink:
    def __init__(self) -> None:
        self.records: list[DecisionRecord] = []

    async def start(self) -> None:
        return None

    async def record(self, record: DecisionRecord) -> None:
        self.records.append(record)

    async def aclose(self) -> None:
        return None

    async def fetch(self, decision_id: str) -> dict[str, Any] | None:
        found = self.by_id(decision_id)
        return to_row(found[-1]) if found else None

    def by_id(self, decision_id: str) -> list[DecisionRecord]:
        return [r for r in self.records if r.decision_id == decision_id]
