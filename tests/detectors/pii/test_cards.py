"""Card numbers of every issuer, in every form people and evasions write them."""

from __future__ import annotations

import asyncio

import pytest

from guard.detectors.base import DetectorContext
from guard.detectors.pii import PiiConfig, PiiDetector
from guard.detectors.pii.cards import find_cards, luhn


def _valid(prefix: str, length: int) -> str:
    """A Luhn-valid number with this prefix and length (a test number, nobody's card)."""
    body = [int(c) for c in prefix] + [3] * (length - len(prefix) - 1)
    check = next(d for d in range(10) if luhn([*body, d]))
    return "".join(map(str, [*body, check]))


ISSUERS = {
    "Visa 16": _valid("4", 16),
    "Visa 19": _valid("4", 19),
    "Mastercard 2-series": _valid("2221", 16),
    "Mastercard 5-series": _valid("55", 16),
    "American Express": _valid("37", 15),
    "JCB 15": _valid("2131", 15),
    "JCB 16": _valid("3530", 16),
    "Maestro 12": _valid("50", 12),
    "Maestro 19": _valid("6759", 19),
    "Discover": _valid("6011", 16),
    "UnionPay": _valid("62", 17),
    "Mir": _valid("2200", 16),
}


def _grouped(number: str, separator: str = " ") -> str:
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


@pytest.mark.parametrize("name", list(ISSUERS))
def test_every_issuer_is_found(name: str) -> None:
    text = f"my card is {_grouped(ISSUERS[name])}, thanks"
    [card] = find_cards(text)
    assert text[card.start : card.end] == _grouped(ISSUERS[name])


FORMS = {
    "dots": _grouped(ISSUERS["Visa 16"], "."),
    "slashes": _grouped(ISSUERS["Visa 16"], "/"),
    "tabs": _grouped(ISSUERS["Visa 16"], "\t"),
    "newlines": _grouped(ISSUERS["Visa 16"], "\n"),
    "one digit at a time": " ".join(ISSUERS["Visa 16"]),
    "Arabic-Indic digits": ISSUERS["Visa 16"].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
    "l and O for 1 and 0": "4111 l111 1111 1111",
}


@pytest.mark.parametrize("form", list(FORMS))
def test_evasive_forms_are_found(form: str) -> None:
    text = f"charge {FORMS[form]} please"
    [card] = find_cards(text)
    assert text[card.start : card.end] == FORMS[form]


@pytest.mark.parametrize(
    "text",
    [
        "order 1234567890123456 shipped",  # no issuer
        "tracking 5000000000000009123",  # a card would be the tail of a longer number
        "call +1 415 555 0132 today",
        "4111 1111 1111 1112",  # fails Luhn
        "look at the lollipop",
    ],
)
def test_numbers_that_are_not_cards_are_left_alone(text: str) -> None:
    assert find_cards(text) == []


def test_the_pii_detector_reports_them_as_credit_cards() -> None:
    detector = PiiDetector.create(PiiConfig(entities=["CREDIT_CARD"]), DetectorContext())  # type: ignore[arg-type]
    texts = [f"pay {FORMS['dots']}", f"pay {_grouped(ISSUERS['Mastercard 2-series'])}"]
    found = asyncio.run(detector.detect(texts))
    assert [[t[f.start : f.end] for f in fs] for t, fs in zip(texts, found, strict=True)] == [
        [FORMS["dots"]],
        [_grouped(ISSUERS["Mastercard 2-series"])],
    ]
