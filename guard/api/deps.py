"""Dependencies that routes declare, so that handlers read like prose."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from guard.config import Settings
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


PipelineDep = Annotated[Pipeline, Depends(_pipeline)]
SettingsDep = Annotated[Settings, Depends(_settings)]
ContextDep = Annotated[RequestContext, Depends(_context)]
