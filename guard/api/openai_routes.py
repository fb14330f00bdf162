"""OpenAI protocol routes: chat completions, text completions and the model list.

Routes check the request, hand it to the pipeline, and render what comes back: a JSON
answer, or an event stream. Every check runs before a stream's 200 is sent; an error after
that becomes an in-band error event followed by ``[DONE]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from guard.api.context import RequestContext, hand_over, report
from guard.api.deps import ContextDep, PipelineDep, SettingsDep
from guard.api.limiting import admit, finish
from guard.api.protocol import ChatCompletionRequest, CompletionRequest
from guard.api.sse import DONE, sse
from guard.errors import GuardError
from guard.generators.base import Choice, Delta, GenerationRequest, ToolCall, Usage
from guard.limits import Ticket
from guard.pipeline import Answer, Decision, GuardedStream, Pipeline

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1")

T = TypeVar("T")


class ClientClosedError(GuardError):
    """The caller went away before the answer was ready (nginx's 499)."""

    status_code = 499
    error_type = "invalid_request_error"
    default_code = "client_closed_request"


async def cancel_on_disconnect(request: Request, work: Awaitable[T]) -> T:
    """Await ``work``, cancelling it (and the generation behind it) if the caller leaves."""
    task = asyncio.ensure_future(work)
    while True:
        done, _ = await asyncio.wait({task}, timeout=0.25)
        if done:
            return task.result()
        if await request.is_disconnected():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise ClientClosedError("the client closed the connection")


def _usage(usage: Usage) -> dict[str, int]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


@router.get("/models")
async def list_models(pipeline: PipelineDep, _ctx: ContextDep) -> dict[str, Any]:
    models = await pipeline.generator.models()
    return {
        "object": "list",
        "data": [
            {"id": m.id, "object": "model", "created": 0, "owned_by": m.owned_by} for m in models
        ],
    }


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: ChatCompletionRequest,
    request: Request,
    pipeline: PipelineDep,
    ctx: ContextDep,
    settings: SettingsDep,
) -> dict[str, Any] | StreamingResponse:
    generation = body.to_generation(
        max_n=settings.max_n, max_tokens_limit=settings.max_tokens_limit
    )
    return await _respond(request, pipeline, ctx, generation, body, chat=True)


@router.post("/completions", response_model=None)
async def completions(
    body: CompletionRequest,
    request: Request,
    pipeline: PipelineDep,
    ctx: ContextDep,
    settings: SettingsDep,
) -> dict[str, Any] | StreamingResponse:
    generation = body.to_generation(
        max_n=settings.max_n, max_tokens_limit=settings.max_tokens_limit
    )
    return await _respond(request, pipeline, ctx, generation, body, chat=False)


async def _respond(
    request: Request,
    pipeline: Pipeline,
    ctx: RequestContext,
    generation: GenerationRequest,
    body: ChatCompletionRequest | CompletionRequest,
    *,
    chat: bool,
) -> dict[str, Any] | StreamingResponse:
    """Run the pipeline and render its answer as a chat or text completion."""
    prefix = "chatcmpl" if chat else "cmpl"
    header = {"id": f"{prefix}-{ctx.decision_id}", "created": int(time.time()), "model": body.model}
    user = body.user or body.safety_identifier
    answer, ticket = await generate(request, pipeline, ctx, generation, user, body.stream)
    if isinstance(answer, GuardedStream):
        if chat:
            chunks = _chat_chunks(answer, header, generation.params.n, body.include_usage)
        else:
            chunks = _text_chunks(answer, header, body.include_usage)
        return event_stream(chunks, answer, request, ticket)
    render = _chat_choice if chat else _text_choice
    return {
        **header,
        "object": "chat.completion" if chat else "text_completion",
        "choices": [render(choice) for choice in answer.completion.choices],
        "usage": _usage(answer.completion.usage),
        "system_fingerprint": None,
        "guard": guard_field(answer.decision),
    }


async def generate(
    request: Request,
    pipeline: Pipeline,
    ctx: RequestContext,
    generation: GenerationRequest,
    user: str | None,
    stream: bool,
) -> tuple[Answer | GuardedStream, Ticket]:
    """The one way a generating route runs: the rate limits admit it, the pipeline takes
    it (streamed, or whole and cancelled if the caller leaves), the decision is reported;
    a whole answer's tokens are counted here, a stream's when it closes (``event_stream``)."""
    ticket = await admit(request, ctx, stream=stream)
    try:
        origin = hand_over(request, ctx, user=user)
        if stream:
            guarded = await pipeline.stream(origin, generation)
            report(request, guarded.decision)  # the input stage's, in x-guard-decision
            return guarded, ticket
    except BaseException:
        await finish(request, ticket, 0)
        raise
    tokens = 0
    try:
        answer = await cancel_on_disconnect(request, pipeline.complete(origin, generation))
        tokens = answer.completion.usage.total_tokens
    finally:
        await finish(request, ticket, tokens)
    report(request, answer.decision)
    return answer, ticket


def _tool_call(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }


def _chat_choice(choice: Choice) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": choice.text}
    if choice.tool_calls:
        message["content"] = choice.text or None
        message["tool_calls"] = [_tool_call(c) for c in choice.tool_calls]
    return {
        "index": choice.index,
        "message": message,
        "logprobs": None,
        "finish_reason": choice.finish_reason,
    }


def _text_choice(choice: Choice) -> dict[str, Any]:
    return {
        "index": choice.index,
        "text": choice.text,
        "logprobs": None,
        "finish_reason": choice.finish_reason,
    }


def event_stream(
    chunks: AsyncIterator[bytes], stream: GuardedStream, request: Request, ticket: Ticket
) -> StreamingResponse:
    """The SSE response of a guarded stream. Closing the stream after the response (sent,
    failed or abandoned before its first byte) writes the record of a request whose body
    was never read; then its tokens are counted and its stream slot given back."""

    async def closed() -> None:
        try:
            await stream.aclose()
        finally:
            await finish(request, ticket, stream.total_tokens)

    return StreamingResponse(
        chunks,
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        background=BackgroundTask(closed),
    )


def guard_field(decision: Decision) -> dict[str, Any]:
    return {
        "decision_id": decision.decision_id,
        "action": decision.action,
        "rules": list(decision.rules),
    }


async def _framed(
    stream: GuardedStream,
    render: Callable[[Delta], dict[str, Any]],
    header: dict[str, Any],
    include_usage: bool,
) -> AsyncIterator[bytes]:
    """Frame events as SSE; after the 200 is out, an error becomes an in-band event."""
    try:
        async for event in stream:
            if isinstance(event, Usage):
                if include_usage:
                    yield sse({**header, "choices": [], "usage": _usage(event)})
                continue
            chunk = {**header, "choices": [render(event)]}
            if event.finish_reason == "content_filter":
                chunk["guard"] = guard_field(stream.decision)
            if include_usage:
                chunk["usage"] = None
            yield sse(chunk)
    except GuardError as exc:
        yield sse(exc.to_body())
    except Exception:
        log.exception("stream failed after it started")
        yield sse(GuardError("the stream failed; see the server log").to_body())
    finally:
        await stream.aclose()
    yield DONE


async def _chat_chunks(
    stream: GuardedStream, header: dict[str, Any], n: int, include_usage: bool
) -> AsyncIterator[bytes]:
    header = {**header, "object": "chat.completion.chunk", "system_fingerprint": None}
    for index in range(n):
        first: dict[str, Any] = {
            **header,
            "choices": [
                {
                    "index": index,
                    "delta": {"role": "assistant", "content": ""},
                    "logprobs": None,
                    "finish_reason": None,
                }
            ],
        }
        if include_usage:
            first["usage"] = None
        yield sse(first)

    def render(delta: Delta) -> dict[str, Any]:
        part: dict[str, Any] = {"content": delta.text} if delta.text else {}
        if delta.tool_calls:
            part["tool_calls"] = [
                {"index": i, **_tool_call(c)} for i, c in enumerate(delta.tool_calls)
            ]
        return {
            "index": delta.index,
            "delta": part,
            "logprobs": None,
            "finish_reason": delta.finish_reason,
        }

    async for chunk in _framed(stream, render, header, include_usage):
        yield chunk


async def _text_chunks(
    stream: GuardedStream, header: dict[str, Any], include_usage: bool
) -> AsyncIterator[bytes]:
    header = {**header, "object": "text_completion", "system_fingerprint": None}

    def render(delta: Delta) -> dict[str, Any]:
        return {
            "index": delta.index,
            "text": delta.text,
            "logprobs": None,
            "finish_reason": delta.finish_reason,
        }

    async for chunk in _framed(stream, render, header, include_usage):
        yield chunk
