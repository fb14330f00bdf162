"""Keywords detector: whole words and phrases, case- and accent-insensitive.

Texts and words are both folded (``fold_for_matching``: case-folded, accents stripped) and
all words are matched by one compiled regex; a word never matches inside a longer word, and
a phrase matches across any run of whitespace. Findings name the word by its index in the
list, never by the matched text, which could be personal data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from guard.detectors.base import DetectorConfig, DetectorContext, Finding
from guard.detectors.leads import earliest, lead
from guard.text.normalize import fold_for_matching, normalize


def _folded_parts(word: str) -> list[str]:
    """The whitespace-separated parts of ``word``, normalized and folded as texts are."""
    return fold_for_matching(normalize(word).text).text.split()


class KeywordsConfig(DetectorConfig):
    type: Literal["keywords"] = "keywords"
    words: list[str] = Field(min_length=1)
    category: str = "keyword"
    score: float = Field(default=1.0, ge=0, le=1)

    @field_validator("words")
    @classmethod
    def _not_blank(cls, words: list[str]) -> list[str]:
        for index, word in enumerate(words):
            if not _folded_parts(word):
                raise ValueError(f"keyword #{index} is blank")
        return words


class KeywordsDetector:
    """Finds listed words and phrases as whole words, ignoring case and accents."""

    type_name: ClassVar[str] = "keywords"
    sensitive: ClassVar[bool] = False
    Config: ClassVar[type[DetectorConfig]] = KeywordsConfig

    def __init__(self, config: KeywordsConfig):
        self.config = config
        # Folded word (parts joined by one space) -> index of its first occurrence in the list.
        self._index: dict[str, int] = {}
        for index, word in enumerate(config.words):
            self._index.setdefault(" ".join(_folded_parts(word)), index)
        # Longest first, so that a phrase wins over a word it starts with.
        alternatives = sorted(self._index, key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, key.split(" "))) for key in alternatives)
        self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)")
        self._lead = lead(self._pattern)

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> KeywordsDetector:
        assert isinstance(config, KeywordsConfig)
        return cls(config)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return [self._findings(text) for text in texts]

    def stream_lead(self, text: str) -> int:
        """Where a listed word or phrase may still be arriving (a prefix of one)."""
        folded = fold_for_matching(text)
        held = earliest([self._lead], folded.text)
        return folded.to_original(held, held)[0]

    def _findings(self, text: str) -> list[Finding]:
        folded = fold_for_matching(text)
        findings = []
        for match in self._pattern.finditer(folded.text):
            start, end = folded.to_original(match.start(), match.end())
            findings.append(
                Finding(
                    detector="keywords",
                    category=self.config.category,
                    start=start,
                    end=end,
                    score=self.config.score,
                    threshold=self.config.score,
                    evidence=f"keyword #{self._index[' '.join(match.group().split())]}",
                )
            )
        return findings
