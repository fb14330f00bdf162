"""Where a stream's tail may still become a match: a prefix of one, a match at the end, a
match whose finder reads further, and where a finding from a match really begins."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from guard.detectors.keywords import KeywordsConfig, KeywordsDetector
from guard.detectors.leads import earliest, lead, trailing, viable_start
from guard.detectors.markup import MarkupConfig, MarkupDetector
from guard.detectors.regex import RegexConfig, RegexDetector
from guard.detectors.secrets import SecretsConfig, SecretsDetector

PHONE = lead(r"\d{3}-\d{4}")


def test_a_prefix_of_a_match_is_held_from_where_it_starts() -> None:
    assert viable_start(PHONE, "call 555-12") == 5
    assert viable_start(PHONE, "call 555") == 5


def test_text_that_can_no_longer_become_a_match_is_not_held() -> None:
    assert viable_start(PHONE, "call 555 now") == len("call 555 now")
    assert viable_start(PHONE, "no digits here") == len("no digits here")


def test_a_whole_match_at_the_end_is_held_as_it_may_still_grow_or_break() -> None:
    assert viable_start(lead(r"\d{3}-\d{4}(?!\d)"), "call 555-1234") == 5


def test_a_match_ends_held_while_its_finder_still_reads_what_follows() -> None:
    ssn = lead(r"\d{9}", reach=20)
    text = "number 078051120 and then"
    assert viable_start(ssn, text) == 7, "a context word may still come within 20 characters"
    later = text + " some more words follow"
    assert viable_start(ssn, later) == len(later)


def test_a_prefix_after_an_earlier_whole_match_is_found() -> None:
    text = "555-1234 was it, or 555-98"
    assert viable_start(PHONE, text) == text.index("555-98")


def test_widen_moves_a_held_start_back_to_where_the_finding_begins() -> None:
    widened = lead(r"\d+ Main", widen=lambda text, start: text.rfind("\n", 0, start) + 1)
    assert viable_start(widened, "Head\nACME 12 Ma") == 5
    # the empty tail too: what a match starting next would take
    assert viable_start(widened, "Head\nACME ") == 5


def test_re_flags_carry_over() -> None:
    pattern = re.compile(r"secret", re.IGNORECASE)
    assert viable_start(lead(pattern), "a SECR") == 2


def test_the_earliest_of_several_leads_and_a_trailing_run() -> None:
    email = lead(r"[a-z]+@[a-z]+\.com")
    assert earliest([PHONE, email], "mail jane@ex") == 5
    assert earliest([PHONE, email], "mail jane, or 555-1") == len("mail jane, or ")
    assert trailing("A-Za-z0-9", "key ab12") == 4
    assert trailing("A-Za-z0-9", "key ab12 ") == len("key ab12 ")


def test_detectors_hold_only_what_may_still_become_theirs() -> None:
    secrets = SecretsDetector(SecretsConfig(type="secrets"))
    assert "Use the key sk-proj-ab"[secrets.stream_lead("Use the key sk-proj-ab") :] == (
        "sk-proj-ab"
    )
    markup = MarkupDetector(MarkupConfig(type="markup", find="links", kinds=["images"]))
    text = "See ![chart](https://ex"
    assert text[markup.stream_lead(text) :] == "![chart](https://ex"
    words = KeywordsDetector(KeywordsConfig(type="keywords", words=["launch code"]))
    assert "The laun"[words.stream_lead("The laun") :] == "laun"
    assert words.stream_lead("The lunch") == len("The lunch")
    patterns = RegexDetector(RegexConfig(type="regex", patterns=[r"ORD-\d{6}"]))
    assert "order ORD-12"[patterns.stream_lead("order ORD-12") :] == "ORD-12"


def test_a_prefix_running_over_a_whole_match_further_on_is_found() -> None:
    """``regex`` prefers a whole match anywhere to an earlier partial one."""
    assert viable_start(lead(r"a\w+\d|b"), "xx aab") == 3
    street = lead(r"(?:\d+ ){0,2}Rue(?: \w+){1,4} \d+|\d+ Rue(?: \w+)+")
    assert viable_start(street, "to 03 33 Rue Ibn Al") == 3


@given(
    text=st.text(alphabet="ab1 -", max_size=14),
    pattern=st.sampled_from([r"a\w+\d|b", r"\d{2}(?:-\d{2})?|a b", r"(?<!\w)ab?1+", r"b\b|a-1"]),
)
@example(text="abb", pattern=r"a\w+\d|b")  # "b" whole twice over, "abb" a prefix of "abb1"
@settings(max_examples=500)
def test_the_earliest_viable_start_is_the_one_a_search_of_every_offset_finds(
    text: str, pattern: str
) -> None:
    item = lead(pattern)
    brute = next(
        (s for s in range(len(text)) if item.pattern.fullmatch(text, s, partial=True)), len(text)
    )
    reach_end = [
        m.start() for m in item.pattern.finditer(text, overlapped=True) if m.end() == len(text)
    ]
    assert viable_start(item, text) == min([brute, *reach_end])
