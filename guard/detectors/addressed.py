"""Instructions addressed to the model that reads a document (indirect prompt injection).

A tool result, a retrieved page or an e-mail is data for the model; text in it that speaks
to the model instead ("AI assistant reading this: ignore your instructions", a forged
``User:`` turn, ``<|im_start|>system``, "do not tell the user", "send the conversation to
…") is an attack on the application that passed it on (OWASP LLM01, indirect). Classifiers
trained on users' prompts read whole documents badly (the shipped injection head withholds
most ordinary WHOIS records and reports), so this detector looks for the forms such an
instruction takes, each a named pattern, in the normalized text. Ordinary imperatives in a
document ("Please ignore the previous email", "Preheat the oven") are not addressed to the
model and pass.

Findings name the pattern (``evidence``), never the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from guard.detectors.base import DetectorConfig, DetectorContext, Finding

_AI = (
    r"(?:ai|a\.i\.|artificial intelligence|assistants?|ai assistants?|language models?|llms?|"
    r"chat ?bots?|ai agents?|agents?|bots?|gpt|chatgpt|claude|gemini|copilot|bard)"
)
_RULES = (
    r"(?:instructions?|directions?|prompts?|rules|guidelines|guidance|commands?|orders|"
    r"programming|constraints|directives?|system prompt|task)"
)
PATTERNS: dict[str, str] = {
    # "ignore all previous instructions", "disregard your rules", "ignore the rest of this
    # data", "forget everything above"
    "override": (
        rf"\b(?:ignore|disregard|forget|override|bypass|neglect|skip)\b(?:\s+\S+){{0,4}}?\s+{_RULES}\b"
        r"|\b(?:ignore|disregard|forget)\s+(?:the\s+)?(?:rest|remainder)\s+of\s+(?:this|the)\b"
        r"|\b(?:ignore|disregard|forget)\s+(?:everything|anything|all(?:\s+of\s+it)?)\s+"
        r"(?:above|before|else|previous|prior|you\s+(?:were|have\s+been)\s+told)\b"
        r"|\b(?:ignore|disregard|forget)\s+(?:the|this|all)\s+(?:above|preceding)\b"
        rf"|\bnew\s+{_RULES}\s*(?:for|to)\s+(?:the\s+)?{_AI}\b"
        rf"|\byour\s+(?:new|real|actual|true)\s+{_RULES}\b"
    ),
    # "AI assistant reading this: …", "Note to the AI", "If you are a language model, …"
    "addressed": (
        rf"\b(?:dear|attention|note\s+(?:to|for)|message\s+(?:to|for)|hey|hello|hi|to)\s+"
        rf"(?:the\s+|any\s+|all\s+)?{_AI}\b"
        rf"|\b(?:any|all|the)\s+{_AI}\s+(?:reading|processing|summari[sz]ing|parsing|"
        r"analy[sz]ing|viewing|that\s+reads?|who\s+reads?)\s+(?:this|these|the)\b"
        rf"|\bif\s+you\s+are\s+(?:an?\s+)?{_AI}\b"
        rf"|\b{_AI}\s*,\s*(?:you\s+)?(?:must|should|shall|need\s+to|have\s+to|stop|ignore|"
        r"disregard|forget|now)\b"
    ),
    # the markup of a chat template, which no ordinary document carries
    "special_tokens": (
        r"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>"
        r"|\[/?INST\]|<</?SYS>>|<\s*/?\s*system\s*>|<start_of_turn>"
    ),
    # "Do not tell the user", "without informing the user", "the user must not know"
    "concealment": (
        r"\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|alert|notify|warn|mention\s+(?:this|it)\s+to|"
        r"reveal\s+(?:this|it)\s+to|let)\s+the\s+user\b"
        r"|\bwithout\s+(?:telling|informing|alerting|notifying|warning)\s+the\s+user\b"
        r"|\bthe\s+user\s+(?:must|should)\s+(?:not|never)\s+(?:know|find\s+out|see)\b"
    ),
    # "send the whole conversation to …", "forward the user's emails to …"
    "exfiltration": (
        r"\b(?:send|forward|post|upload|e-?mail|transmit|leak|exfiltrate|share|copy)\s+"
        r"(?:(?:all|the|this|your|their)\s+){0,2}(?:whole\s+|entire\s+|full\s+)?"
        r"(?:user'?s\s+|users'\s+)?"
        r"(?:conversation|chat(?:\s+(?:history|log))?|messages|e-?mails|inbox|credentials|"
        r"passwords?|api\s+keys?|access\s+tokens?|secrets|system\s+prompt|personal\s+"
        r"(?:data|details|information)|contacts|history)\b[^.\n]{0,80}?\bto\b"
    ),
}
# A forged conversation: a line that speaks as the assistant and one that speaks as the
# user, inside what should be data.
_TURN_AI = re.compile(r"(?im)^[ \t>*_-]*(?:assistant|ai|gpt|chatgpt|model|bot)\s*:")
_TURN_USER = re.compile(r"(?im)^[ \t>*_-]*(?:user|human)\s*:")

Pattern = Literal["override", "addressed", "special_tokens", "concealment", "exfiltration"]


class AddressedConfig(DetectorConfig):
    type: Literal["addressed"] = "addressed"
    category: str = "indirect_injection"
    score: float = Field(default=0.9, ge=0, le=1)
    # which forms to look for; all of them by default (``fake_turns`` is the forged
    # conversation)
    patterns: list[Pattern | Literal["fake_turns"]] | None = Field(default=None, min_length=1)


class AddressedDetector:
    """Finds instructions addressed to the model inside documents and tool results."""

    type_name: ClassVar[str] = "addressed"
    sensitive: ClassVar[bool] = False
    Config: ClassVar[type[DetectorConfig]] = AddressedConfig

    def __init__(self, config: AddressedConfig):
        self.config = config
        wanted: list[str] = [*PATTERNS, "fake_turns"]
        if config.patterns is not None:
            wanted = list(config.patterns)
        self._patterns = {
            name: re.compile(PATTERNS[name], re.IGNORECASE) for name in wanted if name in PATTERNS
        }
        self._turns = "fake_turns" in wanted

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> AddressedDetector:
        assert isinstance(config, AddressedConfig)
        return cls(config)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return [self._findings(text) for text in texts]

    def _finding(self, start: int, end: int, pattern: str) -> Finding:
        return Finding(
            detector="addressed",
            category=self.config.category,
            start=start,
            end=end,
            score=self.config.score,
            threshold=self.config.score,
            evidence=f"pattern {pattern}",
        )

    def _findings(self, text: str) -> list[Finding]:
        found = [
            self._finding(match.start(), match.end(), name)
            for name, pattern in self._patterns.items()
            for match in pattern.finditer(text)
        ]
        if self._turns:
            ai, user = _TURN_AI.search(text), _TURN_USER.search(text)
            if ai is not None and user is not None:
                first, last = sorted((ai, user), key=lambda m: m.start())
                found.append(self._finding(first.start(), last.end(), "fake_turns"))
        return sorted(found, key=lambda f: (f.start, f.end))
