"""A decision record to write in audit tests (ids in order, nothing else of note)."""

from __future__ import annotations

from datetime import UTC, datetime

from guard.audit.record import DecisionRecord


def a_record(
    i: int, *, app: str = "tests", when: datetime | None = None, **extra: object
) -> DecisionRecord:
    return DecisionRecord(
        decision_id=f"00000000-0000-7000-8000-{i:012d}",
        request_id=f"r{i}",
        time=when or datetime.now(UTC),
        endpoint="/v1/chat/completions",
        app=app,
        key_id=None,
        replica="t",
        model="m",
        stream=False,
        **extra,  # type: ignore[arg-type]
    )
