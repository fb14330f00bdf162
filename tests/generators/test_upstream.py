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
