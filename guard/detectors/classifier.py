"""Classifier detector: any local Hugging Face sequence-classification model directory.

Texts longer than the model's limit are scored in overlapping token windows, each window
knowing its character span; the windows of all texts in one call go through the model in
batches, in a worker thread. A text gets one finding per mapped label whose best window
reaches the threshold, located at that window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from guard.detectors.base import DetectorConfig, DetectorContext, Finding, shared_resource
from guard.errors import ConfigurationError, ModelLoadError


class ClassifierConfig(DetectorConfig):
    type: Literal["classifier"] = "classifier"
    model: str
    labels: dict[str, str] = Field(min_length=1)
    threshold: float = Field(default=0.5, ge=0, le=1)
    max_length: int | None = Field(default=None, ge=8)
    stride: int = Field(default=64, ge=0)
    batch_size: int = Field(default=16, ge=1, le=1024)
    device: str | None = None


@dataclass
class _Loaded:
    model: Any
    tokenizer: Any
    device: Any
    multi_label: bool


def _load(path: Path, device: str) -> _Loaded:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    resolved = torch.device(
        ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
    )
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForSequenceClassification.from_pretrained(path).to(resolved).eval()
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot load the classifier model at {path}: {exc}") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ModelLoadError(f"the classifier at {path} needs a fast tokenizer (tokenizer.json)")
    multi = getattr(model.config, "problem_type", None) == "multi_label_classification"
    return _Loaded(model, tokenizer, resolved, multi)


class ClassifierDetector:
    """Scores texts with a local classification model; reports mapped labels over threshold."""

    type_name: ClassVar[str] = "classifier"
    sensitive: ClassVar[bool] = False
    Config: ClassVar[type[DetectorConfig]] = ClassifierConfig

    def __init__(self, config: ClassifierConfig, loaded: _Loaded, name: str):
        self.config = config
        self._loaded = loaded
        self._name = name
        id2label = loaded.model.config.id2label
        self._targets = [
            (int(i), str(label)) for i, label in id2label.items() if label in config.labels
        ]
        limit = min(int(getattr(loaded.tokenizer, "model_max_length", 512) or 512), 512)
        self._max_length = config.max_length or limit
        self._stride = min(config.stride, self._max_length // 2)

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> ClassifierDetector:
        assert isinstance(config, ClassifierConfig)
        path = Path(config.model).expanduser()
        if not path.is_absolute():
            path = context.policy_dir / path
        if not (path / "config.json").is_file():
            raise ModelLoadError(
                f"no classification model at {path} (a directory with config.json)"
            )
        device = config.device or context.device
        key = f"classifier:{path.resolve()}:{device}"
        loaded: _Loaded = shared_resource(context, key, lambda: _load(path, device))
        known = [str(label) for label in loaded.model.config.id2label.values()]
        unknown = sorted(set(config.labels) - set(known))
        if unknown:
            raise ConfigurationError(f"labels {unknown} are not in the model; it has {known}")
        return cls(config, loaded, path.name)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return await asyncio.to_thread(self._detect, list(texts))

    def _windows(self, texts: list[str]) -> tuple[dict[str, Any], list[int], list[tuple[int, int]]]:
        encoded = self._loaded.tokenizer(
            texts,
            truncation=True,
            max_length=self._max_length,
            stride=self._stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding=True,
            return_tensors="pt",
        )
        owners = [int(i) for i in encoded.pop("overflow_to_sample_mapping")]
        spans = []
        for row in encoded.pop("offset_mapping").tolist():
            real = [(s, e) for s, e in row if e > s]
            spans.append((real[0][0], real[-1][1]) if real else (0, 0))
        return encoded, owners, spans

    def _detect(self, texts: list[str]) -> list[list[Finding]]:
        import torch

        results: list[list[Finding]] = [[] for _ in texts]
        if not texts or not self._targets:
            return results
        encoded, owners, spans = self._windows(texts)
        keep = {
            k: v
            for k, v in encoded.items()
            if k in ("input_ids", "attention_mask", "token_type_ids")
        }
        probabilities = []
        with torch.inference_mode():
            for start in range(0, len(owners), self.config.batch_size):
                batch = {
                    k: v[start : start + self.config.batch_size].to(self._loaded.device)
                    for k, v in keep.items()
                }
                logits = self._loaded.model(**batch).logits.float()
                probs = logits.sigmoid() if self._loaded.multi_label else logits.softmax(dim=-1)
                probabilities.append(probs.cpu())
        scores = torch.cat(probabilities)
        best: dict[tuple[int, int], tuple[float, int]] = {}
        for window, owner in enumerate(owners):
            for label_id, _ in self._targets:
                score = float(scores[window, label_id])
                if score > best.get((owner, label_id), (-1.0, 0))[0]:
                    best[(owner, label_id)] = (score, window)
        for (owner, label_id), (score, window) in sorted(best.items()):
            if score < self.config.threshold:
                continue
            label = dict(self._targets)[label_id]
            start, end = spans[window]
            results[owner].append(
                Finding(
                    detector="classifier",
                    category=self.config.labels[label],
                    start=start,
                    end=end,
                    score=round(score, 4),
                    threshold=self.config.threshold,
                    evidence=f"model {self._name}, label {label}",
                    details={"window": window},
                )
            )
        return results
