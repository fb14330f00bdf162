from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guard.text.normalize import NormalizedText, compose, fold_for_matching, normalize

ZERO_WIDTH = "\u200b\u200c\u200d\ufeff\u00ad\u2060"
BIDI = "\u202a\u202e\u2066\u2069\u061c"
REMOVED = ZERO_WIDTH + BIDI

alphabet = st.sampled_from(
    list("abcXYZ019 @.")
    + list(REMOVED)
    + ["Ａ", "ｐ", "ﬁ", "\u0301", "é", "ß", "İ"]  # noqa: RUF001
    + list("аеорсухАВЕКМНОРСТХ")  # noqa: RUF001
    + list("οαΑΒ\u2019\u201c\u2014")  # noqa: RUF001
)
texts = st.text(alphabet, max_size=40)


def _check_maps(mapped: NormalizedText) -> None:
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    for j in range(len(mapped.text)):
        assert 0 <= mapped.starts[j] < mapped.ends[j] <= len(mapped.original)
    for j in range(1, len(mapped.text)):
        assert mapped.starts[j - 1] <= mapped.starts[j]
        assert mapped.ends[j - 1] <= mapped.ends[j]


@given(texts)
def test_offsets_are_non_decreasing_and_within_the_original(text: str) -> None:
    _check_maps(normalize(text))


@given(texts)
def test_each_character_comes_from_the_source_span_it_maps_to(text: str) -> None:
    result = normalize(text)
    for j, char in enumerate(result.text):
        source = text[result.starts[j] : result.ends[j]]
        assert char in normalize(source).text


@given(texts)
def test_removed_characters_never_reach_the_normalized_text(text: str) -> None:
    assert not set(REMOVED) & set(normalize(text).text)


@given(st.text(st.characters(max_codepoint=127), max_size=60))
def test_ascii_text_is_returned_unchanged_with_identity_offsets(text: str) -> None:
    result = normalize(text)
    assert result.text == text
    assert not result.changed
    assert result.starts == tuple(range(len(text)))
    assert result.ends == tuple(range(1, len(text) + 1))


@given(texts)
def test_the_whole_normalized_text_maps_over_every_kept_original_character(text: str) -> None:
    result = normalize(text)
    start, end = result.to_original(0, len(result.text))
    kept = [i for i, char in enumerate(text) if char not in REMOVED]
    assert all(start <= i < end for i in kept)


@given(texts)
def test_normalizing_twice_changes_nothing_more(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@given(texts)
def test_folded_offsets_compose_back_onto_the_callers_text(text: str) -> None:
    normalized = normalize(text)
    folded = fold_for_matching(normalized.text)
    _check_maps(folded)
    chained = compose(normalized, folded)
    _check_maps(chained)
    assert chained.original == text
    for j, char in enumerate(chained.text):
        source = text[chained.starts[j] : chained.ends[j]]
        assert char in fold_for_matching(normalize(source).text).text


def test_when_zero_width_space_splits_an_email_then_span_maps_back_over_it() -> None:
    text = "write to jo\u200bhn@exam\u200dple.com today"
    result = normalize(text)
    assert result.text == "write to john@example.com today"
    start = result.text.index("john@")
    end = start + len("john@example.com")
    original_start, original_end = result.to_original(start, end)
    assert text[original_start:original_end] == "jo\u200bhn@exam\u200dple.com"


def test_fullwidth_letters_become_ascii() -> None:
    assert normalize("ｐａｙｐａｌ").text == "paypal"  # noqa: RUF001


def test_cyrillic_look_alikes_become_latin() -> None:
    assert normalize("раураl").text == "paypal"  # noqa: RUF001


def test_greek_and_cyrillic_capitals_keep_their_case() -> None:
    assert normalize("РАУΡΑL").text == "PAYPAL"  # noqa: RUF001


def test_typographic_quotes_and_dashes_become_ascii() -> None:
    assert normalize("\u201cit\u2019s\u201d \u2013 \u2014 \u2212 \u2018x\u2019").text == (
        "\"it's\" - - - 'x'"
    )


def test_bidi_controls_are_removed() -> None:
    text = "abc\u202edcba\u202c"
    result = normalize(text)
    assert result.text == "abcdcba"
    assert result.to_original(3, 7) == (4, 8)


def test_when_ligature_is_expanded_then_both_letters_map_to_it() -> None:
    text = "a ﬁle"
    result = normalize(text)
    assert result.text == "a file"
    assert result.starts[2:4] == (2, 2)
    assert result.ends[2:4] == (3, 3)
    assert result.to_original(3, 6) == (2, 5)


def test_when_zero_width_space_separates_an_accent_then_it_still_joins_its_letter() -> None:
    text = "cafe\u200b\u0301!"
    result = normalize(text)
    assert result.text == "café!"
    assert result.to_original(3, 4) == (3, 6)
    assert result.to_original(4, 5) == (6, 7)


def test_case_is_not_changed() -> None:
    assert normalize("ÀÉ ｘＹ").text == "ÀÉ xY"  # noqa: RUF001


def test_empty_span_maps_to_the_next_characters_source() -> None:
    text = "\u200bab\u200b"
    result = normalize(text)
    assert result.to_original(0, 0) == (1, 1)
    assert result.to_original(1, 1) == (2, 2)
    assert result.to_original(2, 2) == (4, 4)


def test_span_outside_the_text_is_an_error() -> None:
    result = normalize("abc")
    with pytest.raises(ValueError):
        result.to_original(2, 4)
    with pytest.raises(ValueError):
        result.to_original(2, 1)


def test_folding_strips_accents_and_case() -> None:
    assert fold_for_matching("Café CAFÉ İstanbul").text == "cafe cafe istanbul"


def test_when_sharp_s_folds_to_two_letters_then_both_map_to_it() -> None:
    folded = fold_for_matching("Straße x")
    assert folded.text == "strasse x"
    assert folded.starts[4:6] == (4, 4)
    assert folded.to_original(8, 9) == (7, 8)


def test_ascii_folding_only_lowers_case() -> None:
    folded = fold_for_matching("Hello World")
    assert folded.text == "hello world"
    assert folded.starts == tuple(range(11))


def test_composing_maps_from_different_texts_is_an_error() -> None:
    with pytest.raises(ValueError):
        compose(normalize("abc"), fold_for_matching("xyz"))
