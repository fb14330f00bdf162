"""The secrets and regex detectors. Test tokens are built at run time, not pasted, so that
secret scanners do not flag this file."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from guard.detectors.base import DetectorContext
from guard.detectors.regex import RegexConfig, RegexDetector
from guard.detectors.secrets import SecretsConfig, SecretsDetector

AWS_ID = "AKIA" + "Q3EXAMPLE7KEY2ZZ"
GITHUB = "ghp_" + "a1B2" * 9
GITLAB = "glpat-" + "x9Y8z7W6v5U4t3S2r1Q0"
SLACK = "xoxb-" + "1234567890-abcdefghij"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
GOOGLE = "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
OPENAI = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8t"
JWT = (
    "eyJ"
    + "hbGciOiJIUzI1NiJ9"
    + "."
    + "eyJ"
    + "zdWIiOiIxMjM0NTY3ODkwIn0"
    + "."
    + "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
PEM_HEAD = "-----BEGIN " + "RSA PRIVATE KEY-----"
PEM_TAIL = "-----END " + "RSA PRIVATE KEY-----"
PEM_BODY = "\nMIIEowIBAAKCAQEA1x2y3z4" + "A" * 40 + "\n"
RANDOM = "q7Zr2Lm9Xw4Tp8Vn3Kd6Hs1Jf5Bc0Ga"


def _secrets(**settings: object) -> SecretsDetector:
    return SecretsDetector.create(SecretsConfig(**settings), DetectorContext())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        (AWS_ID, "aws_access_key_id"),
        (GITHUB, "github_token"),
        (GITLAB, "gitlab_token"),
        (SLACK, "slack_token"),
        (STRIPE, "stripe_key"),
        (GOOGLE, "google_api_key"),
        (OPENAI, "openai_api_key"),
        (JWT, "jwt"),
        (PEM_HEAD + PEM_BODY + PEM_TAIL, "private_key"),
        (RANDOM, "generic_high_entropy"),
    ],
)
async def test_each_kind_is_found_with_its_span_and_without_the_secret(
    token: str, kind: str
) -> None:
    text = f"config: {token} # do not share"
    [[finding]] = await _secrets().detect([text])
    assert finding.category == kind
    assert text[finding.start : finding.end] == token
    assert token not in finding.evidence and kind in finding.evidence


async def test_aws_secret_key_needs_its_context() -> None:
    value = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
    [[with_context], without] = await _secrets(entropy=False).detect(
        [f"aws_secret_access_key = {value}", f"value {value}"]
    )
    assert with_context.category == "aws_secret_access_key"
    assert without == []


async def test_private_key_still_arriving_is_covered_to_the_end() -> None:
    text = "here is the key:\n" + PEM_HEAD + PEM_BODY[:30]
    [[finding]] = await _secrets().detect([text])
    assert (finding.category, finding.end) == ("private_key", len(text))
    assert finding.start == text.index("-----BEGIN")


@pytest.mark.parametrize(
    "text",
    [
        "The quick brown fox jumps over the lazy dog, again and again and again.",
        "def get_user_by_email_address(session, email_address_value): return None",
        "See https://docs.example.com/guides/getting-started/installation-instructions",
        "Order 1234567890 shipped on 2024-05-01 to warehouse 42.",
    ],
)
async def test_ordinary_text_code_and_urls_are_not_secrets(text: str) -> None:
    assert await _secrets().detect([text]) == [[]]


async def test_kinds_restrict_and_unknown_kinds_are_refused() -> None:
    only_github = _secrets(kinds=["github_token"])
    assert await only_github.detect([f"{AWS_ID} {RANDOM}"]) == [[]]
    [[finding]] = await only_github.detect([GITHUB])
    assert finding.category == "github_token"
    with pytest.raises(ValidationError, match="unknown kinds \\['ssh_password'\\]"):
        SecretsConfig(kinds=["ssh_password"])


async def test_specific_kind_wins_over_generic_entropy() -> None:
    [findings] = await _secrets().detect([f"token={GITHUB}"])
    assert [f.category for f in findings] == ["github_token"]


def _regex(**settings: object) -> RegexDetector:
    return RegexDetector.create(RegexConfig(**settings), DetectorContext())  # type: ignore[arg-type]


async def test_regex_patterns_as_strings_or_named_with_scores() -> None:
    detector = _regex(
        patterns=[
            r"\bINV-\d{4}\b",
            {"name": "ticket", "pattern": r"\b[A-Z]{2,}-\d+\b", "score": 0.4},
        ],
        category="reference",
        min_score=0.5,
    )
    [findings] = await detector.detect(["Invoice INV-2024 and ticket OPS-7"])
    assert [(f.category, f.evidence, f.score) for f in findings] == [
        ("reference", "pattern pattern-1", 1.0)
    ]


async def test_regex_ignore_case_and_batches() -> None:
    detector = _regex(patterns=[{"name": "word", "pattern": "secret"}], ignore_case=True)
    results = await detector.detect(["SECRET plan", "nothing", "a secret"])
    assert [[(f.start, f.end) for f in r] for r in results] == [[(0, 6)], [], [(2, 8)]]


def test_invalid_regex_names_the_pattern() -> None:
    with pytest.raises(ValidationError, match="pattern 'broken' is not a valid regex"):
        RegexConfig(patterns=[{"name": "broken", "pattern": "(unclosed"}])
