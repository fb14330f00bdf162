"""PII quality: how much of the gold personal data the input stage removes, and how much of
what it removes is real, per entity and overall; optionally beside plain Presidio."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from guard.policy.evaluate import Evaluator
from guard.policy.loader import Policy

# Gold labels that are not personal data by themselves ("Mr.", "Dr.", job titles).
NOT_PERSONAL = {"TITLE", "PREFIX"}
HIGH_RISK = {
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "IP_ADDRESS",
    "US_PASSPORT",
    "US_ITIN",
    "UK_NHS",
}
COVERED = 0.8

Span = tuple[int, int]


def _covered(gold: Span, removed: list[Span]) -> bool:
    start, end = gold
    hit = sum(max(0, min(end, e) - max(start, s)) for s, e in _union(removed))
    return hit >= COVERED * (end - start)


def _union(spans: list[Span]) -> list[Span]:
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def score(rows: list[dict[str, Any]], removed: list[list[Span]]) -> dict[str, Any]:
    """Recall per label and overall, share of redactions on real entities, F1, leak rate."""
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    redactions = on_entity = 0
    for row, spans in zip(rows, removed, strict=True):
        gold = [(g["start"], g["end"], g["label"]) for g in row["spans"]]
        for start, end, label in gold:
            total[label] += 1
            found[label] += _covered((start, end), spans)
        for s, e in _union(spans):
            redactions += 1
            on_entity += any(min(e, ge) > max(s, gs) for gs, ge, _ in gold)
    personal = [k for k in total if k not in NOT_PERSONAL]
    recall = sum(found[k] for k in personal) / max(1, sum(total[k] for k in personal))
    precision = on_entity / max(1, redactions)
    risky = [k for k in total if k in HIGH_RISK]
    leaked = sum(total[k] - found[k] for k in risky) / max(1, sum(total[k] for k in risky))
    return {
        "entities": sum(total[k] for k in personal),
        "removed": round(recall, 4),
        "redactions": redactions,
        "redactions_on_entities": round(precision, 4),
        "f1": round(2 * recall * precision / max(1e-9, recall + precision), 4),
        "high_risk_leak_rate": round(leaked, 4),
        "per_label": {
            k: {"gold": total[k], "removed": round(found[k] / total[k], 4)} for k in sorted(total)
        },
    }


async def guard_removals(
    policy: Policy,
    texts: Sequence[str],
    batch: int = 64,
    progress: Callable[[str], None] = lambda _: None,
) -> list[list[Span]]:
    """What the input stage rewrites (redact and pseudonymize rules, enforcing), per text."""
    evaluator = Evaluator()
    removed: list[list[Span]] = []
    for start in range(0, len(texts), batch):
        chunk = list(texts[start : start + batch])
        evaluation = await evaluator.evaluate(policy, "input", chunk)
        removed += [[(r.start, r.end) for r in spans] for spans in evaluation.replacements]
        progress(f"guard: {len(removed)}/{len(texts)}")
    return removed


def presidio_removals(
    texts: Sequence[str], progress: Callable[[int], None] = lambda _: None
) -> list[list[Span]]:
    """Plain Presidio defaults (every entity, default thresholds) with the same spaCy model."""
    from guard.detectors.base import DetectorContext
    from guard.detectors.pii import shared_analyzer

    analyzer = shared_analyzer(DetectorContext())
    out = []
    for i, text in enumerate(texts):
        out.append([(r.start, r.end) for r in analyzer.analyze(text=text, language="en")])
        progress(i)
    return out


def evaluate_pii(
    policy: Policy,
    rows: list[dict[str, Any]],
    *,
    baseline: bool,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    texts = [row["text"] for row in rows]
    removed = asyncio.run(guard_removals(policy, texts, progress=progress))
    result = {"guard": score(rows, removed)}
    if baseline:
        step = max(1, len(texts) // 10)

        def every_step(i: int) -> None:
            if (i + 1) % step == 0:
                progress(f"presidio: {i + 1}/{len(texts)}")

        result["presidio"] = score(rows, presidio_removals(texts, every_step))
    return result
