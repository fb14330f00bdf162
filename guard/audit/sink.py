"""The AuditSink protocol and the interim sink that logs each decision's metadata.

The durable, hash-chained database writer replaces ``LogAuditSink`` behind the same
protocol; the pipeline already calls it exactly once per request on every path.
"""

from __future__ import annotations

import logging
from typing import Protocol

from guard.audit.record import DecisionRecord

log = logging.getLogger("guard.audit")


class AuditSink(Protocol):
    """Takes one record per request; must not lose it and must not block the request long."""

    async def record(self, record: DecisionRecord) -> None: ...

    async def aclose(self) -> None: ...


class LogAuditSink:
    """Logs each decision's ids, action, outcome and timings (never prompt or answer text)."""

    def __init__(self) -> None:
        self.count = 0

    async def record(self, record: DecisionRecord) -> None:
        self.count += 1
        log.info(
            "decision %s request=%s endpoint=%s app=%s model=%s action=%s outcome=%s%s "
            "tokens=%d/%d guard_in=%.1fms gen=%.1fms guard_out=%.1fms",
            record.decision_id,
            record.request_id,
            record.endpoint,
            record.app,
            record.model,
            record.action,
            record.outcome,
            f" error={record.error_code}" if record.error_code else "",
            record.prompt_tokens,
            record.completion_tokens,
            record.guard_input_ms,
            record.generation_ms,
            record.guard_output_ms,
        )

    async def aclose(self) -> None:
        return None
