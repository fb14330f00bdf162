"""Rewriting text for the redact and pseudonymize actions, and restoring placeholders.

Spans from every enforcing redact/pseudonymize rule are merged (overlaps become one span,
labelled by the strongest finding) and replaced right to left, so offsets stay valid.
Pseudonyms are consistent within a request (the same value gets the same ``<PERSON_1>``
everywhere) and live only in that request's memory.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Literal

RedactionStyle = Literal["placeholder", "mask", "hash", "pseudonym"]

PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")


@dataclass(frozen=True)
class Replacement:
    """Replace ``text[start:end]`` (a ``category`` finding) in the given style."""

    start: int
    end: int
    category: str
    style: RedactionStyle
    score: float = 1.0


@dataclass
class Pseudonyms:
    """One request's value ↔ placeholder mapping, kept in memory only."""

    by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    by_placeholder: dict[str, str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def placeholder(self, category: str, value: str) -> str:
        key = (category, value)
        if key not in self.by_value:
            self.counters[category] = self.counters.get(category, 0) + 1
            token = f"<{category}_{self.counters[category]}>"
            self.by_value[key] = token
            self.by_placeholder[token] = value
        return self.by_value[key]

    def restore(self, text: str) -> str:
        """Put the caller's own values back where the model used their placeholders."""
        if not self.by_placeholder:
            return text
        return PLACEHOLDER.sub(lambda m: self.by_placeholder.get(m.group(), m.group()), text)


def merge(replacements: list[Replacement]) -> list[Replacement]:
    """Overlapping spans become one, labelled by the highest-scoring finding."""
    merged: list[Replacement] = []
    for item in sorted(replacements, key=lambda r: (r.start, -r.end)):
        if merged and item.start < merged[-1].end:
            last = merged[-1]
            best = last if last.score >= item.score else item
            merged[-1] = Replacement(
                last.start, max(last.end, item.end), best.category, best.style, best.score
            )
        else:
            merged.append(item)
    return merged


def apply(
    text: str,
    replacements: list[Replacement],
    *,
    pseudonyms: Pseudonyms | None = None,
    hash_key: bytes = b"",
) -> str:
    """``text`` with each (merged) span replaced in its style."""
    spans = merge(replacements)
    tokens = [_token(text[r.start : r.end], r, pseudonyms, hash_key) for r in spans]  # in order
    out = text
    for item, token in zip(reversed(spans), reversed(tokens), strict=True):
        out = out[: item.start] + token + out[item.end :]
    return out


def _token(value: str, item: Replacement, pseudonyms: Pseudonyms | None, hash_key: bytes) -> str:
    if item.style == "pseudonym" and pseudonyms is not None:
        return pseudonyms.placeholder(item.category, value)
    if item.style == "mask":
        return "*" * len(value)
    if item.style == "hash":
        digest = hmac.new(hash_key, value.encode(), hashlib.sha256).hexdigest()[:10]
        return f"<{item.category}:{digest}>"
    return f"<{item.category}>"
