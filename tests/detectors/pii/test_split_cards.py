"""A card number split across two messages of one conversation is still a card number."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.detectors.base import DetectorContext
from guard.detectors.pii.cards import split_cards
from guard.policy.evaluate import Evaluator
from guard.policy.loader import load_policies

POLICY = """
name: default
rules:
  - id: cards
    stages: [input]
    detector: {type: pii, entities: [CREDIT_CARD, PHONE_NUMBER], min_score: 0.4}
    action: pseudonymize
"""


def _parts(texts: list[str]) -> list[list[str]]:
    found = zip(texts, split_cards(texts), strict=True)
    return [[t[c.start : c.end] for c in cards] for t, cards in found]


@pytest.mark.parametrize(
    ("texts", "parts"),
    [
        (["Card number: 4111 1111", "and the rest 1111 1111."], [["4111 1111"], ["1111 1111"]]),
        (["my visa is 4012-8888-8888", "sorry, 1881"], [["4012-8888-8888"], ["1881"]]),
        # An answer between the two halves does not hide them.
        (
            ["card 5555 5555 5555", "What are the last four digits?", "4444"],
            [["5555 5555 5555"], [], ["4444"]],
        ),
    ],
)
def test_both_halves_are_found(texts: list[str], parts: list[list[str]]) -> None:
    assert _parts(texts) == parts


@pytest.mark.parametrize(
    "texts",
    [
        ["order 12345678", "ticket 9012 3456"],  # not a valid card together
        ["I have 3 cats", "and 4 dogs"],
        ["card 4111 1111 1111 1111", "thanks"],  # whole in one message: the ordinary path
        ["card 4111 1111", "ok", "fine", "1111 1111"],  # too far apart
    ],
)
def test_numbers_that_only_look_split_are_left_alone(texts: list[str]) -> None:
    assert _parts(texts) == [[] for _ in texts]


async def test_the_policy_pseudonymizes_each_half_as_a_card(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(POLICY)
    policy = load_policies([tmp_path], DetectorContext(policy_dir=tmp_path)).for_app("x")
    assert policy is not None
    texts = ["Card number: 4111 1111", "and the rest 1111 1111."]
    evaluation = await Evaluator().evaluate(policy, "input", texts)
    assert evaluation.outcome.action == "pseudonymize"
    pairs = zip(texts, evaluation.replacements, strict=True)
    assert [[(r.category, t[r.start : r.end]) for r in rs] for t, rs in pairs] == [
        [("CREDIT_CARD", "4111 1111")],
        [("CREDIT_CARD", "1111 1111")],
    ]
    # The halves alone, in separate requests, are not cards (and are not cached as one).
    alone = await Evaluator().evaluate(policy, "input", ["and the rest 1111 1111."])
    assert all(r.category != "CREDIT_CARD" for rs in alone.replacements for r in rs)
