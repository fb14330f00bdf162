"""Running the tests embedded in policy files, with the real detectors."""

from __future__ import annotations

from dataclasses import dataclass

from guard.policy.base import Stage
from guard.policy.evaluate import Evaluator
from guard.policy.loader import Policy, PolicySet
from guard.policy.schema import PolicyTest


@dataclass(frozen=True)
class TestResult:
    """One embedded test: what was expected, what happened, and whether they agree."""

    __test__ = False  # not a pytest class

    policy: str
    file: str
    index: int
    test: PolicyTest
    action: str
    rules: tuple[str, ...]
    shadow_rules: tuple[str, ...]
    problem: str | None

    @property
    def passed(self) -> bool:
        return self.problem is None

    @property
    def label(self) -> str:
        text = self.test.name or (
            self.test.text or " / ".join(m.content for m in self.test.messages or ())
        )
        return text if len(text) <= 60 else text[:57] + "..."


async def run_policy_tests(
    policies: PolicySet, evaluator: Evaluator | None = None
) -> list[TestResult]:
    """Evaluate every embedded test against its own (merged) policy."""
    evaluator = evaluator or Evaluator()
    results = []
    for policy in policies.policies.values():
        per_file: dict[str, int] = {}
        for file, test in policy.tests:
            index = per_file[file] = per_file.get(file, -1) + 1
            evaluation = await evaluator.evaluate(
                policy, test.stage, test.texts(), test.roles(), test.endpoint
            )
            outcome = evaluation.outcome
            problems = []
            if outcome.action != test.expect.action:
                problems.append(f"expected {test.expect.action}, got {outcome.action}")
            if test.expect.rules is not None and set(outcome.rules) != set(test.expect.rules):
                problems.append(
                    f"expected rules {sorted(test.expect.rules)}, got {sorted(outcome.rules)}"
                )
            if test.expect.shadow_rules is not None and set(outcome.shadow_rules) != set(
                test.expect.shadow_rules
            ):
                problems.append(
                    f"expected shadow rules {sorted(test.expect.shadow_rules)}, "
                    f"got {sorted(outcome.shadow_rules)}"
                )
            for failure in outcome.failures:
                problems.append(f"detector of rule {failure.rule_id} failed: {failure.error}")
            results.append(
                TestResult(
                    policy=policy.name,
                    file=file,
                    index=index,
                    test=test,
                    action=outcome.action,
                    rules=outcome.rules,
                    shadow_rules=outcome.shadow_rules,
                    problem="; ".join(problems) or None,
                )
            )
    return results


async def reproduction_problem(
    policy: Policy,
    stage: Stage,
    texts: list[str],
    *,
    action: str,
    rules: tuple[str, ...],
    evaluator: Evaluator | None = None,
) -> str | None:
    """Why ``policy`` does not reach the recorded decision on ``texts``, or None if it does.

    A test case written from the audit log holds the text as stored (personal data
    replaced); it proves something only if that text still gives the decision the reviewer
    judged: the same action, by every rule in ``rules`` (the rules that decided it).
    """
    outcome = (await (evaluator or Evaluator()).evaluate(policy, stage, texts)).outcome
    if outcome.failures:
        return f"a detector failed on the stored text ({outcome.failures[0].error})"
    if outcome.action != action or not set(rules) <= set(outcome.rules):
        was = f"{action} by [{', '.join(rules)}]"
        now = f"{outcome.action} by [{', '.join(outcome.rules)}]"
        return f"the stored text gives {now}, not the recorded {was}"
    return None
