r"""What guard's own recognizers share: the ``Match`` a finder returns and
``GuardRecognizer``, the Presidio ``EntityRecognizer`` every one of them is.

Each concept is one module, in the way of Presidio's ``predefined_recognizers/``: its
patterns, context words and validators as module data, a finder over plain text (no
Presidio types, so it is tested on its own), and its recognizer, which declares the entities
it supports and turns the finder's matches into ``RecognizerResult``\s with the reason in
the explanation. ``RECOGNIZERS`` in ``detector`` lists them; the analyzer runs them beside
Presidio's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult


@dataclass(frozen=True, slots=True)
class Match:
    entity: str
    start: int
    end: int
    score: float
    why: str


class GuardRecognizer(EntityRecognizer):  # type: ignore[misc]
    """A Presidio recognizer over one of guard's finders (``find``)."""

    ENTITIES: ClassVar[tuple[str, ...]]

    def __init__(self) -> None:
        super().__init__(supported_entities=list(self.ENTITIES), name=type(self).__name__)

    def load(self) -> None:
        pass

    def find(self, text: str, entities: Sequence[str]) -> list[Match]:
        raise NotImplementedError

    def lead(self, text: str) -> int:
        """Where the end of ``text`` may still be the beginning of one of its matches, for
        a stream's hold-back (``guard.detectors.leads``); 0, all of it, where it cannot say."""
        return 0

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
        wanted = [e for e in entities if e in self.ENTITIES]
        if not wanted:
            return []
        return [
            RecognizerResult(
                m.entity,
                m.start,
                m.end,
                m.score,
                AnalysisExplanation(
                    recognizer=type(self).__name__,
                    original_score=m.score,
                    textual_explanation=m.why,
                ),
            )
            for m in self.find(text, wanted)
        ]


# Words that never start or continue a name or an organisation's name.
FUNCTION_WORDS = {
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "with",
    "by",
    "from",
    "is",
    "was",
    "my",
    "our",
    "your",
    "their",
    "this",
    "that",
    "i",
    "we",
    "you",
    "he",
    "she",
    "it",
    "they",
    "me",
    "us",
    "him",
    "her",
    "them",
    "as",
    "but",
    "if",
    "so",
    "not",
    "no",
}
