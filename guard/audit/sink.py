"""The AuditSink protocol, and a sink that only logs (for tools and tests without a database).

The server uses ``guard.audit.writer.DatabaseAuditSink``; the pipeline calls the sink
exactly once per request on every path.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Protocol

from guard.audit.record import DecisionRecord
from guard.audit.rows import to_row

log = logging.getLogger("guard.audit")


class AuditSink(Protocol):
    """Takes one record per request; must not lose it and must not block the request long."""

    async def start(self) -> None:
        """Begin writing (replay what an earlier process left); called once at start-up."""

    async def record(self, record: DecisionRecord) -> None: ...

    async def fetch(self, decision_id: str) -> dict[str, Any] | None:
        """The stored row of a decision (see ``guard.audit.rows.to_row``), if known."""

    async def aclose(self) -> None: ...


class LogAuditSink:
    """Logs each decision's ids, action, outcome and timings (never prompt or answer text),
    and keeps the most recent records in memory so their explanations can be served."""

    def __init__(self, keep: int = 10_000) -> None:
        self.count = 0
        self._keep = keep
        self._recent: OrderedDict[str, DecisionRecord] = OrderedDict()

    async def start(self) -> None:
        return None

    async def fetch(self, decision_id: str) -> dict[str, Any] | None:
        record = self._recent.get(decision_id)
        return to_row(record) if record else None

    async def record(self, record: DecisionRecord) -> None:
        self.count += 1
        self._recent[record.decision_id] = record
        while len(self._recent) > self._keep:
            self._recent.popitem(last=False)
        log.info(
            "decision %s request=%s endpoint=%s app=%s model=%s action=%s rules=%s outcome=%s%s "
            "tokens=%d/%d guard_in=%.1fms gen=%.1fms guard_out=%.1fms",
            record.decision_id,
            record.request_id,
            record.endpoint,
            record.app,
            record.model,
            record.action,
            ",".join(r for s in record.stages for r in s.rules) or "-",
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
