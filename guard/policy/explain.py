"""Explanations, built from findings: a structured record and one sentence per fired rule.

They name the rule, stage, detector, entity or category, score against threshold, span
and evidence (a pattern's name, a model, an example phrase), never the matched text, so
they are safe to show to any reviewer.
"""

from __future__ import annotations

from typing import Any

from guard.policy.base import DetectorFailure, Fired, StageOutcome

_VERBS = {
    "block": "blocked the request",
    "redact": "redacted it",
    "pseudonymize": "replaced it with a placeholder",
    "flag": "flagged it for review",
    "allow": "allowed it",
}


def finding_record(fired: Fired) -> dict[str, Any]:
    """One finding as the scan API and the audit log show it."""
    f = fired.finding
    return {
        "rule_id": fired.rule_id,
        "stage": fired.stage,
        "detector": f.detector,
        "category": f.category,
        "action": fired.action,
        "mode": fired.mode,
        "message_index": fired.message_index,
        "where": fired.where,
        "start": f.start,
        "end": f.end,
        "score": f.score,
        "threshold": f.threshold,
        "evidence": f.evidence,
    }


def sentence(fired: Fired) -> str:
    f = fired.finding
    place = fired.where or f"message {fired.message_index}"
    where = f"characters {f.start}-{f.end} of {place}"
    verb = _VERBS.get(fired.action, fired.action)
    if fired.mode == "shadow":
        verb = f"in shadow mode took no action (enforced, it would have {verb})"
    evidence = f" via {f.evidence}" if f.evidence else ""
    return (
        f"Rule {fired.rule_id} ({fired.stage} stage) found {f.category} at {where} "
        f"with score {f.score:.2f} against threshold {f.threshold:.2f}{evidence}, "
        f"and {verb}: {fired.message}"
    )


def explain(outcomes: list[StageOutcome]) -> list[dict[str, Any]]:
    """Per fired rule: the structured record, its findings, and a human sentence."""
    explanation: list[dict[str, Any]] = []
    for outcome in outcomes:
        by_rule: dict[str, list[Fired]] = {}
        for fired in outcome.fired:
            by_rule.setdefault(fired.rule_id, []).append(fired)
        for rule_id, fired_list in by_rule.items():
            first = fired_list[0]
            explanation.append(
                {
                    "rule_id": rule_id,
                    "stage": outcome.stage,
                    "detector": first.finding.detector,
                    "action": first.action,
                    "mode": first.mode,
                    "message": first.message,
                    "policy": outcome.policy,
                    "policy_version": outcome.policy_version,
                    "policy_chain": list(outcome.policy_chain),
                    "findings": [finding_record(f) for f in fired_list],
                    "sentences": [sentence(f) for f in fired_list],
                }
            )
        for failure in outcome.failures:
            explanation.append(
                {
                    "rule_id": failure.rule_id,
                    "stage": outcome.stage,
                    "detector": failure.detector,
                    "action": "block" if failure.fail_mode == "block" else "allow",
                    "mode": "enforce",
                    "message": "detector failed",
                    "policy": outcome.policy,
                    "policy_version": outcome.policy_version,
                    "findings": [],
                    "sentences": [_failure_sentence(failure, outcome.stage)],
                }
            )
    return explanation


def _failure_sentence(failure: DetectorFailure, stage: str) -> str:
    result = "blocked" if failure.fail_mode == "block" else "allowed unchecked by this rule"
    return (
        f"Rule {failure.rule_id}'s {failure.detector} detector failed ({failure.error}); "
        f"its fail mode is {failure.fail_mode}, so the {stage} was {result}."
    )
