"""Identifiers written so that a plain pattern misses them.

- ``find_ssns``: a US social security number without dashes (``078051120``, ``078 05 1120``)
  next to a context word ("SSN", "social security"), valid by the SSA's rules (no area 000,
  666 or 900-999, no group 00, no serial 0000). Presidio scores a bare nine-digit number
  0.05, and its context boost stops short of any useful threshold.
- ``find_spelled_emails``: an email address spelled out to pass a filter
  (``jane dot doe at example dot com``, ``jane(at)example(dot)org``, ``jane [at] example.com``).
- ``find_spelled_numbers``: a number written digit by digit in words, alone or mixed with
  digits (``four one one one one one …``, ``0 seven eight 0 five …``, ``oh`` for zero); the
  caller decides what the digits are (a card by Luhn and issuer, an SSN by its context).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from guard.detectors.leads import earliest, lead
from guard.detectors.pii.recognizer import GuardRecognizer, Match


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    why: str


_SSN = re.compile(r"(?<![\w-])(\d{3})[ .]?(\d{2})[ .]?(\d{4})(?![\w-])")
_SSN_CONTEXT = re.compile(
    r"(?i)\b(?:ssn|ss#|social security(?: number| no\.?| #)?|soc\.? sec\.?)\b"
)


def find_ssns(text: str) -> list[Found]:
    found = []
    for match in _SSN.finditer(text):
        if _valid_ssn(*match.groups()) and _ssn_context_near(text, match.start(), match.end()):
            found.append(Found(match.start(), match.end(), "SSN without dashes, context"))
    return found


_AT = r"(?:\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[(]\s*dot\s*[\])]\s*|\s+dot\s+|\.)"
_TLD = (
    r"(?:com|org|net|edu|gov|mil|int|io|co|ai|app|dev|info|biz|me|us|uk|de|fr|es|it|nl|be|"
    r"ch|at|se|no|dk|fi|pl|cz|pt|ie|ca|au|nz|jp|cn|in|br|mx|ru|za)"
)
_SPELLED_EMAIL = re.compile(
    rf"(?i)(?<![\w.])[a-z0-9][a-z0-9_+\-]*(?:{_DOT}[a-z0-9_+\-]+)*{_AT}"
    rf"[a-z0-9][a-z0-9\-]*(?:{_DOT}[a-z0-9\-]+)*{_DOT}{_TLD}(?![\w])"
)
_MAIL_CONTEXT = re.compile(r"(?i)\b(?:e-?mail|mail|write|contact|reach|address|send)\w*\b")
_PLAIN_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[a-z]{2,}$", re.IGNORECASE)


def find_spelled_emails(text: str) -> list[Found]:
    found = []
    for match in _SPELLED_EMAIL.finditer(text):
        value = match.group()
        if _PLAIN_EMAIL.match(value):
            continue  # an ordinary address: Presidio's recognizer reports it
        bracketed = re.search(r"(?i)@|\[\s*at\s*\]|\(\s*at\s*\)", value)
        if not bracketed:
            # "x at y dot com" is also how people talk: an address only with a mail word near
            before = text[max(0, match.start() - 40) : match.start()]
            local = re.split(r"(?i)\s+at\s+", value)[0]
            if not (_MAIL_CONTEXT.search(before) or re.search(r"(?i)\bdot\b|[._\d]", local)):
                continue
        found.append(Found(match.start(), match.end(), "email address spelled out"))
    return found


_DIGIT_WORDS = {
    "zero": 0,
    "oh": 0,
    "nought": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_DIGIT_TOKEN = rf"(?:{'|'.join(_DIGIT_WORDS)}|\d)"
SPELLED_RUN = re.compile(
    rf"(?i)(?<![\w]){_DIGIT_TOKEN}(?:[\s,;.\-/]{{1,3}}{_DIGIT_TOKEN}|(?<=\d)\d){{8,30}}(?![\w])"
)


@dataclass(frozen=True, slots=True)
class SpelledNumber:
    start: int
    end: int
    digits: tuple[int, ...]


@lru_cache(maxsize=256)
def find_spelled_numbers(text: str) -> tuple[SpelledNumber, ...]:
    """Runs of at least nine digits of which at least three are written as words (cached:
    the SSN and the card recognizer both read them for the same text)."""
    found = []
    for match in SPELLED_RUN.finditer(text):
        tokens = re.findall(rf"(?i){_DIGIT_TOKEN}", match.group())
        words = sum(not t.isdigit() for t in tokens)
        if words < 3:
            continue  # plain digits: the ordinary recognizers read those
        digits = tuple(int(t) if t.isdigit() else _DIGIT_WORDS[t.lower()] for t in tokens)
        found.append(SpelledNumber(match.start(), match.end(), digits))
    return tuple(found)


def spelled_ssns(text: str, numbers: Sequence[SpelledNumber]) -> list[Found]:
    """Spelled-out nine-digit numbers next to an SSN context word, valid by the SSA's rules."""
    found = []
    for number in numbers:
        value = "".join(map(str, number.digits))
        if len(value) != 9 or not _valid_ssn(value[:3], value[3:5], value[5:]):
            continue
        if _ssn_context_near(text, number.start, number.end):
            found.append(Found(number.start, number.end, "SSN spelled out in words, context"))
    return found


def _ssn_context_near(text: str, start: int, end: int) -> bool:
    """An SSN context word in the 40 characters before or the 20 after."""
    near = text[max(0, start - 40) : start] + " " + text[end : end + 20]
    return bool(_SSN_CONTEXT.search(near))


def _valid_ssn(area: str, group: str, serial: str) -> bool:
    return not (area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000")


class GuardSsnRecognizer(GuardRecognizer):
    """US SSNs Presidio's pattern misses: without dashes, or spelled out, by a context word."""

    ENTITIES = ("US_SSN",)

    def find(self, text: str, entities: Sequence[str]) -> list[Match]:
        found = [*find_ssns(text), *spelled_ssns(text, find_spelled_numbers(text))]
        return [Match("US_SSN", f.start, f.end, 0.8, f.why) for f in found]

    def lead(self, text: str) -> int:
        """A number, digits or words, still arriving or with its context word possibly
        still to come (``_ssn_context_near`` reads 20 characters after it)."""
        return earliest([lead(_SSN, reach=20), lead(SPELLED_RUN, reach=20)], text)


class GuardSpelledEmailRecognizer(GuardRecognizer):
    ENTITIES = ("EMAIL_ADDRESS",)

    def find(self, text: str, entities: Sequence[str]) -> list[Match]:
        return [
            Match("EMAIL_ADDRESS", f.start, f.end, 0.8, f.why) for f in find_spelled_emails(text)
        ]

    def lead(self, text: str) -> int:
        return earliest([lead(_SPELLED_EMAIL)], text)
