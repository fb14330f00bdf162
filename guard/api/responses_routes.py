"""``POST /v1/responses``: OpenAI's Responses API for text, through the same pipeline.

The request becomes chat messages (``instructions`` first, as the system prompt) and goes
through the one admission path, generator and output guard as a chat completion does, with
its own record (endpoint ``/v1/responses``). A streamed answer is the Responses event
sequence (``response.created`` … ``response.output_text.delta`` … ``response.completed``);
an answer the output guard withholds ends ``incomplete`` with reason ``content_filter``,
and an error after the stream began is an ``error`` event.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from guard.api.deps import ContextDep, PipelineDep, SettingsDep
from guard.api.openai_routes import event_stream, generate, guard_field
from guard.api.protocol import ResponsesRequest
from guard.errors import GuardError
from guard.generators.base import Delta, FinishReason, Usage
from guard.pipeline import Decision, GuardedStream

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1")


def _usage(usage: Usage) -> dict[str, Any]:
    return {
        "input_tokens": usage.prompt_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": usage.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": usage.total_tokens,
    }


class _Shape:
    """The response object of one request, as it grows."""

    def __init__(self, body: ResponsesRequest, decision_id: str):
        self.body = body
        self.id = f"resp_{decision_id.replace('-', '')}"
        self.item_id = f"msg_{decision_id.replace('-', '')}"
        self.created = int(time.time())

    def _format(self) -> dict[str, Any]:
        return (self.body.text.format if self.body.text else None) or {"type": "text"}

    def message(self, text: str, status: str) -> dict[str, Any]:
        return {
            "type": "message",
            "id": self.item_id,
            "status": status,
            "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": []}] if text else [],
        }

    def response(
        self,
        *,
        status: str,
        text: str | None = None,
        finish: FinishReason | None = None,
        usage: Usage | None = None,
        decision: Decision | None = None,
    ) -> dict[str, Any]:
        incomplete = None
        if finish == "length":
            status, incomplete = "incomplete", {"reason": "max_output_tokens"}
        elif finish == "content_filter":
            status, incomplete = "incomplete", {"reason": "content_filter"}
        item_status = "completed" if status == "completed" else status
        shown: dict[str, Any] = {
            "id": self.id,
            "object": "response",
            "created_at": self.created,
            "status": status,
            "error": None,
            "incomplete_details": incomplete,
            "instructions": self.body.instructions,
            "max_output_tokens": self.body.max_output_tokens,
            "model": self.body.model,
            "output": [] if text is None else [self.message(text, item_status)],
            "parallel_tool_calls": False,
            "temperature": self.body.temperature,
            "top_p": self.body.top_p,
            "tool_choice": "none",
            "tools": [],
            "text": {"format": self._format()},
            "metadata": self.body.metadata or {},
            "store": False,
            "user": self.body.user,
            "usage": _usage(usage) if usage is not None else None,
        }
        if decision is not None:
            shown["guard"] = guard_field(decision)
        return shown


@router.post("/responses", response_model=None)
async def responses(
    body: ResponsesRequest,
    request: Request,
    pipeline: PipelineDep,
    ctx: ContextDep,
    settings: SettingsDep,
) -> dict[str, Any] | StreamingResponse:
    generation = body.to_generation(max_tokens_limit=settings.max_tokens_limit)
    shape = _Shape(body, ctx.decision_id)
    user = body.user or body.safety_identifier
    answer, ticket = await generate(request, pipeline, ctx, generation, user, body.stream)
    if isinstance(answer, GuardedStream):
        return event_stream(_events(answer, shape), answer, request, ticket)
    [choice] = answer.completion.choices
    return shape.response(
        status="completed",
        text=choice.text,
        finish=choice.finish_reason,
        usage=answer.completion.usage,
        decision=answer.decision,
    )


def _event(kind: str, number: int, **fields: Any) -> bytes:
    data = {"type": kind, "sequence_number": number, **fields}
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def _events(stream: GuardedStream, shape: _Shape) -> AsyncIterator[bytes]:
    """The Responses event sequence for one guarded stream of deltas."""
    number = 0

    def event(kind: str, **fields: Any) -> bytes:
        nonlocal number
        number += 1
        return _event(kind, number - 1, **fields)

    where = {"item_id": shape.item_id, "output_index": 0, "content_index": 0}
    yield event("response.created", response=shape.response(status="in_progress"))
    yield event("response.in_progress", response=shape.response(status="in_progress"))
    yield event("response.output_item.added", output_index=0, item=shape.message("", "in_progress"))
    part = {"type": "output_text", "text": "", "annotations": []}
    yield event("response.content_part.added", part=part, **where)
    text = ""
    finish: FinishReason | None = None
    usage = Usage(0, 0)
    try:
        async for item in stream:
            if isinstance(item, Usage):
                usage = item
                continue
            assert isinstance(item, Delta)
            if item.text:  # a withheld answer ends with the block message, as in chat
                text += item.text
                yield event("response.output_text.delta", delta=item.text, logprobs=[], **where)
            finish = item.finish_reason or finish
    except GuardError as exc:
        error = exc.to_body()["error"]
        yield event("error", code=error.get("code"), message=error["message"], param=None)
        return
    except Exception:
        log.exception("stream failed after it started")
        yield event("error", code="server_error", message="the stream failed", param=None)
        return
    finally:
        await stream.aclose()
    yield event("response.output_text.done", text=text, logprobs=[], **where)
    done_part = {"type": "output_text", "text": text, "annotations": []}
    yield event("response.content_part.done", part=done_part, **where)
    final = shape.response(
        status="completed", text=text, finish=finish, usage=usage, decision=stream.decision
    )
    yield event("response.output_item.done", output_index=0, item=final["output"][0])
    kind = "response.completed" if final["status"] == "completed" else "response.incomplete"
    yield event(kind, response=final)
