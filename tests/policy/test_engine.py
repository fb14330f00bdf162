"""The policy guard with real detectors: actions, precedence, shadow, fail modes, constraints."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from guard.detectors.base import DetectorConfig, DetectorContext, Finding
from guard.errors import ConstraintError, DetectorError, NoPolicyError
from guard.generators.base import (
    ChatMessage,
    Choice,
    Completion,
    GenerationRequest,
    SamplingParams,
    Usage,
)
from guard.policy.engine import PolicyGuard
from guard.policy.evaluate import Evaluator
from guard.policy.loader import load_policies
from guard.policy.store import PolicyStore

PII_AND_KEYWORDS = """\
name: default
on_error: block
constraints: {max_tokens: 50, temperature: {min: 0, max: 1}, on_violation: {violation}}
rules:
  - id: pii
    stages: [input]
    detector: {type: pii, entities: [PERSON, EMAIL_ADDRESS, CREDIT_CARD], min_score: 0.5}
    action: pseudonymize
  - id: contact-out
    stages: [output]
    detector: {type: pii, entities: [EMAIL_ADDRESS], min_score: 0.5}
    action: redact
    redaction: {style}
  - id: cards-out
    stages: [output]
    detector: {type: pii, entities: [CREDIT_CARD]}
    action: block
    message: No card numbers in answers.
  - id: banned
    stages: [input, output]
    detector: {type: keywords, words: [forbidden fruit]}
    action: block
    message: That topic is off limits.
  - id: watch
    stages: [input]
    detector: {type: keywords, words: [invoice]}
    action: flag
  - id: shadowed
    stages: [input]
    detector: {type: keywords, words: [refund]}
    action: block
    mode: shadow
"""


def _guard(tmp_path: Path, *, style: str = "placeholder", violation: str = "clamp") -> PolicyGuard:
    text = PII_AND_KEYWORDS.replace("{style}", style).replace("{violation}", violation)
    (tmp_path / "p.yaml").write_text(text)
    store = PolicyStore(tmp_path, DetectorContext(policy_dir=tmp_path))
    store.load()
    return PolicyGuard(store, Evaluator(), hash_key=b"k" * 32)


APP = "anonymous"


def _chat(*texts: str, **params: object) -> GenerationRequest:
    roles = ["system"] + ["user"] * (len(texts) - 1) if len(texts) > 1 else ["user"]
    return GenerationRequest(
        model="m",
        messages=tuple(ChatMessage(role, t) for role, t in zip(roles, texts, strict=True)),  # type: ignore[arg-type]
        params=SamplingParams(**params),  # type: ignore[arg-type]
    )


def _answer(text: str) -> Completion:
    return Completion((Choice(0, text, "stop"),), Usage(1, 1))


async def test_pseudonyms_are_consistent_across_messages_and_restored_in_the_answer(
    tmp_path: Path,
) -> None:
    guard = _guard(tmp_path)
    verdict = await guard.check_input(
        APP,
        _chat("You help Jane Doe.", "Contact Jane Doe at jane@example.com. Jane Doe is waiting."),
    )
    assert verdict.outcome.action == "pseudonymize"
    sent = [m.content for m in verdict.request.messages or ()]
    assert sent == [
        "You help <PERSON_1>.",
        "Contact <PERSON_1> at <EMAIL_ADDRESS_1>. <PERSON_1> is waiting.",
    ]
    output = await guard.check_output(
        verdict, _answer("Sure, <PERSON_1> will get <EMAIL_ADDRESS_1>.")
    )
    assert output.completion.choices[0].text == "Sure, Jane Doe will get jane@example.com."
    assert output.outcome.action == "allow", "the caller's own values coming back are not a leak"


async def test_finding_spans_point_into_the_text_as_sent_despite_invisible_characters(
    tmp_path: Path,
) -> None:
    guard = _guard(tmp_path)
    sent = "Mail ja\u200bne@exa\u200bmple.com now"
    verdict = await guard.check_input(APP, _chat(sent))
    [fired] = [f for f in verdict.outcome.fired if f.finding.category == "EMAIL_ADDRESS"]
    assert sent[fired.finding.start : fired.finding.end] == "ja\u200bne@exa\u200bmple.com"
    assert verdict.request.messages[0].content == "Mail <EMAIL_ADDRESS_1> now"  # type: ignore[index]


async def test_block_beats_pseudonymize_and_names_its_rule(tmp_path: Path) -> None:
    verdict = await _guard(tmp_path).check_input(APP, _chat("Jane Doe wants the Forbidden  FRUIT"))
    assert verdict.outcome.action == "block"
    assert verdict.outcome.message == "That topic is off limits."
    assert "banned" in verdict.outcome.rules and "pii" in verdict.outcome.rules


async def test_flag_allows_and_shadow_only_records(tmp_path: Path) -> None:
    guard = _guard(tmp_path)
    flagged = await guard.check_input(APP, _chat("Where is my invoice?"))
    assert (flagged.outcome.action, flagged.outcome.rules) == ("flag", ("watch",))
    shadow = await guard.check_input(APP, _chat("I want a refund"))
    assert shadow.outcome.action == "allow"
    assert shadow.outcome.shadow_rules == ("shadowed",)
    assert shadow.request.messages[0].content == "I want a refund"  # type: ignore[index]


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("placeholder", "Write to <EMAIL_ADDRESS> today."),
        ("mask", "Write to **************** today."),
    ],
)
async def test_output_redaction_styles(tmp_path: Path, style: str, expected: str) -> None:
    guard = _guard(tmp_path, style=style)
    verdict = await guard.check_input(APP, _chat("hello"))
    output = await guard.check_output(verdict, _answer("Write to help@example.org today."))
    assert output.completion.choices[0].text == expected
    assert output.outcome.action == "redact"


async def test_hash_redaction_is_keyed_and_stable(tmp_path: Path) -> None:
    guard = _guard(tmp_path, style="hash")
    verdict = await guard.check_input(APP, _chat("hello"))
    first = await guard.check_output(verdict, _answer("Write to help@example.org."))
    second = await guard.check_output(verdict, _answer("Write to help@example.org."))
    text = first.completion.choices[0].text
    assert text == second.completion.choices[0].text
    assert text.startswith("Write to <EMAIL_ADDRESS:") and "help@" not in text


async def test_output_block_replaces_the_answer(tmp_path: Path) -> None:
    guard = _guard(tmp_path)
    verdict = await guard.check_input(APP, _chat("hello"))
    output = await guard.check_output(verdict, _answer("Your card is 4111 1111 1111 1111."))
    [choice] = output.completion.choices
    assert (choice.text, choice.finish_reason) == ("No card numbers in answers.", "content_filter")
    assert output.outcome.rules == ("cards-out",)


async def test_constraints_clamp_or_refuse(tmp_path: Path) -> None:
    clamping = _guard(tmp_path)
    verdict = await clamping.check_input(APP, _chat("hello", max_tokens=500, temperature=1.8))
    assert (verdict.request.params.max_tokens, verdict.request.params.temperature) == (50, 1.0)
    unset = await clamping.check_input(APP, _chat("hello"))
    assert unset.request.params.max_tokens == 50
    other = tmp_path / "refuse"
    other.mkdir()
    refusing = _guard(other, violation="refuse")
    with pytest.raises(ConstraintError) as caught:
        await refusing.check_input(APP, _chat("hello", max_tokens=500))
    assert caught.value.param == "max_tokens"


async def test_app_without_a_policy_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("name: only-billing\napplies_to: {apps: [billing]}\n")
    store = PolicyStore(tmp_path, DetectorContext(policy_dir=tmp_path))
    store.load()
    with pytest.raises(NoPolicyError):
        await PolicyGuard(store, Evaluator()).check_input(APP, _chat("hi"))


class _BrokenConfig(DetectorConfig):
    pass


class BrokenDetector:
    """A detector that always fails, to exercise fail modes (a fake, named as such)."""

    type_name: ClassVar[str] = "broken"
    sensitive: ClassVar[bool] = False
    Config: ClassVar[type[DetectorConfig]] = _BrokenConfig

    @classmethod
    def create(cls, config: object, context: DetectorContext) -> BrokenDetector:
        return cls()

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        raise DetectorError("model crashed")


@pytest.mark.parametrize(("fail_mode", "expected"), [("block", "block"), ("allow", "allow")])
async def test_failing_detector_follows_on_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_mode: str, expected: str
) -> None:
    import guard.policy.loader as loader

    monkeypatch.setattr(loader, "registered_detectors", lambda: {"broken": "x:y"})
    monkeypatch.setattr(loader, "detector_class", lambda name: BrokenDetector)
    (tmp_path / "p.yaml").write_text(
        f"name: default\non_error: {fail_mode}\nrules:\n"
        "  - {id: fragile, stages: [input], detector: {type: broken}, action: flag}\n"
    )
    policies = load_policies([tmp_path], DetectorContext(policy_dir=tmp_path))
    opened: list[tuple[str, str]] = []
    evaluator = Evaluator(on_fail_open=lambda rule, det: opened.append((rule, det)))
    evaluation = await evaluator.evaluate(policies.policies["default"], "input", ["hi"])
    assert evaluation.outcome.action == expected
    [failure] = evaluation.outcome.failures
    assert (failure.rule_id, failure.fail_mode) == ("fragile", fail_mode)
    assert opened == ([("fragile", "broken")] if fail_mode == "allow" else [])


async def test_old_turns_are_not_rescanned(tmp_path: Path) -> None:
    guard = _guard(tmp_path)
    calls: list[int] = []
    for rule in guard.store.current.policies["default"].rules:
        original = rule.detector.detect

        async def counting(texts: Sequence[str], _original=original) -> list[list[Finding]]:  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return await _original(texts)

        rule.detector.detect = counting  # type: ignore[method-assign]
    await guard.check_input(APP, _chat("system prompt", "first question"))
    first = sum(calls)
    calls.clear()
    await guard.check_input(APP, _chat("system prompt", "first question", "second question"))
    assert sum(calls) == first // 2, "only the new message is scanned"


async def test_values_restored_into_json_are_escaped_as_json_strings_need(
    tmp_path: Path,
) -> None:
    """A caller's value with a quote comes back inside a tool call's arguments and a
    streamed JSON answer as valid JSON."""
    import json
    from dataclasses import replace

    from guard.generators.base import Delta, ToolCall
    from guard.policy.base import StageOutcome

    guard = _guard(tmp_path)
    verdict = await guard.check_input(APP, _chat("Mail the team"))
    value = 'Jane "JJ" Doe \\ Sales'  # as a detector could have found it in the prompt
    placeholder = verdict.state.pseudonyms.placeholder("PERSON", value)
    arguments = json.dumps({"to": placeholder})
    calls = (ToolCall("c1", "send", arguments),)
    call = Completion((Choice(0, "", "tool_calls", calls),), Usage(1, 1))
    output = await guard.check_output(verdict, call)
    [sent] = output.completion.choices[0].tool_calls
    assert json.loads(sent.arguments) == {"to": value}

    json_request = replace(verdict.request, response_format={"type": "json_object"})
    wants_json = replace(verdict, request=json_request)

    async def events():  # type: ignore[no-untyped-def]
        yield Delta(0, '{"to": "' + placeholder + '"}', "stop")
        yield Usage(1, 1)

    pieces = [
        e.text
        async for e in guard.guard_stream(wants_json, events(), StageOutcome("output"))
        if isinstance(e, Delta)
    ]
    assert json.loads("".join(pieces)) == {"to": value}
