"""``POST /v1/embeddings``: texts to embed, guarded on input by the rules for embeddings.

What each rule does to an input is the policy's choice (``endpoints: [embeddings]`` on a
rule): the shipped pack redacts card numbers and national ids, so they never reach an
embedding model or the vector store behind it. A blocked input refuses the request with
``content_policy_violation``; every request leaves one audit record.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
from fastapi import APIRouter, Request

from guard.api.context import hand_over, report
from guard.api.deps import ContextDep, PipelineDep
from guard.api.limiting import admit, finish
from guard.api.openai_routes import guard_field
from guard.api.protocol import EmbeddingsRequest

router = APIRouter(prefix="/v1")


def _encoded(vector: tuple[float, ...], encoding: str) -> list[float] | str:
    if encoding == "base64":  # little-endian float32, as OpenAI's clients decode it
        return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode()
    return list(vector)


@router.post("/embeddings")
async def embeddings(
    body: EmbeddingsRequest, request: Request, pipeline: PipelineDep, ctx: ContextDep
) -> dict[str, Any]:
    embedding = body.to_embedding()
    ticket = await admit(request, ctx)
    tokens = 0
    try:
        answer = await pipeline.embed(hand_over(request, ctx, user=body.user), embedding)
        tokens = answer.embeddings.prompt_tokens
    finally:
        await finish(request, ticket, tokens)
    report(request, answer.decision)
    tokens = answer.embeddings.prompt_tokens
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": _encoded(v, body.encoding_format)}
            for i, v in enumerate(answer.embeddings.vectors)
        ],
        "model": body.model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        "guard": guard_field(answer.decision),
    }
