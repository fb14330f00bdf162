"""Personal data means data about a person (``context: personal``, the default)."""

from __future__ import annotations

import pytest

from guard.detectors.base import DetectorContext
from guard.detectors.pii import PiiConfig, PiiDetector

CONTEXTUAL = ["LOCATION", "ORGANIZATION", "DATE_TIME", "URL"]
NAMES = ["PERSON"]


def _found(text: str, entities: list[str], context: str = "personal") -> dict[str, str]:
    import asyncio

    detector = PiiDetector.create(
        PiiConfig(entities=entities, context=context),  # type: ignore[arg-type]
        DetectorContext(),
    )
    [findings] = asyncio.run(detector.detect([text]))
    return {text[f.start : f.end]: f.category for f in findings}


@pytest.mark.parametrize(
    "text",
    [
        "What is the capital of France?",
        "Summarize the history of Microsoft",
        "What happened on July 4, 1776?",
        "Population of Tokyo",
        "Compare AWS and Google Cloud pricing",
        "Tell me about Amazon rainforest deforestation",
        "How many people live in Tokyo?",
        "Hi, what is the capital of France?",
        "Can you tell me the population of Tokyo?",
    ],
)
def test_places_companies_and_dates_in_questions_about_the_world_pass(text: str) -> None:
    assert _found(text, CONTEXTUAL) == {}


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("I live in Springfield and was born on 1990-03-04", {"Springfield", "1990-03-04"}),
        (
            "She works at Frost LLC in Denver since 2019-03-04",
            {"Frost LLC", "Denver", "2019-03-04"},
        ),
        ("Write to jane.doe@example.com, she is in Lyon", {"Lyon"}),
        ("Send it to 221B Baker Street, London NW1 6XE", {"London"}),
        ("Algeria was super fun to visit!", {"Algeria"}),
        ("What is the capital of France? I moved there from Oslo in 2019-05-01.", {"Oslo"}),
    ],
)
def test_places_companies_and_dates_that_describe_a_person_are_protected(
    text: str, kept: set[str]
) -> None:
    assert kept <= set(_found(text, CONTEXTUAL))


@pytest.mark.parametrize(
    "text",
    ["Who was Albert Einstein?", "When was Marie Curie born?", "What is Ada Lovelace known for?"],
)
def test_public_names_in_questions_about_the_world_pass(text: str) -> None:
    assert _found(text, NAMES) == {}


@pytest.mark.parametrize(
    "text",
    [
        "Please write to John Smith about the invoice",
        "Who is my colleague Jane Doe meeting today?",
        "Dear Marta Kovacs, your order has shipped.",
    ],
)
def test_names_of_people_the_writer_deals_with_are_protected(text: str) -> None:
    assert "PERSON" in _found(text, NAMES).values()


def test_context_always_protects_every_place_and_name() -> None:
    assert _found("What is the capital of France?", CONTEXTUAL, "always") == {"France": "LOCATION"}
    assert "PERSON" in _found("Who was Albert Einstein?", NAMES, "always").values()
