"""Postal addresses: street lines in several conventions, grown over the block that follows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.detectors.pii.address import address_lead, find_addresses


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


LETTER_HEADS = [
    "Yes,\n12 Main Street\nSpringfield, IL 62701",
    "Acme Inc.\nLtd\n12 Harbour Road\nCork T12 X70A",
    "Jane\n\n221B Baker Street, London NW1 6XE",
    "Isabel Ltd\n12 Main Street, Springfield",
    "Dear team, the parcel goes to\nJane Doe\nAcme Corp\n12 Harbour Road\nIreland\n",
    "This is it.\nHauptstrasse 12, Berlin",
    "??? Jane Roe\n??? Acme And Associates\n??? 85 Ηλίου 64\n??? Apt. 836\n??? LARNACA\n??? Cyprus",
    # found by fuzzing (below): a block that grows over "Inc." and a unit, a letter-head
    # past a blank line, a crossing still being written, a later street line's crossing
    "Box London met 6XE 5 Ave Ave 4B, Inc. of 6XE 62701 \n",
    "Inc. Acme 5corner \n\nde Road 62701 Rue \nLtd 62701 Yes, ",
    "12PO .NW1 and Rue 4B, PO\nApt ",
    "Acme X70A : at PO 12 Cork deJane 124B,apt Fifth",
    "at Doejane de Rue and Rue Cork jane Inc. Cork 7 4B,Dear",
]


def _released_early(text: str) -> str | None:
    """Over every prefix: what lies before ``address_lead`` (what a stream releases) and is
    in an address the whole text has, where the prefix's own addresses do not cover it."""
    final = [(m.start, m.end) for m in find_addresses(text)]
    for end in range(1, len(text)):
        prefix = text[:end]
        cut = address_lead(prefix)
        known = [(m.start, m.end) for m in find_addresses(prefix)]
        for start, stop in final:
            early = [
                i for i in range(start, min(stop, cut)) if not any(a <= i < b for a, b in known)
            ]
            if early:
                return f"{prefix!r} releases {prefix[early[0] : cut]!r}"
    return None


@pytest.mark.parametrize("text", LETTER_HEADS)
def test_a_stream_never_releases_what_a_growing_address_block_will_take(text: str) -> None:
    assert find_addresses(text), "each text holds an address"
    assert _released_early(text) is None


# Pieces of addresses and of sentences, cased both ways, with the separators blocks use.
WORDS = (
    "Jane Doe Yes, is 12 221B 7 Main Street Road Ave Fifth Springfield, IL 62701 corner of "
    "and Hauptstrasse Rue de la Paix Acme Inc. Ltd the London NW1 6XE Apt 4B, Ireland Cork "
    "T12 X70A PO Box We met : Dear street main road apt london jane The To van d"
)
PIECES = [*WORDS.split(" "), "\n", "\n", " ", "."]


@given(st.lists(st.tuples(st.sampled_from(PIECES), st.booleans()), min_size=3, max_size=14))
@settings(max_examples=300, deadline=None)
def test_no_mix_of_address_pieces_is_released_before_it_is_known(
    pieces: list[tuple[str, bool]],
) -> None:
    text = "".join(piece + (" " if spaced and piece.strip() else "") for piece, spaced in pieces)
    assert _released_early(text) is None
