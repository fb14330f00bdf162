"""guard's own routes: scan without generating, the active policies, explanations."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field, model_validator

from guard.api.context import hand_over, report
from guard.api.deps import (
    AdminDep,
    ContextDep,
    ExplanationReaderDep,
    PipelineDep,
    ReviewerDep,
)
from guard.api.limiting import admit, finish
from guard.api.protocol import Message, Text, _Strict
from guard.api.review_routes import DecisionNotFoundError
from guard.audit import queries
from guard.policy.explain import explain, finding_record

router = APIRouter(prefix="/v1")


class ScanRequest(_Strict):
    stage: Literal["input", "output"]
    text: Text | None = None
    messages: list[Message] | None = Field(default=None, min_length=1)
    # decide as the policy does for this endpoint's requests (``embeddings``: inputs to embed)
    endpoint: Literal["chat", "completions", "responses", "embeddings"] = "chat"

    @model_validator(mode="after")
    def _one_input(self) -> ScanRequest:
        if (self.text is None) == (self.messages is None):
            raise ValueError("send either text or messages")
        return self


@router.post("/guard/scan")
async def scan(
    body: ScanRequest, request: Request, pipeline: PipelineDep, ctx: ContextDep
) -> dict[str, Any]:
    """The decision on a text or chat, without generating, for apps that call models elsewhere."""
    texts = [body.text] if body.text is not None else [m.text() for m in body.messages or ()]
    roles: list[str] | None = None if body.messages is None else [m.role for m in body.messages]
    ticket = await admit(request, ctx)
    try:
        origin = hand_over(request, ctx)
        result = await pipeline.scan(origin, body.stage, texts, roles, body.endpoint)
    finally:
        await finish(request, ticket, 0)
    report(request, result.decision)
    outcome, rewritten = result.outcome, result.rewritten
    answer: dict[str, Any] = {
        "decision_id": ctx.decision_id,
        "action": outcome.action,
        "rules": list(outcome.rules),
        "policy": outcome.policy,
        "policy_version": outcome.policy_version,
        "findings": [finding_record(f) for f in outcome.fired],
        "explanation": explain([outcome]),
    }
    if body.text is not None:
        answer["redacted_text"] = rewritten[0]
    else:
        answer["redacted_messages"] = [
            {"role": m.role, "content": text}
            for m, text in zip(body.messages or (), rewritten, strict=True)
        ]
    return answer


@router.get("/decisions/{decision_id}/explanation")
async def explanation(
    decision_id: str, request: Request, pipeline: PipelineDep, reader: ExplanationReaderDep
) -> dict[str, Any]:
    """Why a decision came out as it did.

    Reviewers and admins get every fired rule, its findings and a sentence. The app the
    decision was made for (its app key; ``anonymous`` traffic where that is allowed) gets the
    caller's explanation of its own decisions: each enforced rule with its message and
    categories, no spans, scores or evidence. Any other app gets a 404, as for an unknown id.
    """
    row = await pipeline.audit.fetch(decision_id)
    if row is None or (reader.app is not None and row["app"] != reader.app):
        raise DecisionNotFoundError(f"no decision {decision_id!r} is known here")
    tier = "caller" if reader.app is not None else "full"
    await asyncio.to_thread(
        queries.record_access,
        request.app.state.database,
        actor=reader.name,
        action=f"explanation-{tier}",
        target={"decision_id": decision_id},
    )
    return caller_document(row) if reader.app is not None else decision_document(row)


def caller_document(row: dict[str, Any]) -> dict[str, Any]:
    """What the app a decision was made for may read: rules, messages, categories."""
    rules = [
        {
            "rule_id": item["rule_id"],
            "stage": item["stage"],
            "action": item["action"],
            "categories": sorted({f["category"] for f in item["findings"]}),
            # which message, tool call and argument (names and keys, never the text)
            "places": sorted({f["where"] for f in item["findings"] if f.get("where")}),
            "message": item["message"],
        }
        for item in row["explanation"]
        if item["mode"] == "enforce"
    ]
    return {
        "decision_id": row["id"],
        "time": _iso(row["time"]),
        "endpoint": row["endpoint"],
        "action": row["action"],
        "policy": row["policy"],
        "rules": rules,
    }


def decision_document(row: dict[str, Any]) -> dict[str, Any]:
    """What reviewers read about a decision: metadata, stages and the explanation."""
    return {
        "decision_id": row["id"],
        "time": _iso(row["time"]),
        "endpoint": row["endpoint"],
        "app": row["app"],
        "model": row["model"],
        "action": row["action"],
        "outcome": row["outcome"],
        "policy": row["policy"],
        "policy_version": row["policy_version"],
        "stages": row["stages"],
        "explanation": row["explanation"],
    }


def _iso(time: Any) -> Any:
    return time.isoformat() if hasattr(time, "isoformat") else time


@router.get("/policies/history")
async def policies_history(
    request: Request,
    _reader: ReviewerDep,
    name: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """Every policy version that served (oldest first), with the text of its files."""
    from guard.audit.policy_history import history

    found = await asyncio.to_thread(history, request.app.state.database, name=name, version=version)
    return {"data": found}


@router.get("/policies")
async def policies(request: Request, _admin: AdminDep) -> dict[str, Any]:
    """The active policies (name, version hash, files, apps, rules) and the last load error."""
    store = request.app.state.policy_store
    if store is None:
        return {"policies": [], "last_error": None, "loaded_at": None}
    failure = store.last_error
    return {
        "directory": str(store.directory),
        "loaded_at": store.loaded_at,
        "policies": [
            {
                "name": p.name,
                "version": p.version,
                "apps": list(p.apps),
                "files": list(p.files),
                "rules": [
                    {
                        "id": r.id,
                        "stages": list(r.rule.stages),
                        "detector": r.rule.detector["type"],
                        "action": r.rule.action,
                        "mode": r.rule.mode,
                        "on_error": r.on_error,
                    }
                    for r in p.rules
                ],
                "constraints": p.constraints.model_dump() if p.constraints else None,
            }
            for p in store.current.policies.values()
        ],
        "last_error": None
        if failure is None
        else {"at": failure.at, "problems": list(failure.problems)},
    }
