"""PassThroughGuard: allows everything. The explicit seam the policy engine replaces."""

from __future__ import annotations

from collections.abc import AsyncIterator

from guard.generators.base import Completion, GenerationRequest, StreamEvent
from guard.policy.base import InputVerdict, OutputVerdict, Stage, StageOutcome


class PassThroughGuard:
    """A ``Guard`` that decides ``allow`` at both stages without looking at the text."""

    async def check_input(self, app: str, request: GenerationRequest) -> InputVerdict:
        return InputVerdict(request=request, outcome=StageOutcome("input"))

    async def check_output(self, verdict: InputVerdict, completion: Completion) -> OutputVerdict:
        return OutputVerdict(completion=completion, outcome=StageOutcome("output"))

    def guard_stream(
        self,
        verdict: InputVerdict,
        events: AsyncIterator[StreamEvent],
        outcome: StageOutcome,
    ) -> AsyncIterator[StreamEvent]:
        return events

    async def scan(
        self,
        app: str,
        stage: Stage,
        texts: list[str],
        roles: list[str] | None = None,
        endpoint: str = "chat",
    ) -> tuple[StageOutcome, list[str]]:
        return StageOutcome(stage), list(texts)
