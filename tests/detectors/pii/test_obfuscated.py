"""Identifiers written to pass a plain pattern: SSNs without dashes, emails and numbers
spelled out."""

from __future__ import annotations

import asyncio

import pytest

from guard.detectors.base import DetectorContext
from guard.detectors.pii import PiiConfig, PiiDetector


def _found(text: str) -> dict[str, str]:
    detector = PiiDetector.create(
        PiiConfig(entities=["US_SSN", "EMAIL_ADDRESS", "CREDIT_CARD"]),  # type: ignore[arg-type]
        DetectorContext(),
    )
    [findings] = asyncio.run(detector.detect([text]))
    return {text[f.start : f.end]: f.category for f in findings}


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("my ssn is 078051120", "078051120", "US_SSN"),
        ("Social security number: 078 05 1120", "078 05 1120", "US_SSN"),
        (
            "write to jane dot doe at example dot com please",
            "jane dot doe at example dot com",
            "EMAIL_ADDRESS",
        ),
        ("reach me at jane(at)example(dot)org", "jane(at)example(dot)org", "EMAIL_ADDRESS"),
        ("jane [at] example.com", "jane [at] example.com", "EMAIL_ADDRESS"),
        (
            "my ssn is zero seven eight zero five one one two zero",
            "zero seven eight zero five one one two zero",
            "US_SSN",
        ),
        (
            "card: four one one one, one one one one, one one one one, one one one one",
            "four one one one, one one one one, one one one one, one one one one",
            "CREDIT_CARD",
        ),
        (
            "pay with 5 five 5 five 5 five 5 five 5 five 5 five 4 four 4 four",
            "5 five 5 five 5 five 5 five 5 five 5 five 4 four 4 four",
            "CREDIT_CARD",
        ),
        (
            "visa four oh one two eight eight eight eight eight eight eight eight one eight eight one",
            "four oh one two eight eight eight eight eight eight eight eight one eight eight one",
            "CREDIT_CARD",
        ),
    ],
)
def test_evasive_identifiers_are_found(text: str, value: str, entity: str) -> None:
    assert _found(text).get(value) == entity


@pytest.mark.parametrize(
    "text",
    [
        "order number 078051120",
        "my ssn is 666051120",
        "look at this dot com bubble",
        "meet me at home",
        "one two three four five six seven eight nine ten, here I come",
        "I need one or two, maybe three, four or five, six seven eight nine of them",
        "my ssn is one two three",
    ],
)
def test_lookalikes_are_left_alone(text: str) -> None:
    assert _found(text) == {}
