"""Every request through the pipeline leaves exactly one audit record, however it ends."""

from __future__ import annotations

import asyncio

import pytest

from guard.errors import ModelNotFoundError
from guard.generators.base import ChatMessage, GenerationRequest, SamplingParams
from guard.generators.fake import FAKE_MODEL, FakeGenerator
from guard.metrics import Metrics
from guard.pipeline import Origin, Pipeline
from guard.policy.passthrough import PassThroughGuard
from tests.recording_audit import RecordingAuditSink


def _pipeline(generator: FakeGenerator) -> tuple[Pipeline, RecordingAuditSink]:
    sink = RecordingAuditSink()
    pipeline = Pipeline(
        generator=generator, guard=PassThroughGuard(), audit=sink, metrics=Metrics(), replica="t"
    )
    return pipeline, sink


def _ctx(decision_id: str) -> Origin:
    return Origin(decision_id=decision_id, request_id="r", endpoint="/v1/chat/completions")


def _request(model: str = FAKE_MODEL) -> GenerationRequest:
    return GenerationRequest(
        model=model, messages=(ChatMessage("user", "hello"),), params=SamplingParams(max_tokens=50)
    )


async def test_completed_request_has_one_record_with_stages_and_tokens() -> None:
    pipeline, sink = _pipeline(FakeGenerator())
    await pipeline.complete(_ctx("d1"), _request())
    [record] = sink.records
    assert (record.decision_id, record.outcome, record.action) == ("d1", "ok", "allow")
    assert [s.stage for s in record.stages] == ["input", "output"]
    assert record.completion_tokens == 7  # "This is a fake answer to: hello"
    assert record.time.tzinfo is not None


async def test_stream_that_finishes_has_one_record_with_time_to_first_token() -> None:
    pipeline, sink = _pipeline(FakeGenerator())
    events = await pipeline.stream(_ctx("d2"), _request())
    async for _ in events:
        pass
    [record] = sink.by_id("d2")
    assert record.stream and record.outcome == "ok"
    assert record.time_to_first_token_ms is not None


async def test_failed_request_is_recorded_as_error() -> None:
    pipeline, sink = _pipeline(FakeGenerator())
    with pytest.raises(ModelNotFoundError):
        await pipeline.complete(_ctx("d3"), _request(model="nope"))
    with pytest.raises(ModelNotFoundError):
        await pipeline.stream(_ctx("d4"), _request(model="nope"))
    assert [(r.decision_id, r.outcome, r.error_code) for r in sink.records] == [
        ("d3", "error", "model_not_found"),
        ("d4", "error", "model_not_found"),
    ]


async def test_abandoned_stream_is_recorded_once_as_cancelled() -> None:
    generator = FakeGenerator(token_delay_s=0.01)
    pipeline, sink = _pipeline(generator)
    events = await pipeline.stream(_ctx("d5"), _request())
    await anext(events)
    await events.aclose()
    [record] = sink.by_id("d5")
    assert record.outcome == "cancelled"
    assert generator.cancelled_streams == 1


async def test_cancelled_completion_is_recorded_once() -> None:
    pipeline, sink = _pipeline(FakeGenerator(token_delay_s=0.05))
    task = asyncio.create_task(pipeline.complete(_ctx("d6"), _request()))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [record] = sink.by_id("d6")
    assert record.outcome == "cancelled"
