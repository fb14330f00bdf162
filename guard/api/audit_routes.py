"""Admin routes over the audit log: erasure for a data subject and legal holds."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from guard.api.deps import AdminDep
from guard.api.protocol import _Strict
from guard.audit import erasure, retention
from guard.audit.subjects import subject_hash
from guard.errors import GuardError, InvalidRequestError

router = APIRouter(prefix="/v1/audit")


class HoldNotFoundError(GuardError):
    status_code = 404
    error_type = "invalid_request_error"
    default_code = "hold_not_found"


class ErasureRequest(_Strict):
    user: str = Field(min_length=1, max_length=1000)
    reason: str = Field(default="data subject erasure request", max_length=2000)


class NewHold(_Strict):
    reason: str = Field(min_length=1, max_length=2000)
    app: str | None = Field(default=None, min_length=1, max_length=200)
    decision_id: str | None = Field(default=None, min_length=1, max_length=36)


@router.post("/erasures")
async def erase_subject(body: ErasureRequest, request: Request, admin: AdminDep) -> dict[str, Any]:
    """Erase what the log holds about the subject whose ``user`` value is given."""
    state = request.app.state
    subject = subject_hash(state.pipeline.subject_key, body.user)
    report = await asyncio.to_thread(
        erasure.erase,
        state.database,
        state.checkpoints,
        subject=subject,
        actor=admin.name,
        reason=body.reason,
    )
    subjects = getattr(state.pipeline.audit, "subjects", None)
    if subjects is not None:
        subjects.forget(subject)
    return report.as_json()


@router.get("/holds")
async def list_holds(request: Request, _admin: AdminDep) -> dict[str, Any]:
    return {"data": await asyncio.to_thread(retention.list_holds, request.app.state.database)}


@router.post("/holds")
async def create_hold(body: NewHold, request: Request, admin: AdminDep) -> dict[str, Any]:
    """A legal hold on an app's records or on one decision."""
    if (body.app is None) == (body.decision_id is None):
        raise InvalidRequestError("give app or decision_id (one of them)", param="app")
    ident = await asyncio.to_thread(
        retention.create_hold,
        request.app.state.database,
        reason=body.reason,
        actor=admin.name,
        app=body.app,
        decision_id=body.decision_id,
    )
    return {"id": ident}


@router.delete("/holds/{hold_id}")
async def release_hold(hold_id: str, request: Request, admin: AdminDep) -> dict[str, Any]:
    released = await asyncio.to_thread(
        retention.release_hold, request.app.state.database, hold_id, actor=admin.name
    )
    if not released:
        raise HoldNotFoundError(f"no active hold {hold_id!r}")
    return {"id": hold_id, "released": True}
