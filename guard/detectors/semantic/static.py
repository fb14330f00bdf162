"""Static token embeddings distilled from a sentence-transformers model.

The transformer reads each token of its vocabulary alone (``[CLS] token [SEP]``) once; its
sentence embedding becomes that token's vector, scaled down for frequent tokens (smooth
inverse frequency over the vocabulary's rank order, as in Model2Vec). A window of text is
then the weighted mean of its tokens' vectors (after the direction common to all tokens
is removed): a table lookup instead of six transformer
layers, about a thousand times cheaper, so every window of every message can be read with
no truncation. The table is built on first use (about a minute on two CPU cores) and cached
under the cache directory, keyed by the model's files.

Windows are character spans; a token belongs to the window that holds its first character.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from guard.errors import ModelLoadError
from guard.paths import prune_siblings
from guard.runtime.memo import Memo

log = logging.getLogger(__name__)

# Smooth inverse frequency: weight = a / (a + p(token)), p from Zipf's law over the rank.
_SIF_A = 1e-3
_BATCH = 512
# The prefix sums of this many recent texts of up to this many characters are shared.
_PREFIX_TEXTS = 32
_PREFIX_CHARS = 4000
_build_lock = threading.Lock()


class StaticEncoder:
    """Unit-length window embeddings from a (vocabulary x dimension) table of token vectors."""

    def __init__(self, tokenizer: Any, table: np.ndarray, name: str = "static"):
        self._tokenizer = tokenizer
        self.table = table
        self.name = name
        # Each text's token starts and running sums of token vectors, shared by every rule
        # that embeds windows of it (the rules of one request read the same messages);
        # kept for a few texts of moderate length (a thousand tokens hold 1.5 MB).
        self._prefixes = Memo[tuple[np.ndarray, np.ndarray]](_PREFIX_TEXTS)

    @property
    def dimension(self) -> int:
        return int(self.table.shape[1])

    @classmethod
    def load(cls, model_dir: Path, cache_root: Path) -> StaticEncoder:
        """The encoder for ``model_dir``, building (and caching) its table when needed."""
        tokenizer = _tokenizer(model_dir)
        return cls(tokenizer, distilled_table(model_dir, cache_root), name=model_dir.name)

    def _prefix_sums(self, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per text: where each token starts, and the running sums of the token vectors
        (row i: the first i tokens), so a window's sum is a difference of two rows."""
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        out = []
        for encoding in encodings:
            ids = np.asarray(encoding.ids, dtype=np.int64)
            starts = np.asarray([start for start, _ in encoding.offsets], dtype=np.int64)
            sums = np.zeros((len(ids) + 1, self.dimension), dtype=np.float32)
            if len(ids):
                np.cumsum(self.table[ids], axis=0, out=sums[1:])
            out.append((starts, sums))
        return out

    def embed_windows(
        self, texts: Sequence[str], windows: Sequence[Sequence[tuple[int, int]]]
    ) -> list[np.ndarray]:
        """For each text, a (windows x dimension) matrix of unit-length window embeddings.
        A window with no token (only spaces) gets a zero vector."""
        texts = list(texts)
        kept = [t for t in texts if len(t) <= _PREFIX_CHARS]
        prefixes = dict(zip(kept, self._prefixes.many(kept, self._prefix_sums), strict=True))  # type: ignore[arg-type]
        longer = [t for t in texts if len(t) > _PREFIX_CHARS]
        if longer:
            prefixes.update(zip(longer, self._prefix_sums(longer), strict=True))
        result = []
        for text, spans in zip(texts, windows, strict=True):
            starts, sums = prefixes[text]
            edges = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
            first = np.searchsorted(starts, edges[:, 0], side="left")
            last = np.searchsorted(starts, edges[:, 1], side="left")
            vectors = sums[last] - sums[first]
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            result.append(vectors / np.maximum(norms, 1e-9))
        return result

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length embedding per whole text."""
        rows = self.embed_windows(texts, [[(0, len(text))] for text in texts])
        return np.concatenate(rows) if rows else np.zeros((0, self.dimension), np.float32)


def _tokenizer(model_dir: Path) -> Any:
    from tokenizers import Tokenizer

    path = model_dir / "tokenizer.json"
    if not path.is_file():
        raise ModelLoadError(f"no tokenizer.json in {model_dir}: static embeddings need one")
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def _cache_path(model_dir: Path, cache_root: Path) -> Path:
    digest = hashlib.sha256()
    for name in ("config.json", "tokenizer.json", "model.safetensors", "pytorch_model.bin"):
        path = model_dir / name
        if path.is_file():
            digest.update(name.encode())
            digest.update(str(path.stat().st_size).encode())
            with path.open("rb") as handle:
                digest.update(handle.read(1 << 20))
    return cache_root / "static" / f"{model_dir.name}-{digest.hexdigest()[:12]}.npy"


def distilled_table(model_dir: Path, cache_root: Path) -> np.ndarray:
    """The weighted token table for ``model_dir`` (float32), from the cache or built now."""
    target = _cache_path(model_dir, cache_root)
    with _build_lock:
        if target.is_file():
            return np.load(target).astype(np.float32)
        log.warning(
            "building static token embeddings for %s (once; cached in %s)", model_dir, target
        )
        table = distill(model_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial.npy")
        np.save(partial, table.astype(np.float16))
        partial.replace(target)
        # other tables of a directory of the same name: two more may be other models'
        prune_siblings(target, f"{model_dir.name}-*.npy", keep=2)
        return np.load(target).astype(np.float32)


def distill(model_dir: Path) -> np.ndarray:
    """Every vocabulary token's sentence embedding, read alone, times its SIF weight."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    tokenizer = _tokenizer(model_dir)
    size = tokenizer.get_vocab_size()
    cls_id = tokenizer.token_to_id("[CLS]")
    sep_id = tokenizer.token_to_id("[SEP]")
    if cls_id is None or sep_id is None:
        raise ModelLoadError(f"{model_dir}: static embeddings need a BERT-style vocabulary")
    rows = []
    with torch.inference_mode():
        for start in range(0, size, _BATCH):
            ids = torch.arange(start, min(size, start + _BATCH))
            input_ids = torch.stack(
                [torch.full_like(ids, cls_id), ids, torch.full_like(ids, sep_id)], dim=1
            )
            features = {
                "input_ids": input_ids,
                "attention_mask": torch.ones_like(input_ids),
                "token_type_ids": torch.zeros_like(input_ids),
            }
            rows.append(model(features)["sentence_embedding"].float().numpy())
    table = np.concatenate(rows)
    weights = sif_weights(tokenizer, size)
    # What every token shares says nothing: remove the common direction before weighting.
    table -= table[weights > 0].mean(axis=0)
    return table * weights[:, None]


def sif_weights(tokenizer: Any, size: int) -> np.ndarray:
    """a / (a + p) per token id, p by Zipf's law over the rank among ordinary tokens (a
    WordPiece vocabulary lists them roughly by frequency after its special and single-
    character entries); special tokens get 0."""
    vocab = tokenizer.get_vocab()
    first_word = min(
        (index for token, index in vocab.items() if len(token) > 1 and token.isalpha()),
        default=0,
    )
    rank = np.maximum(np.arange(size) - first_word + 1, 1).astype(np.float64)
    harmonic = np.log(size) + 0.5772
    probability = 1.0 / (rank * harmonic)
    weights = _SIF_A / (_SIF_A + probability)
    for token, index in vocab.items():
        if token.startswith("[") and token.endswith("]"):
            weights[index] = 0.0
    return weights.astype(np.float32)
