"""Dependencies that routes declare, so that handlers read like prose.

Bearer keys are checked against the key store (hashes only). An ``app`` key reaches the
proxy; ``reviewer`` keys read and review the audit log; ``admin`` keys can also manage
policies and keys. Traffic without a key is the app ``anonymous``, allowed only when
``GUARD_ANONYMOUS_APPS`` says so (by default: while guard listens on loopback only). Since
OpenAI clients insist on sending some key, a bearer value that is not a guard key (``gk_…``)
counts as no key; an unknown or revoked guard key is refused.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from guard.api.context import RequestContext
from guard.config import Settings
from guard.errors import ForbiddenError, UnauthorizedError
from guard.keys import KEY_PREFIX, ApiKey, KeyStore
from guard.pipeline import Pipeline


# Dependencies are ``async`` even where they do not await: FastAPI runs a plain ``def``
# dependency in its thread pool, two thread hops per request for nothing.
async def _pipeline(request: Request) -> Pipeline:
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _presented_key(request: Request) -> ApiKey | None:
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not presented.strip():
        raise UnauthorizedError("use an Authorization: Bearer <key> header")
    presented = presented.strip()
    if not presented.startswith(KEY_PREFIX):
        # OpenAI clients insist on some api_key; a value that is not a guard key is no key.
        return None
    store: KeyStore = request.app.state.keys
    key = await asyncio.to_thread(store.check, presented)
    if key is None:
        raise UnauthorizedError("the API key is unknown or revoked")
    return key


async def _context(request: Request) -> RequestContext:
    key = await _presented_key(request)
    settings: Settings = request.app.state.settings
    if key is None:
        if not settings.anonymous_allowed:
            raise UnauthorizedError("an app key is required (Authorization: Bearer <key>)")
        app, key_id, limits = "anonymous", None, None
    elif key.role != "app":
        raise ForbiddenError(f"a {key.role} key cannot call the proxy; use an app key")
    else:
        app, key_id, limits = key.name, key.id, key.limits
    state = request.scope["state"]
    context = RequestContext(
        decision_id=state["decision_id"],
        request_id=state["request_id"],
        endpoint=request.url.path,
        app=app,
        key_id=key_id,
        client=request.client.host if request.client else None,
        key_limits=limits,
    )
    state["context"] = context  # who it was, should the request be refused before the pipeline
    return context


@dataclass(frozen=True)
class ExplanationReader:
    """Who reads an explanation: a reviewer (the full one) or the app a decision was for."""

    name: str
    app: str | None  # None: a reviewer or admin, who may read every decision in full


async def _explanation_reader(request: Request) -> ExplanationReader:
    key = await _presented_key(request)
    if key is None:
        settings: Settings = request.app.state.settings
        if not settings.anonymous_allowed:
            raise UnauthorizedError("an app, reviewer or admin key is required")
        return ExplanationReader("anonymous", "anonymous")
    if key.role == "app":
        return ExplanationReader(key.name, key.name)
    return ExplanationReader(key.name, None)


async def _reviewer(request: Request) -> ApiKey:
    key = await _presented_key(request)
    if key is None:
        raise UnauthorizedError("a reviewer or admin key is required")
    if key.role not in ("reviewer", "admin"):
        raise ForbiddenError(f"an {key.role} key cannot read the audit log")
    return key


async def _admin(request: Request) -> ApiKey:
    key = await _presented_key(request)
    if key is None:
        raise UnauthorizedError("an admin key is required")
    if key.role != "admin":
        raise ForbiddenError("this route needs an admin key")
    return key


PipelineDep = Annotated[Pipeline, Depends(_pipeline)]
SettingsDep = Annotated[Settings, Depends(_settings)]
ContextDep = Annotated[RequestContext, Depends(_context)]
ReviewerDep = Annotated[ApiKey, Depends(_reviewer)]
AdminDep = Annotated[ApiKey, Depends(_admin)]
ExplanationReaderDep = Annotated[ExplanationReader, Depends(_explanation_reader)]
