"""Every path enforces the same decision: the invariant over the whole request matrix.

Chat and text completions x plain and streamed x ``n`` = 1 and 2 x every input action
(allow, flag, redact, pseudonymize, block, shadow) x every output action (allow, flag,
redact, block, shadow), sent by the official ``openai`` client to a real server on a
loopback port. A recording generator (a ``FakeGenerator`` that keeps what it was sent)
stands behind guard. For each case the test checks what reached the model, what the caller
got, and the request's one audit record with its stored prompt and answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openai
import pytest

from guard.app import create_app
from guard.config import Settings
from guard.generators.base import GenerationRequest
from guard.generators.fake import FakeGenerator
from tests.e2e.conftest import openai_client
from tests.live_server import live_server
from tests.recording_audit import RecordingAuditSink

POLICY = """
name: default
applies_to: {apps: ["*"]}
on_error: block
rules:
  - {id: in-flag, stages: [input], detector: {type: keywords, words: [inflag]}, action: flag}
  - id: in-redact
    stages: [input]
    detector: {type: regex, category: secret_code, patterns: ['INCODE-\\d+']}
    action: redact
  - id: in-pseudonymize
    stages: [input]
    detector: {type: regex, category: EMAIL_ADDRESS, patterns: ['[a-z]+@example\\.com']}
    action: pseudonymize
  - id: in-block
    stages: [input]
    detector: {type: keywords, words: [inblock]}
    action: block
    message: Input blocked by the matrix policy.
  - id: in-shadow
    stages: [input]
    detector: {type: keywords, words: [inshadow]}
    action: block
    mode: shadow
  - {id: out-flag, stages: [output], detector: {type: keywords, words: [outflag]}, action: flag}
  - id: out-redact
    stages: [output]
    detector: {type: regex, category: out_code, patterns: ['OUTCODE-\\d+']}
    action: redact
  - id: out-block
    stages: [output]
    detector: {type: keywords, words: [outblock]}
    action: block
    message: Answer withheld by the matrix policy.
  - id: out-shadow
    stages: [output]
    detector: {type: keywords, words: [outshadow]}
    action: block
    mode: shadow
"""

# What the caller sends for each input action, and what the model must then see.
INPUTS = {
    "allow": ("Please help with the garden.", "Please help with the garden."),
    "flag": ("Please help with the inflag garden.", "Please help with the inflag garden."),
    "redact": ("Please help with INCODE-1234 today.", "Please help with <secret_code> today."),
    "pseudonymize": (
        "Please write to jane@example.com today.",
        "Please write to <EMAIL_ADDRESS_1> today.",
    ),
    "block": ("Please help inblock now.", None),
    "shadow": ("Please help inshadow now.", "Please help inshadow now."),
}
# What the model writes before echoing its prompt, for each output action.
OUTPUTS = {
    "allow": "Fine.",
    "flag": "Fine outflag.",
    "redact": "Fine OUTCODE-5678.",
    "block": "Fine outblock.",
    "shadow": "Fine outshadow.",
}
ENFORCED = {
    "allow": "allow",
    "flag": "flag",
    "redact": "redact",
    "pseudonymize": "pseudonymize",
    "block": "block",
    "shadow": "allow",
}
ORDER = ["allow", "flag", "redact", "pseudonymize", "block"]
IN_BLOCK_MESSAGE = "Input blocked by the matrix policy."
OUT_BLOCK_MESSAGE = "Answer withheld by the matrix policy."


class RecordingGenerator(FakeGenerator):
    """A fake model that keeps every request it was sent and answers ``OUTPUT + prompt``."""

    def __init__(self) -> None:
        self.seen: list[GenerationRequest] = []
        self.output = OUTPUTS["allow"]
        super().__init__(self._answer)

    def _answer(self, request: GenerationRequest) -> str:
        self.seen.append(request)
        said = request.prompt if request.messages is None else request.messages[-1].content
        return f"{self.output} Reply to: {said}"


@dataclass
class Matrix:
    client: openai.OpenAI
    generator: RecordingGenerator
    audit: RecordingAuditSink


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    tmp = tmp_path_factory.mktemp("matrix")
    (tmp / "policies").mkdir()
    (tmp / "policies" / "matrix.yaml").write_text(POLICY, encoding="utf-8")
    settings = Settings(
        generator="fake",
        database_url=f"sqlite:///{tmp / 'g.db'}",
        policy_dir=tmp / "policies",
        policy_watch=False,
    )
    generator, audit = RecordingGenerator(), RecordingAuditSink()
    with live_server(create_app(settings, generator=generator, audit=audit)) as base:
        client = openai_client(base)
        yield Matrix(client, generator, audit)
        client.close()


def _expected_action(in_action: str, out_action: str) -> str:
    if in_action == "block":
        return "block"
    actions = [ENFORCED[in_action], ENFORCED[out_action]]
    return max(actions, key=ORDER.index)


def _send(m: Matrix, chat: bool, stream: bool, n: int, text: str) -> tuple[Any, dict[str, str]]:
    """One request; returns what the caller got (body or chunks) and the headers."""
    api = m.client.chat.completions if chat else m.client.completions
    kwargs: dict[str, Any] = {"model": "fake-model", "n": n, "stream": stream, "max_tokens": 64}
    if chat:
        kwargs["messages"] = [{"role": "user", "content": text}]
    else:
        kwargs["prompt"] = text
    raw = api.with_raw_response.create(**kwargs)
    parsed = raw.parse()
    got = [c.to_dict() for c in parsed] if stream else parsed.to_dict()
    return got, dict(raw.headers)


def _caller_texts(got: Any, chat: bool, stream: bool, n: int) -> tuple[list[str], list[str]]:
    """Per choice: the text the caller read and its finish reason."""
    texts, reasons = [""] * n, [""] * n
    choices = (c for chunk in got for c in chunk["choices"]) if stream else got["choices"]
    for choice in choices:
        i = choice["index"]
        if chat:
            piece = (
                (choice.get("delta") or {}).get("content")
                if stream
                else choice["message"]["content"]
            )
        else:
            piece = choice.get("text")
        texts[i] += piece or ""
        if choice.get("finish_reason"):
            reasons[i] = choice["finish_reason"]
    return texts, reasons


CASES = list(itertools.product([True, False], [False, True], [1, 2], list(INPUTS), list(OUTPUTS)))


@pytest.mark.parametrize(
    ("chat", "stream", "n", "in_action", "out_action"),
    CASES,
    ids=[
        f"{'chat' if c else 'text'}-{'stream' if s else 'plain'}-n{n}-in_{i}-out_{o}"
        for c, s, n, i, o in CASES
    ],
)
def test_every_path_enforces_one_decision_and_leaves_one_record(
    matrix: Matrix, chat: bool, stream: bool, n: int, in_action: str, out_action: str
) -> None:
    sent, model_sees = INPUTS[in_action]
    matrix.generator.output = OUTPUTS[out_action]
    before = len(matrix.generator.seen)

    if in_action == "block":
        with pytest.raises(openai.BadRequestError) as caught:
            _send(matrix, chat, stream, n, sent)
        error = caught.value.body
        assert isinstance(error, dict)
        assert error["code"] == "content_policy_violation"
        assert error["message"] == IN_BLOCK_MESSAGE
        decision_id = error["decision_id"]
        assert error["explanation_url"] == f"/v1/decisions/{decision_id}/explanation"
        assert caught.value.response.headers["x-guard-decision"] == "block"
        assert len(matrix.generator.seen) == before, "a blocked prompt reached the model"
    else:
        got, headers = _send(matrix, chat, stream, n, sent)
        decision_id = headers["x-guard-decision-id"]
        # What reached the model: exactly one request, holding the cleaned prompt.
        assert len(matrix.generator.seen) == before + 1
        seen = matrix.generator.seen[-1]
        assert (seen.prompt if not chat else seen.messages[-1].content) == model_sees  # type: ignore[index]
        assert seen.params.n == n
        # What the caller got.
        texts, reasons = _caller_texts(got, chat, stream, n)
        restored = sent if in_action == "pseudonymize" else model_sees
        if out_action == "block":
            assert reasons == ["content_filter"] * n
            for text in texts:
                assert "outblock" not in text
                assert text.endswith(OUT_BLOCK_MESSAGE)
            guard = next(c["guard"] for c in got if "guard" in c) if stream else got["guard"]
            assert guard["action"] == "block" and "out-block" in guard["rules"]
            assert guard["decision_id"] == decision_id
        else:
            answer = f"{OUTPUTS[out_action]} Reply to: {restored}"
            answer = answer.replace("OUTCODE-5678", "<out_code>")
            assert texts == [answer] * n
            assert all(r in ("stop", "length") for r in reasons)
        expected_header = ENFORCED[in_action] if stream else _expected_action(in_action, out_action)
        assert headers["x-guard-decision"] == expected_header

    # The one record, with the stored prompt and answer.
    [record] = matrix.audit.by_id(decision_id)
    assert record.stream is stream and record.outcome == "ok"
    assert record.action == _expected_action(in_action, out_action)
    assert record.redacted_prompt, "the stored prompt is empty"
    assert "INCODE-1234" not in record.redacted_prompt
    assert "jane@example.com" not in record.redacted_prompt
    if in_action == "redact":
        assert "<secret_code>" in record.redacted_prompt
    if in_action == "pseudonymize":
        assert "<EMAIL_ADDRESS_1>" in record.redacted_prompt
    if in_action in ("block", "shadow", "flag"):
        assert sent in record.redacted_prompt  # the reviewer reads what was judged
    if in_action == "block":
        assert record.redacted_answer == ""
        assert [s.stage for s in record.stages] == ["input"]
        return
    assert [s.stage for s in record.stages] == ["input", "output"]
    stored = record.redacted_answer.split("\n\n")
    if stream and out_action == "block":  # generation stops at the block: later choices never ran
        assert 1 <= len(stored) <= n
    else:
        assert len(stored) == n
    for text in stored:
        assert "OUTCODE-5678" not in text and "jane@example.com" not in text
        assert text.startswith(OUTPUTS[out_action].replace("OUTCODE-5678", "<out_code>"))
        if in_action == "pseudonymize":
            assert "<EMAIL_ADDRESS_1>" in text  # stored as the model wrote it
    in_stage, out_stage = record.stages
    assert in_stage.shadow_rules == (("in-shadow",) if in_action == "shadow" else ())
    assert out_stage.shadow_rules == (("out-shadow",) if out_action == "shadow" else ())
