"""PolicyGuard: the Guard that applies the app's policy to prompts and answers.

Input: constraints first (clamp or refuse), then every input rule over every message,
system prompt included; redact and pseudonymize rewrite what the generator sees. Output:
every output rule over the answer as generated (placeholders still in it, so the caller's
own values coming back are not a leak), then redaction, then placeholders restored.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

from guard.errors import ConstraintError, NoPolicyError
from guard.generators.base import (
    Choice,
    Completion,
    GenerationRequest,
    StreamEvent,
)
from guard.policy.actions import Pseudonyms, apply
from guard.policy.audit_view import audit_view
from guard.policy.base import InputVerdict, OutputVerdict, Stage, StageOutcome
from guard.policy.evaluate import Evaluator
from guard.policy.loader import Policy
from guard.policy.locate import answer_places, locate, request_places, roles_places
from guard.policy.store import PolicyStore
from guard.policy.stream_guard import StreamGuard
from guard.policy.structured import json_restored, schema_broken


@dataclass
class RequestState:
    """What the guard remembers between the stages of one request (memory only)."""

    policy: Policy
    pseudonyms: Pseudonyms = field(default_factory=Pseudonyms)


def audit_texts(
    texts: list[str], outcome: StageOutcome, pseudonyms: Pseudonyms | None = None
) -> list[str]:
    """Fill the outcome's audit view (stored texts and highlights) and return the texts."""
    outcome.redacted, outcome.highlights = audit_view(texts, outcome, pseudonyms)
    return outcome.redacted


def enforce_constraints(policy: Policy, request: GenerationRequest) -> GenerationRequest:
    """Clamp the request into the policy's constraints, or refuse it, as the policy says."""
    limits = policy.constraints
    if limits is None:
        return request
    if not policy.allows_model(request.model):
        raise ConstraintError(
            f"model {request.model!r} is not allowed by policy {policy.name!r}", param="model"
        )
    params = request.params
    refuse = limits.on_violation == "refuse"
    if limits.max_tokens is not None:
        if params.max_tokens is None:
            params = replace(params, max_tokens=limits.max_tokens)
        elif params.max_tokens > limits.max_tokens:
            if refuse:
                raise ConstraintError(
                    f"max_tokens {params.max_tokens} is over the policy's cap of "
                    f"{limits.max_tokens}",
                    param="max_tokens",
                )
            params = replace(params, max_tokens=limits.max_tokens)
        if params.min_tokens > (params.max_tokens or 0):
            params = replace(params, min_tokens=params.max_tokens or 0)
    if limits.temperature is not None and params.temperature is not None:
        low, high = limits.temperature.min, limits.temperature.max
        if not low <= params.temperature <= high:
            if refuse:
                raise ConstraintError(
                    f"temperature {params.temperature} is outside the policy's range "
                    f"{low} to {high}",
                    param="temperature",
                )
            params = replace(params, temperature=min(max(params.temperature, low), high))
    return replace(request, params=params)


class PolicyGuard:
    """A ``Guard`` driven by the policies in a ``PolicyStore``."""

    def __init__(
        self,
        store: PolicyStore,
        evaluator: Evaluator,
        *,
        hash_key: bytes | None = None,
        holdback_chars: int = 96,
        scan_chars: int = 48,
    ):
        self.store = store
        self.evaluator = evaluator
        self.hash_key = hash_key or secrets.token_bytes(32)
        self.holdback_chars = holdback_chars
        self.scan_chars = scan_chars

    def policy_for(self, app: str) -> Policy:
        policy = self.store.current.for_app(app)
        if policy is None:
            raise NoPolicyError(f"no policy applies to app {app!r}")
        return policy

    async def scan(
        self,
        app: str,
        stage: Stage,
        texts: list[str],
        roles: list[str] | None = None,
        endpoint: str = "chat",
    ) -> tuple[StageOutcome, list[str]]:
        """Evaluate texts without generating (as sent to ``endpoint``); return the outcome
        and the rewritten texts."""
        policy = self.policy_for(app)
        evaluation = await self.evaluator.evaluate(policy, stage, texts, roles, endpoint)
        locate(evaluation.outcome, roles_places(roles, len(texts)), texts)
        state = RequestState(policy)
        rewritten = [
            apply(text, spans, pseudonyms=state.pseudonyms, hash_key=self.hash_key)
            for text, spans in zip(texts, evaluation.replacements, strict=True)
        ]
        evaluation.outcome.redacted = audit_texts(texts, evaluation.outcome, state.pseudonyms)
        return evaluation.outcome, rewritten

    async def check_input(self, app: str, request: GenerationRequest) -> InputVerdict:
        policy = self.policy_for(app)
        request = enforce_constraints(policy, request)
        texts, roles = request.texts()
        evaluation = await self.evaluator.evaluate(policy, "input", texts, roles, request.endpoint)
        locate(evaluation.outcome, request_places(request), texts)
        state = RequestState(policy)
        if evaluation.outcome.action in ("redact", "pseudonymize"):
            cleaned = [
                apply(text, spans, pseudonyms=state.pseudonyms, hash_key=self.hash_key)
                for text, spans in zip(texts, evaluation.replacements, strict=True)
            ]
            request = request.with_texts(cleaned)
        evaluation.outcome.redacted = audit_texts(texts, evaluation.outcome, state.pseudonyms)
        return InputVerdict(request=request, outcome=evaluation.outcome, state=state)

    async def check_output(self, verdict: InputVerdict, completion: Completion) -> OutputVerdict:
        state: RequestState = verdict.state
        # Each answer's text, then the arguments of each tool call it makes: a call is
        # output too, scanned before the application runs it.
        texts = [choice.text for choice in completion.choices]
        texts += [call.arguments for choice in completion.choices for call in choice.tool_calls]
        evaluation = await self.evaluator.evaluate(
            state.policy, "output", texts, endpoint=verdict.request.endpoint
        )
        outcome = evaluation.outcome
        locate(outcome, answer_places(completion), texts)
        outcome.redacted = audit_texts(texts, outcome)
        spans = iter(evaluation.replacements[len(completion.choices) :])
        choices = []
        for choice, text_spans in zip(
            completion.choices, evaluation.replacements[: len(completion.choices)], strict=True
        ):
            call_spans = [next(spans) for _ in choice.tool_calls]
            if outcome.action == "block":
                choices.append(Choice(choice.index, outcome.message or "", "content_filter"))
                continue
            text = apply(choice.text, text_spans, hash_key=self.hash_key)
            if verdict.request.wants_json:
                restored_json = json_restored(choice.text, text, state.pseudonyms)
                problem = (
                    "The answer could not be redacted as valid JSON."
                    if restored_json is None  # redaction cut through the JSON's structure
                    else schema_broken(verdict.request.response_format, choice.text, restored_json)
                )
                if problem is not None or restored_json is None:
                    outcome.action = "block"
                    outcome.message = problem
                    choices.append(Choice(choice.index, problem or "", "content_filter"))
                    continue
                text = restored_json
            else:
                text = state.pseudonyms.restore(text)
            calls = tuple(
                replace(
                    call,
                    arguments=state.pseudonyms.restore(
                        apply(call.arguments, found, hash_key=self.hash_key), json_escaped=True
                    ),
                )
                for call, found in zip(choice.tool_calls, call_spans, strict=True)
            )
            choices.append(Choice(choice.index, text, choice.finish_reason, calls))
        return OutputVerdict(Completion(tuple(choices), completion.usage), outcome)

    def guard_stream(
        self,
        verdict: InputVerdict,
        events: AsyncIterator[StreamEvent],
        outcome: StageOutcome,
    ) -> AsyncIterator[StreamEvent]:
        state: RequestState = verdict.state
        endpoint = verdict.request.endpoint
        guard = StreamGuard(
            evaluate=lambda texts: self.evaluator.evaluate(
                state.policy, "output", texts, endpoint=endpoint
            ),
            pseudonyms=state.pseudonyms,
            hash_key=self.hash_key,
            outcome=outcome,
            holdback_chars=self.holdback_chars,
            scan_chars=self.scan_chars,
            choices=verdict.request.params.n,
            json_answer=verdict.request.wants_json,
            lead=(
                (lambda text: self.evaluator.stream_lead(state.policy, text, endpoint))
                if self.evaluator.can_lead(state.policy, endpoint)
                else None
            ),
        )
        return guard.run(events)
