"""The Guard protocol: the seam where the input and output guards plug into the pipeline.

The pipeline calls ``check_input`` before generating (the guard may rewrite the request,
e.g. to redact it, or block it), ``check_output`` on a finished answer, and
``guard_stream`` around a stream of deltas; ``scan`` decides on texts without generating.
Each check returns a ``StageOutcome`` that the audit record keeps. A guard knows the app it
decides for by name only: the HTTP facts of a request stay in ``guard.api``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from guard.detectors.base import Finding
from guard.generators.base import Completion, GenerationRequest, StreamEvent

Stage = Literal["input", "output"]
Action = Literal["allow", "flag", "redact", "pseudonymize", "block"]


@dataclass(frozen=True)
class Fired:
    """A finding that fired a rule, with offsets into the text the caller sent.

    ``message_index`` is the chat message it was found in (0 for a plain text).
    """

    rule_id: str
    action: Action
    mode: Literal["enforce", "shadow"]
    stage: Stage
    message_index: int
    finding: Finding
    message: str
    # The detector reports personal data or secrets: never stored or shown in clear.
    sensitive: bool = False
    # The rule withholds the whole message from the model (``redaction: withhold``); what
    # it found stays readable for reviewers unless it is personal data.
    withheld: bool = False
    # Where the finding is, in words ("message 3 (tool), result of call_1"), when the
    # texts were messages and tool calls; see guard.policy.locate.
    where: str | None = None


@dataclass(frozen=True)
class DetectorFailure:
    """A detector that failed, and the fail mode its rule applied."""

    rule_id: str
    detector: str
    error: str
    fail_mode: Literal["block", "allow"]
    # The detector looks for personal data or secrets: what it could not read is not stored.
    sensitive: bool = False


@dataclass
class StageOutcome:
    """What one guard stage decided, why, and how long it took."""

    stage: Stage
    action: Action = "allow"
    rules: tuple[str, ...] = ()
    elapsed_s: float = 0.0
    fired: list[Fired] = field(default_factory=list)
    failures: list[DetectorFailure] = field(default_factory=list)
    policy: str | None = None
    policy_version: str | None = None
    # the policy and those it extends, each name@version, the deciding one first
    policy_chain: tuple[str, ...] = ()
    message: str | None = None
    # The stage's texts as the audit log keeps them (see guard.policy.audit_view), and
    # per text the highlighted spans in them.
    redacted: list[str] = field(default_factory=list)
    highlights: list[list[dict[str, Any]]] = field(default_factory=list)

    @property
    def shadow_rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.rule_id for f in self.fired if f.mode == "shadow"))


@dataclass
class InputVerdict:
    """The request to generate from (possibly rewritten) and the input stage's outcome.

    ``state`` is the guard's per-request memory (e.g. pseudonym mappings), handed back to
    the output stage and dropped with the request.
    """

    request: GenerationRequest
    outcome: StageOutcome
    state: Any = None


@dataclass
class OutputVerdict:
    completion: Completion
    outcome: StageOutcome = field(default_factory=lambda: StageOutcome("output"))


class Guard(Protocol):
    """Checks prompts and answers for one request of the app named ``app``."""

    async def check_input(self, app: str, request: GenerationRequest) -> InputVerdict:
        """Decide on the prompt before it reaches the generator (constraints included)."""

    async def check_output(self, verdict: InputVerdict, completion: Completion) -> OutputVerdict:
        """Decide on a finished answer before the caller sees it."""

    def guard_stream(
        self,
        verdict: InputVerdict,
        events: AsyncIterator[StreamEvent],
        outcome: StageOutcome,
    ) -> AsyncIterator[StreamEvent]:
        """Wrap a stream of deltas; record the output decision into ``outcome``."""

    async def scan(
        self,
        app: str,
        stage: Stage,
        texts: list[str],
        roles: list[str] | None = None,
        endpoint: str = "chat",
    ) -> tuple[StageOutcome, list[str]]:
        """Decide on texts without generating (as sent to ``endpoint``: ``embeddings`` for
        texts to embed): the stage's outcome and the rewritten texts."""
