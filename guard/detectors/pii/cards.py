"""The card-number recognizer: every issuer's number in any form, digits or words.

Presidio's pattern knows 13-19 digits in groups of 3-5 led by 3, 4, 5 or 6 with spaces or
dashes. What a card number is, and the forms it is written in, is ``guard.text.cards``
(pure text, shared with the audit log's masking); here are the forms that need more than
one run of digits: ``spelled_cards`` for digits written as words
(``obfuscated.find_spelled_numbers``) and ``split_cards`` for a number split across two
messages of one conversation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from guard.detectors.leads import earliest, lead
from guard.detectors.pii.obfuscated import SPELLED_RUN, SpelledNumber, find_spelled_numbers
from guard.detectors.pii.recognizer import GuardRecognizer, Match
from guard.text.cards import (
    DIGIT,
    RUN,
    SEPARATOR,
    Card,
    card_issuer,
    digits_of,
    find_cards,
    luhn,
)

__all__ = ["GuardCardRecognizer", "find_cards", "luhn", "spelled_cards", "split_cards"]


def spelled_cards(numbers: Sequence[SpelledNumber]) -> list[Card]:
    """Card numbers among numbers spelled out in words (the whole run, Luhn and issuer)."""
    found = []
    for number in numbers:
        name = card_issuer(list(number.digits))
        if name is not None:
            found.append(Card(number.start, number.end, name, True))
    return found


_TAIL = re.compile(rf"{DIGIT}(?:{SEPARATOR}{DIGIT}){{3,18}}[\s.,;:!?)\]]*$")
_HEAD = re.compile(rf"^[^\d\n]{{0,40}}?({DIGIT}(?:{SEPARATOR}{DIGIT}){{1,18}})(?![\w])")


def split_cards(texts: Sequence[str], *, reach: int = 2) -> list[list[Card]]:
    """Card numbers split across messages: the digits ending one message and the digits
    opening one of the next ``reach`` messages make a valid card that neither is alone.
    Both parts are reported, each in its own message."""
    out: list[list[Card]] = [[] for _ in texts]
    for first, text in enumerate(texts):
        tail = _TAIL.search(text)
        if tail is None or find_cards(text[tail.start() :]):
            continue
        head_digits = digits_of(tail.group())
        if len(head_digits) < 4:
            continue
        for second in range(first + 1, min(len(texts), first + 1 + reach)):
            head = _HEAD.search(texts[second])
            if head is None:
                continue
            name = card_issuer(head_digits + digits_of(head.group(1)))
            if name is None:
                continue
            end = tail.start() + len(tail.group().rstrip(" \t\r\n.,;:!?)]"))
            out[first].append(Card(tail.start(), end, name, True))
            out[second].append(Card(head.start(1), head.end(1), name, True))
            break
    return out


class GuardCardRecognizer(GuardRecognizer):
    """Card numbers of every issuer in any form, digits or words (Luhn and issuer prefix)."""

    ENTITIES = ("CREDIT_CARD",)

    def find(self, text: str, entities: Sequence[str]) -> list[Match]:
        cards = [*find_cards(text), *spelled_cards(find_spelled_numbers(text))]
        return [
            Match(
                "CREDIT_CARD",
                c.start,
                c.end,
                0.9,
                f"card number ({c.issuer}, Luhn{', evasive form' if c.evasive else ''})",
            )
            for c in cards
        ]

    def lead(self, text: str) -> int:
        """A run of digits (or of digits in words) still arriving."""
        return earliest([lead(RUN), lead(SPELLED_RUN)], text)
