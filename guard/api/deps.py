"""Dependencies that routes declare, so that handlers read like prose."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from guard.config import Settings
from guard.errors import ForbiddenError
from guard.pipeline import Pipeline
from guard.policy.base import RequestContext


def _pipeline(request: Request) -> Pipeline:
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _context(request: Request) -> RequestContext:
    state = request.scope["state"]
    context = RequestContext(
        decision_id=state["decision_id"],
        request_id=state["request_id"],
        endpoint=request.url.path,
    )
    state["context"] = context  # the middleware reports its action in x-guard-decision
    return context


def _admin(request: Request) -> None:
    """Admin routes: the bearer key in GUARD_ADMIN_KEY, or, when none is set, loopback only.

    (Stored, hashed keys with roles replace this with the audit milestone.)
    """
    settings: Settings = request.app.state.settings
    if settings.admin_key:
        supplied = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(supplied.encode(), settings.admin_key.encode()):
            raise ForbiddenError("an admin key is required")
        return
    host = request.client.host if request.client else ""
    if not (host.startswith("127.") or host == "::1"):
        raise ForbiddenError(
            "admin routes answer loopback clients only unless GUARD_ADMIN_KEY is set"
        )


PipelineDep = Annotated[Pipeline, Depends(_pipeline)]
AdminDep = Annotated[None, Depends(_admin)]
SettingsDep = Annotated[Settings, Depends(_settings)]
ContextDep = Annotated[RequestContext, Depends(_context)]
