"""Postal addresses: street lines in several conventions, grown over the block that follows."""

from __future__ import annotations

import pytest

from guard.detectors.pii.address import find_addresses


def _found(text: str, at_least: float = 0.5) -> list[str]:
    return [text[m.start : m.end] for m in find_addresses(text) if m.score >= at_least]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "Send it to 221B Baker Street, London NW1 6XE please.",
            "221B Baker Street, London NW1 6XE",
        ),
        (
            "Our office: 1600 Pennsylvania Avenue NW, Washington, DC 20500",
            "1600 Pennsylvania Avenue NW, Washington, DC 20500",
        ),
        ("Ship to Auerstrasse 84, Lyss", "Auerstrasse 84, Lyss"),
        ("Elle habite 12 rue du Bac, Paris", "12 rue du Bac, Paris"),
        ("Mail it to P.O. Box 101, Anchorage, AK 99501", "P.O. Box 101, Anchorage, AK 99501"),
        (
            "Meet me at the corner of Elm Street and Main Street.",
            "the corner of Elm Street and Main Street",
        ),
    ],
)
def test_street_lines_in_several_conventions(text: str, address: str) -> None:
    assert _found(text) == [address]


def test_a_letterhead_block_is_one_finding_with_its_addressee() -> None:
    text = "Dear sir,\n\nMiranda Marquez\nAcme Books\n92 De Lindeboom 105\n Suite 458\n Mijdrecht\n New Zealand 35969\n\nThanks"
    assert _found(text) == [
        "Miranda Marquez\nAcme Books\n92 De Lindeboom 105\n Suite 458\n Mijdrecht\n New Zealand 35969"
    ]


def test_a_bare_number_name_number_needs_support() -> None:
    assert _found("Top 10 Movies 2024 ranked") == []
    assert _found("She lives at 39 Maneezi 37, Ruhve") == ["39 Maneezi 37, Ruhve"]
    assert _found("12 Drangahrauni 3 Apt. 460, Lady Frere, Colombia 05833") == [
        "12 Drangahrauni 3 Apt. 460, Lady Frere, Colombia 05833"
    ]


def test_the_block_stops_where_the_sentence_goes_on() -> None:
    text = "The title refers to 491 St. John Street street in Malmesbury. It was loud."
    assert _found(text) == ["491 St. John Street"]


@pytest.mark.parametrize(
    "text",
    [
        "There's this nice new Thai place downtown. Cool, what's the address?",
        "I have 3 apples and 5 oranges.",
        "Chapter 3 covers the years 1990 to 2000.",
        "Take 2 tablets 3 times a day.",
    ],
)
def test_ordinary_sentences_are_not_addresses(text: str) -> None:
    assert _found(text) == []


def test_zip_codes_with_their_cue() -> None:
    assert _found("my zip code is 37773") == ["37773"]
