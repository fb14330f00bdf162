from __future__ import annotations

import pytest

from guard.errors import ModelNotFoundError
from guard.generators.base import ChatMessage, Delta, GenerationRequest, SamplingParams, Usage
from guard.generators.fake import FAKE_MODEL, FakeGenerator


def _chat(text: str, **params: object) -> GenerationRequest:
    return GenerationRequest(
        model=FAKE_MODEL,
        messages=(ChatMessage("user", text),),
        params=SamplingParams(**params),  # type: ignore[arg-type]
    )


async def test_fake_generator_is_deterministic_and_names_itself() -> None:
    generator = FakeGenerator()
    first = await generator.complete(_chat("hello"))
    second = await generator.complete(_chat("hello"))
    assert first == second
    assert first.choices[0].text == "This is a fake answer to: hello"
    assert first.choices[0].finish_reason == "stop"


async def test_fake_generator_honours_max_tokens_stop_and_n() -> None:
    generator = FakeGenerator(lambda _: "one two three four five")
    limited = await generator.complete(_chat("x", max_tokens=2, n=2))
    assert [c.text for c in limited.choices] == ["one two", "one two"]
    assert {c.finish_reason for c in limited.choices} == {"length"}
    assert limited.usage.completion_tokens == 4
    stopped = await generator.complete(_chat("x", stop=(" three",)))
    assert stopped.choices[0].text == "one two"
    assert stopped.choices[0].finish_reason == "stop"


async def test_fake_stream_ends_with_usage() -> None:
    events = [e async for e in await FakeGenerator(lambda _: "a b").stream(_chat("x"))]
    assert [e.text for e in events if isinstance(e, Delta)] == ["a", " b", ""]
    assert isinstance(events[-1], Usage)


async def test_unknown_model_is_refused_before_streaming() -> None:
    with pytest.raises(ModelNotFoundError):
        await FakeGenerator().stream(
            GenerationRequest(model="gpt-4o", messages=(ChatMessage("user", "x"),))
        )
