"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and serving HTTP."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready when the generator has started and answers, and the database is reachable."""
    state = request.app.state
    checks: dict[str, Any] = {}
    if not getattr(state, "generator_started", False):
        checks["generator"] = "not started"
    else:
        try:
            models = await asyncio.wait_for(state.pipeline.generator.models(), timeout=5)
            checks["generator"] = "ok" if models else "no models"
        except Exception as exc:
            checks["generator"] = f"unavailable: {type(exc).__name__}"
    problem = await state.database.problem()
    checks["database"] = "ok" if problem is None else problem
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus text exposition of this process's metrics."""
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
