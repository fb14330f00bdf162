"""Running a policy's rules for one stage over texts, and deciding what they mean.

Texts are normalized (so look-alike and invisible characters cannot hide anything), every
applicable rule's detector runs over every text (the detectors concurrently), and findings
are mapped back to offsets in the texts as sent. Results are cached per rule and text, so a
long conversation does not rescan its old turns. A detector that fails follows its rule's
``on_error``: ``block`` fails closed; ``allow`` fails open, which is counted, logged at
critical level and recorded on the decision.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from guard.detectors.base import Finding
from guard.policy.actions import Replacement
from guard.policy.base import Action, DetectorFailure, Fired, Stage, StageOutcome
from guard.policy.loader import CompiledRule, Policy
from guard.text.normalize import normalize

log = logging.getLogger(__name__)

PRECEDENCE: dict[str, int] = {"allow": 0, "flag": 1, "redact": 2, "pseudonymize": 2, "block": 3}
FAILURE_MESSAGE = "A safety check could not run, so the request was stopped (fail closed)."


def strongest(actions: list[Action]) -> Action:
    """block > redact/pseudonymize > flag > allow."""
    return max(actions, key=PRECEDENCE.__getitem__, default="allow")


class FindingsCache:
    """LRU of findings per (policy version, rule, stage, text)."""

    def __init__(self, size: int = 4096):
        self._size = size
        self._items: OrderedDict[tuple[str, str, str, str], list[Finding]] = OrderedDict()

    def get(self, key: tuple[str, str, str, str]) -> list[Finding] | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[str, str, str, str], findings: list[Finding]) -> None:
        self._items[key] = findings
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


@dataclass
class Evaluation:
    """A stage's outcome plus the spans to rewrite, per text."""

    outcome: StageOutcome
    replacements: list[list[Replacement]]


class Evaluator:
    """Evaluates policies on texts; one per process, holding the findings cache."""

    def __init__(
        self,
        *,
        cache: FindingsCache | None = None,
        on_fail_open: Callable[[str, str], None] = lambda rule, detector: None,
    ):
        self.cache = cache or FindingsCache()
        self._on_fail_open = on_fail_open

    async def evaluate(
        self,
        policy: Policy,
        stage: Stage,
        texts: list[str],
        roles: Sequence[str] | None = None,
        endpoint: str = "chat",
    ) -> Evaluation:
        """Every rule of the stage (for requests to ``endpoint``) over ``texts``; a rule
        with ``roles`` reads only the texts of those roles (``roles`` gives each text's; by
        default a prompt's are ``user`` and an answer's ``assistant``)."""
        started = time.perf_counter()
        rules = policy.rules_for(stage, endpoint)
        normalized = [normalize(text) for text in texts]
        if roles is None:
            roles = ["assistant" if stage == "output" else "user"] * len(texts)
        results = await asyncio.gather(
            *(
                self._rule_findings(policy, rule, stage, texts, normalized, _unread(rule, roles))
                for rule in rules
            ),
            return_exceptions=True,
        )
        outcome = StageOutcome(
            stage, policy=policy.name, policy_version=policy.version, policy_chain=policy.chain
        )
        replacements: list[list[Replacement]] = [[] for _ in texts]
        actions: list[Action] = []
        for rule, result in zip(rules, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result
                actions += self._failed(rule, result, outcome)
                continue
            for index, findings in enumerate(result):
                for found in findings:
                    action, finding, message = _in_band(rule, found)
                    outcome.fired.append(
                        Fired(
                            rule.id,
                            action,
                            rule.rule.mode,
                            stage,
                            index,
                            finding,
                            message,
                            sensitive=rule.sensitive,
                            withheld=rule.rule.redaction == "withhold",
                        )
                    )
                    if rule.rule.mode == "enforce":
                        actions.append(action)
                        if action in ("redact", "pseudonymize"):
                            style = "pseudonym" if action == "pseudonymize" else rule.rule.redaction
                            whole = style == "withhold"  # the message, not just the finding
                            replacements[index].append(
                                Replacement(
                                    0 if whole else finding.start,
                                    len(texts[index]) if whole else finding.end,
                                    finding.category,
                                    style,
                                    finding.score,
                                )
                            )
        outcome.action = strongest(actions)
        enforced = [f for f in outcome.fired if f.mode == "enforce"]
        outcome.rules = tuple(dict.fromkeys(f.rule_id for f in enforced))
        if outcome.action == "block":
            blocking = next((f for f in enforced if f.action == "block"), None)
            outcome.message = blocking.message if blocking else FAILURE_MESSAGE
            if any(f.fail_mode == "block" for f in outcome.failures):
                outcome.rules += tuple(
                    f.rule_id for f in outcome.failures if f.rule_id not in outcome.rules
                )
        outcome.elapsed_s = time.perf_counter() - started
        return Evaluation(outcome=outcome, replacements=replacements)

    def can_lead(self, policy: Policy, endpoint: str = "chat") -> bool:
        """Whether every output rule that reads answers (for requests to ``endpoint``) can say
        where a stream's tail may still become one of its findings (``stream_lead``)."""
        return all(
            callable(getattr(rule.detector, "stream_lead", None))
            and getattr(rule.detector, "can_lead", True)
            for rule in _answer_rules(policy, endpoint)
        )

    def stream_lead(self, policy: Policy, text: str, endpoint: str = "chat") -> int:
        """Where the end of an answer's ``text`` may still be the beginning of a finding of
        an output rule (for requests to ``endpoint``) that more text would complete: the
        earliest offset over the rules (each detector's ``stream_lead``, over the text as the
        detectors read it); 0 where a rule's detector cannot say or fails, ``len(text)`` when
        nothing is. A stream holds what lies from there (``StreamGuard``)."""
        normalized = normalize(text)
        held = len(normalized.text)
        for rule in _answer_rules(policy, endpoint):
            leading = getattr(rule.detector, "stream_lead", None)
            try:
                held = 0 if leading is None else min(held, int(leading(normalized.text)))
            except Exception:  # the scan itself reports what is wrong with the detector
                log.exception("stream_lead of rule %s failed; holding its whole window", rule.id)
                held = 0
            if held == 0:
                return 0
        return normalized.to_original(held, held)[0]

    def _failed(self, rule: CompiledRule, error: Exception, outcome: StageOutcome) -> list[Action]:
        detector = rule.rule.detector["type"]
        failure = DetectorFailure(
            rule.id,
            str(detector),
            f"{type(error).__name__}: {error}",
            rule.on_error,
            sensitive=rule.sensitive,
        )
        outcome.failures.append(failure)
        if rule.on_error == "allow":
            log.critical(
                "detector %s of rule %s failed and the rule fails OPEN: %s",
                detector,
                rule.id,
                failure.error,
            )
            self._on_fail_open(rule.id, str(detector))
            return []
        log.error(
            "detector %s of rule %s failed; failing closed: %s", detector, rule.id, failure.error
        )
        return ["block"]

    async def _rule_findings(
        self,
        policy: Policy,
        rule: CompiledRule,
        stage: Stage,
        texts: list[str],
        normalized: list,
        unread: frozenset[int] = frozenset(),
    ) -> list[list[Finding]]:
        results: list[list[Finding] | None] = []
        missing: list[int] = []
        for index, text in enumerate(texts):
            if index in unread:  # a role the rule does not read
                results.append([])
                continue
            cached = self.cache.get((policy.version, rule.id, stage, text))
            results.append(cached)
            if cached is None:
                missing.append(index)
        if missing:
            found = await rule.detector.detect([normalized[i].text for i in missing])
            for index, findings in zip(missing, found, strict=True):
                mapped = [_to_original(f, normalized[index]) for f in findings]
                self.cache.put((policy.version, rule.id, stage, texts[index]), mapped)
                results[index] = mapped
        merged = [r or [] for r in results]
        across = getattr(rule.detector, "across", None)
        if across is not None and len(texts) > 1:
            # Findings only the messages together show (never cached: they depend on the
            # neighbours). Each lands in its own message and takes the place of what it
            # covers there (the first half of a split card number read as a phone number).
            extra: list[list[Finding]] = across(
                ["" if i in unread else n.text for i, n in enumerate(normalized)]
            )
            for index, together in enumerate(extra):
                for finding in together:
                    spanned = _to_original(finding, normalized[index])
                    kept = [
                        f
                        for f in merged[index]
                        if not (spanned.start <= f.start and f.end <= spanned.end)
                    ]
                    merged[index] = sorted([*kept, spanned], key=lambda f: (f.start, -f.score))
        return merged


REVIEW_MESSAGE = "Allowed and flagged for review: the score is in the rule's review band."


def _in_band(rule: CompiledRule, finding: Finding) -> tuple[Action, Finding, str]:
    """The action a finding takes: the rule's, or ``flag`` inside the rule's review band."""
    if rule.threshold is None:
        return rule.rule.action, finding, rule.rule.text
    if finding.score >= rule.threshold:
        return rule.rule.action, replace(finding, threshold=rule.threshold), rule.rule.text
    details = {**finding.details, "review_band": [rule.rule.review, rule.threshold]}
    flagged = replace(finding, threshold=rule.threshold, details=details)
    return "flag", flagged, REVIEW_MESSAGE


def _to_original(finding: Finding, normalized: object) -> Finding:
    if not getattr(normalized, "changed", False):
        return finding
    start, end = normalized.to_original(finding.start, finding.end)  # type: ignore[attr-defined]
    return replace(finding, start=start, end=end)


def _answer_rules(policy: Policy, endpoint: str) -> list[CompiledRule]:
    """The output rules (for requests to ``endpoint``) that read the model's answers."""
    return [r for r in policy.rules_for("output", endpoint) if not _unread(r, ("assistant",))]


def _unread(rule: CompiledRule, roles: Sequence[str]) -> frozenset[int]:
    """The indexes of texts whose role the rule does not read."""
    wanted = rule.rule.roles
    if wanted is None:
        return frozenset()
    return frozenset(i for i, role in enumerate(roles) if role not in wanted)
