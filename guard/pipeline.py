"""The request pipeline: admission (input guard) → generate → output guard → audit.

Every path (a whole answer, a stream, a scan) starts in one function, ``Pipeline._admit``:
it builds the request's record, runs the input guard, fills the record's input fields (the
stored prompt, the raw text when asked for, the timings), and turns a block into a
``ContentBlockedError`` before any byte of a response exists. No path builds a record or
reads the input verdict any other way, so the paths cannot drift apart.

Every admitted request leaves exactly one ``DecisionRecord``, whether it is answered,
blocked, fails, or is abandoned by its caller mid-stream: the ``_Admission`` that owns the
record writes it once, on the first of its possible ends. What the HTTP layer reports (the
``x-guard-decision`` header, the ``guard`` field) is a ``Decision`` value read from it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

from guard.audit.cards import card_hash, card_numbers
from guard.audit.record import DecisionRecord
from guard.audit.sink import AuditSink
from guard.audit.subjects import subject_hash
from guard.errors import (
    ContentBlockedError,
    GuardError,
    InvalidRequestError,
    PayloadTooLargeError,
)
from guard.generators.base import (
    Completion,
    Delta,
    Embedder,
    EmbeddingRequest,
    Embeddings,
    GenerationRequest,
    Generator,
    StreamEvent,
    Usage,
    close_events,
)
from guard.metrics import Metrics
from guard.policy.base import Action, Guard, InputVerdict, Stage, StageOutcome
from guard.policy.evaluate import strongest


@dataclass(frozen=True)
class Origin:
    """Who sent a request and under which ids: what the pipeline needs of the HTTP layer."""

    decision_id: str
    request_id: str
    endpoint: str
    app: str = "anonymous"
    key_id: str | None = None
    user: str | None = None  # the end user (``user``, ``x-guard-user``): kept only hashed
    session: str | None = None  # the session the app names (``x-guard-session``)


@dataclass(frozen=True)
class Decision:
    """The decision on a request so far: the strongest action of its stages and their rules."""

    decision_id: str
    action: Action = "allow"
    rules: tuple[str, ...] = ()

    @classmethod
    def of(cls, decision_id: str, stages: list[StageOutcome]) -> Decision:
        """block > redact/pseudonymize > flag > allow, over every stage."""
        action = strongest([s.action for s in stages])
        rules = tuple(dict.fromkeys(r for s in stages for r in s.rules))
        return cls(decision_id, action, rules)


@dataclass(frozen=True)
class Answer:
    """A whole, guarded answer and the final decision on its request."""

    completion: Completion
    decision: Decision


@dataclass(frozen=True)
class Embedded:
    """Vectors for the guarded inputs, and the decision on them."""

    embeddings: Embeddings
    decision: Decision


@dataclass(frozen=True)
class Scan:
    """A scan's outcome, the texts as the policy rewrites them, and the decision."""

    outcome: StageOutcome
    rewritten: list[str]
    decision: Decision


def transcript(texts: list[str], roles: list[str] | None) -> str:
    """Texts as one text for the audit log: ``[role] content`` blocks for a chat."""
    if roles is None:
        return "\n\n".join(texts)
    return "\n\n".join(f"[{role}] {text}" for role, text in zip(roles, texts, strict=False))


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


class _Admission:
    """One request from admission to its single audit write."""

    def __init__(self, pipeline: Pipeline, record: DecisionRecord) -> None:
        self._pipeline = pipeline
        self.record = record
        self.verdict: InputVerdict | None = None
        self.output: StageOutcome | None = None  # a stream's output stage, while it runs
        self._closed = False

    @property
    def decision(self) -> Decision:
        stages = [*self.record.stages, *([self.output] if self.output is not None else [])]
        return Decision.of(self.record.decision_id, stages)

    async def close(self, error: BaseException | None) -> None:
        """Finish and write the record; only the first call does anything."""
        if self._closed:
            return
        self._closed = True
        if self.output is not None:
            self.record.stages.append(self.output)
            self.output = None
        await self._pipeline._finish(self.record, error)


class GuardedStream:
    """A streamed answer that passed the input guard: guarded events and the decision so far.

    Iterate it for the events; closing it (or its end, however it comes) writes the record.
    """

    def __init__(
        self,
        admission: _Admission,
        events: AsyncIterator[StreamEvent],
        generated: AsyncIterator[StreamEvent],
    ) -> None:
        self._admission = admission
        self.events = events
        self._generated = generated  # the generator's own stream, closed even if never read

    @property
    def decision(self) -> Decision:
        return self._admission.decision

    @property
    def total_tokens(self) -> int:
        """The prompt and completion tokens the stream reported (0 before its usage)."""
        record = self._admission.record
        return (record.prompt_tokens or 0) + (record.completion_tokens or 0)

    def __aiter__(self) -> GuardedStream:
        return self

    async def __anext__(self) -> StreamEvent:
        return await anext(self.events)

    async def aclose(self) -> None:
        try:
            await close_events(self.events)
            await close_events(self._generated)
        finally:
            await self._admission.close(asyncio.CancelledError())


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
        max_scan_chars: int | None = None,
        subject_key: bytes | None = None,
    ):
        self.max_scan_chars = max_scan_chars
        self.generator = generator
        self.guard = guard
        self.audit = audit
        self.metrics = metrics
        self.replica = replica
        self.store_raw = store_raw
        self.subject_key = subject_key

    def _hash_cards(self, record: DecisionRecord, texts: list[str]) -> None:
        """Keep an HMAC of each card number (never the number) to find the decision by."""
        if self.subject_key is None:
            return
        for number in card_numbers(texts):
            digest = card_hash(self.subject_key, number)
            if digest not in record.card_hashes:
                record.card_hashes.append(digest)

    # -- the one admission path -------------------------------------------------------------

    def _record(
        self,
        origin: Origin,
        request: GenerationRequest | EmbeddingRequest | None,
        stream: bool,
    ) -> DecisionRecord:
        params: dict[str, object] = {}
        if isinstance(request, GenerationRequest):
            params = {k: v for k, v in asdict(request.params).items() if v not in (None, ())}
        elif request is not None:
            params = {"inputs": len(request.inputs)}
            if request.dimensions is not None:
                params["dimensions"] = request.dimensions
        return DecisionRecord(
            decision_id=origin.decision_id,
            request_id=origin.request_id,
            time=datetime.now(UTC),
            endpoint=origin.endpoint,
            app=origin.app,
            key_id=origin.key_id,
            replica=self.replica,
            model=request.model if request is not None else "",
            stream=stream,
            params=params,
            session_id=origin.session,
            user_hash=(
                subject_hash(self.subject_key, origin.user)
                if origin.user and self.subject_key
                else None
            ),
        )

    async def _admit(
        self,
        origin: Origin,
        *,
        request: GenerationRequest | None = None,
        embedding: EmbeddingRequest | None = None,
        scan: tuple[Stage, list[str], list[str] | None, str] | None = None,
        stream: bool = False,
    ) -> tuple[_Admission, list[str]]:
        """Build the record, run the input guard (or the scan's stage) and fill the record.

        A generating request (``request``) or texts to embed (``embedding``) that the guard
        blocks raise the ``ContentBlockedError`` the caller gets, after its record is
        written; a scan returns its block as a decision. Any failure writes the record
        before it propagates. Returns the admission and the texts as the guard rewrote them.
        """
        admission = _Admission(self, self._record(origin, request or embedding, stream))
        record = admission.record
        try:
            started = time.perf_counter()
            if request is not None:
                stage: Stage = "input"
                texts, roles = request.texts()
                endpoint, field = "chat", "messages" if roles else "prompt"
            elif embedding is not None:
                stage, texts, roles, endpoint = "input", list(embedding.inputs), None, "embeddings"
                field = "input"
            else:
                assert scan is not None
                stage, texts, roles, endpoint = scan
                field = "messages" if roles else "text"
            size = sum(map(len, texts))
            if self.max_scan_chars is not None and size > self.max_scan_chars:
                raise PayloadTooLargeError(
                    f"the request holds {size} characters of text; the guard scans at most "
                    f"{self.max_scan_chars} per request (GUARD_MAX_SCAN_CHARS)",
                    param=field,
                    code="text_too_long",
                )
            if self.store_raw:
                record.raw = {"prompt" if stage == "input" else "answer": transcript(texts, roles)}
            if request is not None:
                verdict = await self.guard.check_input(origin.app, request)
                admission.verdict, outcome = verdict, verdict.outcome
                rewritten = verdict.request.texts()[0]
            else:
                outcome, rewritten = await self.guard.scan(
                    origin.app, stage, texts, roles, endpoint
                )
            record.stages.append(outcome)
            self._hash_cards(record, texts)
            elapsed = _ms(time.perf_counter() - started)
            if stage == "input":
                record.guard_input_ms = elapsed
                # Only texts the guard has vetted are stored (never the prompt as sent).
                record.redacted_prompt = (
                    transcript(outcome.redacted, roles) if outcome.redacted else ""
                )
            else:
                record.guard_output_ms = elapsed
            if (request is not None or embedding is not None) and outcome.action == "block":
                raise ContentBlockedError(
                    outcome.message or "The request was blocked by the content policy.",
                    decision_id=origin.decision_id,
                    rules=outcome.rules,
                )
        except BaseException as exc:
            await admission.close(exc)
            raise
        return admission, rewritten

    async def _finish(self, record: DecisionRecord, error: BaseException | None) -> None:
        if isinstance(error, ContentBlockedError):
            pass  # a block is a decision, not a failure
        elif isinstance(error, GuardError):
            record.outcome, record.error_code = "error", error.code or error.error_type
        elif isinstance(error, GeneratorExit | asyncio.CancelledError):
            record.outcome = "cancelled"
        elif error is not None:
            record.outcome, record.error_code = "error", type(error).__name__
        decision = Decision.of(record.decision_id, record.stages)
        record.action = decision.action
        for stage in record.stages:
            if stage.stage == "output" and stage.redacted:
                record.redacted_answer = "\n\n".join(stage.redacted)
        policies = [s for s in record.stages if s.policy]
        if policies:
            record.policy, record.policy_version = policies[0].policy, policies[0].policy_version
        for stage in record.stages:
            self.metrics.decisions.labels(stage=stage.stage, action=stage.action).inc()
            for rule in {f.rule_id for f in stage.fired if "review_band" in f.finding.details}:
                self.metrics.review_band.labels(rule=rule).inc()
        await self.audit.record(record)

    async def record_rejected(self, origin: Origin, status: int) -> None:
        """Audit a request refused before it reached the pipeline (bad JSON, 413, 401, …)."""
        record = self._record(origin, None, stream=False)
        record.outcome, record.error_code = "error", f"http_{status}"
        await self._finish(record, None)

    # -- the paths --------------------------------------------------------------------------

    async def scan(
        self,
        origin: Origin,
        stage: Stage,
        texts: list[str],
        roles: list[str] | None = None,
        endpoint: str = "chat",
    ) -> Scan:
        """Decide on texts without generating (``POST /v1/guard/scan``), as the policy
        decides for ``endpoint``; audited like the rest."""
        admission, rewritten = await self._admit(origin, scan=(stage, texts, roles, endpoint))
        await admission.close(None)
        return Scan(admission.record.stages[0], rewritten, admission.decision)

    async def embed(self, origin: Origin, request: EmbeddingRequest) -> Embedded:
        """Guard texts to embed (the rules for ``embeddings``), then embed what passed."""
        admission, rewritten = await self._admit(origin, embedding=request)
        record = admission.record
        error: BaseException | None = None
        try:
            if not isinstance(self.generator, Embedder):
                raise InvalidRequestError(
                    "this generator does not embed text; serve embeddings through an "
                    "upstream that does (GUARD_GENERATOR=upstream) or the local generator",
                    param="model",
                )
            started = time.perf_counter()
            embeddings = await self.generator.embed(replace(request, inputs=tuple(rewritten)))
            record.generation_ms = _ms(time.perf_counter() - started)
            record.prompt_tokens = embeddings.prompt_tokens
            return Embedded(embeddings, admission.decision)
        except BaseException as exc:
            error = exc
            raise
        finally:
            await admission.close(error)

    async def complete(self, origin: Origin, request: GenerationRequest) -> Answer:
        """Guard, generate and guard a whole answer."""
        admission, _ = await self._admit(origin, request=request)
        record, verdict = admission.record, admission.verdict
        assert verdict is not None
        error: BaseException | None = None
        self.metrics.in_flight.inc()
        try:
            generated = time.perf_counter()
            completion = await self.generator.complete(verdict.request)
            checked = time.perf_counter()
            record.generation_ms = _ms(checked - generated)
            output = await self.guard.check_output(verdict, completion)
            record.stages.append(output.outcome)
            self._hash_cards(
                record,
                [c.text for c in completion.choices]
                + [call.arguments for c in completion.choices for call in c.tool_calls],
            )
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
            return Answer(output.completion, admission.decision)
        except BaseException as exc:
            error = exc
            raise
        finally:
            self.metrics.in_flight.dec()
            await admission.close(error)

    async def stream(self, origin: Origin, request: GenerationRequest) -> GuardedStream:
        """Guard the prompt and start generating; errors so far raise before any response.

        The returned stream yields guarded deltas and audits the request when it ends,
        however it ends.
        """
        admission, _ = await self._admit(origin, request=request, stream=True)
        verdict = admission.verdict
        assert verdict is not None
        start = time.perf_counter()
        try:
            events = await self.generator.stream(verdict.request)
        except BaseException as exc:
            await admission.close(exc)
            raise
        admission.output = StageOutcome("output")
        guarded = self.guard.guard_stream(verdict, events, admission.output)
        return GuardedStream(admission, self._audited(admission, guarded, start), events)

    async def _audited(
        self, admission: _Admission, events: AsyncIterator[StreamEvent], start: float
    ) -> AsyncIterator[StreamEvent]:
        record = admission.record
        output = admission.output
        assert output is not None
        error: BaseException | None = None
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
            elapsed = time.perf_counter() - start
            record.generation_ms = _ms(elapsed)
            record.guard_output_ms = _ms(output.elapsed_s)
            self.metrics.observe_generation(record.model, record.completion_tokens, elapsed)
            await admission.close(error)
