"""Small trained classifiers ("heads") over sentence embeddings, stored as ``.npz`` files.

A head reads a whole text: the text's windows are embedded, pooled into one feature vector
(the mean and the element-wise maximum of the window embeddings, so one bad window still
shows), and a small multi-layer perceptron (or a logistic regression, one layer) turns it
into a probability. Several members may be averaged (an ensemble). The file holds
``m{i}_w{j}``/``m{i}_b{j}`` arrays for member ``i``, layer ``j`` (ReLU between layers,
sigmoid at the end) and ``meta``, a JSON string saying what it was trained on and how well
it did on data it was not fit on. ``scripts/train_heads.py`` rebuilds the shipped heads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from guard.errors import ConfigurationError

Layers = list[tuple[np.ndarray, np.ndarray]]


def pool(window_embeddings: np.ndarray) -> np.ndarray:
    """One feature vector per text: mean and element-wise max of its window embeddings."""
    return np.concatenate([window_embeddings.mean(axis=0), window_embeddings.max(axis=0)])


@dataclass(frozen=True)
class Head:
    members: list[Layers]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def dimension(self) -> int:
        return int(self.members[0][0][0].shape[0])

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Probabilities for a (texts x features) matrix."""
        outputs = []
        for layers in self.members:
            hidden = features.astype(np.float32)
            for index, (weight, bias) in enumerate(layers):
                hidden = hidden @ weight + bias
                if index < len(layers) - 1:
                    hidden = np.maximum(hidden, 0)
            outputs.append(1 / (1 + np.exp(-np.clip(hidden[:, 0], -60, 60))))
        return np.mean(outputs, axis=0)  # type: ignore[no-any-return]

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {"meta": np.array(json.dumps(self.meta))}
        for i, layers in enumerate(self.members):
            for j, (weight, bias) in enumerate(layers):
                arrays[f"m{i}_w{j}"] = weight.astype(np.float16)
                arrays[f"m{i}_b{j}"] = bias.astype(np.float32)
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load(cls, path: Path) -> Head:
        if not path.is_file():
            raise ConfigurationError(f"head file {path} does not exist")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"])) if "meta" in data else {}
                members: list[Layers] = []
                i = 0
                while f"m{i}_w0" in data:
                    layers: Layers = []
                    j = 0
                    while f"m{i}_w{j}" in data:
                        weight = data[f"m{i}_w{j}"].astype(np.float32)
                        bias = data[f"m{i}_b{j}"].astype(np.float32)
                        layers.append((weight, bias))
                        j += 1
                    members.append(layers)
                    i += 1
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigurationError(f"head file {path} is not a guard head: {exc}") from exc
        if not members:
            raise ConfigurationError(f"head file {path} holds no layers")
        return cls(members=members, meta=meta)
