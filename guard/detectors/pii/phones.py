"""Phone numbers in national and international formats, including short local ones
(``785 8949``, ``(35) 609-270``) that ``phonenumbers`` cannot place without a region, scored
up by a context word (call, phone, fax, mobile, …) or a strong format (a ``+`` prefix, a
bracketed area code, an extension)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from guard.detectors.leads import earliest, lead
from guard.detectors.pii.recognizer import GuardRecognizer, Match

_PHONE = re.compile(
    r"(?<![\w+.-])(?:(?:\+|00)\d{1,3}[ .-]?|001-)?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,8}){1,4}"
    r"(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?![\w.-]*\d)|(?<![\w+.-])\(\d{2,4}\)[ ]?\d{3,4}[ .-]?\d{3,4}"
    r"(?:[ ]?(?:x|ext\.?)[ ]?\d{1,6})?(?![\w-]*\d)|(?<![\w+-])\+\d{8,14}(?!\d)"
)
_PHONE_CONTEXT_BEFORE = re.compile(
    r"(?i)\b(?:call|phone|tel|telephone|mobile|cell|fax|reach|contact|number|whatsapp|sms|text|"
    r"dial|ring|office|landline|hotline|answering|no\.?)\b[^\n\d]{0,25}$"
)
_PHONE_CONTEXT_AFTER = re.compile(r"(?i)^[\s\-:,\\]{0,3}(?:office|fax|mobile|cell|home|work|tel)\b")
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}-\d{1,2}-\d{2,4}$|^\d{1,3}(?:\.\d{1,3}){3}$")
_STRONG_PHONE = re.compile(r"^(?:\+|00|001-)|^\(\d+\)|(?:x|ext\.?|#)\s?\d+$")


def find_phones(text: str) -> list[Match]:
    found = []
    for match in _PHONE.finditer(text):
        value = match.group()
        digits = sum(c.isdigit() for c in re.sub(r"(?:x|ext\.?|#)\s?\d+$", "", value))
        if digits < 6 or digits > 15 or _DATE_LIKE.match(value):
            continue
        before = _PHONE_CONTEXT_BEFORE.search(text, max(0, match.start() - 40), match.start())
        after = _PHONE_CONTEXT_AFTER.match(text[match.end() : match.end() + 12])
        strong = bool(_STRONG_PHONE.search(value)) and digits >= 7
        if before or after:
            found.append(Match("PHONE_NUMBER", match.start(), match.end(), 0.75, "phone, context"))
        elif strong:
            found.append(Match("PHONE_NUMBER", match.start(), match.end(), 0.6, "phone format"))
        elif digits >= 9 and re.search(r"\d{3}[ .-]\d{3,4}[ .-]\d{4}$", value):
            found.append(Match("PHONE_NUMBER", match.start(), match.end(), 0.5, "phone format"))
    return found


class GuardPhoneRecognizer(GuardRecognizer):
    ENTITIES = ("PHONE_NUMBER",)

    def find(self, text: str, entities: Sequence[str]) -> list[Match]:
        return find_phones(text)

    def lead(self, text: str) -> int:
        """A number still arriving, or one whose context word may still follow (12
        characters of it are read)."""
        return earliest([lead(_PHONE, reach=12)], text)


# What ``phonenumbers`` may still be reading at the end of a text: a run of digits and the
# punctuation numbers are written with, from a digit, ``+`` or ``(``, its extension, and the
# character after it (a letter there voids a match).
_NUMBER_RUN = re.compile(r"[+(]?\d[\d \t().\-/\\]*(?:(?:ext|x|#)\.?[ ]?\d*)?")


# The fewest digits a valid national number has in any region phonenumbers knows (Austria,
# Germany, Luxembourg, … have four-digit ones); a test keeps it equal to the metadata.
MIN_NATIONAL_DIGITS = 4


def _phone_matcher_class() -> type:
    """``phonenumbers.PhoneNumberMatcher`` that does not parse a candidate with fewer
    digits than any valid number has ("42", "999"): ``parse`` and the validity check cost
    about 60 µs per candidate and region, and most numbers in prose are short. A candidate's
    national number is made of its digits, so one with fewer than ``MIN_NATIONAL_DIGITS``
    can never be valid; what the matcher finds is unchanged."""
    import phonenumbers

    class ShortSkippingMatcher(phonenumbers.PhoneNumberMatcher):  # type: ignore[misc]
        def _parse_and_verify(self, candidate: str, offset: int) -> Any:
            if self.leniency >= phonenumbers.Leniency.VALID and (
                sum(c.isdigit() for c in candidate) < MIN_NATIONAL_DIGITS
            ):
                return None
            return super()._parse_and_verify(candidate, offset)

    return ShortSkippingMatcher


def presidio_phone_recognizer() -> Any:
    """Presidio's ``PhoneRecognizer`` (same regions, leniency, score, context and name), its
    matcher skipping candidates too short to be valid numbers; it replaces the default one
    in guard's analyzer."""
    import phonenumbers
    from presidio_analyzer import EntityRecognizer
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    matcher = _phone_matcher_class()

    class ShortSkippingPhoneRecognizer(PhoneRecognizer):  # type: ignore[misc]
        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            results = []
            for region in self.supported_regions:
                for match in matcher(text, region, leniency=self.leniency):
                    try:  # the region the number belongs to, for the explanation
                        found = phonenumbers.region_code_for_number(
                            phonenumbers.parse(text[match.start : match.end])
                        )
                    except phonenumbers.NumberParseException:
                        found = region
                    results.append(self._get_recognizer_result(match, text, found, nlp_artifacts))
            return EntityRecognizer.remove_duplicates(results)  # type: ignore[no-any-return]

        def lead(self, text: str) -> int:
            return earliest([lead(_NUMBER_RUN, reach=1)], text)

    return ShortSkippingPhoneRecognizer(name="PhoneRecognizer")
