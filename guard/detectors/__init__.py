"""Detector registry: names map to ``module:Class`` and import only when a policy uses them.

Built-in detectors register through the ``guard.detectors`` entry-point group, exactly as
a third-party package would; the table below is the fallback for an uninstalled tree.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

_BUILTIN = {
    "pii": "guard.detectors.pii:PiiDetector",
    "regex": "guard.detectors.regex:RegexDetector",
    "keywords": "guard.detectors.keywords:KeywordsDetector",
    "secrets": "guard.detectors.secrets:SecretsDetector",
    "semantic": "guard.detectors.semantic:SemanticDetector",
    "classifier": "guard.detectors.classifier:ClassifierDetector",
    "judge": "guard.detectors.judge:JudgeDetector",
}


def registered_detectors() -> dict[str, str]:
    """Every detector type and the ``module:Class`` it loads."""
    found = dict(_BUILTIN)
    for ep in entry_points(group="guard.detectors"):
        found[ep.name] = ep.value
    return found


def detector_class(type_name: str) -> Any:
    """The detector class registered as ``type_name``; ``KeyError`` if none is."""
    target = registered_detectors()[type_name]
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)
