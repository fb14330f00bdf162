"""The streaming output guard: however the answer is chunked, what is released equals the
guarded whole answer, and nothing unredacted is ever released."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guard.detectors.base import DetectorContext
from guard.generators.base import ChatMessage, Delta, GenerationRequest, StreamEvent, Usage, collect
from guard.policy.base import StageOutcome
from guard.policy.engine import PolicyGuard
from guard.policy.evaluate import Evaluator
from guard.policy.store import PolicyStore

POLICY = """\
name: default
rules:
  - id: pii-in
    stages: [input]
    detector: {type: pii, entities: [PERSON, EMAIL_ADDRESS]}
    action: pseudonymize
  - id: contact-out
    stages: [output]
    detector: {type: pii, entities: [EMAIL_ADDRESS, PHONE_NUMBER]}
    action: redact
  - id: ip-watch
    stages: [output]
    detector: {type: pii, entities: [IP_ADDRESS]}
    action: flag
  - id: secret-word
    stages: [output]
    detector: {type: keywords, words: [launch code]}
    action: block
"""
APP = "anonymous"
ANSWER = (
    "Thanks <PERSON_1>. Our desk is at help.desk@example.org and sales@example.com; "
    "mail <EMAIL_ADDRESS_1> if you prefer. " * 2
)


@pytest.fixture(scope="module")
def guard(tmp_path_factory: pytest.TempPathFactory) -> PolicyGuard:
    folder = tmp_path_factory.mktemp("policy")
    (folder / "p.yaml").write_text(POLICY)
    store = PolicyStore(folder, DetectorContext(policy_dir=folder))
    store.load()
    return PolicyGuard(store, Evaluator(), holdback_chars=40, scan_chars=16)


async def _pieces(text: str, size: int) -> AsyncIterator[StreamEvent]:
    for i in range(0, len(text), size):
        last = i + size >= len(text)
        yield Delta(0, text[i : i + size], "stop" if last else None)
    yield Usage(3, 4)


async def _verdict(guard: PolicyGuard):  # type: ignore[no-untyped-def]
    request = GenerationRequest(
        model="m", messages=(ChatMessage("user", "I am Jane Doe, reach me at jane@example.com"),)
    )
    return await guard.check_input(APP, request)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 40, 1000])
async def test_any_chunking_releases_exactly_the_guarded_answer(
    guard: PolicyGuard, size: int
) -> None:
    verdict = await _verdict(guard)
    whole = await guard.check_output(verdict, await collect(_pieces(ANSWER, 1000), 1))
    outcome = StageOutcome("output")
    released: list[str] = []
    async for event in guard.guard_stream(verdict, _pieces(ANSWER, size), outcome):
        if isinstance(event, Delta):
            released.append(event.text)
            assert "example.org" not in event.text and "sales@" not in event.text
    assert "".join(released) == whole.completion.choices[0].text
    assert "jane@example.com" in "".join(released), "the caller's own address is restored"
    assert outcome.action == "redact" and outcome.rules == ("contact-out",)


async def test_block_found_mid_stream_stops_with_content_filter(guard: PolicyGuard) -> None:
    verdict = await _verdict(guard)
    text = "Here is some harmless text. " * 5 + "The launch code is 0000. " + "More text. " * 20
    outcome = StageOutcome("output")
    events = [e async for e in guard.guard_stream(verdict, _pieces(text, 4), outcome)]
    assert isinstance(events[-1], Delta) and events[-1].finish_reason == "content_filter"
    released = "".join(e.text for e in events if isinstance(e, Delta))
    assert "launch" not in released
    assert outcome.action == "block" and outcome.rules == ("secret-word",)


async def test_flagged_personal_data_is_released_but_not_kept_in_the_audit_text(
    guard: PolicyGuard,
) -> None:
    verdict = await _verdict(guard)
    text = "The server answered from 192.168.10.20 as expected, and all was well afterwards. " * 2
    outcome = StageOutcome("output")
    events = [e async for e in guard.guard_stream(verdict, _pieces(text, 5), outcome)]
    released = "".join(e.text for e in events if isinstance(e, Delta))
    assert released == text, "flag allows: the caller sees the answer unchanged"
    assert outcome.action == "flag"
    assert "192.168" not in "".join(outcome.redacted) and "<IP_ADDRESS>" in outcome.redacted[0]


FORMS = ["<PERSON_1>", "**PERSON_1**", "PERSON_1", "<PERSON 1>", "<person_1>", "[Person 1]"]


@pytest.mark.parametrize("form", FORMS)
async def test_every_form_small_models_give_a_placeholder_is_restored_plain_and_streamed(
    guard: PolicyGuard, form: str
) -> None:
    verdict = await _verdict(guard)
    answer = f"Dear {form}, we wrote to <EMAIL_ADDRESS_1>. Regards, {form}."
    whole = await guard.check_output(verdict, await collect(_pieces(answer, 1000), 1))
    [plain] = [c.text for c in whole.completion.choices]
    assert "Jane Doe" in plain and "PERSON" not in plain.upper()
    assert "jane@example.com" in plain
    for size in (1, 2, 3, 7):
        outcome = StageOutcome("output")
        events = guard.guard_stream(verdict, _pieces(answer, size), outcome)
        streamed = "".join([e.text async for e in events if isinstance(e, Delta)])
        assert streamed == plain, f"chunks of {size}"


@given(cuts=st.lists(st.integers(min_value=1, max_value=80), min_size=1, max_size=12))
@example(cuts=[46])  # "<PERSON 1" whole as a bare form, inside a bracket still open
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
async def test_a_placeholder_split_anywhere_across_chunks_is_never_released_half(
    guard: PolicyGuard, cuts: list[int]
) -> None:
    verdict = await _verdict(guard)
    answer = "Hello PERSON_1, yes **PERSON_1** and <PERSON 1> agreed with person_1 today."
    points = sorted({min(c, len(answer)) for c in cuts} | {len(answer)})

    async def pieces() -> AsyncIterator[StreamEvent]:
        start = 0
        for point in points:
            yield Delta(0, answer[start:point], "stop" if point == len(answer) else None)
            start = point
        yield Usage(1, 1)

    events = guard.guard_stream(verdict, pieces(), StageOutcome("output"))
    streamed = "".join([e.text async for e in events if isinstance(e, Delta)])
    assert streamed == "Hello Jane Doe, yes **Jane Doe** and Jane Doe agreed with Jane Doe today."
