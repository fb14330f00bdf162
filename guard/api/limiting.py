"""Rate limits at the door of every proxy route: the caller's key and its app's policy.

``admit`` counts a request against the limits of its key (``guard keys create --rpm``)
and of its app (the policy's ``limits:``), or refuses it with a 429 before the pipeline
(the middleware's record of a refused request keeps it, ``http_429``). The ticket's
``x-ratelimit-*`` headers go out on the answer; ``finish`` counts the answer's tokens and
gives back a stream's slot.
"""

from __future__ import annotations

from fastapi import Request

from guard.api.context import RequestContext, request_state
from guard.limits import Limiter, Limits, RateLimitedError, Ticket


async def admit(request: Request, ctx: RequestContext, *, stream: bool = False) -> Ticket:
    limiter: Limiter = request.app.state.limiter
    scopes: list[tuple[str, Limits]] = []
    if ctx.key_id is not None and ctx.key_limits is not None:
        scopes.append((f"key:{ctx.key_id}", ctx.key_limits))
    store = getattr(request.app.state, "policy_store", None)
    policy = store.current.for_app(ctx.app) if store is not None else None
    if policy is not None and policy.limits is not None:
        scopes.append((f"app:{ctx.app}", policy.limits))
    try:
        ticket = await limiter.admit(scopes, stream=stream)
    except RateLimitedError as exc:
        kind = exc.scope.partition(":")[0]
        request.app.state.metrics.rate_limited.labels(scope=kind, limit=exc.error_type).inc()
        raise
    request_state(request)["ratelimit_headers"] = ticket.headers
    return ticket


async def finish(request: Request, ticket: Ticket, tokens: int) -> None:
    limiter: Limiter = request.app.state.limiter
    try:
        await limiter.used(ticket, tokens)
    finally:
        await limiter.release(ticket)
