"""Error translation for the upstream generator, driven through httpx.MockTransport (a fake
upstream); the real upstream path is covered end to end in tests/e2e/test_upstream.py."""

from __future__ import annotations

import httpx
import pytest

from guard.errors import (
    ModelNotFoundError,
    UpstreamError,
    UpstreamRejectedError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from guard.generators.base import ChatMessage, GenerationRequest, SamplingParams
from guard.generators.upstream import UpstreamGenerator, _request_body
from guard.metrics import Metrics
from guard.pipeline import Origin, Pipeline
from guard.policy.passthrough import PassThroughGuard
from tests.recording_audit import RecordingAuditSink

REQUEST = GenerationRequest(model="m", messages=(ChatMessage("user", "hi"),))


def _generator(handler: httpx.MockTransport) -> UpstreamGenerator:
    return UpstreamGenerator("http://upstream.test/v1", transport=handler)


def _raising(exc: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("failure", "expected", "status"),
    [
        (httpx.ConnectError("refused"), UpstreamUnavailableError, 502),
        (httpx.ConnectTimeout("slow connect"), UpstreamUnavailableError, 502),
        (httpx.ReadTimeout("slow answer"), UpstreamTimeoutError, 504),
        (httpx.RemoteProtocolError("garbage"), UpstreamUnavailableError, 502),
    ],
)
async def test_transport_failures_become_upstream_errors(
    failure: Exception, expected: type[UpstreamError], status: int
) -> None:
    generator = _generator(_raising(failure))
    with pytest.raises(expected) as caught:
        await generator.complete(REQUEST)
    assert caught.value.status_code == status
    with pytest.raises(expected):
        await generator.stream(REQUEST)
    await generator.aclose()


async def test_upstream_4xx_is_passed_through_with_its_status_and_message() -> None:
    body = {
        "error": {
            "message": "bad temperature",
            "type": "invalid_request_error",
            "param": "temperature",
            "code": None,
        }
    }
    generator = _generator(httpx.MockTransport(lambda r: httpx.Response(422, json=body)))
    with pytest.raises(UpstreamRejectedError) as caught:
        await generator.complete(REQUEST)
    assert caught.value.status_code == 422
    assert "bad temperature" in caught.value.message
    assert caught.value.param == "temperature"


async def test_upstream_404_is_model_not_found_and_5xx_is_bad_gateway() -> None:
    missing = _generator(
        httpx.MockTransport(lambda r: httpx.Response(404, json={"message": "no such model"}))
    )
    with pytest.raises(ModelNotFoundError):
        await missing.complete(REQUEST)
    broken = _generator(httpx.MockTransport(lambda r: httpx.Response(503, text="overloaded")))
    with pytest.raises(UpstreamError) as caught:
        await broken.stream(REQUEST)
    assert caught.value.status_code == 502
    assert "503" in caught.value.message


async def test_unreadable_answer_is_an_upstream_error() -> None:
    generator = _generator(httpx.MockTransport(lambda r: httpx.Response(200, text="<html>")))
    with pytest.raises(UpstreamError, match="unreadable"):
        await generator.complete(REQUEST)


def test_extensions_are_sent_only_when_asked_for() -> None:
    _, plain = _request_body(REQUEST, stream=False)
    assert set(plain) == {"model", "n", "stream", "messages"}
    asked = GenerationRequest(
        model="m",
        messages=(ChatMessage("user", "hi"),),
        params=SamplingParams(
            temperature=0, top_k=5, min_tokens=2, repetition_penalty=1.1, stop=("x",)
        ),
    )
    _, body = _request_body(asked, stream=True)
    assert body["top_k"] == 5 and body["min_tokens"] == 2 and body["repetition_penalty"] == 1.1
    assert body["temperature"] == 0 and body["stop"] == ["x"]
    assert body["stream_options"] == {"include_usage": True}


def _sse(*chunks: str, done: bool = True) -> str:
    lines = [f"data: {c}\n\n" for c in chunks]
    return "".join(lines) + ("data: [DONE]\n\n" if done else "")


CHUNK = '{"choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}'


@pytest.mark.parametrize(
    ("response", "match"),
    [
        (
            httpx.Response(200, text="<html>oops</html>", headers={"content-type": "text/html"}),
            "text/html",
        ),
        (httpx.Response(200, json={"choices": []}), "application/json"),
    ],
)
async def test_a_stream_answered_with_something_other_than_events_fails_before_any_byte(
    response: httpx.Response, match: str
) -> None:
    audit = RecordingAuditSink()
    pipeline = _pipeline(_generator(httpx.MockTransport(lambda r: response)), audit)
    with pytest.raises(UpstreamError, match=match):
        await pipeline.stream(ORIGIN, REQUEST)
    [record] = audit.records
    assert (record.outcome, record.error_code) == ("error", "upstream_error")


async def test_a_stream_cut_off_before_done_is_an_upstream_error_in_the_record() -> None:
    body = _sse(CHUNK, done=False)
    upstream = httpx.MockTransport(
        lambda r: httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})
    )
    audit = RecordingAuditSink()
    stream = await _pipeline(_generator(upstream), audit).stream(ORIGIN, REQUEST)
    texts = []
    with pytest.raises(UpstreamError, match="before \\[DONE\\]"):
        async for event in stream:
            texts.append(getattr(event, "text", ""))
    assert texts == ["Hello"]
    [record] = audit.records
    assert (record.outcome, record.error_code) == ("error", "upstream_error")


async def test_a_whole_stream_ending_with_done_is_ok() -> None:
    body = _sse(CHUNK, '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}')
    upstream = httpx.MockTransport(
        lambda r: httpx.Response(
            200, text=body, headers={"content-type": "text/event-stream; charset=utf-8"}
        )
    )
    audit = RecordingAuditSink()
    stream = await _pipeline(_generator(upstream), audit).stream(ORIGIN, REQUEST)
    texts = [getattr(e, "text", None) async for e in stream]
    assert texts[0] == "Hello"
    [record] = audit.records
    assert record.outcome == "ok"


ORIGIN = Origin("d", "r", "/v1/chat/completions")


def _pipeline(generator: UpstreamGenerator, audit: RecordingAuditSink) -> Pipeline:
    return Pipeline(
        generator=generator, guard=PassThroughGuard(), audit=audit, metrics=Metrics(), replica="t"
    )
