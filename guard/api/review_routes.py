"""The review API for compliance officers (reviewer or admin keys).

Listing, reading and exporting are themselves recorded in the audit access log.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import Field

from guard.api.deps import ReviewerDep
from guard.api.protocol import _Strict
from guard.audit import queries
from guard.audit.database import Database
from guard.audit.export import csv_lines, jsonl_lines
from guard.audit.subjects import decrypt_raw
from guard.errors import ForbiddenError, GuardError, InvalidRequestError

router = APIRouter(prefix="/v1")


class DecisionNotFoundError(GuardError):
    status_code = 404
    error_type = "invalid_request_error"
    default_code = "decision_not_found"


class ReviewRequest(_Strict):
    verdict: Literal["confirmed", "false_positive", "needs_policy_change"]
    note: str = Field(default="", max_length=4000)


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _query_filters(
    since: datetime | None = None,
    until: datetime | None = None,
    app: str | None = None,
    action: str | None = None,
    rule: str | None = None,
    review_status: str | None = None,
    q: str | None = None,
    session: str | None = None,
) -> queries.Filters:
    return queries.Filters(since, until, app, action, rule, review_status, q, session)


FiltersDep = Annotated[queries.Filters, Depends(_query_filters)]


async def _record(request: Request, key: Any, action: str, target: dict[str, Any]) -> None:
    await asyncio.to_thread(
        queries.record_access, _database(request), actor=key.name, action=action, target=target
    )


@router.get("/decisions")
async def list_decisions(
    request: Request,
    key: ReviewerDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Decisions, newest first, filtered; ``next_cursor`` fetches the next page."""
    try:
        rows, next_cursor = await asyncio.to_thread(
            queries.list_decisions, _database(request), filters=filters, limit=limit, cursor=cursor
        )
    except (ValueError, json.JSONDecodeError) as exc:
        raise InvalidRequestError("invalid cursor", param="cursor") from exc
    await _record(request, key, "list", {**filters.describe(), "limit": limit})
    return {"data": rows, "next_cursor": next_cursor}


@router.get("/decisions/export")
async def export_decisions(
    request: Request,
    key: ReviewerDep,
    filters: FiltersDep,
    format: Literal["jsonl", "csv"] = "jsonl",
) -> StreamingResponse:
    """Every matching decision, streamed as JSON lines or CSV (evidence for auditors)."""
    await _record(request, key, f"export-{format}", filters.describe())
    return export_stream(_database(request), filters, format)


def export_stream(database: Database, filters: queries.Filters, format: str) -> StreamingResponse:
    """Matching decisions streamed as JSON lines or CSV."""
    rows = queries.iter_rows(database, filters=filters)
    if format == "jsonl":
        body: Iterator[str] = jsonl_lines(rows)
        media = "application/x-ndjson"
    else:
        body = csv_lines(rows)
        media = "text/csv"
    filename = f"guard-decisions.{format}"
    return StreamingResponse(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/decisions/{decision_id}")
async def get_decision(
    decision_id: str, request: Request, key: ReviewerDep, include_raw: bool = False
) -> dict[str, Any]:
    """One decision with its findings, explanation, redacted text and review history."""
    row = await asyncio.to_thread(queries.get_decision, _database(request), decision_id)
    if row is None:
        raise DecisionNotFoundError(f"no decision {decision_id!r}")
    await _record(request, key, "read", {"decision_id": decision_id, "include_raw": include_raw})
    shown = queries.public(row)
    if include_raw:
        shown["raw"] = await asyncio.to_thread(_raw, request, key, row)
    return shown


def _raw(request: Request, key: Any, row: dict[str, Any]) -> dict[str, str] | None:
    if key.role != "admin":
        raise ForbiddenError("raw text is readable by the admin role only")
    settings = request.app.state.settings
    token = row.get("raw_encrypted")
    if token is None or not settings.raw_key:
        return None
    return decrypt_raw(_database(request), settings.raw_key, token, row.get("user_hash"))


@router.post("/decisions/{decision_id}/reviews")
async def add_review(
    decision_id: str, body: ReviewRequest, request: Request, key: ReviewerDep
) -> dict[str, Any]:
    """Record a verdict: confirmed, false_positive or needs_policy_change (append-only)."""
    review = await asyncio.to_thread(
        queries.add_review,
        _database(request),
        decision_id=decision_id,
        reviewer=key.name,
        verdict=body.verdict,
        note=body.note,
    )
    if review is None:
        raise DecisionNotFoundError(f"no decision {decision_id!r}")
    return review


@router.get("/stats")
async def decision_stats(
    request: Request,
    key: ReviewerDep,
    since: datetime | None = None,
    until: datetime | None = None,
    app: str | None = None,
    bucket: Literal["hour", "day"] = "hour",
) -> dict[str, Any]:
    """Counts by action, rule and app, and decisions over time."""
    filters = queries.Filters(since=since, until=until, app=app)
    await _record(request, key, "stats", filters.describe())
    return await asyncio.to_thread(
        queries.stats, _database(request), filters=filters, bucket=bucket
    )
