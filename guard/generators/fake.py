"""FakeGenerator: a deterministic stand-in for a model, named as a fake, for tests and demos.

It answers with whatever its ``handler`` returns for a request (by default it echoes the
last user message), one whitespace-separated word per token, honouring ``max_tokens``,
``stop``, ``n`` and an optional per-token delay so that tests can exercise streaming,
timeouts and cancellation without a model.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import AsyncIterator, Callable, Sequence

from guard.config import Settings
from guard.errors import ModelNotFoundError
from guard.generators.base import (
    Completion,
    Delta,
    EmbeddingRequest,
    Embeddings,
    GenerationRequest,
    ModelInfo,
    StreamEvent,
    Usage,
    collect,
    refuse_tools,
)
from guard.generators.stops import StopStringBuffer

Handler = Callable[[GenerationRequest], str]

FAKE_MODEL = "fake-model"


def echo_handler(request: GenerationRequest) -> str:
    """The default answer: names itself as fake and echoes the last user text."""
    if request.messages is not None:
        users = [m.content for m in request.messages if m.role == "user"]
        said = users[-1] if users else ""
    else:
        said = request.prompt or ""
    return f"This is a fake answer to: {said}"


class FakeGenerator:
    """A ``Generator`` that needs no model; deterministic given its handler."""

    def __init__(
        self,
        handler: Handler = echo_handler,
        *,
        model: str = FAKE_MODEL,
        token_delay_s: float = 0.0,
        default_max_tokens: int = 512,
        chunk_chars: int = 0,
    ):
        self._handler = handler
        self._model = model
        self._delay = token_delay_s
        self._default_max_tokens = default_max_tokens
        self._chunk_chars = chunk_chars
        self.started = False
        self.cancelled_streams = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> FakeGenerator:
        model = settings.served_model_name or FAKE_MODEL
        return cls(
            model=model,
            default_max_tokens=settings.default_max_tokens,
            token_delay_s=settings.fake_token_delay_ms / 1000,
        )

    async def start(self) -> None:
        self.started = True

    def queue_depth(self) -> int:
        return 0  # nothing queues: every request is answered at once

    async def aclose(self) -> None:
        self.started = False

    async def models(self) -> Sequence[ModelInfo]:
        return (ModelInfo(id=self._model, owned_by="guard-fake"),)

    async def complete(self, request: GenerationRequest) -> Completion:
        return await collect(await self.stream(request), request.params.n)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        refuse_tools(request, "fake")
        if request.model != self._model:
            raise ModelNotFoundError(f"The model {request.model!r} does not exist.", param="model")
        return self._events(request)

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        """Fake vectors: each word hashed into one of ``dimensions`` (16) buckets, the
        counts scaled to length 1. Deterministic, and close for texts sharing words."""
        if request.model != self._model:
            raise ModelNotFoundError(f"The model {request.model!r} does not exist.", param="model")
        size = request.dimensions or 16
        vectors = []
        for text in request.inputs:
            counts = [0.0] * size
            for word in text.lower().split():
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                counts[int.from_bytes(digest, "big") % size] += 1.0
            norm = math.sqrt(sum(c * c for c in counts)) or 1.0
            vectors.append(tuple(c / norm for c in counts))
        tokens = sum(len(text.split()) for text in request.inputs)
        return Embeddings(tuple(vectors), tokens)

    async def _events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        params = request.params
        answer = self._handler(request)
        if self._chunk_chars:  # fixed-size pieces, so that words split across tokens
            step = self._chunk_chars
            words = [answer[i : i + step] for i in range(0, len(answer), step)] or [""]
        else:
            words = answer.split(" ")
        joiner = "" if self._chunk_chars else " "
        limit = params.max_tokens or self._default_max_tokens
        prompt_text = request.prompt or " ".join(m.content for m in request.messages or ())
        produced = 0
        try:
            for index in range(params.n):
                buffer = StopStringBuffer(params.stop)
                text = ""
                count = 0
                reason: str = "stop"
                for count, word in enumerate(words, start=1):
                    if self._delay:
                        await asyncio.sleep(self._delay)
                    text = word if count == 1 else f"{text}{joiner}{word}"
                    piece = buffer.feed(text)
                    if piece:
                        yield Delta(index, piece)
                    if buffer.stopped:
                        break
                    if count >= limit:
                        reason = "length"
                        break
                produced += count
                tail = buffer.flush(text)
                yield Delta(index, tail, "length" if reason == "length" else "stop")
            yield Usage(prompt_tokens=len(prompt_text.split()), completion_tokens=produced)
        except (asyncio.CancelledError, GeneratorExit):
            self.cancelled_streams += 1
            raise
