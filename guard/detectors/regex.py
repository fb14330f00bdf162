"""Regex detector: named regular expressions from the policy file (Python ``re``).

Evidence is the pattern's name, never the matched text. Patterns are compiled once, when
the policy loads; an invalid one is a load error naming the pattern.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from guard.detectors.base import DetectorConfig, DetectorContext, Finding
from guard.detectors.leads import Lead, PatternError, earliest, lead


class PatternSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    pattern: str = Field(min_length=1)
    score: float = Field(default=1.0, ge=0, le=1)


class RegexConfig(DetectorConfig):
    type: Literal["regex"] = "regex"
    patterns: list[PatternSpec] = Field(min_length=1)
    category: str = "pattern"
    ignore_case: bool = False
    min_score: float = Field(default=0.0, ge=0, le=1)

    @field_validator("patterns", mode="before")
    @classmethod
    def _plain_strings_are_patterns(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [
                {"name": f"pattern-{i + 1}", "pattern": item} if isinstance(item, str) else item
                for i, item in enumerate(value)
            ]
        return value

    @model_validator(mode="after")
    def _patterns_compile(self) -> RegexConfig:
        for spec in self.patterns:
            try:
                re.compile(spec.pattern)
            except re.error as exc:
                raise ValueError(f"pattern {spec.name!r} is not a valid regex: {exc}") from exc
        return self


class RegexDetector:
    """Reports every non-empty match of every pattern whose score reaches ``min_score``."""

    type_name: ClassVar[str] = "regex"
    sensitive: ClassVar[bool] = False
    Config: ClassVar[type[DetectorConfig]] = RegexConfig

    def __init__(self, config: RegexConfig):
        self.config = config
        flags = re.IGNORECASE if config.ignore_case else 0
        self._compiled = [
            (spec, re.compile(spec.pattern, flags))
            for spec in config.patterns
            if spec.score >= config.min_score
        ]
        try:
            self._leads: list[Lead] | None = [lead(c) for _, c in self._compiled]
        except PatternError:
            self._leads = None

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> RegexDetector:
        assert isinstance(config, RegexConfig)
        return cls(config)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return [self._find(text) for text in texts]

    def stream_lead(self, text: str) -> int:
        """Where a match of a pattern may still be arriving (a prefix of one); the whole
        text where a pattern is one the ``regex`` module does not read as ``re`` does."""
        return 0 if self._leads is None else earliest(self._leads, text)

    def _find(self, text: str) -> list[Finding]:
        findings = []
        for spec, compiled in self._compiled:
            for match in compiled.finditer(text):
                if match.end() > match.start():
                    findings.append(
                        Finding(
                            detector="regex",
                            category=self.config.category,
                            start=match.start(),
                            end=match.end(),
                            score=spec.score,
                            threshold=self.config.min_score,
                            evidence=f"pattern {spec.name}",
                        )
                    )
        return sorted(findings, key=lambda f: (f.start, f.end))
