"""Names from many cultures are found whole, and English words beside a name are not."""

from __future__ import annotations

import asyncio

import pytest

from guard.detectors.base import DetectorContext
from guard.detectors.pii import PiiConfig, PiiDetector
from guard.detectors.pii.names import find_foreign_names, whole_name
from guard.text.normalize import normalize


def _names(text: str) -> list[str]:
    detector = PiiDetector.create(PiiConfig(entities=["PERSON"]), DetectorContext())  # type: ignore[arg-type]
    [findings] = asyncio.run(detector.detect([normalize(text).text]))
    return sorted({text[f.start : f.end] for f in findings if f.category == "PERSON"})


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Nguyễn Thị Hoa will arrive on Monday.", "Nguyễn Thị Hoa"),  # Vietnamese
        ("Mehmet Öztürk booked the room.", "Mehmet Öztürk"),  # Turkish
        ("Sigríður Þórsdóttir sent the invoice.", "Sigríður Þórsdóttir"),  # Icelandic
        ("Please forward the report to Szabó Katalin before noon.", "Szabó Katalin"),  # Hungarian
        ("Juha Mäkinen called twice.", "Juha Mäkinen"),  # Finnish
        ("Алексей Петров прислал документы.", "Алексей Петров"),  # Russian, Cyrillic
        ("Γιώργος Παπαδόπουλος called about the order.", "Γιώργος Παπαδόπουλος"),  # Greek
        ("Dang Thi Lan will take over.", "Dang Thi Lan"),
    ],
)
def test_names_from_many_cultures_are_found_whole(text: str, name: str) -> None:
    assert name in _names(text)


@pytest.mark.parametrize(
    ("text", "span", "grown"),
    [
        ("Did Angelina Jolie ever get divorced?", "Angelina Jolie", "Angelina Jolie"),
        ("Hey Jamie, welcome.", "Jamie", "Jamie"),
        ("In J.K. Rowling's Harry Potter books", "Harry Potter", "Harry Potter"),
        ("Yesterday John Smith called.", "John Smith", "John Smith"),
        ("Mehmet Öztürk booked it", "Öztürk", "Mehmet Öztürk"),
    ],
)
def test_a_name_grows_only_over_words_that_are_not_english(
    text: str, span: str, grown: str
) -> None:
    start = text.index(span)
    s, e = whole_name(text, start, start + len(span))
    assert text[s:e] == grown


@pytest.mark.parametrize(
    "text",
    [
        "Moscow Mule is a cocktail.",
        "The Baltic states and Eastern Europe",
        "Ship to ул. Тверская",  # a street, not two capitalised words
        "Hello World Today",
    ],
)
def test_words_that_are_not_foreign_names_are_left_alone(text: str) -> None:
    assert find_foreign_names(normalize(text).text) == []
