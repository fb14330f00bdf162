"""The policy file schema. Unknown keys are errors; every error names its file and line.

A policy is one or more YAML files sharing a ``name``; each file brings its own rules and
tests, and may set the policy's constraints (at most one file does).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from guard.limits import Limits
from guard.policy.base import Action, Stage

RuleAction = Literal["block", "redact", "pseudonymize", "flag"]
Role = Literal["system", "developer", "user", "assistant", "tool"]
FailMode = Literal["block", "allow"]
# The OpenAI endpoints a rule reads: what generates (chat, completions, responses), and
# what is embedded. A rule reads embeddings only when it says so.
Endpoint = Literal["chat", "completions", "responses", "embeddings"]
GENERATING: tuple[Endpoint, ...] = ("chat", "completions", "responses")

DEFAULT_MESSAGES: dict[str, str] = {
    "block": "The request was blocked by the content policy.",
    "redact": "Some content was redacted by the content policy.",
    "pseudonymize": "Personal data was replaced by placeholders before the model saw it.",
    "flag": "The content was flagged for review.",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppliesTo(_Strict):
    """Which apps the policy serves: app names, or ``*`` for every app without its own."""

    apps: list[str] = Field(default_factory=lambda: ["*"], min_length=1)


class TemperatureRange(_Strict):
    min: float = Field(default=0.0, ge=0, le=2)
    max: float = Field(default=2.0, ge=0, le=2)

    @model_validator(mode="after")
    def _ordered(self) -> TemperatureRange:
        if self.min > self.max:
            raise ValueError("temperature min is above max")
        return self


class Constraints(_Strict):
    """Limits on the request itself; outside them a request is clamped or refused."""

    models: list[str] | None = Field(default=None, min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: TemperatureRange | None = None
    on_violation: Literal["clamp", "refuse"] = "clamp"


class Rule(_Strict):
    """One check: a detector on some stages, and what to do when it finds something."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    stages: list[Stage] = Field(min_length=1)
    detector: dict[str, Any]
    action: RuleAction
    mode: Literal["enforce", "shadow"] = "enforce"
    message: str | None = None
    on_error: FailMode | None = None
    # how redact replaces a finding; ``withhold`` replaces the whole message (input only:
    # a tool result or document that must not reach the model at all)
    redaction: Literal["placeholder", "mask", "hash", "withhold"] = "placeholder"
    # A review band: findings scoring at least ``review`` but under the detector's
    # threshold are allowed and flagged for reviewers instead of acted on.
    review: float | None = Field(default=None, ge=0, le=1)
    # The message roles whose text the rule reads (a prompt without messages is ``user``,
    # an answer ``assistant``); all of them when not given.
    roles: list[Role] | None = Field(default=None, min_length=1)
    # The endpoints whose requests the rule reads; those that generate by default. A rule
    # for ``embeddings`` decides what reaches an embedding model (input stage only).
    endpoints: list[Endpoint] = Field(default_factory=lambda: list(GENERATING), min_length=1)

    @model_validator(mode="after")
    def _coherent(self) -> Rule:
        if "type" not in self.detector:
            raise ValueError("detector needs a type")
        if self.action == "pseudonymize" and "output" in self.stages:
            raise ValueError(
                "pseudonymize applies to the input stage (placeholders are restored in the "
                "answer); use redact for output"
            )
        if self.redaction == "withhold" and "output" in self.stages:
            raise ValueError(
                "redaction withhold applies to the input stage (a message kept from the model)"
            )
        if "embeddings" in self.endpoints and "input" not in self.stages:
            raise ValueError("embeddings have no answer: a rule for them needs the input stage")
        if len(set(self.stages)) != len(self.stages):
            raise ValueError("a stage is listed twice")
        if self.review is not None and self.action == "flag":
            raise ValueError("review applies to rules that act (block, redact, pseudonymize)")
        return self

    @property
    def text(self) -> str:
        return self.message or DEFAULT_MESSAGES[self.action]


class TestMessage(_Strict):
    role: Role
    content: str


class Expectation(_Strict):
    """The decision a test expects; ``rules`` and ``shadow_rules`` are compared when given."""

    action: Action
    rules: list[str] | None = None
    shadow_rules: list[str] | None = None


class PolicyTest(_Strict):
    """An embedded example: this text, at this stage, must get this decision."""

    __test__ = False  # not a pytest class

    name: str | None = None
    stage: Stage = "input"
    # the endpoint the text is sent to (``embeddings``: as an input to embed)
    endpoint: Endpoint = "chat"
    text: str | None = None
    messages: list[TestMessage] | None = None
    expect: Expectation

    @model_validator(mode="after")
    def _one_input(self) -> PolicyTest:
        if (self.text is None) == (self.messages is None):
            raise ValueError("a test has either text or messages")
        return self

    def texts(self) -> list[str]:
        return [self.text] if self.text is not None else [m.content for m in self.messages or ()]

    def roles(self) -> list[str] | None:
        """The messages' roles; None for a ``text`` (the stage's default role)."""
        return None if self.messages is None else [m.role for m in self.messages]


class RuleOverride(_Strict):
    """How a policy that ``extends`` another changes one of the rules it inherits."""

    id: str
    enabled: bool = True
    mode: Literal["enforce", "shadow"] | None = None
    action: RuleAction | None = None
    threshold: float | None = Field(default=None, ge=0, le=1)
    review: float | None = Field(default=None, ge=0, le=1)
    message: str | None = None


class PolicyFile(_Strict):
    """The content of one policy YAML file."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str | None = None
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    # inherit another policy's rules, tests and constraints (by name), and add to them
    extends: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    overrides: list[RuleOverride] = Field(default_factory=list)
    on_error: FailMode = "block"
    constraints: Constraints | None = None
    # rate limits of each app the policy serves (each app counted on its own)
    limits: Limits | None = None
    rules: list[Rule] = Field(default_factory=list)
    tests: list[PolicyTest] = Field(default_factory=list)
