"""Rewriting text for the redact and pseudonymize actions, and restoring placeholders.

Spans from every enforcing redact/pseudonymize rule are merged (overlaps become one span,
labelled by the strongest finding) and replaced right to left, so offsets stay valid.
Pseudonyms are consistent within a request (the same value gets the same ``<PERSON_1>``
everywhere) and live only in that request's memory.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Literal

from guard.detectors.leads import lead, viable_start

RedactionStyle = Literal["placeholder", "mask", "hash", "pseudonym", "withhold"]


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
    _compiled: tuple[tuple[str, ...], re.Pattern[str]] | None = field(default=None, repr=False)

    def placeholder(self, category: str, value: str) -> str:
        key = (category, value)
        if key not in self.by_value:
            self.counters[category] = self.counters.get(category, 0) + 1
            token = f"<{category}_{self.counters[category]}>"
            self.by_value[key] = token
            self.by_placeholder[token] = value
        return self.by_value[key]

    def restore(self, text: str, *, json_escaped: bool = False) -> str:
        """Put the caller's own values back where the model used their placeholders
        (escaped for a JSON string when ``json_escaped``: tool-call arguments, a streamed
        JSON answer).

        Small models rewrite placeholders: ``**PERSON_1**``, ``PERSON_1``, ``<PERSON 1>``,
        ``[person_1]``, changed case. Every such form of a placeholder this request handed
        out is restored; a form of one it never handed out is left as written, so no value
        is invented.
        """
        pattern = self._pattern()
        if pattern is None:
            return text
        if json_escaped:
            return pattern.sub(lambda m: json.dumps(self._value(m))[1:-1], text)
        return pattern.sub(self._value, text)

    def held_cut(self, text: str, start: int, cut: int) -> int:
        """Move ``cut`` back so that no form of a placeholder straddles it (streaming)."""
        pattern = self._pattern()
        if pattern is None:
            return cut
        for match in pattern.finditer(text, max(start, cut - _LOOSE_MAX), cut + _LOOSE_MAX):
            if match.start() < cut < match.end():
                cut = match.start()  # and before the bracket it may still be inside of
                break
        opening = text.rfind("<", start, cut)
        if opening != -1 and text.rfind(">", opening, cut) == -1 and cut - opening <= _LOOSE_MAX:
            return opening  # a half-written <PLACEHOLDER_n>
        # a form still being written at the end of the text ("[Person", "**PERSON_")
        return min(cut, viable_start(lead(pattern), text, max(start, cut - _LOOSE_MAX)))

    def _value(self, match: re.Match[str]) -> str:
        groups = match.groupdict()
        name = groups["category"] or groups["category_snake"] or groups["category_upper"]
        number = groups["number"] or groups["number_snake"] or groups["number_upper"]
        category = re.sub(r"[\s_]+", "_", name.upper())
        value = self.by_placeholder.get(f"<{category}_{int(number)}>")
        return match.group() if value is None else value

    def _pattern(self) -> re.Pattern[str] | None:
        if not self.counters:
            return None
        categories = tuple(sorted(self.counters))
        if self._compiled is None or self._compiled[0] != categories:
            self._compiled = (categories, _loose_pattern(categories))
        return self._compiled[1]


_LOOSE_MAX = 64


def _loose_pattern(categories: tuple[str, ...]) -> re.Pattern[str]:
    """Every form a model gives a placeholder of these categories.

    Bracketed (``<…>``, ``[…]``, ``{…}``, ``(…)``): any case, words and number joined by
    spaces or underscores. Bare: joined by underscores (``PERSON_1``, ``person_1``), or by
    spaces in upper case only (``PERSON 1``), so that ordinary words stay words.
    """
    names = sorted(categories, key=len, reverse=True)
    spaced = "|".join(r"[\s_]+".join(map(re.escape, c.split("_"))) for c in names)
    snake = "|".join(r"_".join(map(re.escape, c.split("_"))) for c in names)
    upper = "|".join(r"\s+".join(map(re.escape, c.split("_"))) for c in names)
    return re.compile(
        rf"(?<![A-Za-z0-9_])(?:"
        rf"[<\[{{(]\s*(?i:(?P<category>{spaced}))[\s_-]*(?P<number>\d+)\s*[>\]}})]"
        rf"|(?i:(?P<category_snake>{snake}))_(?P<number_snake>\d+)"
        rf"|(?P<category_upper>{upper})\s+(?P<number_upper>\d+)"
        rf")(?![A-Za-z0-9])"
    )


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
    if item.style == "withhold":
        return f"[withheld by the content policy: {item.category}]"
    if item.style == "mask":
        return "*" * len(value)
    if item.style == "hash":
        digest = hmac.new(hash_key, value.encode(), hashlib.sha256).hexdigest()[:10]
        return f"<{item.category}:{digest}>"
    return f"<{item.category}>"
