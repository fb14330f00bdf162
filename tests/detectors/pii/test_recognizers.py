"""guard's own recognizers beside Presidio's: phones, organisations, names by cue, dates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.detectors.pii.cues import find_cued, find_names
from guard.detectors.pii.dates import find_datetimes, is_specific_date
from guard.detectors.pii.gazetteer import PLACE_PATTERN, country_names, find_places
from guard.detectors.pii.organizations import find_organizations
from guard.detectors.pii.phones import find_phones


def _values(text: str, matches: list) -> list[str]:  # type: ignore[type-arg]
    return [text[m.start : m.end] for m in matches if m.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("They're not answering at 785 8949", "785 8949"),
        ("Phone: (35) 609-270", "(35) 609-270"),
        ("fax +1-177-892-0730x52646", "+1-177-892-0730x52646"),
        ("call me on +44 20 7946 0958 tomorrow", "+44 20 7946 0958"),
        ("92 34 70-Office", "92 34 70"),
    ],
)
def test_phones_in_local_and_international_formats(text: str, phone: str) -> None:
    assert _values(text, find_phones(text)) == [phone]


@pytest.mark.parametrize(
    "text",
    [
        "The meeting is on 2024-03-05 at noon.",
        "Server 10.0.0.12 is down",
        "card 4111 1111 1111 1111",
        "We sold 1 200 000 units in 2023",
    ],
)
def test_dates_addresses_and_cards_are_not_phones(text: str) -> None:
    assert _values(text, find_phones(text)) == []


def test_organisations_by_legal_form() -> None:
    text = "She left Smith Ltd. for frost llc last year."
    assert _values(text, find_organizations(text)) == ["Smith Ltd."]
    lower = "she left smith ltd. for frost llc last year."
    found = _values(lower, find_organizations(lower))
    # Without capitals the start of a name is a guess; the whole name is still covered.
    assert len(found) == 2 and found[0].endswith("smith ltd.") and found[1] == "frost llc"


def test_names_after_cues_repeats_and_lists() -> None:
    text = "My name is Estrid Holm. Estrid likes tea. They had 3: Jan, Kristi and Estrid."
    found = set(_values(text, find_names(text, known=[])))
    assert {"Estrid Holm", "Estrid", "Jan", "Kristi"} <= found
    assert "They" not in found and "tea" not in found


def test_titles_and_dialogue_speakers_are_names() -> None:
    text = 'Hello, this is Mr. Carl Koike.\nRafaela: "Who are you?"'
    assert set(_values(text, find_names(text, known=[]))) >= {"Mr. Carl Koike", "Rafaela"}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Priya called about her claim.", []),  # a verb, not a cue for "about"
        ("A man called Ove lives here.", ["Ove"]),
        ("my name is jane doe", ["jane doe"]),  # "name is" takes a lower-case name
        ("the shop called me back", []),
    ],
)
def test_called_and_named_take_a_lower_case_word_only_in_lower_case_text(
    text: str, names: list[str]
) -> None:
    assert sorted(set(_values(text, find_names(text, known=[])))) == names


def test_weak_cues_take_only_capitalised_words_in_mixed_case_text() -> None:
    text = "Hello there, thanks for the help."
    assert _values(text, find_names(text, known=[])) == []


def test_places_and_employers_after_cues() -> None:
    text = "Sisko is from Workhands and grew up in Narsaq."
    assert {(m.entity, text[m.start : m.end]) for m in find_cued(text)} == {
        ("ORGANIZATION", "Workhands"),
        ("LOCATION", "Narsaq"),
    }


def test_gazetteer_places_any_case_but_common_words_only_capitalised() -> None:
    text = "From costa rica to Deutschland via Turkey; roast turkey for dinner."
    assert [text[s:e] for s, e in find_places(text)] == ["costa rica", "Deutschland", "Turkey"]


_PIECES = [*country_names()[:60], "Georgia", "new  york", "TURKEY", "turkey", "Chad", "x", "-"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from([*_PIECES, " ", ", ", "a", "Sri", "ian", "'s", "\n"]), max_size=30))
def test_place_lookup_finds_what_the_reference_pattern_finds(parts: list[str]) -> None:
    text = "".join(parts)
    assert find_places(text) == [(m.start(), m.end()) for m in PLACE_PATTERN.finditer(text)]


def test_dates_with_times_and_which_dates_identify() -> None:
    text = "When: 2002-11-22 18:02:08\nWhere: the club"
    assert _values(text, find_datetimes(text)) == ["2002-11-22 18:02:08"]
    assert is_specific_date("5/18/1956") and is_specific_date("March 3")
    assert not is_specific_date("this morning") and not is_specific_date("the 60s")


def test_greetings_to_everyone_name_nobody_but_a_lower_case_name_counts() -> None:
    assert _values("hello there", find_names("hello there", known=[])) == []
    text = "hi torben, i am contacting you about a parcel"
    assert "torben" in _values(text, find_names(text, known=[]))


def test_the_entities_a_policy_check_knows_are_those_the_analyzer_finds() -> None:
    from guard.detectors.base import DetectorContext
    from guard.detectors.pii.detector import KNOWN_ENTITIES, guard_recognizers, shared_analyzer

    analyzer = shared_analyzer(DetectorContext())
    found = set(analyzer.get_supported_entities("en"))
    found |= {e for r in guard_recognizers() for e in r.supported_entities}
    assert found == KNOWN_ENTITIES
