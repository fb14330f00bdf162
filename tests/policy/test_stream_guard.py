"""The streaming output guard: however the answer is chunked, what is released equals the
guarded whole answer, and nothing unredacted is ever released."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

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
