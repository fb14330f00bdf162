"""Dates: numeric dates with the time of day that follows them (``1994-06-17 08:11:32``),
and ``is_specific_date``: whether a DATE_TIME span is a calendar date or a time of day (a
birth date) rather than "this morning" or "the 60s", which identify nobody."""

from __future__ import annotations

import re
from collections.abc import Sequence

from guard.detectors.pii.recognizer import GuardRecognizer, Match

_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_SPECIFIC_DATE = re.compile(
    rf"\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}|\d{{1,2}}:\d{{2}}|(?i:\b(?:{_MONTH})\b\.?\s+\d{{1,2}}\b)|"
    rf"(?i:\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})\b)"
)


def is_specific_date(value: str) -> bool:
    return bool(_SPECIFIC_DATE.search(value))


_DATETIME = re.compile(
    r"(?<![\w/.-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[ ]?(?:[AaPp][Mm]|Z|[+-]\d{2}:?\d{2}))?)?(?![\w/-])"
)


def find_datetimes(text: str) -> list[Match]:
    """Numeric dates with the time of day that follows them (``1994-06-17 08:11:32``)."""
    return [
        Match("DATE_TIME", m.start(), m.end(), 0.6, "date and time")
        for m in _DATETIME.finditer(text)
    ]


class GuardDateRecognizer(GuardRecognizer):
    ENTITIES = ("DATE_TIME",)

    def find(self, text: str, entities: Sequence[str]) -> list[Match]:
        return find_datetimes(text)
