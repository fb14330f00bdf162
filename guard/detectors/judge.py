"""Judge detector: asks a guard model whether a text is safe (Llama Guard style).

Meant for GPU deployments with a real guard model (for example Llama Guard 3 served by
vLLM as guard's upstream generator). The model answers ``safe``, or ``unsafe`` followed by
a line of category codes (``S1,S10``) that ``categories`` maps to names. A verdict that is
neither is a ``DetectorError``, which the rule's ``on_error`` turns into block or allow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from guard.detectors.base import DetectorConfig, DetectorContext, Finding
from guard.errors import ConfigurationError, DetectorError

DEFAULT_TEMPLATE = (
    "Task: Check if there is unsafe content in the message below according to our safety "
    "policy with the categories S1 to S14 (violent crimes, non-violent crimes, sex crimes, "
    "child exploitation, defamation, specialized advice, privacy, intellectual property, "
    "indiscriminate weapons, hate, self-harm, sexual content, elections, code interpreter "
    "abuse).\n\n<BEGIN MESSAGE>\n{text}\n<END MESSAGE>\n\n"
    "Provide your safety assessment: first line 'safe' or 'unsafe'; if unsafe, a second "
    "line with a comma-separated list of violated categories."
)

# The MLCommons hazard taxonomy as used by Llama Guard 3.
LLAMA_GUARD_CATEGORIES = {
    "S1": "violent_crimes",
    "S2": "non_violent_crimes",
    "S3": "sex_crimes",
    "S4": "child_exploitation",
    "S5": "defamation",
    "S6": "specialized_advice",
    "S7": "privacy",
    "S8": "intellectual_property",
    "S9": "indiscriminate_weapons",
    "S10": "hate",
    "S11": "self_harm",
    "S12": "sexual_content",
    "S13": "elections",
    "S14": "code_interpreter_abuse",
}


class JudgeConfig(DetectorConfig):
    type: Literal["judge"] = "judge"
    model: str | None = None
    template: str = DEFAULT_TEMPLATE
    categories: dict[str, str] = Field(default_factory=lambda: dict(LLAMA_GUARD_CATEGORIES))
    max_tokens: int = Field(default=20, ge=1, le=512)
    threshold: float = Field(default=0.5, ge=0, le=1)

    @field_validator("template")
    @classmethod
    def _has_text_slot(cls, value: str) -> str:
        if "{text}" not in value:
            raise ValueError("template must contain {text}")
        return value


def parse_verdict(answer: str) -> tuple[bool, list[str]]:
    """``(unsafe, codes)`` from a Llama Guard-style answer; ``DetectorError`` if unreadable."""
    lines = [line.strip() for line in answer.strip().splitlines() if line.strip()]
    head = lines[0].lower().rstrip(".") if lines else ""
    if head == "safe":
        return False, []
    if head == "unsafe":
        codes = [c.strip() for c in lines[1].split(",") if c.strip()] if len(lines) > 1 else []
        return True, codes
    raise DetectorError(f"the judge's verdict is neither safe nor unsafe ({len(answer)} chars)")


class JudgeDetector:
    """Asks a generator for a safety verdict on each text."""

    type_name: ClassVar[str] = "judge"
    sensitive: ClassVar[bool] = False
    Config: ClassVar[type[DetectorConfig]] = JudgeConfig

    def __init__(self, config: JudgeConfig, generator: Any):
        self.config = config
        self._generator = generator

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> JudgeDetector:
        assert isinstance(config, JudgeConfig)
        if context.generator is None:
            raise ConfigurationError("the judge detector needs a generator to ask")
        return cls(config, context.generator)

    async def _model(self) -> str:
        if self.config.model:
            return self.config.model
        models = await self._generator.models()
        if not models:
            raise DetectorError("the judge's generator serves no model")
        return str(models[0].id)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        model = await self._model()
        return list(await asyncio.gather(*(self._judge(model, text) for text in texts)))

    async def _judge(self, model: str, text: str) -> list[Finding]:
        from guard.generators.base import ChatMessage, GenerationRequest, SamplingParams

        request = GenerationRequest(
            model=model,
            messages=(ChatMessage("user", self.config.template.replace("{text}", text)),),
            params=SamplingParams(temperature=0.0, max_tokens=self.config.max_tokens),
        )
        completion = await self._generator.complete(request)
        unsafe, codes = parse_verdict(completion.choices[0].text if completion.choices else "")
        if not unsafe:
            return []
        return [
            Finding(
                detector="judge",
                category=self.config.categories.get(code, code) if code else "unsafe",
                start=0,
                end=len(text),
                score=1.0,
                threshold=self.config.threshold,
                evidence=f"judge {model}",
                details={"code": code} if code else {},
            )
            for code in (codes or [""])
        ]
