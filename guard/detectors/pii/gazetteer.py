"""Place names that need no model: countries (in English and the main European languages,
from the locale data that ships with ``phonenumbers``) and US states, matched whole-word
and case-insensitively, so ``costa rica`` in a lower-case address is found too."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from guard.detectors.pii.recognizer import GuardRecognizer, Match

_LANGUAGES = ("aa", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "fi", "pl")
_EXTRA = (
    "USA",
    "U.S.A.",
    "UK",
    "U.K.",
    "England",
    "Scotland",
    "Wales",
    "Northern Ireland",
    "Great Britain",
    "Holland",
    "Czechia",
    "Czech Republic",
    "Russia",
    "South Korea",
    "North Korea",
    "Vietnam",
    "Iran",
    "Syria",
    "Laos",
    "Bolivia",
    "Venezuela",
    "Tanzania",
    "Moldova",
    "Macedonia",
    "Ivory Coast",
    "Cape Verde",
    "Swaziland",
    "Burma",
    "Vatican",
    "Palestine",
    "Kosovo",
    "Taiwan",
    "Micronesia",
    "Brunei",
    "Congo",
)
# Country names that are also everyday words; a capitalised one is still a place.
_COMMON_WORDS = {
    "turkey",
    "china",
    "chad",
    "jordan",
    "georgia",
    "jersey",
    "guinea",
    "japan",
    "niger",
    "cuba",
    "togo",
    "oman",
    "peru",
    "mali",
    "iran",
    "iraq",
    "laos",
}
US_STATES = (
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West Virginia",
    "Wisconsin",
    "Wyoming",
    "District of Columbia",
)


@cache
def country_names() -> tuple[str, ...]:
    """Country and territory names, longest first."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    names: set[str] = set(_EXTRA)
    for by_language in LOCALE_DATA.values():
        for language in _LANGUAGES:
            value = by_language.get(language)
            while value and value.startswith("*"):
                value = by_language.get(value[1:])
            if value and (language == "aa" or len(value) >= 6):
                names.add(value.strip())
    names = {
        n
        for n in names
        if len(n) >= 4 and not any(c in n for c in "()[],") and n.lower() not in _COMMON_WORDS
    }
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def _alternatives(names: tuple[str, ...]) -> str:
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)


_CAPITALISED = tuple(
    sorted({n.title() for n in _COMMON_WORDS} | {n.upper() for n in _COMMON_WORDS})
)
COUNTRY_PATTERN = re.compile(
    rf"(?i:{_alternatives(country_names())})|{_alternatives(_CAPITALISED)}"
)
# The reference definition of a place match; find_places gives the same matches faster.
PLACE_PATTERN = re.compile(
    rf"(?<![\w])(?:(?i:{_alternatives(country_names())}|{_alternatives(US_STATES)})"
    rf"|{_alternatives(_CAPITALISED)})(?![\w])"
)


_WORD = re.compile(r"(?<!\w)\w+")


@cache
def _places_by_first_word() -> dict[str, list[re.Pattern[str]]]:
    """Each name as its own pattern, under its first word (lower-cased), in the order
    PLACE_PATTERN tries them."""
    groups = [
        (country_names(), re.IGNORECASE),
        (US_STATES, re.IGNORECASE),
        (_CAPITALISED, 0),
    ]
    table: dict[str, list[re.Pattern[str]]] = {}
    for names, flags in groups:
        for name in names:
            first = _WORD.match(name)
            if first is None:
                continue
            pattern = re.compile(rf"{_alternatives((name,))}(?!\w)", flags)
            table.setdefault(first.group().lower(), []).append(pattern)
    return table


def find_places(text: str) -> list[tuple[int, int]]:
    """Spans of country, territory and US state names, as ``PLACE_PATTERN.finditer``
    finds them, but looking up each word instead of trying every name at every
    character."""
    table = _places_by_first_word()
    spans: list[tuple[int, int]] = []
    after = 0
    for word in _WORD.finditer(text):
        if word.start() < after:
            continue
        for pattern in table.get(word.group().lower(), ()):
            match = pattern.match(text, word.start())
            if match:
                spans.append((match.start(), match.end()))
                after = match.end()
                break
    return spans


class GuardPlaceRecognizer(GuardRecognizer):
    ENTITIES = ("LOCATION",)

    def find(self, text: str, entities: Sequence[str]) -> list[Match]:
        return [Match("LOCATION", s, e, 0.7, "country or state name") for s, e in find_places(text)]
