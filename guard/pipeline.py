"""The request pipeline: input guard → generate → output guard → audit.

Every request that reaches the pipeline leaves exactly one ``DecisionRecord``, whether it
is answered, fails, or is abandoned by its caller mid-stream.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import UTC, datetime

from guard.audit.record import DecisionRecord
from guard.audit.sink import AuditSink
from guard.errors import ContentBlockedError, GuardError
from guard.generators.base import (
    Completion,
    Delta,
    GenerationRequest,
    Generator,
    StreamEvent,
    Usage,
    close_events,
)
from guard.metrics import Metrics
from guard.policy.base import Action, Guard, InputVerdict, RequestContext, Stage, StageOutcome

_PRECEDENCE = {"allow": 0, "flag": 1, "redact": 2, "pseudonymize": 2, "block": 3}


def _strongest(stages: list[StageOutcome]) -> Action:
    """The decision across stages: block > redact/pseudonymize > flag > allow."""
    return max((s.action for s in stages), key=_PRECEDENCE.__getitem__, default="allow")


def _texts(request: GenerationRequest) -> list[str]:
    return [m.content for m in request.messages] if request.messages else [request.prompt or ""]


def _transcript(request: GenerationRequest, texts: list[str]) -> str:
    """Messages as one text for the audit log: ``[role] content`` blocks."""
    if request.messages is None:
        return texts[0] if texts else ""
    return "\n\n".join(f"[{m.role}] {t}" for m, t in zip(request.messages, texts, strict=False))


def _report(ctx: RequestContext, stages: list[StageOutcome]) -> None:
    """Tell the HTTP layer the decision so far (x-guard-decision, the guard field)."""
    ctx.action = _strongest(stages)
    ctx.rules = tuple(dict.fromkeys(r for s in stages for r in s.rules))


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


class Pipeline:
    """Runs one request through the guards and the generator, and audits it."""

    def __init__(
        self,
        *,
        generator: Generator,
        guard: Guard,
        audit: AuditSink,
        metrics: Metrics,
        replica: str,
        store_raw: bool = False,
    ):
        self.generator = generator
        self.guard = guard
        self.audit = audit
        self.metrics = metrics
        self.replica = replica
        self.store_raw = store_raw

    def _record(
        self, ctx: RequestContext, request: GenerationRequest | None, stream: bool
    ) -> DecisionRecord:
        """A new record for this request; ``request`` is None for a scan (nothing generated)."""
        params = {}
        if request is not None:
            params = {k: v for k, v in asdict(request.params).items() if v not in (None, ())}
        return DecisionRecord(
            decision_id=ctx.decision_id,
            request_id=ctx.request_id,
            time=datetime.now(UTC),
            endpoint=ctx.endpoint,
            app=ctx.app,
            key_id=ctx.key_id,
            replica=self.replica,
            model=request.model if request is not None else "",
            stream=stream,
            params=params,
        )

    async def _finish(
        self, ctx: RequestContext, record: DecisionRecord, error: BaseException | None
    ) -> None:
        if isinstance(error, ContentBlockedError):
            pass  # a block is a decision, not a failure
        elif isinstance(error, GuardError):
            record.outcome, record.error_code = "error", error.code or error.error_type
        elif isinstance(error, GeneratorExit | asyncio.CancelledError):
            record.outcome = "cancelled"
        elif error is not None:
            record.outcome, record.error_code = "error", type(error).__name__
        record.action = _strongest(record.stages)
        for stage in record.stages:
            if stage.stage == "output" and stage.redacted:
                record.redacted_answer = "\n\n".join(stage.redacted)
        policies = [s for s in record.stages if s.policy]
        if policies:
            record.policy, record.policy_version = policies[0].policy, policies[0].policy_version
        _report(ctx, record.stages)
        ctx.audited = True
        for stage in record.stages:
            self.metrics.decisions.labels(stage=stage.stage, action=stage.action).inc()
        await self.audit.record(record)

    async def record_rejected(
        self,
        *,
        decision_id: str,
        request_id: str,
        endpoint: str,
        status: int,
        ctx: RequestContext | None,
    ) -> None:
        """Audit a request refused before it reached the pipeline (bad JSON, 413, 401, …)."""
        context = ctx or RequestContext(
            decision_id=decision_id, request_id=request_id, endpoint=endpoint, app="unknown"
        )
        record = self._record(context, None, stream=False)
        record.outcome, record.error_code = "error", f"http_{status}"
        await self._finish(context, record, None)

    async def _check_input(
        self, ctx: RequestContext, request: GenerationRequest, record: DecisionRecord
    ) -> InputVerdict:
        """Run the input guard; a block becomes the 400 the caller gets."""
        if self.store_raw:
            record.raw = {"prompt": _transcript(request, _texts(request))}
        verdict = await self.guard.check_input(ctx, request)
        record.stages.append(verdict.outcome)
        if verdict.outcome.redacted:
            record.redacted_prompt = _transcript(request, verdict.outcome.redacted)
        ctx.action = verdict.outcome.action
        ctx.rules = verdict.outcome.rules
        if verdict.outcome.action == "block":
            raise ContentBlockedError(
                verdict.outcome.message or "The request was blocked by the content policy.",
                decision_id=ctx.decision_id,
                rules=verdict.outcome.rules,
            )
        return verdict

    async def scan(
        self, ctx: RequestContext, stage: Stage, texts: list[str]
    ) -> tuple[StageOutcome, list[str]]:
        """Decide on texts without generating (``POST /v1/guard/scan``); audited like the rest."""
        record = self._record(ctx, None, stream=False)
        error: BaseException | None = None
        try:
            scan = getattr(self.guard, "scan", None)
            if scan is None:
                outcome, rewritten = StageOutcome(stage), list(texts)
            else:
                evaluation, rewritten = await scan(ctx, stage, texts)
                outcome = evaluation.outcome
            record.stages.append(outcome)
            return outcome, rewritten
        except BaseException as exc:
            error = exc
            raise
        finally:
            await self._finish(ctx, record, error)

    async def complete(self, ctx: RequestContext, request: GenerationRequest) -> Completion:
        """Guard, generate and guard a whole answer."""
        record = self._record(ctx, request, stream=False)
        error: BaseException | None = None
        self.metrics.in_flight.inc()
        try:
            start = time.perf_counter()
            verdict = await self._check_input(ctx, request, record)
            generated = time.perf_counter()
            completion = await self.generator.complete(verdict.request)
            checked = time.perf_counter()
            record.guard_input_ms = _ms(generated - start)
            record.generation_ms = _ms(checked - generated)
            output = await self.guard.check_output(ctx, verdict, completion)
            record.stages.append(output.outcome)
            record.guard_output_ms = _ms(time.perf_counter() - checked)
            if record.raw is not None:
                record.raw["answer"] = "\n\n".join(c.text for c in completion.choices)
            usage = output.completion.usage
            record.prompt_tokens, record.completion_tokens = (
                usage.prompt_tokens,
                usage.completion_tokens,
            )
            self.metrics.observe_generation(
                request.model, usage.completion_tokens, checked - generated
            )
            return output.completion
        except BaseException as exc:
            error = exc
            raise
        finally:
            self.metrics.in_flight.dec()
            await self._finish(ctx, record, error)

    async def stream(
        self, ctx: RequestContext, request: GenerationRequest
    ) -> AsyncIterator[StreamEvent]:
        """Guard the prompt and start generating; errors so far raise before any response.

        The returned iterator yields guarded deltas and audits the request when it ends,
        however it ends.
        """
        record = self._record(ctx, request, stream=True)
        start = time.perf_counter()
        try:
            verdict = await self.guard.check_input(ctx, request)
            record.stages.append(verdict.outcome)
            ctx.action = verdict.outcome.action
            record.guard_input_ms = _ms(time.perf_counter() - start)
            events = await self.generator.stream(verdict.request)
        except BaseException as exc:
            await self._finish(ctx, record, exc)
            raise
        output = StageOutcome("output")
        guarded = self.guard.guard_stream(ctx, verdict, events, output)
        return self._audited(ctx, record, guarded, output, start)

    async def _audited(
        self,
        ctx: RequestContext,
        record: DecisionRecord,
        events: AsyncIterator[StreamEvent],
        output: StageOutcome,
        start: float,
    ) -> AsyncIterator[StreamEvent]:
        error: BaseException | None = None
        began = time.perf_counter()
        first: float | None = None
        self.metrics.in_flight.inc()
        try:
            async for event in events:
                if first is None and isinstance(event, Delta) and event.text:
                    first = time.perf_counter()
                    record.time_to_first_token_ms = _ms(first - start)
                    self.metrics.time_to_first_token.labels(model=record.model).observe(
                        first - start
                    )
                if isinstance(event, Delta) and event.finish_reason == "content_filter":
                    _report(ctx, [*record.stages, output])  # the caller hears why, now
                if record.raw is not None and isinstance(event, Delta):
                    record.raw["answer"] = record.raw.get("answer", "") + event.text
                if isinstance(event, Usage):
                    record.prompt_tokens = event.prompt_tokens
                    record.completion_tokens = event.completion_tokens
                yield event
        except BaseException as exc:
            error = exc
            raise
        finally:
            await close_events(events)
            self.metrics.in_flight.dec()
            elapsed = time.perf_counter() - began
            record.generation_ms = _ms(elapsed)
            record.guard_output_ms = _ms(output.elapsed_s)
            record.stages.append(output)
            self.metrics.observe_generation(record.model, record.completion_tokens, elapsed)
            await self._finish(ctx, record, error)
