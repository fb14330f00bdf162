"""A fake OpenAI-compatible upstream for side-by-side proxy benchmarks: a bare ASGI app that
answers chat completions at once with the last message's text (plain or streamed) and lists
one model, ``fake``. Run it with ``uvicorn fake_upstream:app --app-dir scripts``."""

from __future__ import annotations

import json
import time
from typing import Any

Scope = dict[str, Any]


def _chunk(delta: dict[str, Any], finish: str | None) -> bytes:
    event = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "fake",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(event)}\n\n".encode()


async def app(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"].endswith("/models"):
        out: dict[str, Any] = {
            "object": "list",
            "data": [{"id": "fake", "object": "model", "created": 0, "owned_by": "bench"}],
        }
    else:
        request = json.loads(body or b"{}")
        messages = request.get("messages") or [{}]
        text = messages[-1].get("content") or "ok"
        if request.get("stream"):
            headers = [(b"content-type", b"text/event-stream")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            for delta in ({"role": "assistant", "content": ""}, {"content": text}):
                await send(
                    {"type": "http.response.body", "body": _chunk(delta, None), "more_body": True}
                )
            await send(
                {"type": "http.response.body", "body": _chunk({}, "stop") + b"data: [DONE]\n\n"}
            )
            return
        out = {
            "id": "c1",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "fake",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
    data = json.dumps(out).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": data})
