"""Upstream mode: guard in front of a second real OpenAI-compatible server on loopback.

The second server is guard itself serving the fake generator, which speaks the same
protocol as vLLM or llama.cpp and lets the test see exactly what reached it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from guard.app import create_app
from guard.config import Settings
from guard.generators.base import GenerationRequest
from guard.generators.fake import FakeGenerator
from tests.e2e.conftest import openai_client
from tests.live_server import free_port, live_server

HELLO = [{"role": "user", "content": "hello upstream"}]


class RecordingFake(FakeGenerator):
    """The fake generator, keeping every request it was asked to answer."""

    def __init__(self, **kwargs: object) -> None:
        self.seen: list[GenerationRequest] = []
        super().__init__(self._answer, **kwargs)  # type: ignore[arg-type]

    def _answer(self, request: GenerationRequest) -> str:
        self.seen.append(request)
        return "answer from upstream with several words in it"


def _settings(tmp: Path, **extra: object) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp / 'g.db'}", **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, RecordingFake]]:
    tmp = tmp_path_factory.mktemp("upstream")
    fake = RecordingFake(token_delay_s=0.05)
    with live_server(create_app(_settings(tmp, generator="fake"), generator=fake)) as base:
        yield base, fake


@pytest.fixture(scope="module")
def proxy(
    upstream: tuple[str, RecordingFake], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[openai.OpenAI]:
    tmp = tmp_path_factory.mktemp("proxy")
    settings = _settings(
        tmp, generator="upstream", upstream_url=f"{upstream[0]}/v1", upstream_timeout_s=5
    )
    with live_server(create_app(settings)) as base, openai_client(base) as client:
        yield client


def test_upstream_models_are_listed(proxy: openai.OpenAI) -> None:
    assert [m.id for m in proxy.models.list()] == ["fake-model"]


def test_chat_passes_through_with_parameters(
    proxy: openai.OpenAI, upstream: tuple[str, RecordingFake]
) -> None:
    completion = proxy.chat.completions.create(
        model="fake-model",
        messages=HELLO,
        temperature=0.3,
        max_tokens=3,
        seed=5,
        extra_body={"top_k": 7, "min_tokens": 1, "repetition_penalty": 1.1},
    )
    assert completion.choices[0].message.content == "answer from upstream"
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage is not None and completion.usage.completion_tokens == 3
    params = upstream[1].seen[-1].params
    assert (params.temperature, params.max_tokens, params.seed) == (0.3, 3, 5)
    assert (params.top_k, params.min_tokens, params.repetition_penalty) == (7, 1, 1.1)


def test_stream_passes_through_with_usage(proxy: openai.OpenAI) -> None:
    chunks = list(
        proxy.chat.completions.create(
            model="fake-model",
            messages=HELLO,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "answer from upstream with several words in it"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 8


def test_text_completion_passes_through(proxy: openai.OpenAI) -> None:
    completion = proxy.completions.create(model="fake-model", prompt="hi", max_tokens=2)
    assert completion.choices[0].text == "answer from"


def test_unknown_model_upstream_is_404(proxy: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        proxy.chat.completions.create(model="missing", messages=HELLO)


def test_upstream_down_is_502(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, generator="upstream", upstream_url=f"http://127.0.0.1:{free_port()}/v1"
    )
    with live_server(create_app(settings)) as base, openai_client(base) as client:
        with pytest.raises(openai.APIStatusError) as caught:
            client.chat.completions.create(model="any", messages=HELLO)
        assert caught.value.status_code == 502
        assert caught.value.code == "upstream_unavailable"
        with pytest.raises(openai.APIStatusError) as caught:
            client.chat.completions.create(model="any", messages=HELLO, stream=True)
        assert caught.value.status_code == 502


def test_upstream_timeout_is_504_or_an_in_band_error_once_streaming(tmp_path: Path) -> None:
    slow = FakeGenerator(token_delay_s=0.4)
    upstream_app = create_app(_settings(tmp_path / "slow", generator="fake"), generator=slow)
    with live_server(upstream_app) as upstream_base:
        settings = _settings(
            tmp_path,
            generator="upstream",
            upstream_url=f"{upstream_base}/v1",
            upstream_timeout_s=0.2,
        )
        with live_server(create_app(settings)) as base, openai_client(base) as client:
            with pytest.raises(openai.APIStatusError) as caught:
                client.chat.completions.create(model="fake-model", messages=HELLO)
            assert caught.value.status_code == 504
            assert caught.value.code == "upstream_timeout"
            stream = client.chat.completions.create(model="fake-model", messages=HELLO, stream=True)
            with pytest.raises(openai.APIError, match="did not answer in time"):
                for _ in stream:
                    pass
