"""Perplexity detector: adversarial suffixes (GCG and kin) read as gibberish to a language
model.

Optimised attack suffixes (``describing.\\ + similarlyNow write oppositeley.]( Me
giving**ONE``) are strings of tokens no writer would put together. A small causal language
model (the bundled SmolLM2-135M-Instruct by default, or any local model directory) reads
the whole text as a user's chat turn, and the surprise of each token (its negative
log-likelihood, in nats) is averaged over sliding windows of ``window_tokens``; the worst
window is the score. Every token of every text is read: texts longer than ``chunk_tokens``
are read in chunks that each start with the end of the one before as context. Token
chunks of concurrent requests go through the model in one micro-batch.

It costs a forward pass of the model over the text, so it belongs where the model runs on
a GPU, or on CPU where prompts are short (see the README for measured costs).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from guard.detectors.base import DetectorConfig, DetectorContext, Finding, shared_resource
from guard.runtime.batcher import MicroBatcher


class PerplexityConfig(DetectorConfig):
    type: Literal["perplexity"] = "perplexity"
    # A local causal LM directory (relative to the policy file, or absolute), or the
    # bundled model's name.
    model: str = "SmolLM2-135M-Instruct"
    # Mean surprise (nats per token) of the worst window at which a text is flagged.
    threshold: float = Field(default=9.0, gt=0)
    window_tokens: int = Field(default=16, ge=4, le=256)
    chunk_tokens: int = Field(default=512, ge=32, le=4096)
    category: str = "adversarial_suffix"
    device: str | None = None

    @model_validator(mode="after")
    def _window_fits(self) -> PerplexityConfig:
        if self.window_tokens * 2 > self.chunk_tokens:
            raise ValueError("chunk_tokens must be at least twice window_tokens")
        return self


@dataclass(frozen=True)
class Chunk:
    """Token ids the model reads; the surprise of the ones from ``score_from`` on is kept
    (the ones before are context carried over from the previous chunk)."""

    ids: tuple[int, ...]
    score_from: int


@dataclass(frozen=True)
class LanguageModel:
    model: Any
    tokenizer: Any
    device: Any
    prefix: tuple[int, ...]

    def surprise(self, chunks: list[Chunk]) -> list[np.ndarray]:
        """Negative log-likelihood (nats) of each scored token of each chunk, in one
        padded batch."""
        import torch

        width = max(len(c.ids) for c in chunks)
        pad = self.tokenizer.pad_token_id or 0
        ids = torch.full((len(chunks), width), pad, dtype=torch.long)
        mask = torch.zeros((len(chunks), width), dtype=torch.long)
        for row, chunk in enumerate(chunks):
            ids[row, : len(chunk.ids)] = torch.tensor(chunk.ids)
            mask[row, : len(chunk.ids)] = 1
        with torch.inference_mode():
            logits = self.model(
                input_ids=ids.to(self.device), attention_mask=mask.to(self.device)
            ).logits.float()
            logprobs = torch.log_softmax(logits[:, :-1], dim=-1)
            taken = logprobs.gather(2, ids[:, 1:, None].to(self.device))[:, :, 0]
            nll = (-taken).cpu().numpy()
        # Token i is predicted from position i - 1.
        return [nll[row, c.score_from - 1 : len(c.ids) - 1] for row, c in enumerate(chunks)]


def _load(model: str, device: str, context: DetectorContext) -> LanguageModel:
    from guard.generators.local_model import load_model

    name = model
    candidate = context.policy_dir / model
    if candidate.is_dir():
        name = str(candidate)
    loaded = load_model(name, device=device, dtype="float32", cache_root=context.cache_dir)
    tokenizer = loaded.tokenizer
    prefix: list[int] = []
    if getattr(tokenizer, "chat_template", None):
        # The text is read as what it is: a user's turn of a chat.
        rendered = tokenizer.apply_chat_template(
            [{"role": "user", "content": "\x00"}], tokenize=False
        )
        head = rendered.split("\x00")[0]
        prefix = tokenizer(head, add_special_tokens=False)["input_ids"]
    elif tokenizer.bos_token_id is not None:
        prefix = [tokenizer.bos_token_id]
    return LanguageModel(loaded.model, tokenizer, loaded.device, tuple(prefix))


def chunks_for(ids: list[int], prefix: tuple[int, ...], size: int, overlap: int) -> list[Chunk]:
    """Chunks of at most ``size`` ids covering every id once as scored; the first starts
    with ``prefix``, each later one with the ``overlap`` ids before it as context."""
    chunks: list[Chunk] = []
    start = 0
    first_room = max(size - len(prefix), 1)
    while start < len(ids) or not chunks:
        if not chunks:
            end = min(len(ids), first_room)
            chunks.append(Chunk(tuple(prefix) + tuple(ids[:end]), max(len(prefix), 1)))
        else:
            context = ids[max(0, start - overlap) : start]
            end = min(len(ids), start + size - len(context))
            chunks.append(Chunk(tuple(context) + tuple(ids[start:end]), len(context)))
        start = end
    return chunks


def worst_window(surprise: np.ndarray, window: int) -> tuple[int, float]:
    """The start and mean surprise of the ``window``-token run with the highest mean (the
    whole text when shorter)."""
    if len(surprise) <= window:
        return 0, float(surprise.mean()) if len(surprise) else 0.0
    sums = np.convolve(surprise, np.ones(window), mode="valid") / window
    top = int(sums.argmax())
    return top, float(sums[top])


class PerplexityDetector:
    """Flags texts with a run of tokens the language model finds implausible."""

    type_name: ClassVar[str] = "perplexity"
    sensitive: ClassVar[bool] = False
    Config: ClassVar[type[DetectorConfig]] = PerplexityConfig

    def __init__(
        self, config: PerplexityConfig, lm: LanguageModel, batcher: MicroBatcher[Chunk, Any]
    ):
        self.config = config
        self._lm = lm
        self._batcher = batcher

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> PerplexityDetector:
        assert isinstance(config, PerplexityConfig)
        device = config.device or context.device
        key = f"perplexity:{config.model}:{device}"
        lm = shared_resource(context, key, lambda: _load(config.model, device, context))
        batcher = shared_resource(
            context,
            f"{key}:batcher",
            lambda: MicroBatcher(lm.surprise, name="perplexity", max_batch=16),
        )
        return cls(config, lm, batcher)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        encoded = await asyncio.to_thread(partial(self._encode, list(texts)))
        plans = [
            chunks_for(ids, self._lm.prefix, self.config.chunk_tokens, self.config.window_tokens)
            if ids
            else []
            for ids, _ in encoded
        ]
        flat = [chunk for plan in plans for chunk in plan]
        scored = await self._batcher.submit(flat) if flat else []
        results: list[list[Finding]] = []
        offset = 0
        for (ids, offsets), plan in zip(encoded, plans, strict=True):
            parts = scored[offset : offset + len(plan)]
            offset += len(plan)
            if not ids:
                results.append([])
                continue
            surprise = np.concatenate(parts)
            results.append(self._finding(surprise, offsets))
        return results

    def _encode(self, texts: list[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        out = []
        for text in texts:
            encoding = self._lm.tokenizer(
                text, add_special_tokens=False, return_offsets_mapping=True
            )
            out.append((list(encoding["input_ids"]), list(encoding["offset_mapping"])))
        return out

    def _finding(self, surprise: np.ndarray, offsets: list[tuple[int, int]]) -> list[Finding]:
        window = self.config.window_tokens
        start, score = worst_window(surprise, window)
        if score < self.config.threshold:
            return []
        last = min(start + window, len(offsets)) - 1
        return [
            Finding(
                detector="perplexity",
                category=self.config.category,
                start=offsets[start][0],
                end=offsets[last][1],
                score=round(score, 3),
                threshold=self.config.threshold,
                evidence=(
                    f"{min(window, len(surprise))} tokens averaging {score:.1f} nats of "
                    f"surprise each to {self.config.model} (perplexity {np.exp(score):.0f})"
                ),
                details={"window_tokens": window, "model": self.config.model},
            )
        ]
