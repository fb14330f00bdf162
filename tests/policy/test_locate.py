"""Where a finding is, in words: the message, the tool call and the argument, never the
text; identifiers that are not identifiers are not shown."""

from __future__ import annotations

import pytest

from guard.generators.base import (
    ChatMessage,
    Choice,
    Completion,
    GenerationRequest,
    ToolCall,
    Usage,
)
from guard.policy.locate import answer_places, argument_at, request_places

ARGS = '{"to": "jane@example.com", "cc": ["a@b.c", "d@e.f"], "meta": {"note": "x"}}'


@pytest.mark.parametrize(
    ("needle", "path"),
    [("jane@", "to"), ("d@e.f", "cc[1]"), ("a@b.c", "cc[0]"), ('"x"', "meta.note")],
)
def test_a_finding_in_a_calls_arguments_is_named_by_its_argument(needle: str, path: str) -> None:
    assert argument_at(ARGS, ARGS.index(needle)) == path


def test_arguments_that_are_not_json_have_no_argument_name() -> None:
    assert argument_at("send it to jane", 11) is None


def test_a_key_that_is_not_an_identifier_is_not_shown() -> None:
    text = '{"jane@example.com": "yes"}'
    assert argument_at(text, text.index("yes")) == "<?>"


def test_places_name_messages_tool_results_and_calls() -> None:
    call = ToolCall("call_1", "send_email", ARGS)
    request = GenerationRequest(
        model="m",
        messages=(
            ChatMessage("user", "mail jane"),
            ChatMessage("assistant", "", tool_calls=(call,)),
            ChatMessage("tool", "sent", tool_call_id="call_1"),
        ),
    )
    names = [p.name for p in request_places(request)]
    assert names == [
        "message 0 (user)",
        "message 1 (assistant)",
        "message 1, tool call send_email (call_1)",
        "message 2 (tool result of call call_1)",
    ]
    assert len(names) == len(request.texts()[0])
    answer = Completion((Choice(0, "", "tool_calls", (call,)),), Usage(1, 1))
    assert [p.name for p in answer_places(answer)] == [
        "the answer",
        "tool call send_email (call_1) in the answer",
    ]
