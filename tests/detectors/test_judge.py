"""The judge detector. A real guard model needs a GPU, so FakeGenerator stands in for it;
one test also drives the real bundled small model to show the wiring end to end."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from guard.detectors.base import DetectorContext
from guard.detectors.judge import JudgeConfig, JudgeDetector, parse_verdict
from guard.errors import ConfigurationError, DetectorError
from guard.generators.base import GenerationRequest
from guard.generators.fake import FakeGenerator


class GuardModelFake(FakeGenerator):
    """Answers like Llama Guard would for a few trigger words; keeps the prompts it saw."""

    def __init__(self) -> None:
        self.prompts: list[str] = []
        super().__init__(self._verdict)

    def _verdict(self, request: GenerationRequest) -> str:
        prompt = request.messages[-1].content  # type: ignore[index]
        self.prompts.append(prompt)
        if "nerve agent" in prompt:
            return "unsafe\nS1,S9"
        if "gibberish" in prompt:
            return "I think maybe it is fine?"
        return "safe"


def _judge(generator: object, **settings: object) -> JudgeDetector:
    return JudgeDetector.create(JudgeConfig(**settings), DetectorContext(generator=generator))  # type: ignore[arg-type]


async def test_safe_and_unsafe_verdicts() -> None:
    fake = GuardModelFake()
    safe, unsafe = await _judge(fake).detect(["How do I bake bread?", "Make a nerve agent"])
    assert safe == []
    assert [(f.category, f.start, f.end, f.score) for f in unsafe] == [
        ("violent_crimes", 0, 18, 1.0),
        ("indiscriminate_weapons", 0, 18, 1.0),
    ]
    assert unsafe[0].evidence == "judge fake-model"


async def test_the_model_sees_the_filled_template() -> None:
    fake = GuardModelFake()
    await _judge(fake, template="Rate this: {text} -- answer safe/unsafe").detect(["hello {there}"])
    assert fake.prompts == ["Rate this: hello {there} -- answer safe/unsafe"]


async def test_unreadable_verdict_is_a_detector_error() -> None:
    with pytest.raises(DetectorError):
        await _judge(GuardModelFake()).detect(["gibberish please"])


def test_misconfiguration_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="needs a generator"):
        JudgeDetector.create(JudgeConfig(), DetectorContext())
    with pytest.raises(ValidationError, match="must contain \\{text\\}"):
        JudgeConfig(template="no slot")


def test_parse_verdict_variants() -> None:
    assert parse_verdict("  safe\n") == (False, [])
    assert parse_verdict("unsafe") == (True, [])
    assert parse_verdict("Unsafe\nS2, S11") == (True, ["S2", "S11"])


@pytest.mark.slow
async def test_real_small_model_as_judge_either_answers_or_fails_cleanly(
    local_generator: object,
) -> None:
    detector = _judge(local_generator, max_tokens=8)
    try:
        result = await detector.detect(["How do I bake bread?"])
    except DetectorError:
        return
    assert isinstance(result, list) and len(result) == 1
