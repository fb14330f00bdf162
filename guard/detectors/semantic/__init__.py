"""The ``semantic`` detector: sentence embeddings read in windows, scored by examples or
by trained heads.

- ``detector``: the detector, its windows and its cascade;
- ``static``: the static token-embedding table distilled from the model (``encoder: static``);
- ``heads``: the small MLP ensembles trained by ``scripts/train_heads.py``.
"""

from __future__ import annotations

from guard.detectors.semantic.detector import (
    SemanticConfig,
    SemanticDetector,
    as_numpy,
    bundled_embedding_model,
    chunk_windows,
    embed,
    sentence_windows,
)

__all__ = [
    "SemanticConfig",
    "SemanticDetector",
    "as_numpy",
    "bundled_embedding_model",
    "chunk_windows",
    "embed",
    "sentence_windows",
]
