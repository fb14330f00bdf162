"""Card numbers in the audit log: never stored beyond their first 6 and last 4 digits.

Whatever a policy did with a card number (a shadow rule, an allow, a rule that does not
cover cards), every text the log keeps is masked before it is written: each digit of a
valid card number but the first six and the last four becomes ``*``, separators stay, so
the text keeps its length and the highlight offsets into it stay right. A decision is
found again by card only through an HMAC of the number (``guard audit find --card``).
"""

from __future__ import annotations

import hashlib
import hmac

from guard.text.cards import find_cards

KEEP_FIRST, KEEP_LAST = 6, 4


def _cards(text: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) of every valid card number in ``text``."""
    if not any(c.isdigit() for c in text):
        return []
    found = []
    for card in find_cards(text):
        piece = text[card.start : card.end]
        digits = "".join(c for c in piece if c.isdigit())
        if len(digits) >= KEEP_FIRST + KEEP_LAST + 1:
            found.append((card.start, card.end, digits))
    return found


def mask_cards(text: str) -> str:
    """``text`` with every card number masked to its first 6 and last 4 digits."""
    cards = _cards(text)
    if not cards:
        return text
    chars = list(text)
    for start, end, digits in cards:
        seen = 0
        for offset in range(start, end):
            if chars[offset].isdigit():
                if KEEP_FIRST <= seen < len(digits) - KEEP_LAST:
                    chars[offset] = "*"
                seen += 1
    return "".join(chars)


def mask_cards_in(value: object) -> object:
    """``value`` (JSON-like: strings, lists, dicts) with every string's card numbers masked."""
    if isinstance(value, str):
        return mask_cards(value)
    if isinstance(value, list):
        return [mask_cards_in(item) for item in value]
    if isinstance(value, dict):
        return {key: mask_cards_in(item) for key, item in value.items()}
    return value


def card_numbers(texts: list[str]) -> list[str]:
    return [digits for text in texts for _, _, digits in _cards(text)]


def card_hash(key: bytes, number: str) -> str:
    digits = "".join(c for c in number if c.isdigit())
    return hmac.new(key, b"card:" + digits.encode(), hashlib.sha256).hexdigest()
