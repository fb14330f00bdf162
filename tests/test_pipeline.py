"""Every request through the pipeline leaves exactly one audit record, however it ends."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.detectors.base import DetectorContext
from guard.errors import ContentBlockedError, ModelNotFoundError
from guard.generators.base import ChatMessage, Delta, GenerationRequest, SamplingParams
from guard.generators.fake import FAKE_MODEL, FakeGenerator
from guard.metrics import Metrics
from guard.pipeline import Origin, Pipeline
from guard.policy.engine import PolicyGuard
from guard.policy.evaluate import Evaluator
from guard.policy.passthrough import PassThroughGuard
from guard.policy.store import PolicyStore
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


async def test_stream_closed_before_its_first_event_is_recorded_once() -> None:
    """The caller left before the response's first byte (the route closes the stream in a
    background task that runs whatever happened to the response)."""
    generator = FakeGenerator(token_delay_s=0.01)
    pipeline, sink = _pipeline(generator)
    stream = await pipeline.stream(_ctx("d7"), _request())
    await stream.aclose()
    await stream.aclose()  # closing twice writes nothing more
    [record] = sink.by_id("d7")
    assert record.outcome == "cancelled" and record.stream


async def test_cancelled_completion_is_recorded_once() -> None:
    pipeline, sink = _pipeline(FakeGenerator(token_delay_s=0.05))
    task = asyncio.create_task(pipeline.complete(_ctx("d6"), _request()))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [record] = sink.by_id("d6")
    assert record.outcome == "cancelled"


# -- the paths cannot drift: plain and streamed agree on any text -------------------------

_FRAGMENTS = {
    "in": ["inflag", "INCODE-42", "ann@example.com", "inblock", "inshadow", "plain words"],
    "out": ["outflag", "OUTCODE-7", "outblock", "outshadow", "fine"],
}


@pytest.fixture(scope="module")
def matrix_guard(tmp_path_factory: pytest.TempPathFactory) -> PolicyGuard:
    from tests.e2e.test_admission_matrix import POLICY

    folder = tmp_path_factory.mktemp("matrix")
    (folder / "p.yaml").write_text(POLICY)
    store = PolicyStore(folder, DetectorContext(policy_dir=folder))
    store.load()
    return PolicyGuard(store, Evaluator(), holdback_chars=24, scan_chars=8)


@given(
    sent=st.lists(st.sampled_from(_FRAGMENTS["in"]), min_size=1, max_size=4),
    said=st.lists(st.sampled_from(_FRAGMENTS["out"]), min_size=1, max_size=4),
    chunk=st.integers(min_value=1, max_value=12),
    n=st.sampled_from([1, 2]),
    chat=st.booleans(),
)
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
async def test_plain_and_streamed_paths_reach_the_same_decision_on_any_text(
    matrix_guard: PolicyGuard, sent: list[str], said: list[str], chunk: int, n: int, chat: bool
) -> None:
    prompt = " and ".join(sent)
    seen: list[GenerationRequest] = []

    def answer(request: GenerationRequest) -> str:
        seen.append(request)
        text = request.messages[-1].content if request.messages else request.prompt
        return f"{' '.join(said)} re: {text}"

    sink = RecordingAuditSink()
    pipeline = Pipeline(
        generator=FakeGenerator(answer, chunk_chars=chunk),
        guard=matrix_guard,
        audit=sink,
        metrics=Metrics(),
        replica="t",
    )
    params = SamplingParams(max_tokens=400, n=n)
    request = (
        GenerationRequest(FAKE_MODEL, params, messages=(ChatMessage("user", prompt),))
        if chat
        else GenerationRequest(FAKE_MODEL, params, prompt=prompt)
    )
    outcomes: dict[str, tuple[object, ...]] = {}
    for path in ("plain", "stream"):
        origin = Origin(path, "r", "/v1/chat/completions")
        try:
            if path == "plain":
                got = await pipeline.complete(origin, request)
                texts = [c.text for c in got.completion.choices]
                reasons = [c.finish_reason for c in got.completion.choices]
            else:
                stream = await pipeline.stream(origin, request)
                texts, reasons = [""] * n, [""] * n
                async for event in stream:
                    if isinstance(event, Delta):
                        texts[event.index] += event.text
                        reasons[event.index] = event.finish_reason or reasons[event.index]
            status = "ok"
        except ContentBlockedError:
            status, texts, reasons = "blocked", [], []
        [record] = sink.by_id(path)
        # A stream cut by a block has already sent what preceded the match (the hold-back
        # window keeps the match itself back): compare what follows, the rule's message.
        texts = [
            "…" + t[t.index("Answer withheld") :] if r == "content_filter" else t
            for t, r in zip(texts, reasons, strict=True)
        ]
        outcomes[path] = (status, texts, reasons, record.action, record.redacted_prompt)
        assert all("outblock" not in t for t in texts)
    assert outcomes["plain"] == outcomes["stream"]
    if "inblock" in sent:
        assert outcomes["plain"][0] == "blocked" and not seen, "a blocked prompt reached the model"
    for request_seen in seen:
        model_text = (
            request_seen.messages[-1].content if request_seen.messages else request_seen.prompt
        )
        assert "INCODE-42" not in model_text and "ann@example.com" not in model_text
