"""Secrets detector: cloud and VCS tokens, private keys, JWTs and high-entropy strings.

Specific kinds are recognised by their published formats; anything else long and random
enough (Shannon entropy per character) is reported as ``generic_high_entropy``. A PEM
private key is matched from its BEGIN line to its END line, or to the end of the text when
the END line has not arrived yet, so a key that is still streaming in is held back whole.
Evidence names the kind (and the entropy), never the secret.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from guard.detectors.base import DetectorConfig, DetectorContext, Finding
from guard.detectors.leads import earliest, lead, trailing

KINDS: dict[str, tuple[str, float]] = {
    "aws_access_key_id": (r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b", 1.0),
    "aws_secret_access_key": (
        r"(?i)(?:aws_secret_access_key|aws_secret|secret_access_key)[\"'\s:=]{1,6}"
        r"(?-i:[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
        0.9,
    ),
    "github_token": (
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b",
        1.0,
    ),
    "gitlab_token": (r"\bglpat-[A-Za-z0-9_-]{20,}\b", 1.0),
    "slack_token": (r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b", 1.0),
    "stripe_key": (r"\b(?:sk|rk)_live_[A-Za-z0-9]{24,}\b", 1.0),
    "google_api_key": (r"\bAIza[0-9A-Za-z_-]{35}\b", 1.0),
    "openai_api_key": (r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}\b", 1.0),
    "private_key": (
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*\Z)",
        1.0,
    ),
    "jwt": (r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", 1.0),
}
GENERIC = "generic_high_entropy"
_CANDIDATE = re.compile(r"[A-Za-z0-9+/=_-]+")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_MAX_BITS = 6.0  # log2(64): the most a base64 character can carry


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``."""
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


class SecretsConfig(DetectorConfig):
    type: Literal["secrets"] = "secrets"
    kinds: list[str] | None = None
    entropy: bool = True
    min_entropy: float = Field(default=4.0, gt=0, le=_MAX_BITS)
    min_length: int = Field(default=20, ge=8)

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            unknown = sorted(set(value) - set(KINDS) - {GENERIC})
            if unknown:
                raise ValueError(f"unknown kinds {unknown}; known: {', '.join([*KINDS, GENERIC])}")
        return value


class SecretsDetector:
    """Finds credentials by format, and long random strings by entropy."""

    type_name: ClassVar[str] = "secrets"
    sensitive: ClassVar[bool] = True
    Config: ClassVar[type[DetectorConfig]] = SecretsConfig

    def __init__(self, config: SecretsConfig):
        self.config = config
        wanted = set(config.kinds) if config.kinds is not None else {*KINDS, GENERIC}
        self._kinds = [
            (kind, re.compile(rx), score) for kind, (rx, score) in KINDS.items() if kind in wanted
        ]
        self._generic = config.entropy and GENERIC in wanted
        self._leads = [lead(pattern) for _, pattern, _ in self._kinds]

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> SecretsDetector:
        assert isinstance(config, SecretsConfig)
        return cls(config)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return [self._find(text) for text in texts]

    def stream_lead(self, text: str) -> int:
        """Where a credential may still be arriving: a prefix of a kind's format, or (for
        the entropy check) the run of token characters the text ends in."""
        held = earliest(self._leads, text)
        return min(held, trailing(r"A-Za-z0-9+/=_\-", text)) if self._generic else held

    def _find(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        for kind, pattern, score in self._kinds:
            for match in pattern.finditer(text):
                found.append(
                    Finding(
                        "secrets", kind, match.start(), match.end(), score, score, f"rule {kind}"
                    )
                )
        if self._generic:
            found += self._high_entropy(text, found)
        return _most_specific(found)

    def _high_entropy(self, text: str, specific: list[Finding]) -> list[Finding]:
        findings = []
        for match in _CANDIDATE.finditer(text):
            token = match.group().strip("=-_")
            start = match.start() + match.group().index(token) if token else match.start()
            end = start + len(token)
            if len(token) < self.config.min_length or _covered(start, end, specific):
                continue
            if not (any(c.isdigit() for c in token) and any(c.isalpha() for c in token)):
                continue  # words and numbers alone are not secrets
            bits = shannon_entropy(token)
            is_hex = bool(_HEX.match(token))
            bar = 3.0 if is_hex else self.config.min_entropy
            if (is_hex and len(token) < 32) or bits < bar:
                continue
            findings.append(
                Finding(
                    detector="secrets",
                    category=GENERIC,
                    start=start,
                    end=end,
                    score=round(min(1.0, bits / (4.0 if is_hex else _MAX_BITS)), 3),
                    threshold=round(bar / (4.0 if is_hex else _MAX_BITS), 3),
                    evidence=f"rule {GENERIC}",
                    details={"entropy_bits_per_char": round(bits, 2), "hex": is_hex},
                )
            )
        return findings


def _covered(start: int, end: int, findings: list[Finding]) -> bool:
    return any(f.start <= start and end <= f.end for f in findings)


def _most_specific(findings: list[Finding]) -> list[Finding]:
    """Drop findings inside others: specific kinds first, then the longer match."""
    ranked = sorted(findings, key=lambda f: (f.category == GENERIC, -(f.end - f.start), f.start))
    kept: list[Finding] = []
    for finding in ranked:
        if not any(k.start < finding.end and finding.start < k.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)
