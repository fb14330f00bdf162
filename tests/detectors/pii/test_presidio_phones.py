"""guard's copy of Presidio's phone recognizer finds exactly what Presidio's finds, without
parsing candidates too short to be a valid number in any region."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODES_FOR_NON_GEO_REGIONS, SUPPORTED_REGIONS
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from guard.detectors.pii.phones import MIN_NATIONAL_DIGITS, presidio_phone_recognizer

TEXTS = [
    "Call me on 212-555-0199 about the invoice 42.",
    "call me on +44 20 7946 0958 tomorrow, or +49 30 901820 at the office",
    "Our Vienna number is +43 1 5131 and Berlin's 030 1234 (desk 7).",
    "Ring +352 4711 or +290 2222 (Saint Helena), room 12, floor 3",
    "Phone: (35) 609-270, ext. 12; order 999 at 10:30",
    "The sales report 17. The budget 2024 grew 3.5% to 1 200 000 units.",
    "Indian mobile 098765 43210, Brazil (11) 91234-5678, Israel 03-123-4567",
    "Fullwidth \uff10\uff13\uff10 \uff11\uff12\uff13\uff14 and Arabic-Indic "
    "\u0660\u0663\u0660\u0661\u0662\u0663\u0664\u0665\u0666",
    "abc8005001234 is no number, 8005001234def neither; 1-800-555-0199 is",
]


def _found(recognizer: object, text: str) -> list[tuple[int, int, float, str]]:
    results = recognizer.analyze(text, ["PHONE_NUMBER"], None)  # type: ignore[attr-defined]
    return sorted((r.start, r.end, r.score, r.analysis_explanation.recognizer) for r in results)


def test_finds_what_presidios_phone_recognizer_finds() -> None:
    ours, theirs = presidio_phone_recognizer(), PhoneRecognizer()
    assert ours.name == theirs.name  # type: ignore[attr-defined]
    found = 0
    for text in TEXTS:
        assert _found(ours, text) == _found(theirs, text), text
        found += len(_found(theirs, text))
    assert found >= 8  # the texts hold real numbers, not only short ones


_PHONE_CHARS = st.sampled_from([*"0123456789 -().+/x", "ext. ", " or ", "call "])


@settings(max_examples=150, deadline=None)
@given(st.lists(_PHONE_CHARS, min_size=1, max_size=40).map("".join))
def test_same_results_on_any_digits_and_punctuation(text: str) -> None:
    assert _found(presidio_phone_recognizer(), text) == _found(PhoneRecognizer(), text)


def test_no_region_has_valid_numbers_shorter_than_the_skipped_ones() -> None:
    descriptions = [PhoneMetadata.metadata_for_region(r).general_desc for r in SUPPORTED_REGIONS]
    descriptions += [
        PhoneMetadata.metadata_for_nongeo_region(c).general_desc
        for c in COUNTRY_CODES_FOR_NON_GEO_REGIONS
    ]
    assert all(d.possible_length for d in descriptions)  # every region bounds its lengths
    shortest = min(n for d in descriptions for n in d.possible_length if n > 0)
    assert shortest == MIN_NATIONAL_DIGITS
    assert phonenumbers.is_valid_number(phonenumbers.parse("+43 1 5131"))  # four digits
