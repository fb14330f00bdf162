"""Uncertain means review, not refuse: a rule's review band allows and flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.detectors.base import DetectorContext
from guard.policy.evaluate import Evaluator
from guard.policy.explain import explain
from guard.policy.loader import PolicyLoadError, load_policies

POLICY = """
name: default
rules:
  - id: leak
    stages: [input]
    detector:
      type: regex
      category: internal_code
      min_score: 0.8
      patterns:
        - {name: maybe, pattern: 'PRJ-\\d+', score: 0.6}
        - {name: surely, pattern: 'SECRET-\\d+', score: 0.95}
        - {name: noise, pattern: 'TMP-\\d+', score: 0.3}
    action: block
    review: 0.5
"""


def _policy(tmp_path: Path, text: str = POLICY):  # type: ignore[no-untyped-def]
    (tmp_path / "p.yaml").write_text(text)
    return load_policies([tmp_path], DetectorContext(policy_dir=tmp_path)).for_app("x")


@pytest.mark.parametrize(
    ("text", "action", "flagged"),
    [
        ("see SECRET-1", "block", False),  # over the threshold: the rule acts
        ("see PRJ-7", "flag", True),  # in the band: allowed, flagged for review
        ("see TMP-3", "allow", False),  # under the band: nothing
    ],
)
async def test_scores_in_the_review_band_are_flagged_not_blocked(
    tmp_path: Path, text: str, action: str, flagged: bool
) -> None:
    outcome = (await Evaluator().evaluate(_policy(tmp_path), "input", [text])).outcome
    assert outcome.action == action
    in_band = [f for f in outcome.fired if "review_band" in f.finding.details]
    assert bool(in_band) is flagged
    if flagged:
        [fired] = in_band
        assert fired.action == "flag" and fired.finding.threshold == 0.8
        assert fired.finding.details["review_band"] == [0.5, 0.8]
        [item] = explain([outcome])
        assert "review band" in item["sentences"][0] and "threshold 0.80" in item["sentences"][0]


def test_a_review_band_must_sit_under_the_threshold_of_a_detector_that_has_one(
    tmp_path: Path,
) -> None:
    with pytest.raises(
        PolicyLoadError, match=r"p.yaml:\d+: rule leak: review \(0.9\) must be below"
    ):
        _policy(tmp_path, POLICY.replace("review: 0.5", "review: 0.9"))
    keywords = (
        "name: default\nrules:\n  - {id: k, stages: [input], detector: {type: keywords, "
        "words: [x]}, action: block, review: 0.2}\n"
    )
    with pytest.raises(PolicyLoadError, match="review needs a detector with a threshold"):
        _policy(tmp_path, keywords)


async def test_a_request_in_the_review_band_is_answered_audited_and_counted(tmp_path: Path) -> None:
    from guard.generators.base import ChatMessage, GenerationRequest
    from guard.generators.fake import FAKE_MODEL, FakeGenerator
    from guard.metrics import Metrics
    from guard.pipeline import Origin, Pipeline
    from guard.policy.engine import PolicyGuard
    from guard.policy.store import PolicyStore
    from tests.recording_audit import RecordingAuditSink

    (tmp_path / "p.yaml").write_text(POLICY)
    store = PolicyStore(tmp_path, DetectorContext(policy_dir=tmp_path))
    store.load()
    metrics, audit = Metrics(), RecordingAuditSink()
    pipeline = Pipeline(
        generator=FakeGenerator(),
        guard=PolicyGuard(store, Evaluator()),
        audit=audit,
        metrics=metrics,
        replica="t",
    )
    request = GenerationRequest(FAKE_MODEL, messages=(ChatMessage("user", "status of PRJ-7?"),))
    answer = await pipeline.complete(Origin("d", "r", "/v1/chat/completions"), request)
    assert answer.completion.choices[0].text.endswith("status of PRJ-7?")
    assert answer.decision.action == "flag"
    [record] = audit.records
    assert record.action == "flag" and record.stages[0].rules == ("leak",)
    assert metrics.registry.get_sample_value("guard_review_band_total", {"rule": "leak"}) == 1
