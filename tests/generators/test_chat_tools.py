"""Tools on a local model: through a chat template that renders them (calls parsed from
its <tool_call> blocks), refused by name where the template has none."""

from __future__ import annotations

import json

import pytest

from guard.errors import InvalidRequestError
from guard.generators.base import ChatMessage, Delta, GenerationRequest, ToolCall, Usage
from guard.generators.chat_tools import (
    refuse_unless_template_tools,
    split_calls,
    template_messages,
    template_takes_tools,
)
from guard.generators.local import _with_calls

# SmolLM2-135M-Instruct's own template (the bundled model): no tools in it
SMOLLM2 = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
)
WITH_TOOLS = "{% if tools %}<tools>{{ tools | tojson }}</tools>{% endif %}" + SMOLLM2
SPEC = {"type": "function", "function": {"name": "get_weather", "parameters": {}}}


def _request(**extra: object) -> GenerationRequest:
    return GenerationRequest(
        model="m",
        messages=(ChatMessage("user", "weather in Oslo?"),),
        **extra,  # type: ignore[arg-type]
    )


def test_a_template_without_tools_refuses_them_naming_the_parameter() -> None:
    assert not template_takes_tools(SMOLLM2) and template_takes_tools(WITH_TOOLS)
    with pytest.raises(InvalidRequestError) as refused:
        refuse_unless_template_tools(_request(tools=(SPEC,)), SMOLLM2)
    assert refused.value.param == "tools" and "chat template has no tools" in str(refused.value)
    history = GenerationRequest(
        model="m", messages=(ChatMessage("tool", "12C", tool_call_id="c1"),)
    )
    with pytest.raises(InvalidRequestError) as in_messages:
        refuse_unless_template_tools(history, SMOLLM2)
    assert in_messages.value.param == "messages"
    refuse_unless_template_tools(_request(tools=(SPEC,)), WITH_TOOLS)  # renders them: allowed
    refuse_unless_template_tools(_request(), SMOLLM2)  # no tools asked for: allowed


def test_calls_and_results_are_given_to_the_template_as_it_reads_them() -> None:
    call = ToolCall("c1", "get_weather", '{"city": "Oslo"}')
    rendered = template_messages(
        (
            ChatMessage("assistant", "", tool_calls=(call,)),
            ChatMessage("tool", "12C", tool_call_id="c1"),
        )
    )
    assert rendered[0]["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": {"city": "Oslo"},
    }
    assert rendered[1] == {"role": "tool", "content": "12C", "tool_call_id": "c1"}


def test_tool_call_blocks_become_calls_and_other_text_stays() -> None:
    text = 'Checking. <tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_call>'
    rest, [call] = split_calls(text, "call_x")
    assert rest == "Checking." and call.name == "get_weather" and call.id == "call_x_0"
    assert json.loads(call.arguments) == {"city": "Oslo"}
    broken = "<tool_call>{not json}</tool_call>"
    assert split_calls(broken, "c") == (broken, ())


async def test_a_streamed_answer_with_a_call_ends_with_the_call() -> None:
    async def events():  # type: ignore[no-untyped-def]
        yield Delta(0, '<tool_call>{"name": "get_weather", ')
        yield Delta(0, '"arguments": {}}</tool_call>', "stop")
        yield Usage(3, 9)

    out = [e async for e in _with_calls(events(), "call_1")]
    assert out[0] == Delta(0, "", "tool_calls", (ToolCall("call_1_0_0", "get_weather", "{}"),))
    assert out[1] == Usage(3, 9)
