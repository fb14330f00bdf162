"""The Guard protocol: the seam where the input and output guards plug into the pipeline.

The pipeline calls ``check_input`` before generating (the guard may rewrite the request,
e.g. to redact it, or block it), ``check_output`` on a finished answer, and
``guard_stream`` around a stream of deltas. Each check returns a ``StageOutcome`` that the
audit record keeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from guard.generators.base import Completion, GenerationRequest, StreamEvent

Stage = Literal["input", "output"]
Action = Literal["allow", "flag", "redact", "pseudonymize", "block"]


@dataclass
class RequestContext:
    """Who is asking and under which ids; one per HTTP request.

    ``action`` is the decision so far: the input stage's once the prompt is checked, the
    final one when the request ends. The HTTP layer reports it in ``x-guard-decision``.
    """

    decision_id: str
    request_id: str
    endpoint: str
    app: str = "anonymous"
    key_id: str | None = None
    action: Action = "allow"


@dataclass
class StageOutcome:
    """What one guard stage decided, and how long it took."""

    stage: Stage
    action: Action = "allow"
    rules: tuple[str, ...] = ()
    elapsed_s: float = 0.0


@dataclass
class InputVerdict:
    """The request to generate from (possibly rewritten) and the input stage's outcome."""

    request: GenerationRequest
    outcome: StageOutcome


@dataclass
class OutputVerdict:
    completion: Completion
    outcome: StageOutcome = field(default_factory=lambda: StageOutcome("output"))


class Guard(Protocol):
    """Checks prompts and answers for one request."""

    async def check_input(self, ctx: RequestContext, request: GenerationRequest) -> InputVerdict:
        """Decide on the prompt before it reaches the generator."""

    async def check_output(
        self, ctx: RequestContext, request: GenerationRequest, completion: Completion
    ) -> OutputVerdict:
        """Decide on a finished answer before the caller sees it."""

    def guard_stream(
        self,
        ctx: RequestContext,
        request: GenerationRequest,
        events: AsyncIterator[StreamEvent],
        outcome: StageOutcome,
    ) -> AsyncIterator[StreamEvent]:
        """Wrap a stream of deltas; record the output decision into ``outcome``."""
