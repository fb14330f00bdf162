"""Card numbers as text: every issuer's number in any form a person or an evasion writes it.

A card number is 12 to 19 digits that pass the Luhn check and start with an issuer's prefix
at a length that issuer uses (Visa, Mastercard 2- and 5-series, Amex, Discover, JCB,
Diners, Maestro, UnionPay, Mir, RuPay, Troy). People and evasions write them with dots,
slashes, tabs or newlines between groups, one digit at a time (``4 1 1 1 …``), in
Arabic-Indic or other Unicode digits, or with ``l`` and ``O`` for 1 and 0; ``find_cards``
reads every such run as digits. Pure text, no models: the ``pii`` detector's card
recognizer and the audit log's masking both use it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Issuer prefixes (IIN ranges) and the lengths cards under them have.
_ISSUERS: tuple[tuple[str, tuple[tuple[int, int], ...], frozenset[int]], ...] = (
    ("Visa", ((4, 4),), frozenset({13, 16, 19})),
    ("Mastercard", ((51, 55), (2221, 2720)), frozenset({16})),
    ("American Express", ((34, 34), (37, 37)), frozenset({15})),
    ("Discover", ((6011, 6011), (644, 649), (65, 65), (622126, 622925)), frozenset(range(16, 20))),
    ("JCB", ((3528, 3589),), frozenset(range(15, 20))),
    ("JCB", ((1800, 1800), (2131, 2131)), frozenset({15})),
    ("Diners Club", ((300, 305), (36, 36), (38, 39)), frozenset(range(14, 20))),
    ("UnionPay", ((62, 62), (81, 81)), frozenset(range(16, 20))),
    ("Mir", ((2200, 2204),), frozenset(range(16, 20))),
    ("RuPay", ((60, 60), (652, 653), (508, 508)), frozenset({16})),
    ("Troy", ((9792, 9792),), frozenset({16})),
    ("Maestro", ((50, 50), (56, 69)), frozenset(range(12, 20))),
)

DIGIT = r"(?:\d|[lIoO](?=[\s./\\-]?[\dlIoO]))"  # a digit, or l/I/o/O standing for one
SEPARATOR = r"[ \t\r\n./\\-]{0,3}"
RUN = re.compile(rf"(?<![\w.]){DIGIT}(?:{SEPARATOR}{DIGIT}){{11,22}}(?![\w])")
_LOOKALIKE = {"l": 1, "I": 1, "o": 0, "O": 0}


@dataclass(frozen=True, slots=True)
class Card:
    start: int
    end: int
    issuer: str
    evasive: bool  # written in a form meant to pass a plain pattern


def luhn(digits: list[int]) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def issuer(digits: list[int]) -> str | None:
    """The issuer whose prefix and length ``digits`` fit, if any."""
    number = "".join(map(str, digits))
    for name, ranges, lengths in _ISSUERS:
        if len(digits) not in lengths:
            continue
        for low, high in ranges:
            width = len(str(low))
            if low <= int(number[:width]) <= high:
                return name
    return None


def find_cards(text: str) -> list[Card]:
    """Every valid card number in ``text``, whatever its separators and digits."""
    found = []
    for match in RUN.finditer(text):
        value = match.group()
        digits: list[int] = []
        spans: list[int] = []
        groups = {0}  # where a group of digits starts (after a separator)
        for offset, char in enumerate(value):
            if char in _LOOKALIKE or char.isdigit():
                digits.append(_digit(char))
            else:
                groups.add(len(digits))
                continue
            spans.append(offset)
        groups.add(len(digits))
        if len(digits) - sum(value[o] in _LOOKALIKE for o in spans) < 0.75 * len(digits):
            continue  # mostly letters: words, not a number written with look-alikes
        card = _card_within(digits, groups)
        if card is None:
            continue
        first, last, name = card
        start, end = match.start() + spans[first], match.start() + spans[last] + 1
        piece = text[start:end]
        evasive = not re.fullmatch(r"\d{4}(?:[ -]?\d{4}){2,3}|\d{4}[ -]?\d{6}[ -]?\d{4,5}", piece)
        found.append(Card(start, end, name, evasive))
    return found


def _card_within(digits: list[int], groups: set[int]) -> tuple[int, int, str] | None:
    """The longest valid card number in a run of digits that starts and ends where a group
    does (a run may hold a card and its expiry or security code; a card is never the tail
    of a longer unbroken number)."""
    for length in range(min(19, len(digits)), 11, -1):
        for first in sorted(groups):
            if first + length > len(digits) or first + length not in groups:
                continue
            window = digits[first : first + length]
            if not luhn(window):
                continue
            name = issuer(window)
            if name is not None:
                return first, first + length - 1, name
    return None


def card_issuer(digits: list[int]) -> str | None:
    """The issuer of ``digits`` if they are a whole valid card number (length, Luhn)."""
    return issuer(digits) if 12 <= len(digits) <= 19 and luhn(digits) else None


def _digit(char: str) -> int:
    """The value of a digit in any script, or of ``l``/``I``/``o``/``O`` standing for one."""
    return _LOOKALIKE[char] if char in _LOOKALIKE else unicodedata.digit(char)


def digits_of(value: str) -> list[int]:
    return [_digit(c) for c in value if c in _LOOKALIKE or c.isdigit()]
