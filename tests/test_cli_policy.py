"""`guard policy validate | test | explain` as a policy author uses them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from guard.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

GOOD = """\
name: default
rules:
  - id: no-fruit
    stages: [input]
    detector: {type: keywords, words: [durian]}
    action: block
    message: No durians.
tests:
  - {stage: input, text: "I love durian", expect: {action: block, rules: [no-fruit]}}
  - {stage: input, text: "I love apples", expect: {action: allow}}
"""


def test_validate_prints_file_line_reason_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        GOOD.replace("action: block", "action: block\n    color: red", 1)
    )
    result = runner.invoke(app, ["policy", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'p.yaml'}:7: rules.0: unknown key 'color'" in result.output


def test_validate_accepts_the_shipped_pack() -> None:
    result = runner.invoke(app, ["policy", "validate", str(ROOT / "policies")])
    assert result.exit_code == 0, result.output
    assert "ok: policy default version" in result.output


def test_policy_test_runs_embedded_tests_and_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(GOOD)
    passing = runner.invoke(app, ["policy", "test", str(tmp_path)])
    assert passing.exit_code == 0, passing.output
    assert "2 passed, 0 failed" in passing.output
    (tmp_path / "p.yaml").write_text(GOOD.replace("I love apples", "I love durian pie"))
    failing = runner.invoke(app, ["policy", "test", str(tmp_path)])
    assert failing.exit_code == 1
    assert "1 passed, 1 failed" in failing.output and "expected allow, got block" in failing.output


def test_shipped_policy_pack_passes_its_own_tests() -> None:
    result = runner.invoke(app, ["policy", "test", str(ROOT / "policies")])
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output


def test_explain_prints_the_decision_and_why(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(GOOD)
    result = runner.invoke(app, ["policy", "explain", "Durian, please", "--policy", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "decision: block" in result.output
    assert (
        "Rule no-fruit (input stage) found keyword at characters 0-6 of message 0" in result.output
    )
    assert "No durians." in result.output


@pytest.mark.slow
def test_the_optional_adversarial_suffix_policy_passes_its_own_tests() -> None:
    result = runner.invoke(app, ["policy", "test", str(ROOT / "policies" / "optional")])
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed" in result.output
