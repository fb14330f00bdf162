"""Error translation for the upstream generator, against fake upstreams served on loopback
ports (aiohttp servers answering what each test needs, a port nobody listens on, a server
that writes garbage); the whole upstream path is covered end to end in
tests/e2e/test_upstream.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web

from guard.errors import (
    ModelNotFoundError,
    UpstreamError,
    UpstreamRejectedError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from guard.generators.base import ChatMessage, GenerationRequest, SamplingParams
from guard.generators.upstream import (
    UpstreamGenerator,
    _request_body,
    translate_upstream_errors,
)
from guard.metrics import Metrics
from guard.pipeline import Origin, Pipeline
from guard.policy.passthrough import PassThroughGuard
from tests.live_server import free_port
from tests.recording_audit import RecordingAuditSink

REQUEST = GenerationRequest(model="m", messages=(ChatMessage("user", "hi"),))
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def _upstream(handler: Handler) -> AsyncIterator[str]:
    """A fake upstream answering every request with ``handler``; yields its /v1 URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


def _answer(status: int, body: str, content_type: str = "application/json") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, text=body, content_type=content_type)

    return handler


async def _assert_both_fail(
    generator: UpstreamGenerator, expected: type[UpstreamError], status: int
) -> None:
    with pytest.raises(expected) as caught:
        await generator.complete(REQUEST)
    assert caught.value.status_code == status
    with pytest.raises(expected):
        await generator.stream(REQUEST)
    await generator.aclose()


async def test_nobody_listening_is_unavailable() -> None:
    generator = UpstreamGenerator(f"http://127.0.0.1:{free_port()}/v1")
    await _assert_both_fail(generator, UpstreamUnavailableError, 502)


async def test_an_upstream_slower_than_the_timeout_is_a_timeout() -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(2)
        return web.Response(text="{}")

    async with _upstream(slow) as base:
        await _assert_both_fail(UpstreamGenerator(base, timeout_s=0.2), UpstreamTimeoutError, 504)


async def test_an_upstream_that_speaks_no_http_is_unavailable() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await _assert_both_fail(
            UpstreamGenerator(f"http://127.0.0.1:{port}/v1"), UpstreamUnavailableError, 502
        )


def test_a_connection_not_accepted_in_time_is_unavailable_not_a_timeout() -> None:
    with (
        pytest.raises(UpstreamUnavailableError, match="accept a connection"),
        translate_upstream_errors(),
    ):
        raise aiohttp.ConnectionTimeoutError("connect")
    with pytest.raises(UpstreamTimeoutError), translate_upstream_errors():
        raise aiohttp.SocketTimeoutError("read")


async def test_upstream_4xx_is_passed_through_with_its_status_and_message() -> None:
    body = {
        "error": {
            "message": "bad temperature",
            "type": "invalid_request_error",
            "param": "temperature",
            "code": None,
        }
    }
    async with _upstream(_answer(422, json.dumps(body))) as base:
        generator = UpstreamGenerator(base)
        with pytest.raises(UpstreamRejectedError) as caught:
            await generator.complete(REQUEST)
        await generator.aclose()
    assert caught.value.status_code == 422
    assert "bad temperature" in caught.value.message
    assert caught.value.param == "temperature"


async def test_upstream_404_is_model_not_found_and_5xx_is_bad_gateway() -> None:
    async with _upstream(_answer(404, '{"message": "no such model"}')) as base:
        missing = UpstreamGenerator(base)
        with pytest.raises(ModelNotFoundError):
            await missing.complete(REQUEST)
        await missing.aclose()
    async with _upstream(_answer(503, "overloaded", "text/plain")) as base:
        broken = UpstreamGenerator(base)
        with pytest.raises(UpstreamError) as caught:
            await broken.stream(REQUEST)
        await broken.aclose()
    assert caught.value.status_code == 502
    assert "503" in caught.value.message and "overloaded" in caught.value.message


async def test_unreadable_answer_is_an_upstream_error() -> None:
    async with _upstream(_answer(200, "<html>", "text/html")) as base:
        generator = UpstreamGenerator(base)
        with pytest.raises(UpstreamError, match="unreadable"):
            await generator.complete(REQUEST)
        await generator.aclose()


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
ORIGIN = Origin("d", "r", "/v1/chat/completions")


def _pipeline(generator: UpstreamGenerator, audit: RecordingAuditSink) -> Pipeline:
    return Pipeline(
        generator=generator, guard=PassThroughGuard(), audit=audit, metrics=Metrics(), replica="t"
    )


@pytest.mark.parametrize(
    ("body", "content_type", "match"),
    [
        ("<html>oops</html>", "text/html", "text/html"),
        ('{"choices": []}', "application/json", "application/json"),
    ],
)
async def test_a_stream_answered_with_something_other_than_events_fails_before_any_byte(
    body: str, content_type: str, match: str
) -> None:
    audit = RecordingAuditSink()
    async with _upstream(_answer(200, body, content_type)) as base:
        generator = UpstreamGenerator(base)
        with pytest.raises(UpstreamError, match=match):
            await _pipeline(generator, audit).stream(ORIGIN, REQUEST)
        await generator.aclose()
    [record] = audit.records
    assert (record.outcome, record.error_code) == ("error", "upstream_error")


async def test_a_stream_cut_off_before_done_is_an_upstream_error_in_the_record() -> None:
    audit = RecordingAuditSink()
    async with _upstream(_answer(200, _sse(CHUNK, done=False), "text/event-stream")) as base:
        generator = UpstreamGenerator(base)
        stream = await _pipeline(generator, audit).stream(ORIGIN, REQUEST)
        texts = []
        with pytest.raises(UpstreamError, match="before \\[DONE\\]"):
            async for event in stream:
                texts.append(getattr(event, "text", ""))
        await generator.aclose()
    assert texts == ["Hello"]
    [record] = audit.records
    assert (record.outcome, record.error_code) == ("error", "upstream_error")


async def test_a_whole_stream_ending_with_done_is_ok() -> None:
    body = _sse(CHUNK, '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}')
    long_call = json.dumps(  # one event line far over aiohttp's default buffer
        {
            "choices": [
                {
                    "index": 1,
                    "delta": {"content": "x" * 200_000},
                    "finish_reason": "stop",
                }
            ]
        }
    )
    audit = RecordingAuditSink()
    async with _upstream(
        _answer(
            200,
            body.replace("data: [DONE]", f"data: {long_call}\n\ndata: [DONE]"),
            "text/event-stream",
        )
    ) as base:
        generator = UpstreamGenerator(base)
        stream = await _pipeline(generator, audit).stream(ORIGIN, REQUEST)
        texts = [getattr(e, "text", None) async for e in stream]
        await generator.aclose()
    assert texts[0] == "Hello"
    assert "x" * 200_000 in texts, "a long event line arrives whole"
    [record] = audit.records
    assert record.outcome == "ok"
