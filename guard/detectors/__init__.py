"""Detector registry: names map to ``module:Class`` and import only when a policy uses them
(entry-point group ``guard.detectors``)."""

from __future__ import annotations

from typing import Any

from guard.registry import load, registered

_BUILTIN = {
    "pii": "guard.detectors.pii:PiiDetector",
    "regex": "guard.detectors.regex:RegexDetector",
    "keywords": "guard.detectors.keywords:KeywordsDetector",
    "secrets": "guard.detectors.secrets:SecretsDetector",
    "semantic": "guard.detectors.semantic:SemanticDetector",
    "classifier": "guard.detectors.classifier:ClassifierDetector",
    "judge": "guard.detectors.judge:JudgeDetector",
    "perplexity": "guard.detectors.perplexity:PerplexityDetector",
    "markup": "guard.detectors.markup:MarkupDetector",
    "addressed": "guard.detectors.addressed:AddressedDetector",
}


def registered_detectors() -> dict[str, str]:
    """Every detector type and the ``module:Class`` it loads."""
    return registered("guard.detectors", _BUILTIN)


def detector_class(type_name: str) -> Any:
    """The detector class registered as ``type_name``; ``KeyError`` if none is."""
    return load(registered_detectors()[type_name])
