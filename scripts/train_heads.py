"""Rebuild a trained head (policies/*_head.npz) from labeled JSONL, and report how well it
does on data it was not fit on.

    python scripts/train_heads.py DATA.jsonl... --out policies/injection_head.npz \
        [--benign-from OTHER.jsonl] [--negatives-from OTHER.jsonl] \
        [--extra-positives LINES.txt] [--extra-negatives LINES.txt]

Rows are ``{"text", "label", "category"}`` with ``benign`` the negative class;
``category`` up to its first ``:`` names the source. ``--benign-from`` adds another set's
benign rows as negatives, ``--negatives-from`` all of its rows (harmful requests are not
injections), and the ``--extra-*`` files add one text per line (``#`` comments), their
source being the file name. ``--suffixed N`` adds copies of N positive and N negative rows
with a random 20-token suffix (each copy in the same fold as its original), so the head
learns to read past an adversarial suffix. The shipped heads' commands are in the README.
The texts are read the way the semantic detector reads them (whole-sentence windows of
``--window-chars``, embedded with the bundled all-MiniLM-L6-v2, pooled to mean and max),
then an ensemble of small MLPs is fit.
Reported, all from held-out predictions: 5-fold stratified cross-validation (ROC-AUC, TPR
at the FPR target and the threshold that gives it, recall per source) and leave-one-
source-out (each source scored by a head that never saw it). Needs scikit-learn
(``pip install -e .[dev]``).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, nargs="+")
    parser.add_argument("--benign-from", type=Path, action="append", default=[])
    parser.add_argument("--negatives-from", type=Path, action="append", default=[])
    parser.add_argument("--extra-positives", type=Path, action="append", default=[])
    parser.add_argument("--extra-negatives", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--window-chars", type=int, default=300)
    parser.add_argument(
        "--encoder",
        choices=("transformer", "static"),
        default="transformer",
        help="Embeddings the head reads (the detector's encoder: setting must match).",
    )
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--alpha", type=float, default=0.01)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--target-fpr", type=float, default=0.05)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--escalate-out",
        type=Path,
        help="Also train a head on the transformer's embeddings, for the detector's "
        "escalate: the texts the first head scores inside --band get its score instead; "
        "the cascade is cross-validated with the same folds.",
    )
    parser.add_argument(
        "--band",
        type=lambda v: tuple(float(x) for x in v.split(",")),
        default=(0.1, 0.9),
        help="low,high: first-head scores strictly between go to the escalation head.",
    )
    parser.add_argument(
        "--skip-leave-one-out",
        action="store_true",
        help="Cross-validation only (leave-one-source-out fits two heads per source).",
    )
    parser.add_argument(
        "--suffixed",
        type=int,
        default=0,
        help="Add this many copies of the data's positives, and as many of its negatives, "
        "each with a suffix of 20 random tokens of the bundled SmolLM2's vocabulary (the "
        "space adversarial-suffix attacks search), so the head learns to read past one.",
    )
    parser.add_argument(
        "--cache", type=Path, help="Keep the pooled embeddings here (reused when the data is)."
    )
    args = parser.parse_args()

    from sklearn.model_selection import StratifiedGroupKFold

    from guard.detectors.semantic.heads import Head

    texts: list[str] = []
    labels_list: list[int] = []
    sources_list: list[str] = []
    blocks = []
    kept: list[tuple[Path, list[dict[str, Any]]]] = []
    extra_lines: list[list[str]] = []
    for path, role in (
        *((p, "labeled") for p in args.data),
        *((p, "benign") for p in args.benign_from),
        *((p, "negative") for p in args.negatives_from),
    ):
        rows = read_jsonl(path)
        if role == "benign":
            rows = [row for row in rows if row["label"] == "benign"]
        texts += [row["text"] for row in rows]
        labels_list += [int(role == "labeled" and row["label"] != "benign") for row in rows]
        sources_list += [row.get("category", path.stem).split(":")[0] for row in rows]
        blocks.append(cached_features(path, args.window_chars, args.encoder, args.cache, keep=rows))
        kept.append((path, rows))
    for path, label in (
        *((p, 1) for p in args.extra_positives),
        *((p, 0) for p in args.extra_negatives),
    ):
        lines = read_lines(path)
        texts += lines
        labels_list += [label] * len(lines)
        sources_list += [path.stem] * len(lines)
        blocks.append(embed(lines, args.window_chars, args.encoder))
        extra_lines.append(lines)
    primary_rows = sum(len(block) for block in blocks[: len(args.data)])
    # Each row's group: the row itself, or for a suffixed copy the row it was copied from,
    # so that a copy is never trained on while its original is held out.
    groups_list = list(range(len(texts)))
    copies: list[str] = []
    if args.suffixed:
        originals = suffix_originals(labels_list, primary_rows, args.suffixed)
        add = random_suffixes(len(originals), seed=0)
        copies = [f"{texts[i]} {suffix}" for i, suffix in zip(originals, add, strict=True)]
        texts += copies
        labels_list += [labels_list[i] for i in originals]
        sources_list += [
            f"suffixed-{'positive' if labels_list[i] else 'negative'}" for i in originals
        ]
        groups_list += originals
        blocks.append(embed(copies, args.window_chars, args.encoder))
    features = {args.encoder: np.concatenate(blocks)}
    if args.escalate_out:
        features["transformer"] = np.concatenate(
            [
                *(
                    cached_features(p, args.window_chars, "transformer", args.cache, keep=k)
                    for p, k in kept
                ),
                *(embed(lines, args.window_chars, "transformer") for lines in extra_lines),
                *([embed(copies, args.window_chars, "transformer")] if copies else []),
            ]
        )
    labels = np.array(labels_list)
    sources = np.array(sources_list)
    groups = np.array(groups_list)
    # A copy counts under its original's source when a source is left out.
    origin = sources[groups]
    # The threshold and TPR/FPR are for the labeled sets the head is for (``data``); rows
    # added from other sets only widen what it learns, and count in the ROC-AUC over all.
    primary = np.zeros(len(texts), dtype=bool)
    primary[:primary_rows] = True
    log(f"{len(texts)} texts, {int(labels.sum())} positive, sources: {sorted(set(sources))}")
    band = args.band

    def fit(x: np.ndarray, y: np.ndarray) -> Head:
        return fit_head(x, y, hidden=args.hidden, alpha=args.alpha, members=args.members)

    def scores(train: np.ndarray, test: np.ndarray) -> dict[str, np.ndarray]:
        """Held-out scores of the head, and with --escalate-out of the transformer head
        and of the cascade (the transformer head's score where the first is in the band)."""
        first = fit(features[args.encoder][train], labels[train])
        out = {"head": first.predict(features[args.encoder][test])}
        if args.escalate_out:
            second = fit(features["transformer"][train], labels[train])
            out["escalation"] = second.predict(features["transformer"][test])
            unsure = (out["head"] > band[0]) & (out["head"] < band[1])
            out["cascade"] = np.where(unsure, out["escalation"], out["head"])
            out["escalated"] = unsure.astype(float)
        return out

    held_out: dict[str, np.ndarray] = {}
    folds = StratifiedGroupKFold(args.folds, shuffle=True, random_state=0)
    splits = folds.split(features[args.encoder], labels, groups)
    for number, (train, test) in enumerate(splits, 1):
        for name, values in scores(train, test).items():
            held_out.setdefault(name, np.zeros(len(texts)))[test] = values
        log(f"fold {number}/{args.folds} done")
    reports = {
        name: cross_validation(
            held_out[name], labels, primary, sources, args.target_fpr, args.folds
        )
        for name in held_out
        if name != "escalated"
    }
    if args.escalate_out:
        reports["cascade"]["between"] = list(band)
        reports["cascade"]["escalated_per_source"] = {
            source: round(float(held_out["escalated"][sources == source].mean()), 4)
            for source in sorted(set(sources))
        }
    unseen: dict[str, dict[str, float]] = {}
    # Every row's score from a head that never saw its source: the basis for choosing a
    # threshold that holds on collections the head has not seen.
    loso = {name: np.full(len(texts), np.nan) for name in reports}
    for source in sorted(set(sources) - {"suffixed-positive", "suffixed-negative"}):
        if args.skip_leave_one_out:
            break
        mask = origin == source
        if mask.all() or len(set(labels[~mask])) < 2:
            continue
        tested = np.flatnonzero(sources == source)
        left_out = scores(np.flatnonzero(~mask), tested)
        for name in reports:
            loso[name][tested] = left_out[name]
            threshold = reports[name]["threshold_at_target_fpr"]
            flagged = round(float((left_out[name] >= threshold).mean()), 4)
            unseen.setdefault(name, {})[source] = flagged
        log(f"left out {source}: flagged {unseen['head'][source]:.3f}")
    unseen_reports = {
        name: leave_one_source_out(loso[name], labels, primary, sources, args.target_fpr)
        for name in reports
        if not args.skip_leave_one_out
    }
    common = {
        "trained_on": {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in [
                *args.data,
                *args.benign_from,
                *args.negatives_from,
                *args.extra_positives,
                *args.extra_negatives,
            ]
        },
        "rows": len(texts),
        "suffixed_copies": len(copies),
        "positives": int(labels.sum()),
        "embedding_model": "sentence-transformers/all-MiniLM-L6-v2",
        "window_chars": args.window_chars,
        "hidden": args.hidden,
        "alpha": args.alpha,
        "members": args.members,
        "trained": time.strftime("%Y-%m-%d"),
    }
    meta = {
        **common,
        "encoder": args.encoder,
        "cross_validation": reports["head"],
        "leave_one_source_out_flagged": unseen.get("head", {}),
        "leave_one_source_out": unseen_reports.get("head", {}),
    }
    if args.escalate_out:
        meta["cascade"] = {
            "escalation_head": args.escalate_out.name,
            "cross_validation": reports["cascade"],
            "leave_one_source_out_flagged": unseen.get("cascade", {}),
            "leave_one_source_out": unseen_reports.get("cascade", {}),
        }
        second = fit(features["transformer"], labels)
        second_meta = {
            **common,
            "encoder": "transformer",
            "escalation_for": args.out.name,
            "cross_validation": reports["escalation"],
            "leave_one_source_out_flagged": unseen.get("escalation", {}),
        }
        Head(members=second.members, meta=second_meta).save(args.escalate_out)
    head = fit(features[args.encoder], labels)
    Head(members=head.members, meta=meta).save(args.out)
    print(json.dumps(meta, indent=2))


def leave_one_source_out(
    held_out: np.ndarray,
    labels: np.ndarray,
    primary: np.ndarray,
    sources: np.ndarray,
    target_fpr: float,
) -> dict[str, Any]:
    """From scores by heads that never saw each row's source: the threshold at the FPR
    target on the labeled sets, its TPR and FPR, and the share flagged per source at it and
    at fixed thresholds."""
    scored = ~np.isnan(held_out)
    chosen = scored & primary
    threshold = threshold_at(held_out[chosen], labels[chosen], target_fpr)

    def at(t: float) -> dict[str, Any]:
        flagged = held_out >= t
        positives, negatives = chosen & (labels == 1), chosen & (labels == 0)
        return {
            "tpr": _share(flagged[positives]),
            "fpr": _share(flagged[negatives]),
            "flagged_per_source": {
                source: round(float(flagged[scored & (sources == source)].mean()), 4)
                for source in sorted(set(sources[scored]))
            },
        }

    return {
        "threshold_at_target_fpr": round(threshold, 4),
        **at(threshold),
        "at_thresholds": {str(t): at(t) for t in (0.3, 0.5, 0.7, 0.9)},
    }


def _share(flags: np.ndarray) -> float | None:
    return round(float(flags.mean()), 4) if len(flags) else None


def cross_validation(
    held_out: np.ndarray,
    labels: np.ndarray,
    primary: np.ndarray,
    sources: np.ndarray,
    target_fpr: float,
    folds: int,
) -> dict[str, Any]:
    """ROC-AUC, the threshold at the FPR target with its TPR and FPR, and what is flagged
    per source at it and at fixed thresholds, from held-out scores."""
    from sklearn.metrics import roc_auc_score

    threshold = threshold_at(held_out[primary], labels[primary], target_fpr)

    def at(t: float) -> dict[str, Any]:
        return {
            "tpr": round(float((held_out[primary & (labels == 1)] >= t).mean()), 4),
            "fpr": round(float((held_out[primary & (labels == 0)] >= t).mean()), 4),
            "flagged_per_source": {
                source: round(float((held_out[sources == source] >= t).mean()), 4)
                for source in sorted(set(sources))
            },
        }

    fixed = {str(t): at(t) for t in (0.3, 0.4, 0.5, 0.8, 0.9, 0.95, 0.99)}
    return {
        "folds": folds,
        "roc_auc_all_rows": round(float(roc_auc_score(labels, held_out)), 4),
        "roc_auc": round(float(roc_auc_score(labels[primary], held_out[primary])), 4),
        "threshold_at_target_fpr": round(threshold, 4),
        **at(threshold),
        "at_thresholds": fixed,
    }


def suffix_originals(labels: list[int], primary_rows: int, count: int) -> list[int]:
    """Up to ``count`` positive and ``count`` negative rows of the labeled data, seeded."""
    rng = np.random.default_rng(0)
    chosen: list[int] = []
    for label in (1, 0):
        rows = [i for i in range(primary_rows) if labels[i] == label]
        take = min(count, len(rows))
        chosen += sorted(int(i) for i in rng.choice(rows, size=take, replace=False))
    return chosen


def random_suffixes(count: int, *, seed: int, tokens: int = 20) -> list[str]:
    """Strings of ``tokens`` random tokens of the bundled SmolLM2's vocabulary."""
    from transformers import AutoTokenizer

    from guard.config import BUNDLED_MODEL
    from guard.detectors.base import default_cache_dir
    from guard.generators.local_model import resolve_model_dir

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_dir(BUNDLED_MODEL, default_cache_dir()))
    special = set(tokenizer.all_special_ids)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        ids: list[int] = []
        while len(ids) < tokens:
            candidate = int(rng.integers(len(tokenizer)))
            if candidate not in special:
                ids.append(candidate)
        out.append(tokenizer.decode(ids).strip())
    return out


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line.strip()]


def read_lines(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text("utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def cached_features(
    path: Path, window_chars: int, encoder: str, cache: Path | None, *, keep: list[dict[str, Any]]
) -> np.ndarray:
    """Pooled features of the kept rows of ``path``, from the cache when the file is unchanged."""
    rows = read_jsonl(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cached = cache / f"{digest[:16]}-{window_chars}-{encoder}.npy" if cache else None
    if cached and cached.is_file():
        features = np.load(cached)
    else:
        features = embed([row["text"] for row in rows], window_chars, encoder)
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            np.save(cached, features)
    position = {row["text"]: i for i, row in enumerate(rows)}
    return np.stack([features[position[row["text"]]] for row in keep])


@functools.cache
def load_encoder(encoder: str) -> Any:
    """The static table or the sentence-transformers model, loaded once per run (every
    data file, extra file and suffixed copy is embedded with it)."""
    from guard.detectors.base import default_cache_dir
    from guard.detectors.semantic import bundled_embedding_model
    from guard.detectors.semantic.static import StaticEncoder

    if encoder == "static":
        return StaticEncoder.load(bundled_embedding_model(), default_cache_dir())
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(bundled_embedding_model()), device="cpu", local_files_only=True)


def embed(texts: list[str], window_chars: int, encoder: str) -> np.ndarray:
    """Pooled features of ``texts``, read the way the semantic detector reads them."""
    from guard.detectors.semantic import as_numpy, chunk_windows
    from guard.detectors.semantic.heads import pool

    windows = [chunk_windows(text, window_chars) or [(0, len(text))] for text in texts]
    log(f"embedding {sum(map(len, windows))} windows of {len(texts)} texts ({encoder})")
    model = load_encoder(encoder)
    if encoder == "static":
        return np.stack([pool(rows) for rows in model.embed_windows(texts, windows)])
    pieces = [text[s:e] for text, spans in zip(texts, windows, strict=True) for s, e in spans]
    vectors = as_numpy(
        model.encode(pieces, batch_size=64, normalize_embeddings=True, show_progress_bar=True)
    )
    bounds = np.cumsum([0, *(len(spans) for spans in windows)])
    return np.stack([pool(vectors[bounds[i] : bounds[i + 1]]) for i in range(len(texts))])


def fit_head(x: np.ndarray, y: np.ndarray, *, hidden: int, alpha: float, members: int) -> Any:
    from sklearn.neural_network import MLPClassifier

    from guard.detectors.semantic.heads import Head

    fitted = []
    for seed in range(members):
        model = MLPClassifier((hidden,), alpha=alpha, max_iter=300, random_state=seed)
        model.fit(x, y)
        fitted.append(list(zip(model.coefs_, model.intercepts_, strict=True)))
    return Head(members=fitted)


def threshold_at(scores: np.ndarray, labels: np.ndarray, fpr: float) -> float:
    """The lowest threshold whose false-positive rate on the negatives is at most ``fpr``."""
    negatives = np.sort(scores[labels == 0])[::-1]
    allowed = int(np.floor(fpr * len(negatives)))
    return float(np.nextafter(negatives[allowed], 1)) if allowed < len(negatives) else 0.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
