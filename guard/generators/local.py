"""LocalGenerator: a transformers model in this process, fed by a batching worker thread.

Requests are tokenized on arrival (so context-length errors come before any response),
then queued for the worker in ``guard.generators.batching``; their events come back to
the caller's event loop as tokens are produced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from guard.config import BUNDLED_MODEL, Settings
from guard.errors import (
    ContextLengthError,
    GuardError,
    InvalidRequestError,
    ModelNotFoundError,
    ServiceUnavailableError,
)
from guard.generators.base import (
    Completion,
    Delta,
    EmbeddingRequest,
    Embeddings,
    GenerationRequest,
    ModelInfo,
    StreamEvent,
    Usage,
    close_events,
    collect,
)
from guard.generators.batching import END, BatchingWorker, Job
from guard.generators.chat_tools import refuse_unless_template_tools, split_calls, template_messages
from guard.generators.local_model import LoadedModel, load_model, pick_device, pick_dtype

log = logging.getLogger(__name__)

# The embedding model served by ``POST /v1/embeddings``: the bundled all-MiniLM-L6-v2,
# the one the semantic detectors load (loaded once per process, shared with them).
EMBEDDING_MODEL = "all-MiniLM-L6-v2"
EMBEDDING_DIMENSIONS = 384


class LocalGenerator:
    """A ``Generator`` running a transformers model in-process on CPU or GPU, batched."""

    def __init__(
        self,
        *,
        model: str,
        served_name: str,
        device: str = "auto",
        dtype: str = "auto",
        cache_dir: Path,
        max_batch_size: int = 8,
        batch_wait_ms: float = 5.0,
        default_max_tokens: int = 512,
    ):
        self._model = model
        self._served_name = served_name
        self._device = device
        self._dtype = dtype
        self._cache_dir = cache_dir
        self._max_batch_size = max_batch_size
        self._wait_s = batch_wait_ms / 1000
        self._default_max_tokens = default_max_tokens
        self._encode_lock = threading.Lock()
        self.loaded: LoadedModel | None = None
        self._encoder: Any = None
        self._worker: BatchingWorker | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalGenerator:
        # A device or dtype this machine cannot run stops `guard serve` now, with the reason
        # (exit 2), not as a traceback from inside the server's start-up.
        pick_dtype(settings.dtype, pick_device(settings.device))
        return cls(
            model=settings.model,
            served_name=settings.served_model_name or _default_served_name(settings.model),
            device=settings.device,
            dtype=settings.dtype,
            cache_dir=settings.cache_dir,
            max_batch_size=settings.max_batch_size,
            batch_wait_ms=settings.batch_wait_ms,
            default_max_tokens=settings.default_max_tokens,
        )

    async def start(self) -> None:
        self.loaded = await asyncio.to_thread(
            load_model,
            self._model,
            device=self._device,
            dtype=self._dtype,
            cache_root=self._cache_dir,
        )
        self._worker = BatchingWorker(
            self.loaded, max_batch_size=self._max_batch_size, wait_s=self._wait_s
        )
        self._worker.start()

    @property
    def batch_sizes(self) -> Sequence[int]:
        """Rows in each recent batch (most recent last)."""
        return tuple(self._worker.batch_sizes) if self._worker else ()

    def queue_depth(self) -> int:
        return self._worker.queue_depth() if self._worker else 0

    @property
    def stats(self) -> dict[str, int]:
        """Counts since start: batches, rows, generated tokens, rows whose caller left."""
        return dict(self._worker.stats) if self._worker else {}

    def device_description(self) -> str:
        if self.loaded is None:
            return "not loaded"
        return f"{self.loaded.device} {self.loaded.dtype_name}"

    async def models(self) -> Sequence[ModelInfo]:
        return (ModelInfo(id=self._served_name),)

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        """Vectors from the bundled all-MiniLM-L6-v2 (normalized, 384 dimensions)."""
        if request.model != EMBEDDING_MODEL:
            raise ModelNotFoundError(
                f"The model {request.model!r} does not embed here; the local generator "
                f"embeds with {EMBEDDING_MODEL!r}.",
                param="model",
            )
        if request.dimensions not in (None, EMBEDDING_DIMENSIONS):
            raise InvalidRequestError(
                f"{EMBEDDING_MODEL} has {EMBEDDING_DIMENSIONS} dimensions", param="dimensions"
            )
        encoder = self._embedder()

        def run() -> Embeddings:
            matrix = encoder.encode(
                list(request.inputs), normalize_embeddings=True, show_progress_bar=False
            )
            tokens = sum(len(encoder.tokenizer.tokenize(text)) for text in request.inputs)
            return Embeddings(tuple(tuple(float(x) for x in row) for row in matrix), tokens)

        return await asyncio.to_thread(run)

    def _embedder(self) -> Any:
        """The bundled MiniLM, the semantic detectors' own instance (loaded on first use)."""
        if self._encoder is None:
            from guard.detectors.base import DetectorContext
            from guard.detectors.semantic.detector import bundled_embedding_model, shared_encoder

            model = bundled_embedding_model()
            self._encoder = shared_encoder(model, self._device, DetectorContext())
        return self._encoder

    async def complete(self, request: GenerationRequest) -> Completion:
        return await collect(await self.stream(request), request.params.n)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        if request.model != self._served_name:
            raise ModelNotFoundError(f"The model {request.model!r} does not exist.", param="model")
        if self.loaded is None or self._worker is None:
            raise ServiceUnavailableError("the model is not loaded yet")
        loaded = self.loaded
        refuse_unless_template_tools(request, getattr(loaded.tokenizer, "chat_template", None))
        params = request.params.with_defaults(loaded.sampling_defaults)
        prompt_ids = await asyncio.to_thread(self._encode, request)
        room = loaded.context_length - len(prompt_ids)
        max_tokens = params.max_tokens or min(self._default_max_tokens, room)
        if room < 1 or len(prompt_ids) + max_tokens > loaded.context_length:
            raise ContextLengthError(
                f"This model's maximum context length is {loaded.context_length} tokens. "
                f"However, you requested {len(prompt_ids) + max(max_tokens, 1)} tokens "
                f"({len(prompt_ids)} in the prompt, {max(max_tokens, 1)} in the completion).",
                param="messages" if request.messages is not None else "prompt",
            )
        job = Job(params, prompt_ids, max_tokens)
        self._worker.submit(job)
        if request.tools:
            return _with_calls(self._events(job), f"call_{id(job):x}")
        return self._events(job)

    async def _events(self, job: Job) -> AsyncIterator[StreamEvent]:
        finished = False
        try:
            while True:
                event = await job.events.get()
                if event is END:
                    finished = True
                    return
                if isinstance(event, GuardError):
                    finished = True
                    raise event
                yield event
        finally:
            if not finished:
                job.cancelled.set()

    def _encode(self, request: GenerationRequest) -> list[int]:
        assert self.loaded is not None
        tokenizer = self.loaded.tokenizer
        with self._encode_lock:
            if request.messages is not None:
                encoded = tokenizer.apply_chat_template(
                    template_messages(request.messages),
                    tools=list(request.tools) or None,
                    add_generation_prompt=True,
                    tokenize=True,
                    return_dict=True,
                )
                return list(encoded["input_ids"])
            return list(tokenizer(request.prompt)["input_ids"])

    async def aclose(self) -> None:
        if self._worker is not None:
            worker, self._worker = self._worker, None
            await asyncio.to_thread(worker.stop)
        with contextlib.suppress(Exception):
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()


async def _with_calls(
    events: AsyncIterator[StreamEvent], call_prefix: str
) -> AsyncIterator[StreamEvent]:
    """A tool-using answer, held per choice until it ends, then its ``<tool_call>`` blocks
    as the choice's calls (finish reason ``tool_calls``) and the rest as its text."""
    texts: dict[int, str] = {}
    try:
        async for event in events:
            if isinstance(event, Usage):
                yield event
                continue
            texts[event.index] = texts.get(event.index, "") + event.text
            if event.finish_reason is None:
                continue
            rest, calls = split_calls(texts.pop(event.index), f"{call_prefix}_{event.index}")
            reason = "tool_calls" if calls else event.finish_reason
            yield Delta(event.index, rest, reason, calls)
    finally:
        await close_events(events)


def _default_served_name(model: str) -> str:
    return BUNDLED_MODEL if model == BUNDLED_MODEL else Path(model).expanduser().name
