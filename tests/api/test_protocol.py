from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from guard.api.protocol import ChatCompletionRequest, CompletionRequest
from guard.errors import InvalidRequestError


def _chat(**extra: Any) -> ChatCompletionRequest:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], **extra}
    return ChatCompletionRequest.model_validate(body)


def test_text_parts_are_joined_and_developer_role_is_a_system_message() -> None:
    request = ChatCompletionRequest.model_validate(
        {
            "model": "m",
            "messages": [
                {"role": "developer", "content": "be brief"},
                {
                    "role": "user",
                    "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
                },
            ],
        }
    )
    generation = request.to_generation(max_n=8, max_tokens_limit=100)
    assert [(m.role, m.content) for m in generation.messages or ()] == [
        ("system", "be brief"),
        ("user", "ab"),
    ]


def test_all_generation_parameters_reach_the_sampling_params() -> None:
    params = (
        _chat(
            max_completion_tokens=20,
            max_tokens=99,
            temperature=0.5,
            top_p=0.9,
            stop="END",
            seed=7,
            n=2,
            top_k=40,
            num_beams=1,
            min_tokens=3,
            repetition_penalty=1.2,
        )
        .to_generation(max_n=8, max_tokens_limit=100)
        .params
    )
    assert params.max_tokens == 20  # max_completion_tokens wins over the legacy max_tokens
    assert (params.temperature, params.top_p, params.top_k) == (0.5, 0.9, 40)
    assert (params.stop, params.seed, params.n) == (("END",), 7, 2)
    assert (params.min_tokens, params.repetition_penalty) == (3, 1.2)


@pytest.mark.parametrize(
    "extra",
    [
        {"max_tokens": "5"},
        {"temperature": "hot"},
        {"temperature": 3},
        {"top_p": 0},
        {"n": 0},
        {"stream": "yes"},
        {"stop": ["a", "b", "c", "d", "e"]},
        {"messages": []},
        {"messages": [{"role": "user", "content": 5}]},
        {"messages": [{"role": "wizard", "content": "x"}]},
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
    ],
)
def test_wrong_types_and_ranges_are_refused(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _chat(**extra)


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"n": 9}, "n"),
        ({"max_tokens": 101}, "max_tokens"),
        ({"max_tokens": 5, "min_tokens": 6}, "min_tokens"),
        ({"stream_options": {"include_usage": True}}, "stream_options"),
        ({"logprobs": True}, "logprobs"),
        ({"functions": [{"name": "f"}]}, "functions"),
        ({"response_format": {"type": "xml"}}, "response_format"),
    ],
)
def test_unsupported_or_over_limit_requests_name_the_parameter(
    extra: dict[str, Any], param: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _chat(**extra).to_generation(max_n=8, max_tokens_limit=100)
    assert caught.value.param == param


def test_completions_default_to_sixteen_tokens_and_one_prompt() -> None:
    request = CompletionRequest.model_validate({"model": "m", "prompt": ["once"]})
    generation = request.to_generation(max_n=8, max_tokens_limit=100)
    assert (generation.prompt, generation.params.max_tokens) == ("once", 16)
    many = CompletionRequest.model_validate({"model": "m", "prompt": ["a", "b"]})
    with pytest.raises(InvalidRequestError, match="one prompt per request"):
        many.to_generation(max_n=8, max_tokens_limit=100)


def test_tools_and_tool_turns_reach_the_generation_request() -> None:
    request = ChatCompletionRequest.model_validate(
        {
            "model": "m",
            "tools": [{"type": "function", "function": {"name": "lookup"}}],
            "tool_choice": "required",
            "messages": [
                {"role": "user", "content": "find it"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "lookup", "arguments": '{"q": 1}'},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "found"},
            ],
        }
    ).to_generation(max_n=8, max_tokens_limit=100)
    assert request.tools == ({"type": "function", "function": {"name": "lookup"}},)
    assert request.tool_choice == "required"
    texts, roles = request.texts()
    assert texts == ["find it", "", '{"q": 1}', "found"]
    assert roles == ["user", "assistant", "assistant", "tool"]
    rewritten = request.with_texts(["a", "b", "{}", "d"])
    assert rewritten.messages[1].tool_calls[0].arguments == "{}"
    assert rewritten.messages[2].tool_call_id == "c1"


def test_a_tool_message_needs_its_call_id() -> None:
    with pytest.raises(ValidationError, match="tool_call_id"):
        ChatCompletionRequest.model_validate(
            {"model": "m", "messages": [{"role": "tool", "content": "x"}]}
        )
